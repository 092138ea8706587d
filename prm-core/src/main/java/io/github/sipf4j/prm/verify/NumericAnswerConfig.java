package io.github.sipf4j.prm.verify;

/**
 * Settings of the numeric (and short-word) answer verifier; build with {@link #builder()}.
 *
 * <p>Two numbers match when \( |a - b| \le \max(\text{absTolerance}, \text{relTolerance} \cdot \max(|a|, |b|)) \).
 *
 * @param absTolerance the absolute tolerance; see {@link #DEFAULT_ABS_TOLERANCE}
 * @param relTolerance the relative tolerance; see {@link #DEFAULT_REL_TOLERANCE}
 * @param lastNumberFallback whether an output without an answer marker is read by its last number; see {@link
 *     #DEFAULT_LAST_NUMBER_FALLBACK}
 */
public record NumericAnswerConfig(double absTolerance, double relTolerance, boolean lastNumberFallback) {

  /** The default absolute tolerance: {@code 1e-6}. */
  public static final double DEFAULT_ABS_TOLERANCE = 1e-6;

  /** The default relative tolerance: {@code 1e-6}. */
  public static final double DEFAULT_REL_TOLERANCE = 1e-6;

  /**
   * By default an output must state its answer ({@code The answer is N}, {@code #### N} or {@code \boxed{N}}):
   * taking the last number would reward unfinished rationales.
   */
  public static final boolean DEFAULT_LAST_NUMBER_FALLBACK = false;

  /**
   * Validates the settings.
   *
   * @param absTolerance the absolute tolerance, at least 0
   * @param relTolerance the relative tolerance, at least 0
   * @param lastNumberFallback whether to fall back to the last number
   */
  public NumericAnswerConfig {
    if (!(absTolerance >= 0) || !(relTolerance >= 0)) {
      throw new IllegalArgumentException("tolerances must be >= 0");
    }
  }

  /**
   * Returns the settings with every default.
   *
   * @return the default configuration
   */
  public static NumericAnswerConfig defaults() {
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

  /** Builds a {@link NumericAnswerConfig}; unset values keep their defaults. */
  public static final class Builder {
    private double absTolerance = DEFAULT_ABS_TOLERANCE;
    private double relTolerance = DEFAULT_REL_TOLERANCE;
    private boolean lastNumberFallback = DEFAULT_LAST_NUMBER_FALLBACK;

    private Builder() {}

    /**
     * Sets the absolute tolerance.
     *
     * @param absTolerance at least 0
     * @return this builder
     */
    public Builder absTolerance(double absTolerance) {
      this.absTolerance = absTolerance;
      return this;
    }

    /**
     * Sets the relative tolerance.
     *
     * @param relTolerance at least 0
     * @return this builder
     */
    public Builder relTolerance(double relTolerance) {
      this.relTolerance = relTolerance;
      return this;
    }

    /**
     * Sets whether an output without an answer marker is read by its last number.
     *
     * @param lastNumberFallback {@code true} to fall back to the last number
     * @return this builder
     */
    public Builder lastNumberFallback(boolean lastNumberFallback) {
      this.lastNumberFallback = lastNumberFallback;
      return this;
    }

    /**
     * Builds the configuration.
     *
     * @return the validated configuration
     */
    public NumericAnswerConfig build() {
      return new NumericAnswerConfig(absTolerance, relTolerance, lastNumberFallback);
    }
  }
}
