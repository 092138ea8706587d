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
 * The loop shared by every sipf4j trainer ({@link SftTrainer}, {@link OrpoTrainer} and prm-core's
 * {@code PrmTrainer}): seeded epoch permutations and micro-batching ({@link EpochBatches}), the {@link
 * OptimizerStep}, listeners, a metrics file ({@code NAME-metrics.csv} and {@code .jsonl}), log lines, a progress bar
 * and checkpoints that let a killed run resume at the step after the last checkpoint with the same data order, all
 * driven by the shared {@link TrainingArguments}. A subclass supplies a {@linkplain #name() name} and an
 * {@linkplain #objective() objective}, and may hook in before the first and after every step.
 *
 * @param <E> the example type
 */
public abstract class AbstractTrainer<E> {

  private static final Logger LOG = LoggerFactory.getLogger(AbstractTrainer.class);

  /** The language model being trained (for a process reward model, its backbone); anchors run through it. */
  protected final CausalLm model;

  /** How to walk the data, optimize, checkpoint and log. */
  protected final TrainingArguments arguments;

  private final TrainableWeights weights;
  private final List<TrainerListener> listeners = new ArrayList<>();

  /**
   * Creates a trainer of a language model's trainable parameters.
   *
   * @param model the model to train
   * @param config the trainer configuration
   */
  protected AbstractTrainer(CausalLm model, TrainerConfig config) {
    this(model, TrainableWeights.of(Preconditions.checkNotNull(model, "model")),
        Preconditions.checkNotNull(config, "config").arguments());
  }

  /**
   * Creates a trainer of any set of weights, such as a language model together with a head of one's own.
   *
   * @param model the language model that supplementary objectives such as anchors run through
   * @param weights what the optimizer updates and checkpoints save
   * @param arguments the training arguments
   */
  protected AbstractTrainer(CausalLm model, TrainableWeights weights, TrainingArguments arguments) {
    this.model = Preconditions.checkNotNull(model, "model");
    this.weights = Preconditions.checkNotNull(weights, "weights");
    this.arguments = Preconditions.checkNotNull(arguments, "arguments");
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
   * Returns the length an example pads a batch to, in tokens, for {@linkplain TrainingArguments#groupByLength()
   * grouping by length}; read once per example when a run with grouping starts. The trainers of sipf4j define it; a
   * subclass that does not cannot group by length.
   *
   * @param example a training example
   * @return its length
   * @throws UnsupportedOperationException by default
   */
  protected int exampleLength(E example) {
    throw new UnsupportedOperationException(getClass().getSimpleName() + " does not tell its examples' lengths, "
        + "so it cannot group batches by length: set groupByLength to false or override exampleLength");
  }

  /**
   * Called once per {@link #fit} call before its first step, after a checkpoint (if any) was restored; does
   * nothing by default.
   *
   * @param firstStep the first step this call takes (0 unless resuming)
   * @param totalSteps the number of steps of the whole run
   * @throws IOException if the subclass's own files cannot be opened
   */
  protected void beforeTraining(long firstStep, long totalSteps) throws IOException {}

  /**
   * Called after every step, after the metrics row and the listeners and before a checkpoint; returns nothing by
   * default.
   *
   * @param step the 0-based step just taken
   * @param totalSteps the number of steps of the run
   * @param result what the step did
   * @return text to add to the progress bar's status, or an empty string
   * @throws IOException if the subclass's own files cannot be written
   */
  protected String afterStep(long step, long totalSteps, StepResult result) throws IOException {
    return "";
  }

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
    TrainingArguments config = arguments;
    AnchorStream anchorStream = anchors == null ? null : new AnchorStream(anchors, config.seed());
    EpochBatches<E> batches = new EpochBatches<>(examples, config.batchSize(), config.microBatchSize(),
        config.seed(), config.groupByLength() ? this::exampleLength : null);
    long totalSteps = batches.totalSteps(config.epochs(), config.maxSteps());
    long started = System.nanoTime();
    try (OptimizerStep optimizer = new OptimizerStep(weights.parameters(), weights.manager(), config.optimizer(),
        totalSteps)) {
      long firstStep = 0;
      if (config.workDir() != null) {
        Optional<Checkpoint> cp = Checkpoint.load(config.workDir(), weights, optimizer.optimizer());
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
      beforeTraining(firstStep, totalSteps);
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
          if (config.logEverySteps() > 0 && (step + 1) % config.logEverySteps() == 0) {
            LOG.info("{} step {}/{}: lr {} grad_norm {} {}", name(), step + 1, totalSteps, r.learningRate(),
                String.format(Locale.ROOT, "%.4g", r.gradNorm()), r.metrics());
          }
          String extra = afterStep(step, totalSteps, r);
          Float loss = r.metrics().get("loss");
          bar.update(step + 1, String.format(Locale.ROOT, "loss %.4f%s%s", loss == null ? Float.NaN : loss,
              optimizer.skippedCount() > 0 ? " skipped " + optimizer.skippedCount() : "",
              extra.isEmpty() ? "" : " " + extra));
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
            Checkpoint.save(config.workDir(), weights, optimizer.optimizer(),
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
