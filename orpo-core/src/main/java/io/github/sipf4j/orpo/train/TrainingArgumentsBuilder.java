package io.github.sipf4j.orpo.train;

import com.google.common.base.Preconditions;
import java.nio.file.Path;

/**
 * The setters of {@link TrainingArguments} for the builder of a configuration that composes them ({@link
 * TrainerConfig.Builder}, prm-core's {@code PrmTrainerConfig.Builder}), so every trainer's builder takes the shared
 * arguments the same way.
 *
 * @param <B> the concrete builder, returned by every setter
 */
public abstract class TrainingArgumentsBuilder<B extends TrainingArgumentsBuilder<B>> {

  private TrainingArguments.Builder args;

  /**
   * Starts from the given arguments.
   *
   * @param start a builder holding the starting values (its defaults, or existing arguments)
   */
  protected TrainingArgumentsBuilder(TrainingArguments.Builder start) {
    this.args = Preconditions.checkNotNull(start, "start");
  }

  /**
   * Returns this builder as its concrete type.
   *
   * @return this
   */
  protected abstract B self();

  /**
   * Validates and builds the training arguments set so far.
   *
   * @return the arguments
   */
  protected TrainingArguments buildArguments() {
    return args.build();
  }

  /**
   * Replaces every training argument set so far.
   *
   * @param v the arguments
   * @return this builder
   */
  public B arguments(TrainingArguments v) {
    args = Preconditions.checkNotNull(v, "arguments").toBuilder();
    return self();
  }

  /**
   * Sets the examples per optimizer step (see {@link TrainingArguments#batchSize()}).
   *
   * @param v the batch size
   * @return this builder
   */
  public B batchSize(int v) {
    args.batchSize(v);
    return self();
  }

  /**
   * Sets the examples per forward pass (see {@link TrainingArguments#microBatchSize()}).
   *
   * @param v the micro-batch size
   * @return this builder
   */
  public B microBatchSize(int v) {
    args.microBatchSize(v);
    return self();
  }

  /**
   * Sets the number of epochs (see {@link TrainingArguments#epochs()}).
   *
   * @param v the epochs
   * @return this builder
   */
  public B epochs(int v) {
    args.epochs(v);
    return self();
  }

  /**
   * Sets a fixed number of steps; 0 lets the epochs decide (see {@link TrainingArguments#maxSteps()}).
   *
   * @param v the steps
   * @return this builder
   */
  public B maxSteps(long v) {
    args.maxSteps(v);
    return self();
  }

  /**
   * Sets the data-order seed (see {@link TrainingArguments#seed()}).
   *
   * @param v the seed
   * @return this builder
   */
  public B seed(long v) {
    args.seed(v);
    return self();
  }

  /**
   * Sets the optimizer configuration (see {@link TrainingArguments#optimizer()}).
   *
   * @param v the optimizer configuration
   * @return this builder
   */
  public B optimizer(OptimizerConfig v) {
    args.optimizer(v);
    return self();
  }

  /**
   * Sets the working directory for checkpoints and metrics (see {@link TrainingArguments#workDir()}).
   *
   * @param v the directory, or null
   * @return this builder
   */
  public B workDir(Path v) {
    args.workDir(v);
    return self();
  }

  /**
   * Sets the checkpoint interval in steps; 0 checkpoints at epoch ends only (see {@link TrainingArguments#checkpointEverySteps()}).
   *
   * @param v the interval
   * @return this builder
   */
  public B checkpointEverySteps(int v) {
    args.checkpointEverySteps(v);
    return self();
  }

  /**
   * Sets how often a step's metrics are logged; 0 logs none (see {@link TrainingArguments#logEverySteps()}).
   *
   * @param v the interval in steps
   * @return this builder
   */
  public B logEverySteps(int v) {
    args.logEverySteps(v);
    return self();
  }

  /**
   * Sets whether to draw a progress bar (see {@link TrainingArguments#progressBar()}).
   *
   * @param v whether to draw it
   * @return this builder
   */
  public B progressBar(boolean v) {
    args.progressBar(v);
    return self();
  }

  /**
   * Groups examples of similar length into batches, or not (see {@link TrainingArguments#groupByLength()}).
   *
   * @param v whether to group
   * @return this builder
   */
  public B groupByLength(boolean v) {
    args.groupByLength(v);
    return self();
  }
}
