package io.github.sipf4j.prm.iterate.phase;

import com.google.common.base.Preconditions;
import com.google.gson.annotations.SerializedName;
import io.github.sipf4j.orpo.lora.LoraConfig;
import io.github.sipf4j.orpo.lora.LoraModel;
import io.github.sipf4j.orpo.model.CausalLm;
import io.github.sipf4j.prm.iterate.Phase;
import io.github.sipf4j.prm.process.DecoderPrm;
import io.github.sipf4j.prm.process.LabeledRationale;
import io.github.sipf4j.prm.process.PrmTrainer;
import io.github.sipf4j.prm.process.PrmTrainerConfig;
import io.github.sipf4j.prm.process.PrmTrainingResult;
import io.github.sipf4j.prm.process.StepSplitter;
import io.github.sipf4j.prm.rollout.LabelRecord;
import io.github.sipf4j.prm.rollout.SampleRecord;
import io.github.sipf4j.prm.rollout.StreamKeys;
import io.github.sipf4j.prm.task.ReasoningTask;
import java.io.IOException;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.TreeSet;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Trains a fresh {@link DecoderPrm} on the iteration's Monte-Carlo labels: its backbone is the iteration's starting
 * policy (loaded by its model kind), or, with adapter settings of its own, fresh LoRA adapters on the frozen base of
 * a policy that trains adapters; a seeded share of the simulated questions is held out for its step accuracy and
 * AUROC. Writes {@code prm/}, {@code prm-train/} (checkpoints) and {@code prm-metrics.json}.
 */
public final class TrainPrmPhase extends AbstractPhase<TrainPrmPhase.Summary> {

  private static final Logger LOG = LoggerFactory.getLogger(TrainPrmPhase.class);

  /**
   * The marker of the phase.
   *
   * @param trained false when there were no labels, so no PRM was trained (rationales are then scored by outcome)
   * @param trainRationales the rationales trained on
   * @param validationRationales the rationales held out
   * @param steps the optimizer steps
   * @param skippedSteps the steps skipped for a non-finite loss or gradient
   * @param firstLoss the first step's loss
   * @param lastLoss the last step's loss
   * @param stepAccuracy the step accuracy on the held-out rationales, or NaN without any
   * @param auroc the AUROC on the held-out rationales, or NaN
   */
  public record Summary(boolean trained, @SerializedName("train_rationales") int trainRationales,
      @SerializedName("validation_rationales") int validationRationales, long steps,
      @SerializedName("skipped_steps") long skippedSteps, @SerializedName("first_loss") double firstLoss,
      @SerializedName("last_loss") double lastLoss, @SerializedName("step_accuracy") double stepAccuracy,
      double auroc) {}

  private final LoopContext context;
  private final PrmTrainerConfig training;
  private final double validationFraction;
  private final boolean softLabels;
  private final LoraConfig adapters;
  private final StepSplitter splitter = StepSplitter.newlines();

  /**
   * Creates the phase.
   *
   * @param context the run's shared parts
   * @param training how the PRM trains (its seed, work directory and progress bar are set per iteration)
   * @param validationFraction the share of simulated questions held out (none with fewer than 5)
   * @param softLabels whether to train on the soft labels instead of the hard ones
   */
  public TrainPrmPhase(LoopContext context, PrmTrainerConfig training, double validationFraction,
      boolean softLabels) {
    this(context, training, validationFraction, softLabels, null);
  }

  /**
   * Creates the phase, the PRM with adapters of its own.
   *
   * @param context the run's shared parts
   * @param training how the PRM trains (its seed, work directory and progress bar are set per iteration)
   * @param validationFraction the share of simulated questions held out (none with fewer than 5)
   * @param softLabels whether to train on the soft labels instead of the hard ones
   * @param adapters the PRM's adapter settings, put fresh on the policy's frozen base each iteration (the policy
   *     must load as a {@link LoraModel}); null for a copy of the starting policy
   */
  public TrainPrmPhase(LoopContext context, PrmTrainerConfig training, double validationFraction,
      boolean softLabels, LoraConfig adapters) {
    super(Phase.TRAIN_PRM, Summary.class);
    this.context = Preconditions.checkNotNull(context, "context");
    this.training = Preconditions.checkNotNull(training, "training");
    this.validationFraction = validationFraction;
    this.softLabels = softLabels;
    this.adapters = adapters;
  }

