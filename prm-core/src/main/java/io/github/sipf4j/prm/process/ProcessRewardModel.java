package io.github.sipf4j.prm.process;

import java.util.List;

/**
 * Scores every step of a rationale with the probability that the step is correct. SIPF aggregates these scores
 * into a reward ({@link Aggregation}) that ranks the sampled rationales of a question for pair selection
 * ({@link PairSelector}).
 *
 * <p>Implement {@link #scoreSteps(List)} to plug in a model of one's own; the built-in ones are the trainable
 * {@link DecoderPrm} and the outcome-only {@link #outcome()}.
 *
 * <pre>{@code
 * // A heuristic PRM: a step is trusted when its equation checks out.
 * ProcessRewardModel checker = inputs -> inputs.stream()
 *     .map(in -> in.steps().stream().mapToDouble(s -> MyArithmetic.holds(s) ? 0.9 : 0.1).toArray())
 *     .toList();
 * List<double[]> scores = checker.scoreSteps(List.of(StepScoringInput.of("3+4", List.of("3+4=7\n"))));
 * double reward = Aggregation.mean().aggregate(scores.get(0));
 * }</pre>
 */
@FunctionalInterface
public interface ProcessRewardModel {

  /**
   * Scores the steps of a batch of rationales.
   *
   * @param inputs the rationales
   * @return for each input, in order, one probability in [0, 1] per step
   */
  List<double[]> scoreSteps(List<StepScoringInput> inputs);

  /**
   * Scores the steps of one rationale.
   *
   * @param input the rationale
   * @return one probability per step
   */
  default double[] scoreSteps(StepScoringInput input) {
    return scoreSteps(List.of(input)).get(0);
  }

  /**
   * Returns the outcome-feedback model of the paper's ablation: every step gets the final answer's verified
   * correctness (1 or 0), so rewards only separate correct from incorrect rationales.
   *
   * @return the model
   */
  static ProcessRewardModel outcome() {
    return new OutcomeRewardModel();
  }

  /**
   * Returns the Monte-Carlo model: steps are scored by sampling completions from each step prefix and verifying
   * them (no training). See {@link MonteCarloPrm}.
   *
   * @param simulator labels steps
   * @param tasksByQuestion the task of each question
   * @param template turns a question into the prompt the policy continues
   * @param soft whether scores are the share of correct completions (true) or hard 0/1 labels
   * @return the model
   */
  static ProcessRewardModel monteCarlo(RolloutSimulator simulator, java.util.Map<String,
      io.github.sipf4j.prm.task.ReasoningTask> tasksByQuestion, io.github.sipf4j.orpo.text.PromptTemplate template,
      boolean soft) {
    return new MonteCarloPrm(simulator, tasksByQuestion, template, soft);
  }
}
