package io.github.sipf4j.prm.iterate.phase;

import com.google.common.base.Preconditions;
import io.github.sipf4j.prm.iterate.Phase;
import io.github.sipf4j.prm.process.Aggregation;
import io.github.sipf4j.prm.process.StepScoringInput;
import io.github.sipf4j.prm.process.StepSplitter;
import io.github.sipf4j.prm.rollout.SampleRecord;
import io.github.sipf4j.prm.rollout.VerdictRecord;
import java.io.IOException;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Scores every step of every sample with the {@link RewardSource} and aggregates the scores into the sample's reward:
 * {@link Artefacts#SCORES}. A sample whose scores are missing, of the wrong length, non-finite or outside [0, 1] is
 * left out (and can then join no pair); the count is in the summary and the log.
 */
public final class ScorePhase extends AbstractPhase<ScorePhase.Summary> {

  private static final Logger LOG = LoggerFactory.getLogger(ScorePhase.class);

  /**
   * The marker of the phase.
   *
   * @param scored the samples with valid scores
   * @param unscored the samples left out for missing or invalid scores
   */
  public record Summary(int scored, int unscored) {}

  private final RewardSource rewards;
  private final Aggregation aggregation;
  private final StepSplitter splitter = StepSplitter.newlines();

  /**
   * Creates the phase.
   *
   * @param rewards where step scores come from
   * @param aggregation turns step scores into a reward
   */
  public ScorePhase(RewardSource rewards, Aggregation aggregation) {
    super(Phase.SCORE, Summary.class);
    this.rewards = Preconditions.checkNotNull(rewards, "rewards");
    this.aggregation = Preconditions.checkNotNull(aggregation, "aggregation");
  }

  @Override
  public Summary run(IterationScope scope) throws IOException {
    List<SampleRecord> samples = scope.get(Artefacts.SAMPLES);
    List<VerdictRecord> verdicts = scope.get(Artefacts.VERDICTS);
    List<Integer> index = new ArrayList<>();
    List<StepScoringInput> inputs = new ArrayList<>();
    for (int i = 0; i < samples.size(); i++) {
      List<String> steps = splitter.split(samples.get(i).text());
      if (!steps.isEmpty()) {
        index.add(i);
        inputs.add(new StepScoringInput(scope.questions().get(samples.get(i).question()).prompt(), steps,
            verdicts.get(i).correct()));
      }
    }
    List<double[]> scores = inputs.isEmpty() ? List.of() : rewards.score(scope, inputs, index);
    Preconditions.checkState(scores.size() == inputs.size(), "the reward source returned %s score arrays for %s "
        + "samples", scores.size(), inputs.size());
    List<ScoreRecord> out = new ArrayList<>();
    int unscored = 0;
    for (int j = 0; j < index.size(); j++) {
      double[] sc = scores.get(j);
      boolean valid = sc != null && sc.length == inputs.get(j).steps().size()
          && Arrays.stream(sc).allMatch(v -> Double.isFinite(v) && v >= 0 && v <= 1);
      if (!valid) {
        unscored++;
        continue;
      }
      out.add(new ScoreRecord(index.get(j), sc, aggregation.aggregate(sc)));
    }
    if (unscored > 0) {
      LOG.warn("{} of {} samples got a missing, non-finite or out-of-range step score and were left out of the pairs",
          unscored, index.size());
    }
    scope.put(Artefacts.SCORES, out);
    return new Summary(out.size(), unscored);
  }
}