  @Override
  public Summary run(IterationScope scope) throws IOException {
    List<SampleRecord> samples = scope.get(Artefacts.SAMPLES);
    List<LabelRecord> labels = scope.get(Artefacts.LABELS);
    if (labels.isEmpty()) {
      LOG.warn("iteration {}: no simulated samples, so no PRM was trained; rationales are scored by outcome",
          scope.iteration());
      return new Summary(false, 0, 0, 0, 0, Double.NaN, Double.NaN, Double.NaN, Double.NaN);
    }
    Set<Integer> validationQuestions = heldOut(scope, samples, labels);
    List<LabeledRationale> train = new ArrayList<>();
    List<LabeledRationale> validation = new ArrayList<>();
    for (LabelRecord l : labels) {
      SampleRecord r = samples.get(l.sample());
      LabeledRationale lr = new LabeledRationale(scope.questions().get(r.question()).prompt(),
          splitter.split(r.text()), l.labels(softLabels));
      (validationQuestions.contains(r.question()) ? validation : train).add(lr);
    }
    long seed = StreamKeys.phaseSeed(context.seed(), scope.iteration(), "prm");
    PrmTrainerConfig cfg = training.toBuilder().seed(seed)
        .workDir(context.store().directory(scope.name("prm-train")))
        .progressBar(context.progress()).build();
    CausalLm backbone = backbone(scope);
    DecoderPrm created;
    try {
      created = DecoderPrm.create(backbone, context.policy().tokenizer(), context.template(),
          StreamKeys.phaseSeed(context.seed(), scope.iteration(), "prm-head"));
    } catch (RuntimeException e) {
      backbone.close();
      throw e;
    }
    try (DecoderPrm prm = created) {
      PrmTrainingResult result = new PrmTrainer(prm, cfg).fit(train, validation.isEmpty() ? null : validation);
      context.store().writeDirectory(scope.name(Artefacts.PRM_DIR), prm::save);
      if (result.validation() != null) {
        context.store().writeJson(scope.name("prm-metrics.json"), result.validation().toMap(""));
      }
      return new Summary(true, train.size(), validation.size(), result.steps(), result.skippedSteps(),
          result.firstLoss(), result.lastLoss(),
          result.validation() == null ? Double.NaN : result.validation().accuracy(),
          result.validation() == null ? Double.NaN : result.validation().auroc());
    }
  }

  /**
   * The starting policy, or fresh adapters of the PRM's own settings on the frozen base that the run's policy and
   * every policy it loads share (the starting adapters are not needed, so they are not loaded).
   */
  private CausalLm backbone(IterationScope scope) throws IOException {
    if (adapters == null) {
      return context.policy().load(scope.startPolicy());
    }
    if (!(context.policy().policy() instanceof LoraModel policy)) {
      throw new IllegalStateException("the process reward model's adapters need a policy that trains LoRA adapters, "
          + "not " + context.policy().policy().getClass().getSimpleName());
    }
    LoraModel own = LoraModel.create(policy.base(), adapters,
        StreamKeys.phaseSeed(context.seed(), scope.iteration(), "prm-adapters")).sharingBase();
    policy.baseModelNameOrPath().ifPresent(own::baseReference);
    return own;
  }

  /**
   * Holds out whole questions: the simulated questions with the lowest seeded ranks of their task ids, a share
   * {@code validationFraction} of them (none with fewer than 5).
   */
  private Set<Integer> heldOut(IterationScope scope, List<SampleRecord> samples, List<LabelRecord> labels) {
    long seed = StreamKeys.phaseSeed(context.seed(), scope.iteration(), "prm-split");
    List<ReasoningTask> questions = scope.questions();
    TreeSet<Integer> simulated = new TreeSet<>();
    labels.forEach(l -> simulated.add(samples.get(l.sample()).question()));
    int held = simulated.size() < 5 ? 0 : (int) Math.round(validationFraction * simulated.size());
    List<Integer> ranked = new ArrayList<>(simulated);
    ranked.sort(Comparator.comparingLong((Integer q) -> StreamKeys.rank(seed, questions.get(q).id(), 0))
        .thenComparing(q -> q));
    return new HashSet<>(ranked.subList(0, held));
  }
}
