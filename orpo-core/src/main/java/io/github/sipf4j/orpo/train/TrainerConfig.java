package io.github.sipf4j.orpo.train;

import com.google.common.base.Preconditions;

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
public record TrainerConfig(TrainingArguments arguments) implements HasTrainingArguments {

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

  /** Builds a {@link TrainerConfig}; see {@link TrainingArguments} for the defaults. */
  public static final class Builder extends TrainingArgumentsBuilder<Builder> {

    private Builder(TrainingArguments.Builder args) {
      super(args);
    }

    @Override
    protected Builder self() {
      return this;
    }

    /**
     * Validates and builds the configuration.
     *
     * @return the configuration
     */
    public TrainerConfig build() {
      return new TrainerConfig(buildArguments());
    }
  }
}
