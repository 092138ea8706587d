package io.github.sipf4j.examples.quickstart;

import io.github.sipf4j.prm.synthetic.SyntheticRegime;
import java.util.List;
import java.util.Locale;

/**
 * The sizes of a quickstart or experiment run on the synthetic task.
 *
 * @param name the preset's name
 * @param goldExamples gold rationales of the SFT warm start (in-domain questions)
 * @param warmSteps optimizer steps (batch 16) of the warm start
 * @param warmLr the warm start's peak learning rate (cosine decay)
 * @param poolQuestions questions with answers but no rationales that the iterations sample from
 * @param goldReplay gold questions (with their rationales) mixed into the iterations' questions
 * @param questionsPerIteration questions sampled per iteration (a window over the shuffled pool + replay)
 * @param samplesPerQuestion N, rationales sampled per question at temperature 1
 * @param rolloutsPerStep K, Monte-Carlo completions per step prefix
 * @param maxSimulatedSamples the most samples simulated per iteration to train the PRM
 * @param monteCarloRewards score steps by the Monte-Carlo labels themselves rather than a PRM trained on them
 * @param prmEpochs epochs of PRM training per iteration
 * @param iterations SIPF iterations
 * @param orpoLr the policy training's peak learning rate
 * @param lambda ORPO's λ
 * @param orpoMaxSteps the most policy optimizer steps per iteration (batch 16)
 * @param sftSteps optimizer steps of the continued-SFT baseline per iteration
 * @param evalTasks tasks per evaluation split
 * @param maxNewTokens the longest rationale sampled
 * @param preferFlawedRejected SIPF's pairs reject correct-but-flawed rationales before incorrect ones (see
 *     {@code PairSelectorConfig#preferFlawedRejected})
 * @param anchorsPerStep gold rationales of the warm start's labelled set mixed into every policy-training step as
 *     NLL-only examples (self-training methods only; 0 for none; see {@code AnchorSet})
 * @param softLabels with Monte-Carlo step rewards, SIPF scores a step by its share of correct completions instead of
 *     the hard label (any completion correct)
 * @param aggregation how SIPF reduces step scores to a reward: mean, min, product or last
 * @param minChosenReward the lowest reward a SIPF chosen rationale may have (see {@code
 *     PairSelectorConfig#minChosenReward})
 * @param checkerRewards SIPF scores steps with the exact {@code SyntheticStepChecker} instead of Monte-Carlo labels or
 *     a PRM (an upper bound for process feedback on this task; no simulation runs)
 * @param regime the synthetic task family and its splits
 * @param warmEvalEvery 0: the warm start trains {@code warmSteps} steps and keeps the last weights; otherwise it
 *     evaluates greedy accuracy on a held-out development set (validation distribution, {@code evalTasks} questions
 *     disjoint from the validation split) every this many steps and at the end, and keeps the best weights (early
 *     stopping; {@code warmSteps} is then the most steps)
 * @param warmPatience with early stopping, stop after this many evaluations in a row without a better accuracy (0:
 *     never stop before {@code warmSteps})
 * @param modelWidth the policy's width (d_model) when the warm start creates it
 * @param modelLayers the policy's transformer layers when the warm start creates it
 * @param pretrainExamples 0: the warm start begins from a new model; otherwise it first trains the new model on this
 *     many rationales of the regime's pretraining corpus (the in-domain task without its reasoning parts; see
 *     {@code SyntheticRegime#pretraining}) for {@code pretrainSteps} steps at learning rate
 *     {@value #PRETRAIN_LR} (cosine), the stand-in for a pretrained model, and then trains that on the gold set
 * @param pretrainSteps optimizer steps (batch 16) of the pretraining stage
 */
