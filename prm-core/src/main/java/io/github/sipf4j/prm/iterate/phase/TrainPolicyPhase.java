package io.github.sipf4j.prm.iterate.phase;

import com.google.common.base.Preconditions;
import com.google.gson.annotations.SerializedName;
import io.github.sipf4j.orpo.model.CausalLm;
import io.github.sipf4j.orpo.text.EncodedSequence;
import io.github.sipf4j.orpo.text.SequenceEncoder;
import io.github.sipf4j.orpo.text.SequenceTooLongException;
import io.github.sipf4j.orpo.train.AnchorSet;
import io.github.sipf4j.orpo.train.TrainerConfig;
import io.github.sipf4j.prm.iterate.Phase;
import io.github.sipf4j.prm.iterate.PolicyTrainingConfig;
import io.github.sipf4j.prm.rollout.StreamKeys;
import io.github.sipf4j.prm.task.ReasoningTask;
import io.github.sipf4j.prm.task.TaskSet;
import java.io.IOException;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Trains the policy on the accumulated data set with the {@link PolicyUpdate}, starting from the iteration's
 * starting weights (restored from disk when the policy in memory holds others), and saves it as {@code policy/}.
 * The trainer checkpoints into {@code train/}, so a killed run resumes from the last checkpoint.
 */
public final class TrainPolicyPhase extends AbstractPhase<TrainPolicyPhase.Summary> {

  private static final Logger LOG = LoggerFactory.getLogger(TrainPolicyPhase.class);

  /**
   * The marker of the phase.
   *
   * @param examples the training examples (pairs or SFT examples) that fit the policy's context
   * @param steps the optimizer steps (0 when there was nothing to train on)
   * @param skippedSteps the steps skipped for a non-finite loss or gradient
   * @param loss the mean loss of the last epoch, or NaN
   * @param lastEpoch every metric's mean over the last epoch
   */
  public record Summary(int examples, long steps, @SerializedName("skipped_steps") long skippedSteps, double loss,
      @SerializedName("last_epoch") Map<String, Float> lastEpoch) {}

  private final LoopContext context;
  private final PolicyUpdate update;
  private final PolicyTrainingConfig training;
  private final TaskSet anchorTasks;
  private AnchorSet anchors;

  /**
   * Creates the phase.
   *
   * @param context the run's shared parts
   * @param update how the policy learns
   * @param training the trainer's settings (its seed is derived per iteration)
   * @param anchorTasks tasks whose gold rationales anchor every step, or null (used when
   *     {@link PolicyTrainingConfig#anchorsPerStep()} is positive)
   */
  public TrainPolicyPhase(LoopContext context, PolicyUpdate update, PolicyTrainingConfig training,
      TaskSet anchorTasks) {
    super(Phase.TRAIN_POLICY, Summary.class);
    this.context = Preconditions.checkNotNull(context, "context");
    this.update = Preconditions.checkNotNull(update, "update");
    this.training = Preconditions.checkNotNull(training, "training");
    this.anchorTasks = anchorTasks;
  }

  @Override
  public Summary run(IterationScope scope) throws IOException {
    PolicyState state = context.policy();
    CausalLm policy = state.restore(scope.startPolicy());
    SequenceEncoder encoder = new SequenceEncoder(state.tokenizer(), context.template(), policy.maxLength());
    TrainerConfig cfg = TrainerConfig.builder().batchSize(training.batchSize())
        .microBatchSize(training.microBatchSize()).epochs(training.epochs()).maxSteps(training.maxSteps())
        .seed(StreamKeys.phaseSeed(context.seed(), scope.iteration(), "train")).optimizer(training.optimizer())
        .workDir(context.store().directory(scope.name("train")))
        .checkpointEverySteps(training.checkpointEverySteps()).groupByLength(training.groupByLength())
        .progressBar(context.progress()).build();
    state.modified();
    PolicyUpdate.Trained trained = update.train(scope, policy, encoder, cfg, anchors(encoder),
        state.tokenizer().padId());
    if (trained.summary() == null) {
      LOG.warn("iteration {}: no training data, the policy is unchanged", scope.iteration());
    }
    state.save(context.store(), scope.name(Artefacts.POLICY_DIR));
    var summary = trained.summary();
    Map<String, Float> lastEpoch = summary == null || summary.epochMeans().isEmpty() ? Map.of()
        : summary.epochMeans().get(summary.epochMeans().size() - 1);
    return new Summary(trained.examples(), summary == null ? 0 : summary.steps(),
        summary == null ? 0 : summary.skippedSteps(), lastEpoch.getOrDefault("loss", Float.NaN),
        new LinkedHashMap<>(lastEpoch));
  }

  /** The anchor tasks' gold rationales, encoded once, or null without anchors. */
  private AnchorSet anchors(SequenceEncoder encoder) {
    if (training.anchorsPerStep() == 0) {
      return null;
    }
    if (anchors == null) {
      List<EncodedSequence> seqs = new ArrayList<>();
      for (ReasoningTask t : anchorTasks.tasks()) {
        if (!t.goldSteps().isEmpty()) {
          try {
            seqs.add(encoder.encode(context.template().format(t.prompt()), t.goldRationale()));
          } catch (SequenceTooLongException e) {
            LOG.warn("anchor task '{}' left out: {}", t.id(), e.getMessage());
          }
        }
      }
      Preconditions.checkState(!seqs.isEmpty(), "no gold rationale of the anchor tasks (%s) fits the policy's %s "
          + "tokens", anchorTasks.name(), encoder.maxLength());
      anchors = new AnchorSet(seqs, training.anchorsPerStep(), training.anchorWeight(), training.nllScope(),
          state().tokenizer().padId());
    }
    return anchors;
  }

  private PolicyState state() {
    return context.policy();
  }
}
