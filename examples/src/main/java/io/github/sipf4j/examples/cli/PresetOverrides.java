package io.github.sipf4j.examples.cli;

import io.github.sipf4j.examples.quickstart.Preset;
import io.github.sipf4j.examples.quickstart.Quickstart;
import io.github.sipf4j.prm.synthetic.SyntheticRegime;
import java.util.List;
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

  @Option(names = "--regime", description = "Override the synthetic task regime: arithmetic or distractors.")
  String regime;

  @Option(names = "--pool", description = "Override the number of answer-only pool questions.")
  Integer pool;

  @Option(names = "--warm-lr", description = "Override the SFT warm start's peak learning rate.")
  Float warmLr;

  @Option(names = "--warm-eval-every", description = "Evaluate the warm start on its development set every this "
      + "many steps and keep the best weights (0: train every step and keep the last).")
  Integer warmEvalEvery;

  @Option(names = "--patience", description = "Stop the warm start after this many evaluations without a better "
      + "development accuracy (0: never early).")
  Integer patience;

  @Option(names = "--width", description = "Override the policy's width (d_model, a multiple of 4) of a new warm "
      + "start.")
  Integer width;

  @Option(names = "--layers", description = "Override the policy's layers of a new warm start.")
  Integer layers;

  @Option(names = "--pretrain", description = "Override the pretraining corpus size (0: no pretraining stage).")
  Integer pretrain;

  @Option(names = "--pretrain-steps", description = "Override the pretraining stage's optimizer steps.")
  Integer pretrainSteps;

  @Option(names = "--eval-splits", split = ",", description = "Evaluate only these splits (for example "
      + "'validation' while tuning; default: all of the regime's splits).")
  List<String> evalSplits;

  /** Creates the options; picocli fills them in. */
  public PresetOverrides() {}

  /**
   * Applies the options that were given.
   *
   * @param p the preset
   * @return {@code p} with the given options changed
   */
  public Preset apply(Preset p) {
    Preset out = new Preset(p.name(), or(gold, p.goldExamples()), or(warmSteps, p.warmSteps()),
        warmLr == null ? p.warmLr() : warmLr, or(pool, p.poolQuestions()),
        or(goldReplay, p.goldReplay()), or(questions, p.questionsPerIteration()), or(samples, p.samplesPerQuestion()),
        or(rollouts, p.rolloutsPerStep()), p.maxSimulatedSamples(), mcRewards == null ? p.monteCarloRewards() : mcRewards,
        p.prmEpochs(), or(iterations, p.iterations()), lr == null ? p.orpoLr() : lr, lambda == null ? p.lambda()
        : lambda, or(policySteps, p.orpoMaxSteps()), or(sftSteps, p.sftSteps()), p.evalTasks(), p.maxNewTokens(),
        flawedFirst == null ? p.preferFlawedRejected() : flawedFirst, or(anchors, p.anchorsPerStep()),
        softLabels == null ? p.softLabels() : softLabels, aggregation == null ? p.aggregation() : aggregation,
        minChosen == null ? p.minChosenReward() : minChosen, checkerRewards == null ? p.checkerRewards()
        : checkerRewards, regime == null ? p.regime() : SyntheticRegime.fromName(regime), or(warmEvalEvery, p.warmEvalEvery()), or(patience, p.warmPatience()),
        or(width, p.modelWidth()), or(layers, p.modelLayers()), or(pretrain, p.pretrainExamples()),
        or(pretrainSteps, p.pretrainSteps()));
    if (evalSplits != null) {
      for (String s : evalSplits) {
        if (!out.regime().splits().contains(s)) {
          throw new IllegalArgumentException("unknown evaluation split '" + s + "' for the " + out.regime().key()
              + " regime; splits: " + String.join(", ", out.regime().splits()));
        }
      }
    }
    return out;
  }

  /**
   * Restricts the splits' evaluation sets to {@code --eval-splits} when it was given.
   *
   * @param splits the splits of a seed
   * @return the splits, with only the chosen evaluation sets
   */
  public Quickstart.Splits evaluating(Quickstart.Splits splits) {
    return evalSplits == null ? splits : splits.onlyEvaluating(evalSplits);
  }

  private static int or(Integer v, int dflt) {
    return v == null ? dflt : v;
  }
}
