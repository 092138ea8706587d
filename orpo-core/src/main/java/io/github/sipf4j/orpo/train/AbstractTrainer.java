package io.github.sipf4j.orpo.train;

import com.google.common.base.Preconditions;
import io.github.sipf4j.orpo.model.CausalLm;
import io.github.sipf4j.orpo.util.MetricsFile;
import io.github.sipf4j.orpo.util.ProgressBar;
import java.io.IOException;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The loop shared by {@link SftTrainer} and {@link OrpoTrainer}: seeded epoch permutations and micro-batching
 * ({@link EpochBatches}), the {@link OptimizerStep}, listeners, a metrics file, a progress bar and checkpoints that
 * let a killed run resume at the step after the last checkpoint with the same data order.
 *
 * @param <E> the example type
 */
public abstract class AbstractTrainer<E> {

  private static final Logger LOG = LoggerFactory.getLogger(AbstractTrainer.class);

  /** The model being trained. */
  protected final CausalLm model;

  /** How to walk the data. */
  protected final TrainerConfig config;

  private final List<TrainerListener> listeners = new ArrayList<>();

  /**
   * Creates the trainer.
   *
   * @param model the model to train
   * @param config the trainer configuration
   */
  protected AbstractTrainer(CausalLm model, TrainerConfig config) {
    this.model = Preconditions.checkNotNull(model, "model");
    this.config = Preconditions.checkNotNull(config, "config");
  }

  /**
   * Adds a listener.
   *
   * @param listener the listener
   * @return this trainer
   */
  public AbstractTrainer<E> addListener(TrainerListener listener) {
    listeners.add(Preconditions.checkNotNull(listener, "listener"));
    return this;
  }

  /**
   * Returns a short name used for the metrics file ({@code NAME.csv}) and the progress bar.
   *
   * @return the name
   */
  protected abstract String name();

  /**
   * Returns the objective that computes the loss of a micro-batch of examples.
   *
   * @return the objective
   */
  protected abstract MicroBatchObjective<List<E>> objective();

  /**
   * Trains on the examples. With a work directory holding a checkpoint of the same run, training resumes there.
   *
   * @param examples the training examples, at least one
   * @return what the run did
   * @throws IOException if a checkpoint or the metrics cannot be written or read
   */
  public TrainingSummary fit(List<E> examples) throws IOException {
    return fit(examples, null);
  }

