package io.github.sipf4j.orpo.train;

import com.google.common.base.Preconditions;
import java.nio.file.Path;

/**
 * How {@link SftTrainer} and {@link OrpoTrainer} walk their data: the shared {@link TrainingArguments} (batch,
 * epochs or steps, seed, optimizer and schedule, work directory with checkpoints, logging), whose defaults are the
 * defaults here. An immutable value built with {@link #builder()} (the setters of {@link TrainingArguments.Builder})
 * or wrapped around existing arguments with {@link #of}. The loss and the padding id are the trainers' own
 * constructor arguments.
 *
 * <pre>{@code
 * TrainerConfig config = TrainerConfig.builder()
 *     .batchSize(16).epochs(2).workDir(Path.of("runs/orpo"))
 *     .optimizer(OptimizerConfig.builder().learningRate(3e-4f).warmupSteps(10).build())
 *     .build();
 * }</pre>
 *
 * @param arguments the training arguments
 */
public record TrainerConfig(TrainingArguments arguments) {

  /**
   * Checks that the arguments are present.
   *
   * @param arguments the {@code arguments} component (see the record)
   */
  public TrainerConfig {
    Preconditions.checkNotNull(arguments, "arguments");
  }

  /**
   * Wraps training arguments.
   *
   * @param arguments the arguments
   * @return the configuration
   */
  public static TrainerConfig of(TrainingArguments arguments) {
    return new TrainerConfig(arguments);
  }

  /**
   * Returns a builder holding the documented defaults of {@link TrainingArguments}.
   *
   * @return a new builder
   */
  public static Builder builder() {
    return new Builder(TrainingArguments.builder());
  }

  /**
   * Returns a builder holding this configuration, to change some of it.
   *
   * @return a new builder
   */
  public Builder toBuilder() {
    return new Builder(arguments.toBuilder());
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

  /** Builds a {@link TrainerConfig}; see {@link TrainingArguments} for the defaults. */
  public static final class Builder {
    private TrainingArguments.Builder args;

    private Builder(TrainingArguments.Builder args) {
      this.args = args;
    }

    /**
     * Replaces every training argument set so far.
     *
     * @param v the arguments
     * @return this builder
     */
    public Builder arguments(TrainingArguments v) {
      args = Preconditions.checkNotNull(v, "arguments").toBuilder();
      return this;
    }

    /**
     * Sets the examples per optimizer step (see {@link TrainingArguments}).
     *
     * @param v the batch size
     * @return this builder
     */
    public Builder batchSize(int v) {
      args.batchSize(v);
      return this;
    }

    /**
     * Sets the examples per forward pass; unset, it follows the batch size (see {@link TrainingArguments}).
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
     * Validates and builds the configuration.
     *
     * @return the configuration
     */
    public TrainerConfig build() {
      return new TrainerConfig(args.build());
    }
  }
}
