package io.github.sipf4j.prm.process;

import com.google.common.base.Preconditions;
import io.github.sipf4j.orpo.train.OptimizerConfig;
import io.github.sipf4j.orpo.train.TrainingArguments;
import java.nio.file.Path;

/**
 * How {@link PrmTrainer} trains a {@link DecoderPrm}: the shared {@link TrainingArguments} (batch, epochs or steps,
 * seed, optimizer and schedule, work directory with checkpoints, logging) plus what is the PRM's own. An immutable
 * value built with {@link #builder()}.
 *
 * <p>Defaults (each named once, here, where they differ from {@link TrainingArguments}'s): {@code epochs} 3,
 * {@code microBatchSize} 8 rationales per forward pass (of {@code batchSize} 16 per optimizer step),
 * {@code trainBackbone} true (fine-tune the backbone with the head, as SIPF and TRL do), {@code evalEverySteps} 0
 * (validate at the end only) and {@code threshold} {@link StepMetrics#DEFAULT_THRESHOLD}. Every other argument has
 * the {@link TrainingArguments} default. With a {@code workDir}, the trainer writes {@code prm-metrics.csv/jsonl}
 * (per step), {@code prm-eval.csv/jsonl} (per validation) and a checkpoint (backbone and head weights, optimizer
 * state), so a killed run resumes where it stopped.
 *
 * @param arguments the shared training arguments
 * @param trainBackbone whether the backbone is fine-tuned or frozen (head only)
 * @param evalEverySteps validate every this many steps as well as at the end; 0 validates at the end only
 * @param threshold the score at or above which a step is predicted correct, for validation metrics
 */
