package io.github.sipf4j.prm.process;

import com.google.common.base.Preconditions;
import java.util.List;

/**
 * A sampled rationale with its verified outcome and its process reward, the input of {@link PairSelector}.
 *
 * @param text the rationale text (the response of a preference pair)
 * @param steps its steps (used to recognise duplicates)
 * @param correct whether its final answer was verified correct
 * @param reward its aggregated process reward
 * @param stepScores the score of each step
 */
public record ScoredRationale(String text, List<String> steps, boolean correct, double reward, double[] stepScores) {

  /**
   * Validates the record and copies the steps and scores.
   *
   * @param text the {@code text} component (see the record)
   * @param steps the {@code steps} component (see the record)
   * @param correct the {@code correct} component (see the record)
   * @param reward the {@code reward} component (see the record)
   * @param stepScores the {@code stepScores} component (see the record)
   */
  public ScoredRationale {
    Preconditions.checkNotNull(text, "text");
    Preconditions.checkNotNull(steps, "steps");
    Preconditions.checkNotNull(stepScores, "stepScores");
    Preconditions.checkArgument(!Double.isNaN(reward), "reward is NaN");
    steps = List.copyOf(steps);
    stepScores = stepScores.clone();
  }

  /**
   * Scores a rationale by aggregating its step scores.
   *
   * @param text the rationale text
   * @param steps its steps
   * @param correct whether its final answer was verified correct
   * @param stepScores the score of each step, at least one
   * @param aggregation how the step scores become the reward
   * @return the scored rationale
   */
  public static ScoredRationale of(
      String text, List<String> steps, boolean correct, double[] stepScores, Aggregation aggregation) {
    return new ScoredRationale(text, steps, correct, aggregation.aggregate(stepScores), stepScores);
  }

  /**
   * Returns a copy of the step scores.
   *
   * @return the step scores
   */
  @Override
  public double[] stepScores() {
    return stepScores.clone();
  }
}
