package io.github.sipf4j.examples.cli;

import io.github.sipf4j.examples.quickstart.Preset;
import picocli.CommandLine.Option;

/**
 * The options that change a preset's iteration settings, shared by {@code quickstart} and {@code experiment} (for
 * calibration on the validation split). Options left out keep the preset's value.
 */
public final class PresetOverrides {
  @Option(names = "--gold", description = "Override the number of gold rationales of the SFT warm start.")
  Integer gold;

  @Option(names = "--warm-steps", description = "Override the SFT warm start's optimizer steps.")
  Integer warmSteps;

  @Option(names = "--iterations", description = "Override the preset's iteration count.")
  Integer iterations;

  @Option(names = "--lr", description = "Override the preset's policy learning rate (also the continued SFT's).")
  Float lr;

  @Option(names = "--policy-steps", description = "Override the preset's policy steps per iteration.")
  Integer policySteps;

  @Option(names = "--sft-steps", description = "Override the continued-SFT baseline's steps per iteration.")
  Integer sftSteps;

  @Option(names = "--mc-rewards", arity = "0..1", fallbackValue = "true",
      description = "Score steps by the Monte-Carlo labels (true) or by a PRM trained on them (false).")
  Boolean mcRewards;

  @Option(names = "--gold-replay", description = "Override how many gold questions join the iterations' pool.")
  Integer goldReplay;

  @Option(names = "--questions", description = "Override the questions sampled per iteration.")
  Integer questions;

  @Option(names = "--samples", description = "Override the samples per question.")
  Integer samples;

  @Option(names = "--rollouts", description = "Override K, the Monte-Carlo completions per step prefix.")
  Integer rollouts;

  @Option(names = "--lambda", description = "Override ORPO's lambda.")
  Float lambda;

  @Option(names = "--flawed-first", arity = "0..1", fallbackValue = "true",
      description = "SIPF pairs reject correct-but-flawed rationales before incorrect ones (true) or the lowest reward "
          + "first (false).")
  Boolean flawedFirst;

  @Option(names = "--anchors", description = "Gold rationales of the warm start's set mixed into every policy step of "
      + "the self-training methods as NLL-only examples (0: none).")
  Integer anchors;

  @Option(names = "--soft-labels", arity = "0..1", fallbackValue = "true",
      description = "SIPF's Monte-Carlo step rewards are shares of correct completions (true) or hard labels (false).")
  Boolean softLabels;

  @Option(names = "--aggregation", description = "How SIPF reduces step scores to a reward: mean, min, product, last.")
  String aggregation;

  @Option(names = "--min-chosen", description = "The lowest reward a SIPF chosen rationale may have, in [0, 1].")
  Double minChosen;

  @Option(names = "--checker-rewards", arity = "0..1", fallbackValue = "true",
      description = "SIPF scores steps with the synthetic task's exact step checker (no simulation).")
  Boolean checkerRewards;

  /** Creates the options; picocli fills them in. */
  public PresetOverrides() {}

  /**
   * Applies the options that were given.
   *
   * @param p the preset
   * @return {@code p} with the given options changed
   */
  public Preset apply(Preset p) {
    return new Preset(p.name(), or(gold, p.goldExamples()), or(warmSteps, p.warmSteps()), p.warmLr(), p.poolQuestions(),
        or(goldReplay, p.goldReplay()), or(questions, p.questionsPerIteration()), or(samples, p.samplesPerQuestion()),
        or(rollouts, p.rolloutsPerStep()), p.maxSimulatedSamples(), mcRewards == null ? p.monteCarloRewards() : mcRewards,
        p.prmEpochs(), or(iterations, p.iterations()), lr == null ? p.orpoLr() : lr, lambda == null ? p.lambda()
        : lambda, or(policySteps, p.orpoMaxSteps()), or(sftSteps, p.sftSteps()), p.evalTasks(), p.maxNewTokens(),
        flawedFirst == null ? p.preferFlawedRejected() : flawedFirst, or(anchors, p.anchorsPerStep()),
        softLabels == null ? p.softLabels() : softLabels, aggregation == null ? p.aggregation() : aggregation,
        minChosen == null ? p.minChosenReward() : minChosen, checkerRewards == null ? p.checkerRewards()
        : checkerRewards);
  }

  private static int or(Integer v, int dflt) {
    return v == null ? dflt : v;
  }
}
