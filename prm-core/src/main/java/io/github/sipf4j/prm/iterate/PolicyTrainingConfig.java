package io.github.sipf4j.prm.iterate;

import com.google.common.base.Preconditions;
import io.github.sipf4j.orpo.loss.NllScope;
import io.github.sipf4j.orpo.loss.OrpoLoss;
import io.github.sipf4j.orpo.train.OptimizerConfig;

/**
 * How each iteration trains the policy: ORPO on the accumulated pairs (or SFT for {@link FeedbackMode#RFT}); an
 * immutable value built with {@link #builder()}.
 *
 * <p>Defaults (each named once, here): {@code lambda} λ = {@value OrpoLoss#DEFAULT_LAMBDA} (the paper's and ORPO's),
 * {@code nllScope} {@link NllScope#RESPONSE}, {@code batchSize} 16 pairs, {@code microBatchSize} 16, {@code epochs} 1
 * over the accumulated data, {@code maxSteps} 0 (no cap), {@code optimizer} AdamW at learning rate 1e-4 with 10
 * warm-up steps and cosine decay to 10% (the calibration found 3e-4 on the model's own samples harmful, 1e-4
 * helpful), {@code checkpointEverySteps} 50, {@code anchorsPerStep} 0 (no anchors), {@code anchorWeight} 1 and
 * {@code groupByLength} false.
 *
 * @param lambda λ, the weight of the odds-ratio term; 0 trains on the chosen rationales' NLL alone
 * @param nllScope which tokens the NLL term covers
 * @param batchSize pairs (or sequences) per optimizer step
 * @param microBatchSize pairs per forward/backward pass (gradient accumulation when smaller than the batch)
 * @param epochs passes over the accumulated data per iteration
 * @param maxSteps the most optimizer steps per iteration, 0 for no cap
 * @param optimizer learning rate, schedule, clipping and weight decay
 * @param checkpointEverySteps how often the training phase checkpoints (it also does at each epoch's end), so a run
 *     killed during training resumes from the last checkpoint
 * @param anchorsPerStep gold rationales of the trainer's anchor tasks mixed into every optimizer step as NLL-only
 *     examples (an {@link io.github.sipf4j.orpo.train.AnchorSet}), 0 for none
 * @param anchorWeight the weight of the anchors' NLL in the loss
 * @param groupByLength whether batches group pairs of similar length (see
 *     {@link io.github.sipf4j.orpo.train.TrainingArguments#groupByLength()}): less padding when the rationales'
 *     lengths vary
 */
