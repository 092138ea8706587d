package io.github.sipf4j.prm.process;

import com.google.common.base.Preconditions;
import io.github.sipf4j.orpo.train.OptimizerConfig;
import io.github.sipf4j.orpo.train.HasTrainingArguments;
import io.github.sipf4j.orpo.train.TrainingArguments;
import io.github.sipf4j.orpo.train.TrainingArgumentsBuilder;
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
    TrainingArguments arguments, boolean trainBackbone, long evalEverySteps, double threshold)
    implements HasTrainingArguments {

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

  /** Builds a {@link PrmTrainerConfig}; see the record for the defaults. */
  public static final class Builder extends TrainingArgumentsBuilder<Builder> {
    private boolean trainBackbone = true;
    private long evalEverySteps = 0;
    private double threshold = StepMetrics.DEFAULT_THRESHOLD;

    private Builder(TrainingArguments.Builder args) {
      super(args);
    }

    @Override
    protected Builder self() {
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
      return new PrmTrainerConfig(buildArguments(), trainBackbone, evalEverySteps, threshold);
    }
  }
}
