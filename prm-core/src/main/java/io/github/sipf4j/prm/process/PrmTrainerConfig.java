package io.github.sipf4j.prm.process;

import com.google.common.base.Preconditions;
import io.github.sipf4j.orpo.train.OptimizerConfig;
import java.nio.file.Path;

/**
 * How {@link PrmTrainer} trains a {@link DecoderPrm}: an immutable value built with {@link #builder()}.
 *
 * <p>Defaults (each named once, here): {@code epochs} 3, {@code maxSteps} 0 (run the epochs), {@code batchSize} 16
 * rationales per optimizer step, {@code microBatchSize} 8 rationales per forward pass, {@code optimizer}
 * {@link OptimizerConfig}'s defaults (AdamW, clipping at global norm 1, cosine decay), {@code trainBackbone} true
 * (fine-tune the backbone with the head, as SIPF and TRL do), {@code seed} 42, {@code evalEverySteps} 0 (validate
 * at the end only), {@code threshold} {@link StepMetrics#DEFAULT_THRESHOLD}, {@code workDir} null (no metrics files),
 * {@code progressBar} true.
 *
 * @param epochs passes over the training rationales (ignored when {@code maxSteps} is positive)
 * @param maxSteps the number of optimizer steps; 0 runs {@code epochs} epochs
 * @param batchSize rationales per optimizer step
 * @param microBatchSize rationales per forward and backward pass (gradients accumulate over a step)
 * @param optimizer AdamW, clipping and learning-rate schedule
 * @param trainBackbone whether the backbone is fine-tuned or frozen (head only)
 * @param seed the seed of the epoch shuffles
 * @param evalEverySteps validate every this many steps as well as at the end; 0 validates at the end only
 * @param threshold the score at or above which a step is predicted correct, for validation metrics
 * @param workDir where {@code prm-metrics.csv/jsonl} (per step) and {@code prm-eval.csv/jsonl} (per validation)
 *     are written; null writes nothing
 * @param progressBar whether to show a progress bar on standard error
 */
public record PrmTrainerConfig(
    int epochs,
    long maxSteps,
    int batchSize,
    int microBatchSize,
    OptimizerConfig optimizer,
    boolean trainBackbone,
    long seed,
    long evalEverySteps,
    double threshold,
    Path workDir,
    boolean progressBar) {

  /**
   * Validates the configuration.
   *
   * @param epochs the {@code epochs} component (see the record)
   * @param maxSteps the {@code maxSteps} component (see the record)
   * @param batchSize the {@code batchSize} component (see the record)
   * @param microBatchSize the {@code microBatchSize} component (see the record)
   * @param optimizer the {@code optimizer} component (see the record)
   * @param trainBackbone the {@code trainBackbone} component (see the record)
   * @param seed the {@code seed} component (see the record)
   * @param evalEverySteps the {@code evalEverySteps} component (see the record)
   * @param threshold the {@code threshold} component (see the record)
   * @param workDir the {@code workDir} component (see the record)
   * @param progressBar the {@code progressBar} component (see the record)
   */
  public PrmTrainerConfig {
    Preconditions.checkArgument(epochs > 0, "epochs must be positive, got %s", epochs);
    Preconditions.checkArgument(maxSteps >= 0, "maxSteps must be >= 0, got %s", maxSteps);
    Preconditions.checkArgument(batchSize > 0, "batchSize must be positive, got %s", batchSize);
    Preconditions.checkArgument(microBatchSize > 0 && microBatchSize <= batchSize,
        "microBatchSize must be in [1, batchSize=%s], got %s", batchSize, microBatchSize);
    Preconditions.checkNotNull(optimizer, "optimizer");
    Preconditions.checkArgument(evalEverySteps >= 0, "evalEverySteps must be >= 0, got %s", evalEverySteps);
    Preconditions.checkArgument(threshold >= 0 && threshold <= 1, "threshold must be in [0, 1], got %s", threshold);
  }

  /**
   * Returns a builder holding the documented defaults.
   *
   * @return a new builder
   */
  public static Builder builder() {
    return new Builder();
  }

  /** Builds a {@link PrmTrainerConfig}; see the record for the defaults. */
  public static final class Builder {
    private int epochs = 3;
    private long maxSteps = 0;
    private int batchSize = 16;
    private int microBatchSize = 8;
    private OptimizerConfig optimizer = OptimizerConfig.builder().build();
    private boolean trainBackbone = true;
    private long seed = 42;
    private long evalEverySteps = 0;
    private double threshold = StepMetrics.DEFAULT_THRESHOLD;
    private Path workDir = null;
    private boolean progressBar = true;

    private Builder() {}

    /**
     * Sets the number of epochs.
     *
     * @param v the epochs, positive
     * @return this builder
     */
    public Builder epochs(int v) {
      epochs = v;
      return this;
    }

    /**
     * Sets a fixed number of optimizer steps instead of epochs.
     *
     * @param v the steps; 0 runs the epochs
     * @return this builder
     */
    public Builder maxSteps(long v) {
      maxSteps = v;
      return this;
    }

    /**
     * Sets the rationales per optimizer step.
     *
     * @param v the batch size
     * @return this builder
     */
    public Builder batchSize(int v) {
      batchSize = v;
      return this;
    }

    /**
     * Sets the rationales per forward pass.
     *
     * @param v the micro-batch size, at most the batch size
     * @return this builder
     */
    public Builder microBatchSize(int v) {
      microBatchSize = v;
      return this;
    }

    /**
     * Sets the optimizer.
     *
     * @param v the optimizer configuration
     * @return this builder
     */
    public Builder optimizer(OptimizerConfig v) {
      optimizer = v;
      return this;
    }

    /**
     * Sets whether the backbone is fine-tuned.
     *
     * @param v false to train the head only
     * @return this builder
     */
    public Builder trainBackbone(boolean v) {
      trainBackbone = v;
      return this;
    }

    /**
     * Sets the shuffling seed.
     *
     * @param v the seed
     * @return this builder
     */
    public Builder seed(long v) {
      seed = v;
      return this;
    }

    /**
     * Sets how often to validate during training.
     *
     * @param v the interval in steps; 0 validates at the end only
     * @return this builder
     */
    public Builder evalEverySteps(long v) {
      evalEverySteps = v;
      return this;
    }

    /**
     * Sets the decision threshold of the validation metrics.
     *
     * @param v the threshold in [0, 1]
     * @return this builder
     */
    public Builder threshold(double v) {
      threshold = v;
      return this;
    }

    /**
     * Sets the directory for metrics files.
     *
     * @param v the directory, or null for none
     * @return this builder
     */
    public Builder workDir(Path v) {
      workDir = v;
      return this;
    }

    /**
     * Sets whether to show a progress bar.
     *
     * @param v true to show one
     * @return this builder
     */
    public Builder progressBar(boolean v) {
      progressBar = v;
      return this;
    }

    /**
     * Validates and builds the configuration.
     *
     * @return the configuration
     */
    public PrmTrainerConfig build() {
      return new PrmTrainerConfig(epochs, maxSteps, batchSize, microBatchSize, optimizer, trainBackbone, seed,
          evalEverySteps, threshold, workDir, progressBar);
    }
  }
}
