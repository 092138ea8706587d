package io.github.sipf4j.orpo.train;

import com.google.common.base.Preconditions;
import java.nio.file.Path;

/**
 * The arguments every sipf4j trainer shares (after TRL's {@code TrainingArguments}, which its {@code ORPOConfig}
 * extends): batch and micro-batch size, epochs or a step count, the data-order seed, the optimizer with its
 * learning-rate schedule, the work directory with checkpoints and metrics files, and logging. An immutable value
 * built with {@link #builder()}; {@link TrainerConfig} (SFT and ORPO) and {@code PrmTrainerConfig} (process reward
 * models) compose it and add what is their own.
 *
 * <p>Defaults (each named once, here): {@code batchSize} 16 examples per optimizer step, {@code microBatchSize}
 * equal to the batch size (no accumulation), {@code epochs} 1, {@code maxSteps} 0 (the epochs decide), {@code seed}
 * 42 (the data order of epoch {@code e} is a permutation seeded by {@code seed + e}, so a resumed run sees the same
 * order), {@code optimizer} {@link OptimizerConfig#builder()}'s defaults, {@code workDir} null (no checkpoints and no
 * metrics files), {@code checkpointEverySteps} 0 (checkpoint at the end of each epoch and of the run only),
 * {@code logEverySteps} 0 (no per-step log lines; the metrics files and listeners see every step),
 * {@code progressBar} true and {@code groupByLength} false.
 *
 * <pre>{@code
 * TrainingArguments args = TrainingArguments.builder()
 *     .batchSize(32).microBatchSize(8).epochs(2)
 *     .optimizer(OptimizerConfig.builder().learningRate(3e-4f).warmupSteps(10).build())
 *     .workDir(Path.of("runs/orpo")).checkpointEverySteps(100).logEverySteps(10)
 *     .build();
 * TrainerConfig orpo = TrainerConfig.of(args);
 * }</pre>
 *
 * @param batchSize examples per optimizer step
 * @param microBatchSize examples per forward/backward pass; a step accumulates gradients over
 *     {@code ceil(batchSize / microBatchSize)} passes
 * @param epochs passes over the data (ignored when {@code maxSteps} is positive)
 * @param maxSteps when positive, the number of optimizer steps regardless of epochs
 * @param seed the seed of the data order
 * @param optimizer AdamW, gradient clipping and the learning-rate schedule
 * @param workDir where checkpoints ({@code checkpoint/}) and metrics files ({@code NAME-metrics.csv} and
 *     {@code .jsonl}) go, and where a killed run resumes from; null for neither
 * @param checkpointEverySteps when positive, also checkpoint every that many steps
 * @param logEverySteps when positive, log the step's metrics through SLF4J every that many steps
 * @param progressBar whether to draw a progress bar on standard error
 * @param groupByLength whether batches group examples of similar length (after Hugging Face's
 *     {@code group_by_length}; see {@link EpochBatches}): less padding, so faster steps when lengths vary, with every
 *     example still read once per epoch; a step's examples are then less random, so the default is off
 */
