package io.github.sipf4j.prm.process;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

/**
 * Outcome feedback as a process reward model (the paper's ablation): every step scores 1 when the final answer was
 * verified correct and 0 otherwise. Obtain it with {@link ProcessRewardModel#outcome()}.
 */
public final class OutcomeRewardModel implements ProcessRewardModel {

  /** Creates the model; prefer {@link ProcessRewardModel#outcome()}. */
  public OutcomeRewardModel() {}

  /**
   * Gives every step its rationale's final correctness.
   *
   * @param inputs the rationales, each with {@link StepScoringInput#finalAnswerCorrect()} set
   * @return for each input, its correctness (1 or 0) repeated once per step
   * @throws IllegalArgumentException if an input's final correctness is unknown
   */
  @Override
  public List<double[]> scoreSteps(List<StepScoringInput> inputs) {
    List<double[]> out = new ArrayList<>(inputs.size());
    for (int i = 0; i < inputs.size(); i++) {
      StepScoringInput in = inputs.get(i);
      if (in.finalAnswerCorrect() == null) {
        throw new IllegalArgumentException("input " + i + " has no final correctness: the outcome reward model"
            + " needs StepScoringInput.finalAnswerCorrect");
      }
      double[] scores = new double[in.steps().size()];
      Arrays.fill(scores, in.finalAnswerCorrect() ? 1.0 : 0.0);
      out.add(scores);
    }
    return out;
  }
}