public record PrmTrainerConfig(
    TrainingArguments arguments, boolean trainBackbone, long evalEverySteps, double threshold) {

  /**
   * Validates the configuration.
   *
   * @param arguments the {@code arguments} component (see the record)
   * @param trainBackbone the {@code trainBackbone} component (see the record)
   * @param evalEverySteps the {@code evalEverySteps} component (see the record)
   * @param threshold the {@code threshold} component (see the record)
   */
  public PrmTrainerConfig {
    Preconditions.checkNotNull(arguments, "arguments");
    Preconditions.checkArgument(evalEverySteps >= 0, "evalEverySteps must be >= 0, got %s", evalEverySteps);
    Preconditions.checkArgument(threshold >= 0 && threshold <= 1, "threshold must be in [0, 1], got %s", threshold);
  }

  /**
   * Builds a configuration from every value; kept so that code written against the earlier record compiles.
   *
   * @param epochs passes over the training rationales
   * @param maxSteps the number of optimizer steps; 0 runs {@code epochs} epochs
   * @param batchSize rationales per optimizer step
   * @param microBatchSize rationales per forward and backward pass
   * @param optimizer AdamW, clipping and learning-rate schedule
   * @param trainBackbone whether the backbone is fine-tuned
   * @param seed the seed of the epoch shuffles
   * @param evalEverySteps validate every this many steps as well as at the end
   * @param threshold the decision threshold of the validation metrics
   * @param workDir where metrics files and checkpoints go; null for none
   * @param progressBar whether to show a progress bar
   * @deprecated use {@link #builder()} or {@link #toBuilder()}, which name every value
   */
  @Deprecated
  public PrmTrainerConfig(int epochs, long maxSteps, int batchSize, int microBatchSize, OptimizerConfig optimizer,
      boolean trainBackbone, long seed, long evalEverySteps, double threshold, Path workDir, boolean progressBar) {
    this(TrainingArguments.builder().epochs(epochs).maxSteps(maxSteps).batchSize(batchSize)
        .microBatchSize(microBatchSize).optimizer(optimizer).seed(seed).workDir(workDir).progressBar(progressBar)
        .build(), trainBackbone, evalEverySteps, threshold);
  }

  /**
   * Returns a builder holding the documented defaults.
   *
   * @return a new builder
   */
  public static Builder builder() {
    return new Builder(TrainingArguments.builder().epochs(3).batchSize(16).microBatchSize(8));
  }

  /**
   * Returns a builder holding this configuration, to change some of it.
   *
   * @return a new builder
   */
  public Builder toBuilder() {
    Builder b = new Builder(arguments.toBuilder());
    b.trainBackbone = trainBackbone;
    b.evalEverySteps = evalEverySteps;
    b.threshold = threshold;
    return b;
  }

  /**
   * Returns {@link TrainingArguments#batchSize()} of the arguments.
   *
   * @return the value
   */
  public int batchSize() {
    return arguments.batchSize();
  }

  /**
   * Returns {@link TrainingArguments#microBatchSize()} of the arguments.
   *
   * @return the value
   */
  public int microBatchSize() {
    return arguments.microBatchSize();
  }

  /**
   * Returns {@link TrainingArguments#epochs()} of the arguments.
   *
   * @return the value
   */
  public int epochs() {
    return arguments.epochs();
  }

  /**
   * Returns {@link TrainingArguments#maxSteps()} of the arguments.
   *
   * @return the value
   */
  public long maxSteps() {
    return arguments.maxSteps();
  }

  /**
   * Returns {@link TrainingArguments#seed()} of the arguments.
   *
   * @return the value
   */
  public long seed() {
    return arguments.seed();
  }

  /**
   * Returns {@link TrainingArguments#optimizer()} of the arguments.
   *
   * @return the value
   */
  public OptimizerConfig optimizer() {
    return arguments.optimizer();
  }

  /**
   * Returns {@link TrainingArguments#workDir()} of the arguments.
   *
   * @return the value
   */
  public Path workDir() {
    return arguments.workDir();
  }

  /**
   * Returns {@link TrainingArguments#checkpointEverySteps()} of the arguments.
   *
   * @return the value
   */
  public int checkpointEverySteps() {
    return arguments.checkpointEverySteps();
  }

  /**
   * Returns {@link TrainingArguments#logEverySteps()} of the arguments.
   *
   * @return the value
   */
  public int logEverySteps() {
    return arguments.logEverySteps();
  }

  /**
   * Returns {@link TrainingArguments#progressBar()} of the arguments.
   *
   * @return the value
   */
  public boolean progressBar() {
    return arguments.progressBar();
  }

  /** Builds a {@link PrmTrainerConfig}; see the record for the defaults. */
  public static final class Builder {
    private TrainingArguments.Builder args;
    private boolean trainBackbone = true;
    private long evalEverySteps = 0;
    private double threshold = StepMetrics.DEFAULT_THRESHOLD;

    private Builder(TrainingArguments.Builder args) {
      this.args = args;
    }

    /**
     * Replaces every shared training argument set so far (the PRM's own settings stay).
     *
     * @param v the arguments
     * @return this builder
     */
    public Builder arguments(TrainingArguments v) {
      args = Preconditions.checkNotNull(v, "arguments").toBuilder();
      return this;
    }

    /**
     * Sets the rationales per optimizer step (see {@link TrainingArguments}).
     *
     * @param v the batch size
     * @return this builder
     */
    public Builder batchSize(int v) {
      args.batchSize(v);
      return this;
    }

    /**
     * Sets the rationales per forward pass (see {@link TrainingArguments}).
     *
     * @param v the micro-batch size
     * @return this builder
     */
    public Builder microBatchSize(int v) {
      args.microBatchSize(v);
      return this;
    }

    /**
     * Sets the number of epochs (see {@link TrainingArguments}).
     *
     * @param v the epochs
     * @return this builder
     */
    public Builder epochs(int v) {
      args.epochs(v);
      return this;
    }

    /**
     * Sets a fixed number of steps; 0 lets the epochs decide (see {@link TrainingArguments}).
     *
     * @param v the steps
     * @return this builder
     */
    public Builder maxSteps(long v) {
      args.maxSteps(v);
      return this;
    }

    /**
     * Sets the data-order seed (see {@link TrainingArguments}).
     *
     * @param v the seed
     * @return this builder
     */
    public Builder seed(long v) {
      args.seed(v);
      return this;
    }

    /**
     * Sets the optimizer configuration (see {@link TrainingArguments}).
     *
     * @param v the optimizer configuration
     * @return this builder
     */
    public Builder optimizer(OptimizerConfig v) {
      args.optimizer(v);
      return this;
    }

    /**
     * Sets the working directory for checkpoints and metrics (see {@link TrainingArguments}).
     *
     * @param v the directory, or null
     * @return this builder
     */
    public Builder workDir(Path v) {
      args.workDir(v);
      return this;
    }

    /**
     * Sets the checkpoint interval in steps; 0 checkpoints at epoch ends only (see {@link TrainingArguments}).
     *
     * @param v the interval
     * @return this builder
     */
    public Builder checkpointEverySteps(int v) {
      args.checkpointEverySteps(v);
      return this;
    }

    /**
     * Sets how often a step's metrics are logged; 0 logs none (see {@link TrainingArguments}).
     *
     * @param v the interval in steps
     * @return this builder
     */
    public Builder logEverySteps(int v) {
      args.logEverySteps(v);
      return this;
    }

    /**
     * Sets whether to draw a progress bar (see {@link TrainingArguments}).
     *
     * @param v whether to draw it
     * @return this builder
     */
    public Builder progressBar(boolean v) {
      args.progressBar(v);
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
     * Validates and builds the configuration.
     *
     * @return the configuration
     */
    public PrmTrainerConfig build() {
      return new PrmTrainerConfig(args.build(), trainBackbone, evalEverySteps, threshold);
    }
  }
}
