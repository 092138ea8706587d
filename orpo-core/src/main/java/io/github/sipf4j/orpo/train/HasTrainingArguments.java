package io.github.sipf4j.orpo.train;

import java.nio.file.Path;

/**
 * A configuration that composes the shared {@link TrainingArguments} ({@link TrainerConfig}, prm-core's {@code
 * PrmTrainerConfig}) and reads them as its own: {@code config.batchSize()} is {@code config.arguments().batchSize()}.
 */
public interface HasTrainingArguments {

  /**
   * Returns the training arguments.
   *
   * @return the arguments
   */
  TrainingArguments arguments();

  /**
   * Returns {@link TrainingArguments#batchSize()} of the arguments.
   *
   * @return the value
   */
  default int batchSize() {
    return arguments().batchSize();
  }

  /**
   * Returns {@link TrainingArguments#microBatchSize()} of the arguments.
   *
   * @return the value
   */
  default int microBatchSize() {
    return arguments().microBatchSize();
  }

  /**
   * Returns {@link TrainingArguments#epochs()} of the arguments.
   *
   * @return the value
   */
  default int epochs() {
    return arguments().epochs();
  }

  /**
   * Returns {@link TrainingArguments#maxSteps()} of the arguments.
   *
   * @return the value
   */
  default long maxSteps() {
    return arguments().maxSteps();
  }

  /**
   * Returns {@link TrainingArguments#seed()} of the arguments.
   *
   * @return the value
   */
  default long seed() {
    return arguments().seed();
  }

  /**
   * Returns {@link TrainingArguments#optimizer()} of the arguments.
   *
   * @return the value
   */
  default OptimizerConfig optimizer() {
    return arguments().optimizer();
  }

  /**
   * Returns {@link TrainingArguments#workDir()} of the arguments.
   *
   * @return the value
   */
  default Path workDir() {
    return arguments().workDir();
  }

  /**
   * Returns {@link TrainingArguments#checkpointEverySteps()} of the arguments.
   *
   * @return the value
   */
  default int checkpointEverySteps() {
    return arguments().checkpointEverySteps();
  }

  /**
   * Returns {@link TrainingArguments#logEverySteps()} of the arguments.
   *
   * @return the value
   */
  default int logEverySteps() {
    return arguments().logEverySteps();
  }

  /**
   * Returns {@link TrainingArguments#progressBar()} of the arguments.
   *
   * @return the value
   */
  default boolean progressBar() {
    return arguments().progressBar();
  }

  /**
   * Returns {@link TrainingArguments#groupByLength()} of the arguments.
   *
   * @return the value
   */
  default boolean groupByLength() {
    return arguments().groupByLength();
  }
}