public record TrainingArguments(
    int batchSize,
    int microBatchSize,
    int epochs,
    long maxSteps,
    long seed,
    OptimizerConfig optimizer,
    Path workDir,
    int checkpointEverySteps,
    int logEverySteps,
    boolean progressBar,
    boolean groupByLength) {

  /**
   * Validates the arguments.
   *
   * @param batchSize the {@code batchSize} component (see the record)
   * @param microBatchSize the {@code microBatchSize} component (see the record)
   * @param epochs the {@code epochs} component (see the record)
   * @param maxSteps the {@code maxSteps} component (see the record)
   * @param seed the {@code seed} component (see the record)
   * @param optimizer the {@code optimizer} component (see the record)
   * @param workDir the {@code workDir} component (see the record)
   * @param checkpointEverySteps the {@code checkpointEverySteps} component (see the record)
   * @param logEverySteps the {@code logEverySteps} component (see the record)
   * @param progressBar the {@code progressBar} component (see the record)
   * @param groupByLength the {@code groupByLength} component (see the record)
   */
  public TrainingArguments {
    Preconditions.checkArgument(batchSize > 0, "batchSize must be positive, got %s", batchSize);
    Preconditions.checkArgument(microBatchSize > 0 && microBatchSize <= batchSize,
        "microBatchSize must be in [1, batchSize=%s], got %s", batchSize, microBatchSize);
    Preconditions.checkArgument(epochs > 0, "epochs must be positive, got %s", epochs);
    Preconditions.checkArgument(maxSteps >= 0, "maxSteps must be >= 0, got %s", maxSteps);
    Preconditions.checkNotNull(optimizer, "optimizer");
    Preconditions.checkArgument(checkpointEverySteps >= 0, "checkpointEverySteps must be >= 0, got %s",
        checkpointEverySteps);
    Preconditions.checkArgument(logEverySteps >= 0, "logEverySteps must be >= 0, got %s", logEverySteps);
  }

  /**
   * Creates arguments with batches in plain permutation order; kept so that code written against the earlier
   * record compiles.
   *
   * @param batchSize examples per optimizer step
   * @param microBatchSize examples per forward/backward pass
   * @param epochs passes over the data
   * @param maxSteps when positive, the number of optimizer steps
   * @param seed the seed of the data order
   * @param optimizer the optimizer
   * @param workDir checkpoints and metrics files, or null
   * @param checkpointEverySteps the checkpoint interval, 0 for epoch ends only
   * @param logEverySteps the log interval, 0 for none
   * @param progressBar whether to draw a progress bar
   */
  public TrainingArguments(int batchSize, int microBatchSize, int epochs, long maxSteps, long seed,
      OptimizerConfig optimizer, Path workDir, int checkpointEverySteps, int logEverySteps, boolean progressBar) {
    this(batchSize, microBatchSize, epochs, maxSteps, seed, optimizer, workDir, checkpointEverySteps, logEverySteps,
        progressBar, false);
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
   * Returns a builder holding these arguments, to change some of them.
   *
   * @return a new builder
   */
  public Builder toBuilder() {
    return new Builder().batchSize(batchSize).microBatchSize(microBatchSize).epochs(epochs).maxSteps(maxSteps)
        .seed(seed).optimizer(optimizer).workDir(workDir).checkpointEverySteps(checkpointEverySteps)
        .logEverySteps(logEverySteps).progressBar(progressBar).groupByLength(groupByLength);
  }

  /**
   * Builds {@link TrainingArguments}; see the record for the defaults. {@link TrainerConfig.Builder} and
   * {@code PrmTrainerConfig.Builder} offer the same setters.
   */
  public static final class Builder {
    private int batchSize = 16;
    private int microBatchSize = -1;
    private int epochs = 1;
    private long maxSteps = 0;
    private long seed = 42;
    private OptimizerConfig optimizer = OptimizerConfig.builder().build();
    private Path workDir;
    private int checkpointEverySteps = 0;
    private int logEverySteps = 0;
    private boolean progressBar = true;
    private boolean groupByLength = false;

    private Builder() {}

    /**
     * Sets the examples per optimizer step.
     *
     * @param v the batch size
     * @return this builder
     */
    public Builder batchSize(int v) {
      batchSize = v;
      return this;
    }

    /**
     * Sets the examples per forward pass; unset, it follows the batch size.
     *
     * @param v the micro-batch size
     * @return this builder
     */
    public Builder microBatchSize(int v) {
      microBatchSize = v;
      return this;
    }

    /**
     * Sets the number of epochs.
     *
     * @param v the epochs
     * @return this builder
     */
    public Builder epochs(int v) {
      epochs = v;
      return this;
    }

    /**
     * Sets a fixed number of steps; 0 lets the epochs decide.
     *
     * @param v the steps
     * @return this builder
     */
    public Builder maxSteps(long v) {
      maxSteps = v;
      return this;
    }

    /**
     * Sets the data-order seed.
     *
     * @param v the seed
     * @return this builder
     */
    public Builder seed(long v) {
      seed = v;
      return this;
    }

    /**
     * Sets the optimizer configuration.
     *
     * @param v the optimizer configuration
     * @return this builder
     */
    public Builder optimizer(OptimizerConfig v) {
      optimizer = v;
      return this;
    }

    /**
     * Sets the working directory for checkpoints and metrics.
     *
     * @param v the directory, or null
     * @return this builder
     */
    public Builder workDir(Path v) {
      workDir = v;
      return this;
    }

    /**
     * Sets the checkpoint interval in steps; 0 checkpoints at epoch ends only.
     *
     * @param v the interval
     * @return this builder
     */
    public Builder checkpointEverySteps(int v) {
      checkpointEverySteps = v;
      return this;
    }

    /**
     * Sets how often a step's metrics are logged; 0 logs none.
     *
     * @param v the interval in steps
     * @return this builder
     */
    public Builder logEverySteps(int v) {
      logEverySteps = v;
      return this;
    }

    /**
     * Turns the progress bar on or off.
     *
     * @param v whether to draw it
     * @return this builder
     */
    public Builder progressBar(boolean v) {
      progressBar = v;
      return this;
    }

    /**
     * Groups examples of similar length into batches, or not (see {@link TrainingArguments#groupByLength()}).
     *
     * @param v whether to group
     * @return this builder
     */
    public Builder groupByLength(boolean v) {
      groupByLength = v;
      return this;
    }

    /**
     * Validates and builds the arguments.
     *
     * @return the arguments
     */
    public TrainingArguments build() {
      return new TrainingArguments(batchSize, microBatchSize > 0 ? microBatchSize : batchSize, epochs, maxSteps,
          seed, optimizer, workDir, checkpointEverySteps, logEverySteps, progressBar, groupByLength);
    }
  }
}
