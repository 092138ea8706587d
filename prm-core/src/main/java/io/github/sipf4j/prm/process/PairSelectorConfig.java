package io.github.sipf4j.prm.process;

import com.google.common.base.Preconditions;

/**
 * How {@link PairSelector} builds pairs: an immutable value built with {@link #builder()}.
 *
 * <p>Defaults (each named once, here):
 * <ul>
 *   <li>{@code margin} η = 0.1: the rejected reward must be at least this much below the chosen one. Rewards are
 *       means of step probabilities in [0, 1]; a tenth is well above the score noise between two nearly identical
 *       rationales (a few hundredths for a small PRM), so pairs ranked by noise alone are dropped, while a
 *       correct rationale and an incorrect one almost always differ by more.</li>
 *   <li>{@code maxPairsPerQuestion} 2: keeps questions with many samples from dominating the preference set and
 *       leaves room for a correct-versus-incorrect pair and a correct-versus-flawed one.</li>
 *   <li>{@code allowCorrectRejected} true: a verified-correct rationale with a clearly lower process reward may be
 *       rejected. This is what process feedback adds over outcome feedback (which can only reject wrong
 *       answers).</li>
 *   <li>{@code allowChosenReuse} false: each rationale appears in at most one pair, so that one lucky sample does
 *       not become the chosen side of every pair.</li>
 *   <li>{@code nearDuplicateSimilarity} 0.9: two rationales with the same outcome are duplicates when their
 *       normalised texts (whitespace removed, lower-cased) are identical or have a similarity
 *       \( 1 - \mathrm{lev}(a, b) / \max(|a|, |b|) \) of at least this; 1 keeps all but identical ones.</li>
 *   <li>{@code preferFlawedRejected} false: rejected candidates are tried from the lowest reward up, so the best
 *       chosen rationale usually meets a wrong answer. When true, correct-but-flawed rationales (correct answer,
 *       reward at least η below the chosen one) are tried before incorrect ones: the pairs that only process feedback
 *       can make come first instead of being crowded out by the cap. Requires {@code allowCorrectRejected}.</li>
 *   <li>{@code minChosenReward} 0: any correct rationale may be chosen. A positive value keeps correct rationales
 *       whose process reward is below it from the chosen side (they may still be rejected): with noisy step labels,
 *       a correct answer reached through a wrong step otherwise becomes an NLL target. Outcome rewards are 1 for
 *       every correct rationale, so only process feedback can make this filter bite.</li>
 * </ul>
 *
 * @param margin the minimum reward gap \( r_w - r_l \ge \eta \)
 * @param maxPairsPerQuestion the most pairs made from one question's rationales
 * @param allowCorrectRejected whether a correct rationale may be the rejected side
 * @param allowChosenReuse whether the same chosen rationale may appear in several pairs
 * @param nearDuplicateSimilarity the normalised edit similarity at or above which two rationales are duplicates
 * @param preferFlawedRejected whether correct-but-flawed rationales are rejected before incorrect ones
 * @param minChosenReward the lowest reward a chosen rationale may have, in [0, 1]
 */
public record PairSelectorConfig(
    double margin,
    int maxPairsPerQuestion,
    boolean allowCorrectRejected,
    boolean allowChosenReuse,
    double nearDuplicateSimilarity,
    boolean preferFlawedRejected,
    double minChosenReward) {

  /**
   * Validates the configuration.
   *
   * @param margin the {@code margin} component (see the record)
   * @param maxPairsPerQuestion the {@code maxPairsPerQuestion} component (see the record)
   * @param allowCorrectRejected the {@code allowCorrectRejected} component (see the record)
   * @param allowChosenReuse the {@code allowChosenReuse} component (see the record)
   * @param nearDuplicateSimilarity the {@code nearDuplicateSimilarity} component (see the record)
   * @param preferFlawedRejected the {@code preferFlawedRejected} component (see the record)
   * @param minChosenReward the {@code minChosenReward} component (see the record)
   */
  public PairSelectorConfig {
    Preconditions.checkArgument(margin >= 0 && Double.isFinite(margin), "margin must be >= 0, got %s", margin);
    Preconditions.checkArgument(maxPairsPerQuestion > 0, "maxPairsPerQuestion must be positive, got %s",
        maxPairsPerQuestion);
    Preconditions.checkArgument(nearDuplicateSimilarity > 0 && nearDuplicateSimilarity <= 1,
        "nearDuplicateSimilarity must be in (0, 1], got %s", nearDuplicateSimilarity);
    Preconditions.checkArgument(!preferFlawedRejected || allowCorrectRejected,
        "preferFlawedRejected needs allowCorrectRejected: a correct rationale cannot be rejected otherwise");
    Preconditions.checkArgument(minChosenReward >= 0 && minChosenReward <= 1,
        "minChosenReward must be in [0, 1], got %s", minChosenReward);
  }

  /**
   * Returns a builder holding the documented defaults.
   *
   * @return a new builder
   */
  public static Builder builder() {
    return new Builder();
  }

  /** Builds a {@link PairSelectorConfig}; see the record for the defaults. */
  public static final class Builder {
    private double margin = 0.1;
    private int maxPairsPerQuestion = 2;
    private boolean allowCorrectRejected = true;
    private boolean allowChosenReuse = false;
    private double nearDuplicateSimilarity = 0.9;
    private boolean preferFlawedRejected = false;
    private double minChosenReward = 0;

    private Builder() {}

    /**
     * Sets the minimum reward gap η.
     *
     * @param v the margin, at least 0
     * @return this builder
     */
    public Builder margin(double v) {
      margin = v;
      return this;
    }

    /**
     * Sets the cap on pairs per question.
     *
     * @param v the cap, positive
     * @return this builder
     */
    public Builder maxPairsPerQuestion(int v) {
      maxPairsPerQuestion = v;
      return this;
    }

    /**
     * Sets whether a correct rationale may be rejected.
     *
     * @param v true to allow correct-but-flawed rejected rationales
     * @return this builder
     */
    public Builder allowCorrectRejected(boolean v) {
      allowCorrectRejected = v;
      return this;
    }

    /**
     * Sets whether a chosen rationale may appear in several pairs.
     *
     * @param v true to allow reuse
     * @return this builder
     */
    public Builder allowChosenReuse(boolean v) {
      allowChosenReuse = v;
      return this;
    }

    /**
     * Sets the similarity at or above which rationales are duplicates.
     *
     * @param v the similarity in (0, 1]
     * @return this builder
     */
    public Builder nearDuplicateSimilarity(double v) {
      nearDuplicateSimilarity = v;
      return this;
    }

    /**
     * Sets whether correct-but-flawed rationales are tried as the rejected side before incorrect ones.
     *
     * @param v true to pair chosen rationales with flawed correct ones first
     * @return this builder
     */
    public Builder preferFlawedRejected(boolean v) {
      preferFlawedRejected = v;
      return this;
    }

    /**
     * Sets the lowest reward a chosen rationale may have.
     *
     * @param v the threshold in [0, 1]; 0 lets every correct rationale be chosen
     * @return this builder
     */
    public Builder minChosenReward(double v) {
      minChosenReward = v;
      return this;
    }

    /**
     * Validates and builds the configuration.
     *
     * @return the configuration
     */
    public PairSelectorConfig build() {
      return new PairSelectorConfig(margin, maxPairsPerQuestion, allowCorrectRejected, allowChosenReuse,
          nearDuplicateSimilarity, preferFlawedRejected, minChosenReward);
    }
  }
}
