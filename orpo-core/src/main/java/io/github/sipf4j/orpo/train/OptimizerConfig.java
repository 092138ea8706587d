package io.github.sipf4j.orpo.train;

import com.google.common.base.Preconditions;

/**
 * AdamW, gradient clipping and the learning-rate schedule: an immutable value built with {@link #builder()}.
 *
 * <p>Defaults (each named once, here): {@code learningRate} 1e-3, {@code beta1} 0.9, {@code beta2} 0.999,
 * {@code epsilon} 1e-8, {@code weightDecay} 0.01 (decoupled, applied to every parameter), {@code maxGradNorm} 1.0
 * (global L2 norm; 0 disables clipping), {@code schedule} {@link LrScheduleType#COSINE}, {@code warmupSteps} 0,
 * {@code minLrRatio} 0.
 *
 * @param learningRate the peak learning rate
 * @param beta1 AdamW's first-moment decay
 * @param beta2 AdamW's second-moment decay
 * @param epsilon AdamW's denominator epsilon
 * @param weightDecay decoupled weight decay: \( w \leftarrow w - \eta\,\lambda_{wd}\, w \) every step
 * @param maxGradNorm clip the global L2 norm of all gradients to this value; 0 disables clipping
 * @param schedule the decay after warm-up
 * @param warmupSteps steps of linear warm-up from 0 to the peak
 * @param minLrRatio the final learning rate as a fraction of the peak
 */
public record OptimizerConfig(
    float learningRate,
    float beta1,
    float beta2,
    float epsilon,
    float weightDecay,
    float maxGradNorm,
    LrScheduleType schedule,
    int warmupSteps,
    float minLrRatio) {

  /**
   * Validates the configuration.
   *
   * @param learningRate the {@code learningRate} component (see the record)
   * @param beta1 the {@code beta1} component (see the record)
   * @param beta2 the {@code beta2} component (see the record)
   * @param epsilon the {@code epsilon} component (see the record)
   * @param weightDecay the {@code weightDecay} component (see the record)
   * @param maxGradNorm the {@code maxGradNorm} component (see the record)
   * @param schedule the {@code schedule} component (see the record)
   * @param warmupSteps the {@code warmupSteps} component (see the record)
   * @param minLrRatio the {@code minLrRatio} component (see the record)
   */
  public OptimizerConfig {
    Preconditions.checkArgument(learningRate > 0 && Float.isFinite(learningRate),
        "learningRate must be positive, got %s", learningRate);
    Preconditions.checkArgument(beta1 >= 0 && beta1 < 1, "beta1 must be in [0, 1), got %s", beta1);
    Preconditions.checkArgument(beta2 >= 0 && beta2 < 1, "beta2 must be in [0, 1), got %s", beta2);
    Preconditions.checkArgument(epsilon > 0, "epsilon must be positive, got %s", epsilon);
    Preconditions.checkArgument(weightDecay >= 0, "weightDecay must be >= 0, got %s", weightDecay);
    Preconditions.checkArgument(maxGradNorm >= 0, "maxGradNorm must be >= 0, got %s", maxGradNorm);
    Preconditions.checkNotNull(schedule, "schedule");
    Preconditions.checkArgument(warmupSteps >= 0, "warmupSteps must be >= 0, got %s", warmupSteps);
    Preconditions.checkArgument(minLrRatio >= 0 && minLrRatio <= 1, "minLrRatio must be in [0, 1], got %s",
        minLrRatio);
  }

  /**
   * Returns a builder holding the documented defaults.
   *
   * @return a new builder
   */
  public static Builder builder() {
    return new Builder();
  }

  /**
   * Returns the learning rate of a step: linear warm-up over {@code warmupSteps}, then the schedule down to
   * {@code minLrRatio · learningRate} at {@code totalSteps}.
   *
   * @param step the 0-based step
   * @param totalSteps the number of steps of the run
   * @return the learning rate
   */
  public float learningRateAt(long step, long totalSteps) {
    if (warmupSteps > 0 && step < warmupSteps) {
      return learningRate * (step + 1) / warmupSteps;
    }
    long decaySteps = Math.max(1, totalSteps - warmupSteps);
    double progress = Math.min(1.0, Math.max(0.0, (double) (step - warmupSteps) / decaySteps));
    double floor = minLrRatio;
    double factor;
    switch (schedule) {
      case LINEAR:
        factor = floor + (1 - floor) * (1 - progress);
        break;
      case COSINE:
        factor = floor + (1 - floor) * 0.5 * (1 + Math.cos(Math.PI * progress));
        break;
      default:
        factor = 1.0;
    }
    return (float) (learningRate * factor);
  }

  /**
   * Returns a builder holding this configuration's values, to change one of them.
   *
   * @return a new builder
   */
  public Builder toBuilder() {
    return builder().learningRate(learningRate).betas(beta1, beta2).epsilon(epsilon).weightDecay(weightDecay)
        .maxGradNorm(maxGradNorm).schedule(schedule).warmupSteps(warmupSteps).minLrRatio(minLrRatio);
  }

  /** Builds an {@link OptimizerConfig}; see the record for the defaults. */
  public static final class Builder {
    private float learningRate = 1e-3f;
    private float beta1 = 0.9f;
    private float beta2 = 0.999f;
    private float epsilon = 1e-8f;
    private float weightDecay = 0.01f;
    private float maxGradNorm = 1.0f;
    private LrScheduleType schedule = LrScheduleType.COSINE;
    private int warmupSteps = 0;
    private float minLrRatio = 0f;

    private Builder() {}

    /**
     * Sets the peak learning rate.
     *
     * @param v the learning rate
     * @return this builder
     */
    public Builder learningRate(float v) {
      learningRate = v;
      return this;
    }

    /**
     * Sets AdamW's betas.
     *
     * @param b1 the first-moment decay
     * @param b2 the second-moment decay
     * @return this builder
     */
    public Builder betas(float b1, float b2) {
      beta1 = b1;
      beta2 = b2;
      return this;
    }

    /**
     * Sets AdamW's epsilon.
     *
     * @param v the epsilon
     * @return this builder
     */
    public Builder epsilon(float v) {
      epsilon = v;
      return this;
    }

    /**
     * Sets the decoupled weight decay.
     *
     * @param v the weight decay
     * @return this builder
     */
    public Builder weightDecay(float v) {
      weightDecay = v;
      return this;
    }

    /**
     * Sets the global gradient-norm clip; 0 disables clipping.
     *
     * @param v the maximum L2 norm
     * @return this builder
     */
    public Builder maxGradNorm(float v) {
      maxGradNorm = v;
      return this;
    }

    /**
     * Sets the schedule after warm-up.
     *
     * @param v the schedule
     * @return this builder
     */
    public Builder schedule(LrScheduleType v) {
      schedule = v;
      return this;
    }

    /**
     * Sets the number of warm-up steps.
     *
     * @param v the warm-up steps
     * @return this builder
     */
    public Builder warmupSteps(int v) {
      warmupSteps = v;
      return this;
    }

    /**
     * Sets the final learning rate as a fraction of the peak.
     *
     * @param v the ratio in [0, 1]
     * @return this builder
     */
    public Builder minLrRatio(float v) {
      minLrRatio = v;
      return this;
    }

    /**
     * Validates and builds the configuration.
     *
     * @return the configuration
     */
    public OptimizerConfig build() {
      return new OptimizerConfig(learningRate, beta1, beta2, epsilon, weightDecay, maxGradNorm, schedule,
          warmupSteps, minLrRatio);
    }
  }
}
