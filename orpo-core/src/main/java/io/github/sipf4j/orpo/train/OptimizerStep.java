package io.github.sipf4j.orpo.train;

import ai.djl.engine.Engine;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDArrays;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.NDScope;
import ai.djl.ndarray.types.DataType;
import ai.djl.nn.Parameter;
import ai.djl.training.GradientCollector;
import ai.djl.util.Pair;
import com.google.common.base.Preconditions;
import io.github.sipf4j.orpo.model.CausalLm;
import io.github.sipf4j.orpo.util.InPlace;
import io.github.sipf4j.orpo.util.Scalars;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Consumer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One optimizer step over micro-batches: for each micro-batch, forward and backward in its own {@link NDScope}
 * (gradients accumulate, each loss weighted by its share of the step's examples); then the global L2 norm of all
 * gradients, a NaN/Inf guard that skips the update and counts it, clipping by global norm, and an {@link AdamW}
 * update at the scheduled learning rate. The update runs outside the step's scope.
 *
 * <pre>{@code
 * try (OptimizerStep opt = new OptimizerStep(lm, OptimizerConfig.builder().learningRate(3e-4f).build(), 1000)) {
 *   StepResult r = opt.step(microBatches, (batch, manager) -> myLoss(batch, manager));
 * }
 * }</pre>
 */
public final class OptimizerStep implements AutoCloseable {

  private static final Logger LOG = LoggerFactory.getLogger(OptimizerStep.class);

  private final NDManager manager;
  private final OptimizerConfig config;
  private final long totalSteps;
  private final List<Pair<String, Parameter>> parameters;
  private final AdamW adamW;
  private long step;
  private long skipped;

  /**
   * Creates the step engine.
   *
   * @param model the model to train
   * @param config optimizer, clipping and schedule
   * @param totalSteps the number of steps of the run (for the schedule)
   */
  public OptimizerStep(CausalLm model, OptimizerConfig config, long totalSteps) {
    this(model.trainableParameters(), model.getManager(), config, totalSteps);
  }

  /**
   * Creates the step engine for any set of parameters, such as a backbone together with a head of one's own (a
   * process reward model's classifier).
   *
   * @param parameters the (name, parameter) pairs to train; names must be unique, arrays must have gradients
   *     attached and live on {@code manager}'s device
   * @param manager the manager under which the optimizer state and each micro-batch's sub-manager are created
   * @param config optimizer, clipping and schedule
   * @param totalSteps the number of steps of the run (for the schedule)
   */
  public OptimizerStep(
      List<Pair<String, Parameter>> parameters, NDManager manager, OptimizerConfig config, long totalSteps) {
    Preconditions.checkArgument(totalSteps > 0, "totalSteps must be positive, got %s", totalSteps);
    Preconditions.checkArgument(!parameters.isEmpty(), "there are no trainable parameters");
    long distinct = parameters.stream().map(Pair::getKey).distinct().count();
    Preconditions.checkArgument(distinct == parameters.size(), "parameter names must be unique");
    this.manager = Preconditions.checkNotNull(manager, "manager");
    this.config = Preconditions.checkNotNull(config, "config");
    this.totalSteps = totalSteps;
    this.parameters = List.copyOf(parameters);
    this.adamW = new AdamW(config, this.parameters, manager);
  }

  /**
   * Runs one step.
   *
   * @param microBatches the micro-batches of the step, at least one
   * @param objective computes the loss of one micro-batch
   * @param <B> the micro-batch type
   * @return what happened
   */
  public <B> StepResult step(List<B> microBatches, MicroBatchObjective<B> objective) {
    return step(microBatches, objective, null);
  }

  /**
   * Runs one step, showing the last micro-batch's loss terms to {@code lastMicroBatch} while its arrays are alive.
   *
   * @param microBatches the micro-batches of the step, at least one
   * @param objective computes the loss of one micro-batch
   * @param lastMicroBatch called with the last micro-batch's terms before its scope closes; may be null
   * @param <B> the micro-batch type
   * @return what happened
   */
  public <B> StepResult step(
      List<B> microBatches, MicroBatchObjective<B> objective, Consumer<LossTerms> lastMicroBatch) {
    Preconditions.checkArgument(!microBatches.isEmpty(), "a step needs at least one micro-batch");
    long start = System.nanoTime();
    int total = 0;
    Map<String, Double> sums = new LinkedHashMap<>();
    long tokens = 0;
    boolean finiteLoss = true;
    // Losses are means: the step loss is sum_i loss_i * n_i / N. Backpropagate loss_i * n_i and divide by N in the
    // update's rescale factor (N is known only once every objective has reported its size).
    for (int i = 0; i < microBatches.size(); i++) {
      try (NDScope scope = new NDScope();
          NDManager m = manager.newSubManager()) {
        scope.suppressNotUsedWarning();
        LossTerms terms;
        try (GradientCollector gc = Engine.getInstance().newGradientCollector()) {
          terms = objective.compute(microBatches.get(i), m);
          gc.backward(terms.loss().mul(Scalars.of(terms.loss(), terms.examples())));
        }
        total += terms.examples();
        tokens += terms.tokens();
        double[] values = terms.metrics().toType(DataType.FLOAT64, false).toDoubleArray();
        for (int j = 0; j < values.length; j++) {
          if (!Double.isFinite(values[j]) && j == 0) {
            finiteLoss = false;
          }
          sums.merge(terms.names().get(j), values[j] * terms.examples(), Double::sum);
        }
        if (i == microBatches.size() - 1 && lastMicroBatch != null) {
          lastMicroBatch.accept(terms);
        }
      }
    }
    Map<String, Float> metrics = new LinkedHashMap<>();
    for (Map.Entry<String, Double> e : sums.entrySet()) {
      metrics.put(e.getKey(), (float) (e.getValue() / Math.max(1, total)));
    }
    float lr = config.learningRateAt(step, totalSteps);
    double norm = gradientNorm() / Math.max(1, total);
    boolean skip = !finiteLoss || !Double.isFinite(norm);
    if (skip) {
      skipped++;
      zeroGradients();
      LOG.warn("step {}: non-finite {} (grad norm {}); update skipped ({} skipped so far)", step,
          finiteLoss ? "gradient" : "loss", norm, skipped);
    } else {
      double clip = config.maxGradNorm() > 0 && norm > config.maxGradNorm() ? config.maxGradNorm() / (norm + 1e-6)
          : 1.0;
      adamW.update(lr, (float) (clip / Math.max(1, total)));
    }
    StepResult r = new StepResult(step, lr, norm, skip, metrics, total, tokens, (System.nanoTime() - start) / 1e6);
    step++;
    return r;
  }

  /**
   * Global L2 norm of the accumulated gradients, one host transfer; each gradient's float64 copy is freed before the
   * next is made (they would otherwise add 16 bytes per trainable parameter to the step's peak).
   */
  private double gradientNorm() {
    try (NDScope scope = new NDScope()) {
      scope.suppressNotUsedWarning();
      NDList squares = new NDList(parameters.size());
      for (Pair<String, Parameter> p : parameters) {
        NDArray g = p.getValue().getArray().getGradient();
        NDArray square;
        try (NDScope each = new NDScope()) { // one gradient's float64 copies at a time, not every one at once
          each.suppressNotUsedWarning();
          square = g.toType(DataType.FLOAT64, false).square().sum();
          NDScope.unregister(square);
        }
        NDScope.register(square);
        squares.add(square);
      }
      return Math.sqrt(NDArrays.stack(squares).sum().getDouble());
    }
  }

  /** Sets every gradient to exactly zero (arithmetic would keep a NaN: NaN·0 = NaN). */
  private void zeroGradients() {
    try (NDScope scope = new NDScope()) {
      scope.suppressNotUsedWarning();
      for (Pair<String, Parameter> p : parameters) {
        NDArray g = p.getValue().getArray().getGradient();
        InPlace.zero(g);
      }
    }
  }

  /**
   * Returns the index of the next step.
   *
   * @return the number of steps taken (skipped ones included)
   */
  public long stepCount() {
    return step;
  }

  /**
   * Returns how many steps were skipped for non-finite values.
   *
   * @return the skipped step count
   */
  public long skippedCount() {
    return skipped;
  }

  /**
   * Restores the counters after a resume.
   *
   * @param stepCount the next step index
   * @param skippedCount the skipped steps so far
   */
  public void restoreCounters(long stepCount, long skippedCount) {
    this.step = stepCount;
    this.skipped = skippedCount;
  }

  /**
   * Returns the optimizer, whose state a checkpoint saves.
   *
   * @return the AdamW instance
   */
  public AdamW optimizer() {
    return adamW;
  }

  /** Releases the optimizer state. */
  @Override
  public void close() {
    adamW.close();
  }
}
