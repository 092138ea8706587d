package io.github.sipf4j.prm.iterate.phase;

import io.github.sipf4j.prm.process.ProcessRewardModel;
import io.github.sipf4j.prm.process.StepScoringInput;
import java.io.IOException;
import java.util.List;

/**
 * Where step rewards come from: the strategy that decides whether an iteration simulates, whether it trains a PRM,
 * and how {@link ScorePhase} scores steps. The loop's feedback modes use {@link #learnedPrm} (SIPF's default),
 * {@link #monteCarlo} (the labels themselves), {@link #custom} (a reward model of your own) and {@link #outcome()}
 * (the outcome-only ablation).
 */
public interface RewardSource {

  /**
   * Tells whether the iteration labels steps by Monte-Carlo simulation ({@link SimulatePhase}).
   *
   * @return true when {@link #toSimulate} is used
   */
  default boolean simulates() {
    return false;
  }

  /**
   * Tells whether the iteration trains a PRM on the labels ({@link TrainPrmPhase}).
   *
   * @return true for the learned PRM
   */
  default boolean trainsPrm() {
    return false;
  }

  /**
   * Chooses the samples whose steps are simulated.
   *
   * @param scope the iteration (its samples and verdicts)
   * @param seed the seed of a seeded choice
   * @return indices into the samples, ascending, each with at least one step
   * @throws IOException if an artefact cannot be read
   */
  default List<Integer> toSimulate(IterationScope scope, long seed) throws IOException {
    return List.of();
  }

  /**
   * Scores the steps of samples.
   *
   * @param scope the iteration (its artefacts: labels, the trained PRM)
   * @param inputs one input per sample to score
   * @param samples the index in {@code samples.jsonl} of each input's sample
   * @return one array of step scores in [0, 1] per input, in order (null or invalid arrays leave the sample out)
   * @throws IOException if an artefact cannot be read
   */
  List<double[]> score(IterationScope scope, List<StepScoringInput> inputs, List<Integer> samples)
      throws IOException;

  /**
   * Every step gets the final answer's verified correctness (the outcome-only ablation): no simulation, no PRM.
   *
   * @return the source
   */
  static RewardSource outcome() {
    return (scope, inputs, samples) -> ProcessRewardModel.outcome().scoreSteps(inputs);
  }

  /**
   * Steps are scored by a reward model of the caller's: no simulation, no PRM training.
   *
   * @param model the reward model (the caller's; never closed here)
   * @return the source
   */
  static RewardSource custom(ProcessRewardModel model) {
    return (scope, inputs, samples) -> model.scoreSteps(inputs);
  }

  /**
   * Steps are scored by their Monte-Carlo labels: every sample of a question that can form a pair (a correct sample
   * or a gold rationale) is simulated; samples without labels are scored by outcome.
   *
   * @param soft whether scores are the shares of correct completions rather than the hard labels
   * @param goldRationales whether tasks' gold rationales are candidates (so their questions can always pair)
   * @return the source
   */
  static RewardSource monteCarlo(boolean soft, boolean goldRationales) {
    return new MonteCarloRewards(soft, goldRationales);
  }

  /**
   * Steps are scored by a {@code DecoderPrm} trained every iteration on the Monte-Carlo labels of a seeded subset
   * of the samples (SIPF's default); without labels, by outcome.
   *
   * @param policy the run's policy (the PRM loads on its device, its backbone by the policy's model kind)
   * @param maxSimulated the most samples simulated per iteration
   * @return the source
   */
  static RewardSource learnedPrm(PolicyState policy, int maxSimulated) {
    return new LearnedPrmRewards(policy, maxSimulated);
  }
}