public record PolicyTrainingConfig(
    float lambda,
    NllScope nllScope,
    int batchSize,
    int microBatchSize,
    int epochs,
    long maxSteps,
    OptimizerConfig optimizer,
    int checkpointEverySteps,
    int anchorsPerStep,
    float anchorWeight,
    boolean groupByLength) {

  /**
   * Validates the settings.
   *
   * @param lambda the {@code lambda} component (see the record)
   * @param nllScope the {@code nllScope} component (see the record)
   * @param batchSize the {@code batchSize} component (see the record)
   * @param microBatchSize the {@code microBatchSize} component (see the record)
   * @param epochs the {@code epochs} component (see the record)
   * @param maxSteps the {@code maxSteps} component (see the record)
   * @param optimizer the {@code optimizer} component (see the record)
   * @param checkpointEverySteps the {@code checkpointEverySteps} component (see the record)
   * @param anchorsPerStep the {@code anchorsPerStep} component (see the record)
   * @param anchorWeight the {@code anchorWeight} component (see the record)
   * @param groupByLength the {@code groupByLength} component (see the record)
   */
  public PolicyTrainingConfig {
    Preconditions.checkArgument(lambda >= 0 && Float.isFinite(lambda), "lambda must be >= 0, got %s", lambda);
    Preconditions.checkNotNull(nllScope, "nllScope");
    Preconditions.checkArgument(batchSize > 0, "batchSize must be positive, got %s", batchSize);
    Preconditions.checkArgument(microBatchSize > 0 && microBatchSize <= batchSize,
        "microBatchSize must be in [1, batchSize=%s], got %s", batchSize, microBatchSize);
    Preconditions.checkArgument(epochs > 0, "epochs must be positive, got %s", epochs);
    Preconditions.checkArgument(maxSteps >= 0, "maxSteps must be >= 0, got %s", maxSteps);
    Preconditions.checkNotNull(optimizer, "optimizer");
    Preconditions.checkArgument(checkpointEverySteps >= 0, "checkpointEverySteps must be >= 0, got %s",
        checkpointEverySteps);
    Preconditions.checkArgument(anchorsPerStep >= 0, "anchorsPerStep must be >= 0, got %s", anchorsPerStep);
    Preconditions.checkArgument(anchorWeight > 0 && Float.isFinite(anchorWeight),
        "anchorWeight must be finite and > 0, got %s", anchorWeight);
  }

  /**
   * Creates settings with batches in plain permutation order; kept so that code written against the earlier record
   * compiles.
   *
   * @param lambda λ
   * @param nllScope which tokens the NLL term covers
   * @param batchSize pairs per optimizer step
   * @param microBatchSize pairs per forward/backward pass
   * @param epochs passes over the accumulated data
   * @param maxSteps the most optimizer steps per iteration, 0 for no cap
   * @param optimizer the optimizer settings
   * @param checkpointEverySteps how often training checkpoints
   * @param anchorsPerStep anchors per step, 0 for none
   * @param anchorWeight the anchors' weight
   */
  public PolicyTrainingConfig(float lambda, NllScope nllScope, int batchSize, int microBatchSize, int epochs,
      long maxSteps, OptimizerConfig optimizer, int checkpointEverySteps, int anchorsPerStep, float anchorWeight) {
    this(lambda, nllScope, batchSize, microBatchSize, epochs, maxSteps, optimizer, checkpointEverySteps,
        anchorsPerStep, anchorWeight, false);
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
   * Returns a builder holding this configuration's values.
   *
   * @return a new builder
   */
  public Builder toBuilder() {
    return new Builder().lambda(lambda).nllScope(nllScope).batchSize(batchSize).microBatchSize(microBatchSize)
        .epochs(epochs).maxSteps(maxSteps).optimizer(optimizer).checkpointEverySteps(checkpointEverySteps)
        .anchorsPerStep(anchorsPerStep).anchorWeight(anchorWeight).groupByLength(groupByLength);
  }

  /** Builds a {@link PolicyTrainingConfig}; see the record for the defaults. */
  public static final class Builder {
    private float lambda = OrpoLoss.DEFAULT_LAMBDA;
    private NllScope nllScope = NllScope.RESPONSE;
    private int batchSize = 16;
    private int microBatchSize = -1;
    private int epochs = 1;
    private long maxSteps = 0;
    private OptimizerConfig optimizer = OptimizerConfig.builder().learningRate(1e-4f).warmupSteps(10)
        .minLrRatio(0.1f).build();
    private int checkpointEverySteps = 50;
    private int anchorsPerStep = 0;
    private float anchorWeight = 1f;
    private boolean groupByLength = false;

    private Builder() {}

    /**
     * Sets λ.
     *
     * @param v the weight of the odds-ratio term, at least 0
     * @return this builder
     */
    public Builder lambda(float v) {
      lambda = v;
      return this;
    }

    /**
     * Sets the tokens the NLL term covers.
     *
     * @param v the scope
     * @return this builder
     */
    public Builder nllScope(NllScope v) {
      nllScope = v;
      return this;
    }

    /**
     * Sets the batch size.
     *
     * @param v pairs per optimizer step
     * @return this builder
     */
    public Builder batchSize(int v) {
      batchSize = v;
      return this;
    }

    /**
     * Sets the micro-batch size (defaults to the batch size).
     *
     * @param v pairs per forward/backward pass
     * @return this builder
     */
    public Builder microBatchSize(int v) {
      microBatchSize = v;
      return this;
    }

    /**
     * Sets the epochs per iteration.
     *
     * @param v passes over the accumulated data
     * @return this builder
     */
    public Builder epochs(int v) {
      epochs = v;
      return this;
    }

    /**
     * Caps the optimizer steps per iteration.
     *
     * @param v the cap, 0 for none
     * @return this builder
     */
    public Builder maxSteps(long v) {
      maxSteps = v;
      return this;
    }

    /**
     * Sets the optimizer.
     *
     * @param v the optimizer settings
     * @return this builder
     */
    public Builder optimizer(OptimizerConfig v) {
      optimizer = v;
      return this;
    }

    /**
     * Sets the learning rate, keeping the other optimizer settings.
     *
     * @param v the peak learning rate
     * @return this builder
     */
    public Builder learningRate(float v) {
      optimizer = optimizer.toBuilder().learningRate(v).build();
      return this;
    }

    /**
     * Sets how often training checkpoints.
     *
     * @param v steps between checkpoints, 0 for epoch ends only
     * @return this builder
     */
    public Builder checkpointEverySteps(int v) {
      checkpointEverySteps = v;
      return this;
    }

    /**
     * Sets how many gold rationales of the anchor tasks join every optimizer step as NLL-only examples (needs
     * {@code SelfIterativeTrainer.Builder#anchorTasks}).
     *
     * @param v anchors per step, 0 for none
     * @return this builder
     */
    public Builder anchorsPerStep(int v) {
      anchorsPerStep = v;
      return this;
    }

    /**
     * Sets the weight of the anchors' NLL in the loss.
     *
     * @param v the weight, finite and positive
     * @return this builder
     */
    public Builder anchorWeight(float v) {
      anchorWeight = v;
      return this;
    }

    /**
     * Groups pairs of similar length into batches, or not.
     *
     * @param v whether to group
     * @return this builder
     */
    public Builder groupByLength(boolean v) {
      groupByLength = v;
      return this;
    }

    /**
     * Builds the configuration.
     *
     * @return the configuration
     * @throws IllegalArgumentException if a value is out of range
     */
    public PolicyTrainingConfig build() {
      return new PolicyTrainingConfig(lambda, nllScope, batchSize, microBatchSize < 0 ? batchSize : microBatchSize,
          epochs, maxSteps, optimizer, checkpointEverySteps, anchorsPerStep, anchorWeight, groupByLength);
    }
  }
}
