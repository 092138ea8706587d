package io.github.sipf4j.prm.synthetic;

import java.util.EnumSet;
import java.util.Objects;
import java.util.Set;

/**
 * The difficulty knobs of the synthetic task; build with {@link #builder()}. A question has {@code steps}
 * rationale lines before {@code The answer is X}: for {@link AnswerKind#NUMBER} every line is an operation; for
 * the small-range kinds the last line is the final comparison or remainder, so they have {@code steps - 1}
 * operations.
 *
 * @param minSteps the fewest rationale lines; see {@link #DEFAULT_MIN_STEPS}
 * @param maxSteps the most rationale lines; see {@link #DEFAULT_MAX_STEPS}
 * @param minStart the smallest starting quantity; see {@link #DEFAULT_MIN_START}
 * @param maxStart the largest starting quantity; see {@link #DEFAULT_MAX_START}
 * @param maxAddend the largest number added or subtracted; see {@link #DEFAULT_MAX_ADDEND}
 * @param maxFactor the largest factor, divisor and bag size; see {@link #DEFAULT_MAX_FACTOR}
 * @param maxValue the largest intermediate result; see {@link #DEFAULT_MAX_VALUE}
 * @param operators the operations chains may use; see {@link #DEFAULT_OPERATORS}
 * @param wording the template family; see {@link #DEFAULT_WORDING}
 * @param smallRangeShare the share of questions with a small-range answer; see {@link #DEFAULT_SMALL_RANGE_SHARE}
 * @param smallRangeKinds the small-range kinds to draw from; see {@link #DEFAULT_SMALL_RANGE_KINDS}
 * @param maxChars the longest prompt plus newline plus rationale; see {@link #DEFAULT_MAX_CHARS}
 * @param minDistractors the fewest sentences about a second person that leave the asked person's count alone; see
 *     {@link #DEFAULT_MIN_DISTRACTORS}
 * @param maxDistractors the most such sentences; see {@link #DEFAULT_MAX_DISTRACTORS}
 * @param transferShare the chance that an operation of the asked person is a transfer with the second person; see
 *     {@link #DEFAULT_TRANSFER_SHARE}
 * @param citeSentences whether every operation line of a rationale first quotes the sentence it uses; see
 *     {@link #DEFAULT_CITE_SENTENCES}
 * @param totalShare the share of two-person stories that ask for both people's total; see
 *     {@link #DEFAULT_TOTAL_SHARE}
 * @param addendStep numbers added, subtracted or transferred are multiples of this; see {@link #DEFAULT_ADDEND_STEP}
 */
