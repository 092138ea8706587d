package io.github.sipf4j.prm.iterate.phase;

import com.google.common.base.Preconditions;
import io.github.sipf4j.orpo.sample.SamplingConfig;
import io.github.sipf4j.prm.iterate.EvalResult;
import io.github.sipf4j.prm.iterate.Phase;
import io.github.sipf4j.prm.rollout.EvaluateJob;
import io.github.sipf4j.prm.rollout.PolicyRef;
import io.github.sipf4j.prm.rollout.PredictionRecord;
import io.github.sipf4j.prm.task.TaskSet;
import java.io.IOException;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Greedy accuracy of a policy on every evaluation set, through the rollout engine ({@link EvaluateJob}): one
 * {@code eval-<set>.jsonl} of answers per set and {@code eval.json} with every set's accuracy and 95% interval. In an
 * iteration it evaluates the policy the iteration trained; in the run's {@code baseline/} folder (iteration 0) the
 * starting policy, unless its evaluation was handed over ({@link #handedOver}), which is then recorded as is.
 */
public final class EvaluatePhase extends AbstractPhase<EvaluatePhase.Summary> {

  private static final Logger LOG = LoggerFactory.getLogger(EvaluatePhase.class);

  /** The file with every set's result. */
  public static final String EVAL_FILE = "eval.json";

  /**
   * The marker of the phase.
   *
   * @param results the accuracy on each evaluation set, by name, in the order the sets were added
   * @param reused true when the results were handed over instead of decoded; null otherwise
   */
  public record Summary(Map<String, EvalResult> results, Boolean reused) {}

  private final LoopContext context;
  private final Map<String, TaskSet> sets;
  private final SamplingConfig decoding;
  private final Map<String, EvalResult> handedOver;

  private EvaluatePhase(LoopContext context, Map<String, TaskSet> sets, SamplingConfig decoding,
      Map<String, EvalResult> handedOver) {
    super(Phase.EVALUATE, Summary.class);
    this.context = Preconditions.checkNotNull(context, "context");
    this.sets = new LinkedHashMap<>(sets);
    this.decoding = decoding;
    this.handedOver = handedOver == null ? null : new LinkedHashMap<>(handedOver);
  }

  /**
   * Evaluates by greedy decoding.
   *
   * @param context the run's shared parts
   * @param sets the evaluation sets, by name
   * @param decoding the decoding settings (made greedy)
   * @return the phase
   */
  public static EvaluatePhase decoding(LoopContext context, Map<String, TaskSet> sets, SamplingConfig decoding) {
    return new EvaluatePhase(context, sets, Preconditions.checkNotNull(decoding, "decoding"), null);
  }

  /**
   * Records results made elsewhere with the same weights and sets, decoding nothing.
   *
   * @param context the run's shared parts
   * @param results one result per evaluation set
   * @return the phase
   */
  public static EvaluatePhase handedOver(LoopContext context, Map<String, EvalResult> results) {
    return new EvaluatePhase(context, Map.of(), null, Preconditions.checkNotNull(results, "results"));
  }

  @Override
  public Summary run(IterationScope scope) throws IOException {
    if (handedOver != null) {
      context.store().writeJson(scope.name(EVAL_FILE), handedOver);
      LOG.info("iteration {}: starting evaluation handed over, not decoded again", scope.iteration());
      return new Summary(handedOver, true);
    }
    PolicyRef policy = scope.iteration() == 0 ? scope.startPolicy()
        : context.policy().ref(context.store(), scope.name(Artefacts.POLICY_DIR));
    Map<String, EvalResult> results = new LinkedHashMap<>();
    for (Map.Entry<String, TaskSet> e : sets.entrySet()) {
      List<PredictionRecord> predictions = context.engine().run(new EvaluateJob(policy, context.verifier(),
          e.getKey(), context.template(), e.getValue().tasks(), decoding, context.shards().tasks()));
      scope.put(Artefacts.predictions(e.getKey()), predictions);
      int correct = (int) predictions.stream().filter(PredictionRecord::correct).count();
      EvalResult r = EvalResult.of(e.getKey(), correct, predictions.size());
      results.put(e.getKey(), r);
      LOG.info("iteration {}: {} accuracy {} ({} of {})", scope.iteration(), e.getKey(),
          String.format(Locale.ROOT, "%.3f", r.accuracy()), r.correct(), r.n());
    }
    context.store().writeJson(scope.name(EVAL_FILE), results);
    return new Summary(results, null);
  }
}
