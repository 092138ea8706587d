package io.github.sipf4j.prm.process;

import com.google.common.base.Preconditions;
import io.github.sipf4j.orpo.sample.SamplingConfig;

/**
 * How the {@link RolloutSimulator} labels steps: an immutable value built with {@link #builder()}.
 *
 * <p>Defaults (each named once, here): {@code rolloutsPerStep} K = 4 (the calibration's setting; Math-Shepherd used
 * 8), {@code delta} δ = 0 (SIPF: a step is correct when any completion from it is), {@code earlyStop} true (stop
 * simulating a rationale after its first step labelled wrong; later steps inherit that label), {@code sampling}
 * temperature 1, at most 200 new tokens, stop at EOS, batch 256 rows, seed 1234, {@code showProgress} false.
 *
 * @param rolloutsPerStep K, the completions sampled from each step prefix
 * @param delta δ in [0, 1): a step's hard label is 1 when more than δ of its completions are correct
 * @param earlyStop whether to stop after the first step labelled wrong
 * @param sampling how completions are sampled (its {@code samplesPerPrompt} is replaced by K; its seed seeds the
 *     simulation: the completions of step {@code j} of rationale {@code i} come from a stream keyed by
 *     {@code (seed, i, j)}, so they do not depend on batching or on early stop)
 * @param showProgress whether to draw a progress bar
 */
public record SimulatorConfig(
    int rolloutsPerStep, double delta, boolean earlyStop, SamplingConfig sampling, boolean showProgress) {

  /**
   * Validates the configuration.
   *
   * @param rolloutsPerStep the {@code rolloutsPerStep} component (see the record)
   * @param delta the {@code delta} component (see the record)
   * @param earlyStop the {@code earlyStop} component (see the record)
   * @param sampling the {@code sampling} component (see the record)
   * @param showProgress the {@code showProgress} component (see the record)
   */
  public SimulatorConfig {
    Preconditions.checkArgument(rolloutsPerStep > 0, "rolloutsPerStep must be positive, got %s", rolloutsPerStep);
    Preconditions.checkArgument(delta >= 0 && delta < 1, "delta must be in [0, 1), got %s", delta);
    Preconditions.checkNotNull(sampling, "sampling");
  }

  /**
   * Returns a builder holding the documented defaults.
   *
   * @return a new builder
   */
  public static Builder builder() {
    return new Builder();
  }

  /** Builds a {@link SimulatorConfig}; see the record for the defaults. */
  public static final class Builder {
    private int rolloutsPerStep = 4;
    private double delta = 0;
    private boolean earlyStop = true;
    private SamplingConfig sampling = SamplingConfig.builder().temperature(1f).maxNewTokens(200).batchSize(256)
        .seed(1234).build();
    private boolean showProgress = false;

    private Builder() {}

    /**
     * Sets K.
     *
     * @param v the completions per step prefix
     * @return this builder
     */
    public Builder rolloutsPerStep(int v) {
      rolloutsPerStep = v;
      return this;
    }

    /**
     * Sets δ.
     *
     * @param v the share of correct completions a step must exceed
     * @return this builder
     */
    public Builder delta(double v) {
      delta = v;
      return this;
    }

    /**
     * Turns early stop on or off.
     *
     * @param v whether to stop after the first wrong step
     * @return this builder
     */
    public Builder earlyStop(boolean v) {
      earlyStop = v;
      return this;
    }

    /**
     * Sets the sampling of completions.
     *
     * @param v the sampling configuration
     * @return this builder
     */
    public Builder sampling(SamplingConfig v) {
      sampling = v;
      return this;
    }

    /**
     * Turns the progress bar on or off.
     *
     * @param v whether to draw it
     * @return this builder
     */
    public Builder showProgress(boolean v) {
      showProgress = v;
      return this;
    }

    /**
     * Validates and builds the configuration.
     *
     * @return the configuration
     */
    public SimulatorConfig build() {
      return new SimulatorConfig(rolloutsPerStep, delta, earlyStop, sampling, showProgress);
    }
  }
}