public record SyntheticConfig(
    int minSteps,
    int maxSteps,
    int minStart,
    int maxStart,
    int maxAddend,
    int maxFactor,
    int maxValue,
    Set<Operator> operators,
    Wording wording,
    double smallRangeShare,
    Set<AnswerKind> smallRangeKinds,
    int maxChars,
    int minDistractors,
    int maxDistractors,
    double transferShare,
    boolean citeSentences,
    double totalShare,
    int addendStep) {

  /** By default a rationale has at least 2 lines before the answer line. */
  public static final int DEFAULT_MIN_STEPS = 2;

  /** By default a rationale has at most 4 lines before the answer line (the in-domain range is 2 to 4). */
  public static final int DEFAULT_MAX_STEPS = 4;

  /** By default the starting quantity is at least 2. */
  public static final int DEFAULT_MIN_START = 2;

  /** By default the starting quantity is at most 20. */
  public static final int DEFAULT_MAX_START = 20;

  /** By default at most 9 items are added or removed in one step. */
  public static final int DEFAULT_MAX_ADDEND = 9;

  /** By default factors, divisors and bag sizes are at most 5. */
  public static final int DEFAULT_MAX_FACTOR = 5;

  /** By default no intermediate result exceeds 200. */
  public static final int DEFAULT_MAX_VALUE = 200;

  /** By default chains use all four operations. */
  public static final Set<Operator> DEFAULT_OPERATORS = Set.copyOf(EnumSet.allOf(Operator.class));

  /** By default questions use the training templates. */
  public static final Wording DEFAULT_WORDING = Wording.TRAINING;

  /** By default half of the questions have a small-range answer (comparison, yes/no, remainder). */
  public static final double DEFAULT_SMALL_RANGE_SHARE = 0.5;

  /** By default the small-range questions are split evenly among comparison, yes/no and remainder. */
  public static final Set<AnswerKind> DEFAULT_SMALL_RANGE_KINDS =
      Set.copyOf(EnumSet.of(AnswerKind.COMPARISON, AnswerKind.YES_NO, AnswerKind.REMAINDER));

  /** By default prompt, newline and rationale together are at most 300 characters (the model's context is 292+). */
  public static final int DEFAULT_MAX_CHARS = 300;

  /**
   * By default a question has no distractor sentence. With at least one, a question is a story about two people:
   * the second person's opening sentence ({@code Bob has 9 pens.}) and operations ({@code Bob buys 3 more.}) are the
   * distractors, numbers the rationale must not use.
   */
  public static final int DEFAULT_MIN_DISTRACTORS = 0;

  /** By default a question has no distractor sentence (see {@link #DEFAULT_MIN_DISTRACTORS}). */
  public static final int DEFAULT_MAX_DISTRACTORS = 0;

  /**
   * By default no operation is a transfer. A transfer moves items between the asked person and the second person
   * ({@code Ann gives 4 pens to Bob.} or {@code Bob gives 4 pens to Ann.}); whether it adds or subtracts depends on
   * who is asked about, so it tests which operation to apply.
   */
  public static final double DEFAULT_TRANSFER_SHARE = 0;

  /**
   * By default an operation line is the bare equation ({@code 12+5=17}). Citing, it first quotes the sentence the
   * step uses, without its full stop ({@code Ann buys 5 more: 12+5=17}), so that which sentence a rationale relied on
   * is written down: a step that quotes a distractor's sentence is visibly a reasoning error, and a small model finds
   * the next sentence to use from the last one it quoted.
   */
  public static final boolean DEFAULT_CITE_SENTENCES = false;

  /**
   * By default no question asks for a total. A total question ({@link AnswerKind#TOTAL}, {@code How many pens do Ann
   * and Bob have together?}) uses every sentence of a two-person story except the transfers, which move items without
   * changing the total; it needs the second person's count, so at least one distractor sentence.
   */
  public static final double DEFAULT_TOTAL_SHARE = 0;

  /**
   * By default any number from 2 to {@code maxAddend} is added or subtracted. With a step of 10 only whole tens are
   * ({@code 47+30=77}): the sum changes the tens digit alone, arithmetic a small model does reliably, while the
   * answers keep their range.
   */
  public static final int DEFAULT_ADDEND_STEP = 1;

  /**
   * Validates the knobs.
   *
   * @param minSteps the fewest rationale lines, at least 2
   * @param maxSteps the most rationale lines
   * @param minStart the smallest start, at least 1
   * @param maxStart the largest start
   * @param maxAddend the largest addend, at least 2
   * @param maxFactor the largest factor, at least 2
   * @param maxValue the largest intermediate result
   * @param operators the operations, not empty
   * @param wording the template family
   * @param smallRangeShare the small-range share in [0, 1]
   * @param smallRangeKinds the small-range kinds, not empty when the share is positive
   * @param maxChars the length limit
   * @param minDistractors the fewest distractor sentences, at least 0
   * @param maxDistractors the most distractor sentences
   * @param transferShare the transfer chance in [0, 1]
   * @param citeSentences whether operation lines quote their sentence
   * @param totalShare the share of total questions in [0, 1]
   * @param addendStep the step of addends, 1 or more, at most {@code maxAddend}
   */
  public SyntheticConfig {
    Objects.requireNonNull(wording, "wording");
    operators = Set.copyOf(operators);
    smallRangeKinds = Set.copyOf(smallRangeKinds);
    if (minSteps < 2 || maxSteps < minSteps) {
      throw new IllegalArgumentException("need 2 <= minSteps <= maxSteps: " + minSteps + ", " + maxSteps);
    }
    if (minStart < 1 || maxStart < minStart || maxAddend < 2 || maxFactor < 2 || maxValue < maxStart + maxAddend) {
      throw new IllegalArgumentException("need 1 <= minStart <= maxStart, maxAddend >= 2, maxFactor >= 2, "
          + "maxValue >= maxStart + maxAddend");
    }
    if (operators.isEmpty()) {
      throw new IllegalArgumentException("operators must not be empty");
    }
    if (!(smallRangeShare >= 0 && smallRangeShare <= 1)) {
      throw new IllegalArgumentException("smallRangeShare must be in [0, 1]: " + smallRangeShare);
    }
    if (smallRangeShare > 0 && smallRangeKinds.isEmpty() || smallRangeKinds.contains(AnswerKind.NUMBER)
        || smallRangeKinds.contains(AnswerKind.TOTAL)) {
      throw new IllegalArgumentException("smallRangeKinds must be a non-empty set of small-range kinds");
    }
    if (maxChars < 80) {
      throw new IllegalArgumentException("maxChars must be at least 80: " + maxChars);
    }
    if (minDistractors < 0 || maxDistractors < minDistractors) {
      throw new IllegalArgumentException(
          "need 0 <= minDistractors <= maxDistractors: " + minDistractors + ", " + maxDistractors);
    }
    if (!(transferShare >= 0 && transferShare <= 1)) {
      throw new IllegalArgumentException("transferShare must be in [0, 1]: " + transferShare);
    }
    if (addendStep < 1 || addendStep > maxAddend) {
      throw new IllegalArgumentException("need 1 <= addendStep <= maxAddend: " + addendStep + ", " + maxAddend);
    }
    if (!(totalShare >= 0 && totalShare <= 1)) {
      throw new IllegalArgumentException("totalShare must be in [0, 1]: " + totalShare);
    }
    if (totalShare > 0 && minDistractors < 1) {
      throw new IllegalArgumentException("total questions need the second person's count: minDistractors must be at "
          + "least 1 when totalShare is positive");
    }
    if (totalShare > 0 && !EnumSet.of(Operator.ADD, Operator.SUB).containsAll(operators)) {
      throw new IllegalArgumentException("total questions add and subtract on the total: operators must be ADD and SUB "
          + "only when totalShare is positive, got " + operators);
    }
    boolean story = maxDistractors > 0 || transferShare > 0;
    if (story && smallRangeShare > 0 && smallRangeKinds.contains(AnswerKind.COMPARISON)) {
      throw new IllegalArgumentException("a story with a second person (distractors or transfers) cannot ask a "
          + "COMPARISON question, which introduces the second person's count itself: leave COMPARISON out of "
          + "smallRangeKinds or set smallRangeShare to 0");
    }
  }

  /**
   * Returns whether questions are stories about two people: true when distractor sentences or transfers are on.
   * Such stories only use sentence templates that name their person.
   *
   * @return whether a second person takes part
   */
  public boolean story() {
    return maxDistractors > 0 || transferShare > 0;
  }

  /**
   * Returns the knobs with every default.
   *
   * @return the default configuration
   */
  public static SyntheticConfig defaults() {
    return builder().build();
  }

  /**
   * Starts a builder with every default.
   *
   * @return a new builder
   */
  public static Builder builder() {
    return new Builder();
  }

  /**
   * Starts a builder holding these knobs.
   *
   * @return a builder to change some of them
   */
  public Builder toBuilder() {
    return new Builder()
        .steps(minSteps, maxSteps)
        .start(minStart, maxStart)
        .maxAddend(maxAddend)
        .maxFactor(maxFactor)
        .maxValue(maxValue)
        .operators(operators)
        .wording(wording)
        .smallRangeShare(smallRangeShare)
        .smallRangeKinds(smallRangeKinds)
        .maxChars(maxChars)
        .distractors(minDistractors, maxDistractors)
        .transferShare(transferShare)
        .citeSentences(citeSentences)
        .totalShare(totalShare)
        .addendStep(addendStep);
  }

  /** Builds a {@link SyntheticConfig}; unset values keep their defaults. */
  public static final class Builder {
    private int minSteps = DEFAULT_MIN_STEPS;
    private int maxSteps = DEFAULT_MAX_STEPS;
    private int minStart = DEFAULT_MIN_START;
    private int maxStart = DEFAULT_MAX_START;
    private int maxAddend = DEFAULT_MAX_ADDEND;
    private int maxFactor = DEFAULT_MAX_FACTOR;
    private int maxValue = DEFAULT_MAX_VALUE;
    private Set<Operator> operators = DEFAULT_OPERATORS;
    private Wording wording = DEFAULT_WORDING;
    private double smallRangeShare = DEFAULT_SMALL_RANGE_SHARE;
    private Set<AnswerKind> smallRangeKinds = DEFAULT_SMALL_RANGE_KINDS;
    private int maxChars = DEFAULT_MAX_CHARS;
    private int minDistractors = DEFAULT_MIN_DISTRACTORS;
    private int maxDistractors = DEFAULT_MAX_DISTRACTORS;
    private double transferShare = DEFAULT_TRANSFER_SHARE;
    private boolean citeSentences = DEFAULT_CITE_SENTENCES;
    private double totalShare = DEFAULT_TOTAL_SHARE;
    private int addendStep = DEFAULT_ADDEND_STEP;

    private Builder() {}

    /**
     * Sets the range of rationale lines before the answer line.
     *
     * @param min the fewest, at least 2
     * @param max the most
     * @return this builder
     */
    public Builder steps(int min, int max) {
      this.minSteps = min;
      this.maxSteps = max;
      return this;
    }

    /**
     * Sets the range of the starting quantity.
     *
     * @param min the smallest, at least 1
     * @param max the largest
     * @return this builder
     */
    public Builder start(int min, int max) {
      this.minStart = min;
      this.maxStart = max;
      return this;
    }

    /**
     * Sets the largest number added or subtracted in one step.
     *
     * @param maxAddend at least 2
     * @return this builder
     */
    public Builder maxAddend(int maxAddend) {
      this.maxAddend = maxAddend;
      return this;
    }

    /**
     * Sets the largest factor, divisor and bag size.
     *
     * @param maxFactor at least 2
     * @return this builder
     */
    public Builder maxFactor(int maxFactor) {
      this.maxFactor = maxFactor;
      return this;
    }

    /**
     * Sets the largest intermediate result.
     *
     * @param maxValue at least {@code maxStart + maxAddend}
     * @return this builder
     */
    public Builder maxValue(int maxValue) {
      this.maxValue = maxValue;
      return this;
    }

    /**
     * Sets the operations chains may use.
     *
     * @param operators a non-empty set
     * @return this builder
     */
    public Builder operators(Set<Operator> operators) {
      this.operators = operators;
      return this;
    }

    /**
     * Sets the template family.
     *
     * @param wording training or held-out templates
     * @return this builder
     */
    public Builder wording(Wording wording) {
      this.wording = wording;
      return this;
    }

    /**
     * Sets the share of questions with a small-range answer.
     *
     * @param smallRangeShare in [0, 1]; 0 gives only numeric questions
     * @return this builder
     */
    public Builder smallRangeShare(double smallRangeShare) {
      this.smallRangeShare = smallRangeShare;
      return this;
    }

    /**
     * Sets which small-range kinds are drawn (uniformly).
     *
     * @param smallRangeKinds a set of kinds other than {@link AnswerKind#NUMBER}
     * @return this builder
     */
    public Builder smallRangeKinds(Set<AnswerKind> smallRangeKinds) {
      this.smallRangeKinds = smallRangeKinds;
      return this;
    }

    /**
     * Sets the length limit of prompt, newline and rationale.
     *
     * @param maxChars at least 80
     * @return this builder
     */
    public Builder maxChars(int maxChars) {
      this.maxChars = maxChars;
      return this;
    }

    /**
     * Sets the range of distractor sentences: sentences about a second person (its opening and its own operations)
     * that leave the asked person's count alone. Drawn uniformly per question.
     *
     * @param min the fewest, at least 0
     * @param max the most; 0 (with no transfers) gives the one-person questions
     * @return this builder
     */
    public Builder distractors(int min, int max) {
      this.minDistractors = min;
      this.maxDistractors = max;
      return this;
    }

    /**
     * Sets the chance that each operation of the asked person is a transfer with the second person instead of an
     * operation of its own.
     *
     * @param transferShare in [0, 1]
     * @return this builder
     */
    public Builder transferShare(double transferShare) {
      this.transferShare = transferShare;
      return this;
    }

    /**
     * Sets whether every operation line of a rationale first quotes the sentence it uses.
     *
     * @param citeSentences true for {@code Ann buys 5 more: 12+5=17}, false for {@code 12+5=17}
     * @return this builder
     */
    public Builder citeSentences(boolean citeSentences) {
      this.citeSentences = citeSentences;
      return this;
    }

    /**
     * Sets the share of two-person stories that ask for both people's total instead of the asked person's count.
     *
     * @param totalShare in [0, 1]; positive needs at least one distractor sentence
     * @return this builder
     */
    public Builder totalShare(double totalShare) {
      this.totalShare = totalShare;
      return this;
    }

    /**
     * Sets the step of the numbers added, subtracted or transferred.
     *
     * @param addendStep 1 for any number from 2 to {@code maxAddend}, or a step such as 10 for whole tens
     * @return this builder
     */
    public Builder addendStep(int addendStep) {
      this.addendStep = addendStep;
      return this;
    }

    /**
     * Builds the configuration.
     *
     * @return the validated configuration
     */
    public SyntheticConfig build() {
      return new SyntheticConfig(minSteps, maxSteps, minStart, maxStart, maxAddend, maxFactor, maxValue, operators,
          wording, smallRangeShare, smallRangeKinds, maxChars, minDistractors, maxDistractors, transferShare,
          citeSentences, totalShare, addendStep);
    }
  }
}