  /**
   * Trains on the examples with supervised anchor sequences mixed into every step (see {@link AnchorSet}). With a
   * work directory holding a checkpoint of the same run, training resumes there, reading the same anchors.
   *
   * @param examples the training examples, at least one
   * @param anchors the anchors, or null for none
   * @return what the run did
   * @throws IOException if a checkpoint or the metrics cannot be written or read
   */
  public TrainingSummary fit(List<E> examples, AnchorSet anchors) throws IOException {
    AnchorStream anchorStream = anchors == null ? null : new AnchorStream(anchors, config.seed());
    EpochBatches<E> batches = new EpochBatches<>(examples, config.batchSize(), config.microBatchSize(),
        config.seed());
    long totalSteps = batches.totalSteps(config.epochs(), config.maxSteps());
    long started = System.nanoTime();
    try (OptimizerStep optimizer = new OptimizerStep(model, config.optimizer(), totalSteps)) {
      long firstStep = 0;
      if (config.workDir() != null) {
        Optional<Checkpoint> cp = Checkpoint.load(config.workDir(), model, optimizer.optimizer());
        if (cp.isPresent()) {
          Preconditions.checkState(cp.get().totalSteps() == totalSteps,
              "the checkpoint in %s belongs to a run of %s steps, this run has %s: use another work directory",
              config.workDir(), cp.get().totalSteps(), totalSteps);
          firstStep = cp.get().nextStep();
          optimizer.restoreCounters(firstStep, cp.get().skippedSteps());
          LOG.info("{}: resuming at step {} of {} from {}", name(), firstStep, totalSteps, config.workDir());
        }
      }
      MetricsFile metrics = config.workDir() == null ? null
          : firstStep > 0 ? MetricsFile.openResuming(config.workDir(), name() + "-metrics", firstStep)
              : MetricsFile.create(config.workDir(), name() + "-metrics");
      Map<String, Float> first = null;
      Map<String, Float> last = Map.of();
      List<Map<String, Float>> epochMeans = new ArrayList<>();
      Map<String, Double> epochSums = new LinkedHashMap<>();
      int epochCount = 0;
      long tokens = 0;
      for (TrainerListener l : listeners) {
        l.onTrainingBegin(firstStep, totalSteps);
      }
      MicroBatchObjective<List<E>> objective = objective();
      long endStep = totalSteps;
      try (ProgressBar bar = new ProgressBar(name(), totalSteps, "step", config.progressBar())) {
        for (long step = firstStep; step < totalSteps; step++) {
          int epoch = batches.epochOf(step);
          List<List<E>> micro = batches.microBatches(step);
          StepResult r = optimizer.step(micro,
              anchorStream == null ? objective : anchorStream.wrap(objective, model, step, micro.size()),
              terms -> listeners.forEach(l -> l.onMicroBatch(terms)));
          tokens += r.tokens();
          if (first == null) {
            first = r.metrics();
          }
          last = r.metrics();
          if (!r.skipped()) {
            r.metrics().forEach((k, v) -> epochSums.merge(k, (double) v, Double::sum));
            epochCount++;
          }
          if (metrics != null) {
            metrics.write(row(epoch, r));
          }
          for (TrainerListener l : listeners) {
            l.onStep(epoch, r);
          }
          Float loss = r.metrics().get("loss");
          bar.update(step + 1, String.format(Locale.ROOT, "loss %.4f%s", loss == null ? Float.NaN : loss,
              optimizer.skippedCount() > 0 ? " skipped " + optimizer.skippedCount() : ""));
          final long done = step + 1;
          boolean stop = done < totalSteps && listeners.stream().anyMatch(l -> l.stopRequested(done));
          boolean epochEnd = batches.endsEpoch(step) || step + 1 == totalSteps || stop;
          if (epochEnd) {
            Map<String, Float> means = new LinkedHashMap<>();
            final int count = Math.max(1, epochCount);
            epochSums.forEach((k, v) -> means.put(k, (float) (v / count)));
            epochMeans.add(means);
            for (TrainerListener l : listeners) {
              l.onEpochEnd(epoch, means);
            }
            epochSums.clear();
            epochCount = 0;
          }
          boolean periodic = config.checkpointEverySteps() > 0 && (step + 1) % config.checkpointEverySteps() == 0;
          if (config.workDir() != null && (epochEnd || periodic)) {
            Checkpoint.save(config.workDir(), model, optimizer.optimizer(),
                new Checkpoint(step + 1, optimizer.skippedCount(), totalSteps));
          }
          if (stop) {
            endStep = done;
            LOG.info("{}: stopped by a listener after step {} of {}", name(), done, totalSteps);
            break;
          }
        }
      } finally {
        if (metrics != null) {
          metrics.close();
        }
      }
      TrainingSummary summary = new TrainingSummary(endStep, endStep - firstStep, optimizer.skippedCount(),
          first == null ? Map.of() : first, last, epochMeans, (System.nanoTime() - started) / 1e9, tokens);
      for (TrainerListener l : listeners) {
        l.onTrainingEnd(summary);
      }
      return summary;
    }
  }

  private static Map<String, Object> row(int epoch, StepResult r) {
    Map<String, Object> row = new LinkedHashMap<>();
    row.put("step", r.step());
    row.put("epoch", epoch);
    row.put("learning_rate", r.learningRate());
    row.put("grad_norm", r.gradNorm());
    row.put("skipped", r.skipped());
    row.put("examples", r.examples());
    row.put("tokens", r.tokens());
    row.put("step_ms", Math.round(r.millis() * 100) / 100.0);
    row.put("tokens_per_s", Math.round(r.tokens() / Math.max(1e-9, r.millis() / 1000)));
    row.putAll(r.metrics());
    return row;
  }
}