public record Preset(
    String name,
    int goldExamples,
    int warmSteps,
    float warmLr,
    int poolQuestions,
    int goldReplay,
    int questionsPerIteration,
    int samplesPerQuestion,
    int rolloutsPerStep,
    int maxSimulatedSamples,
    boolean monteCarloRewards,
    int prmEpochs,
    int iterations,
    float orpoLr,
    float lambda,
    int orpoMaxSteps,
    int sftSteps,
    int evalTasks,
    int maxNewTokens,
    boolean preferFlawedRejected,
    int anchorsPerStep,
    boolean softLabels,
    String aggregation,
    double minChosenReward,
    boolean checkerRewards,
    SyntheticRegime regime,
    int warmEvalEvery,
    int warmPatience,
    int modelWidth,
    int modelLayers,
    int pretrainExamples,
    int pretrainSteps) {

  /** The peak learning rate of the pretraining stage (that of the arithmetic regime's warm start). */
  public static final float PRETRAIN_LR = 2e-3f;

  /**
   * Checks the sizes.
   *
   * @throws IllegalArgumentException naming every setting out of range
   */
  public Preset {
    java.util.List<String> bad = new java.util.ArrayList<>();
    positive(bad, "gold examples", goldExamples);
    positive(bad, "warm-start steps", warmSteps);
    positive(bad, "pool questions", poolQuestions);
    positive(bad, "samples per question", samplesPerQuestion);
    positive(bad, "rollouts per step", rolloutsPerStep);
    positive(bad, "simulated samples", maxSimulatedSamples);
    positive(bad, "PRM epochs", prmEpochs);
    positive(bad, "iterations", iterations);
    positive(bad, "policy steps", orpoMaxSteps);
    positive(bad, "SFT steps", sftSteps);
    positive(bad, "evaluation tasks", evalTasks);
    positive(bad, "new tokens", maxNewTokens);
    if (aggregation == null) {
      bad.add("aggregation is required");
    } else {
      try {
        io.github.sipf4j.prm.process.Aggregation.named(aggregation);
      } catch (IllegalArgumentException e) {
        bad.add(e.getMessage());
      }
    }
    if (!(minChosenReward >= 0 && minChosenReward <= 1)) {
      bad.add("minimum chosen reward must be in [0, 1], got " + minChosenReward);
    }
    if (anchorsPerStep < 0) {
      bad.add("anchors per step must be >= 0 (0 = none), got " + anchorsPerStep);
    }
    if (goldReplay < 0 || goldReplay > goldExamples) {
      bad.add("gold replay must be in 0.." + goldExamples + " (the gold examples), got " + goldReplay);
    }
    if (questionsPerIteration < 0) {
      bad.add("questions per iteration must be >= 0 (0 = all), got " + questionsPerIteration);
    }
    if (!(warmLr > 0) || !(orpoLr > 0) || Float.isInfinite(warmLr) || Float.isInfinite(orpoLr)) {
      bad.add("learning rates must be positive and finite, got " + warmLr + " and " + orpoLr);
    }
    if (!(lambda >= 0) || Float.isInfinite(lambda)) {
      bad.add("lambda must be >= 0 and finite, got " + lambda);
    }
    if (regime == null) {
      bad.add("regime is required");
    }
    if (warmEvalEvery < 0 || warmPatience < 0) {
      bad.add("warm-start evaluation interval and patience must be >= 0 (0 = off), got " + warmEvalEvery + " and "
          + warmPatience);
    }
    if (pretrainExamples < 0 || pretrainSteps < 0 || (pretrainExamples > 0) != (pretrainSteps > 0)) {
      bad.add("pretraining needs both examples and steps (or neither), got " + pretrainExamples + " and "
          + pretrainSteps);
    }
    positive(bad, "model width", modelWidth);
    positive(bad, "model layers", modelLayers);
    if (modelWidth > 0 && modelWidth % 4 != 0) {
      bad.add("model width must be a multiple of the 4 attention heads, got " + modelWidth);
    }
    if (!bad.isEmpty()) {
      throw new IllegalArgumentException("preset " + name + ": " + String.join("; ", bad));
    }
  }

  private static void positive(java.util.List<String> bad, String what, int v) {
    if (v <= 0) {
      bad.add(what + " must be positive, got " + v);
    }
  }

  /** Seconds on a 2-core machine: the whole method on a toy budget, for tests and a first look. */
  public static final Preset TINY = new Preset("tiny", 64, 30, 2e-3f, 24, 8, 16, 2, 2, 24, false, 1, 1, 1e-4f, 0.1f, 4,
      4, 16, 96, false, 0, false, "mean", 0, false, SyntheticRegime.ARITHMETIC, 0, 0, 96, 4, 0, 0);

  /**
   * The default: an SFT warm start (1,500 steps), two SIPF iterations with Monte-Carlo step rewards and evaluation,
   * about 13 minutes on a 2-core machine.
   */
  public static final Preset DEFAULT = new Preset("default", 2000, 1500, 2e-3f, 1600, 400, 800, 4, 4, 600, true, 3,
      2, 3e-4f, 0.1f, 100, 300, 200, 200, false, 0, false, "mean", 0, false, SyntheticRegime.ARITHMETIC, 0, 0, 96, 4, 0, 0);

  /**
   * The experiment's size: the warm start of the calibration (2,000 steps, 30-41% in domain by seed, near the paper's
   * 31.5% SFT start on GSM8K), two iterations, 250 tasks per evaluation split.
   */
  public static final Preset EXPERIMENT = new Preset("experiment", 2000, 2000, 2e-3f, 2400, 400, 800, 4, 4, 600,
      true, 3, 2, 3e-4f, 0.1f, 100, 300, 250, 200, false, 0, false, "mean", 0, false, SyntheticRegime.ARITHMETIC, 0,
      0, 96, 4, 0, 0);

  /**
   * The reasoning regime ({@link SyntheticRegime#DISTRACTORS}): a small gold set, an early-stopped warm start, an
   * answer-only pool ten times larger with fresh questions every iteration.
   */
  public static final Preset DISTRACTORS = new Preset("distractors", 300, 3000, 2e-3f, 3000, 0, 750, 4, 4, 600,
      true, 3, 4, 3e-4f, 0.1f, 100, 300, 250, 256, false, 0, false, "mean", 0, false, SyntheticRegime.DISTRACTORS,
      100, 5, 96, 4, 3000, 1000);

  /**
   * Returns the built-in presets.
   *
   * @return tiny, default, experiment and distractors
   */
  public static List<Preset> all() {
    return List.of(TINY, DEFAULT, EXPERIMENT, DISTRACTORS);
  }

  /**
   * Finds a preset by name.
   *
   * @param name the name, case-insensitive
   * @return the preset
   * @throws IllegalArgumentException naming the valid presets
   */
  public static Preset named(String name) {
    for (Preset p : all()) {
      if (p.name.equalsIgnoreCase(name)) {
        return p;
      }
    }
    throw new IllegalArgumentException("unknown preset '" + name + "'; presets: "
        + String.join(", ", all().stream().map(Preset::name).toList()));
  }

  @Override
  public String toString() {
    return String.format(Locale.ROOT, "%s (%sgold %d, warm %d steps%s, pool %d + replay %d, %d questions x %d samples "
        + "per iteration, K=%d, %d iterations, lr %.0e, %d steps, lambda %.2g, %d SFT steps, %s%s rewards%s%s%s)", name,
        regime == SyntheticRegime.ARITHMETIC ? "" : regime.key() + " regime, model " + modelWidth + "x"
            + modelLayers + ", " + (pretrainSteps > 0 ? "pretraining " + pretrainExamples + " x " + pretrainSteps
            + " steps, " : ""), goldExamples, warmSteps,
        warmEvalEvery > 0 ? String.format(Locale.ROOT, " at most (lr %.0e, best of evaluations every %d, patience %d)",
            warmLr, warmEvalEvery, warmPatience) : "",
        poolQuestions, goldReplay, questionsPerIteration, samplesPerQuestion,
        rolloutsPerStep, iterations, orpoLr, orpoMaxSteps, lambda, sftSteps, aggregation,
        checkerRewards ? " step-checker" : softLabels ? " soft" : "",
        minChosenReward > 0 ? ", chosen reward >= " + minChosenReward : "",
        preferFlawedRejected ? ", flawed-first pairs" : "",
        anchorsPerStep > 0 ? ", " + anchorsPerStep + " gold anchors per step" : "");
  }
}
