package io.github.sipf4j.prm.process;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDArrays;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.index.NDIndex;
import ai.djl.ndarray.types.DataType;
import com.google.common.base.Preconditions;
import io.github.sipf4j.orpo.text.SequenceTooLongException;
import io.github.sipf4j.orpo.train.EpochBatches;
import io.github.sipf4j.orpo.train.LossTerms;
import io.github.sipf4j.orpo.train.MicroBatchObjective;
import io.github.sipf4j.orpo.train.OptimizerStep;
import io.github.sipf4j.orpo.train.StepResult;
import io.github.sipf4j.orpo.util.MetricsFile;
import io.github.sipf4j.orpo.util.ProgressBar;
import java.io.IOException;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Trains a {@link DecoderPrm} on rationales with step labels: per-step cross-entropy at step ends (see
 * {@link DecoderPrm}), seeded shuffling every epoch, micro-batches with gradient accumulation, AdamW with clipping
 * and the configured schedule ({@link OptimizerStep}), a progress bar, metrics files when a work directory is set,
 * and validation metrics ({@link StepMetrics}) on held-out rationales.
 *
 * <p>Training metrics per step: {@code loss} (mean cross-entropy over the steps of the batch; every step of every
 * rationale weighs the same) and {@code step_accuracy} (argmax of the head against {@code label > 0.5}). Rationales
 * longer than the backbone's maximum length are left out with a warning and counted in the result.
 *
 * <pre>{@code
 * PrmTrainerConfig cfg = PrmTrainerConfig.builder().epochs(3).workDir(Path.of("runs/prm")).build();
 * PrmTrainingResult r = new PrmTrainer(prm, cfg).fit(StepwiseJsonl.read(trainFile), StepwiseJsonl.read(validFile));
 * System.out.println(r.validation().auroc());
 * }</pre>
 */
public final class PrmTrainer {

  private static final Logger LOG = LoggerFactory.getLogger(PrmTrainer.class);
  private static final List<String> NAMES = List.of("loss", "step_accuracy");

  private final DecoderPrm prm;
  private final PrmTrainerConfig config;

  /**
   * Creates the trainer.
   *
   * @param prm the model to train, in place
   * @param config how to train it
   */
  public PrmTrainer(DecoderPrm prm, PrmTrainerConfig config) {
    this.prm = Preconditions.checkNotNull(prm, "prm");
    this.config = Preconditions.checkNotNull(config, "config");
  }

  /** One rationale, encoded, with its labels. */
  private record Encoded(StepSpans spans, float[] labels) {}

  /**
   * Trains the PRM.
   *
   * @param train the training rationales, at least one that fits the backbone
   * @param validation held-out rationales for {@link StepMetrics}; may be empty
   * @return what the run did, with the final validation metrics
   * @throws IOException if the metrics files cannot be written
   */
  public PrmTrainingResult fit(List<LabeledRationale> train, List<LabeledRationale> validation) throws IOException {
    long started = System.nanoTime();
    List<Encoded> examples = encodeAll(train, "training");
    int skippedRationales = train.size() - examples.size();
    Preconditions.checkArgument(!examples.isEmpty(), "no training rationale fits the backbone");
    List<Encoded> held = validation.isEmpty() ? List.of() : encodeAll(validation, "validation");
    EpochBatches<Encoded> batches = new EpochBatches<>(examples, config.batchSize(), config.microBatchSize(),
        config.seed());
    long totalSteps = batches.totalSteps(config.epochs(), config.maxSteps());
    Map<Long, StepMetrics> history = new LinkedHashMap<>();
    double firstLoss = Double.NaN;
    double lastLoss = Double.NaN;
    long skippedSteps;
    MetricsFile stepFile = config.workDir() == null ? null : MetricsFile.create(config.workDir(), "prm-metrics");
    MetricsFile evalFile = config.workDir() == null || held.isEmpty() ? null
        : MetricsFile.create(config.workDir(), "prm-eval");
    try (OptimizerStep optimizer = new OptimizerStep(prm.trainableParameters(config.trainBackbone()),
            prm.backbone().getManager(), config.optimizer(), totalSteps);
        ProgressBar bar = new ProgressBar("prm", totalSteps, "step", config.progressBar())) {
      MicroBatchObjective<List<Encoded>> objective = this::loss;
      for (long step = 0; step < totalSteps; step++) {
        long epoch = batches.epochOf(step);
        StepResult r = optimizer.step(batches.microBatches(step), objective);
        double loss = r.metrics().getOrDefault("loss", Float.NaN);
        if (step == 0) {
          firstLoss = loss;
        }
        lastLoss = loss;
        if (stepFile != null) {
          stepFile.write(row(epoch, r));
        }
        boolean evalNow = !held.isEmpty() && (step + 1 == totalSteps
            || config.evalEverySteps() > 0 && (step + 1) % config.evalEverySteps() == 0);
        String status = String.format(Locale.ROOT, "loss %.4f", loss);
        if (evalNow) {
          StepMetrics m = evaluateEncoded(held);
          history.put(step + 1, m);
          if (evalFile != null) {
            Map<String, Object> row = new LinkedHashMap<>();
            row.put("step", step + 1);
            row.putAll(m.toMap(""));
            evalFile.write(row);
          }
          status += String.format(Locale.ROOT, " eval auroc %.3f acc %.3f", m.auroc(), m.accuracy());
          LOG.info("prm step {}: validation {}", step + 1, m);
        }
        bar.update(step + 1, status);
      }
      skippedSteps = optimizer.skippedCount();
    } finally {
      if (stepFile != null) {
        stepFile.close();
      }
      if (evalFile != null) {
        evalFile.close();
      }
    }
    StepMetrics last = history.isEmpty() ? null : history.get(totalSteps);
    return new PrmTrainingResult(totalSteps, skippedSteps, skippedRationales, firstLoss, lastLoss, last, history,
        (System.nanoTime() - started) / 1e9);
  }

  /**
   * Scores held-out rationales and compares the scores with their labels at the configured threshold. Rationales
   * longer than the backbone's maximum length are left out with a warning.
   *
   * @param data the labelled rationales, at least one that fits
   * @return the metrics over all their steps
   */
  public StepMetrics evaluate(List<LabeledRationale> data) {
    List<Encoded> encoded = encodeAll(data, "evaluation");
    Preconditions.checkArgument(!encoded.isEmpty(), "no rationale to evaluate fits the backbone");
    return evaluateEncoded(encoded);
  }

  private StepMetrics evaluateEncoded(List<Encoded> data) {
    List<Double> scores = new ArrayList<>();
    List<Double> labels = new ArrayList<>();
    int size = prm.scoringBatchSize();
    for (int from = 0; from < data.size(); from += size) {
      List<Encoded> chunk = data.subList(from, Math.min(data.size(), from + size));
      List<double[]> s = prm.scoreEncoded(chunk.stream().map(Encoded::spans).toList());
      for (int i = 0; i < chunk.size(); i++) {
        for (int j = 0; j < s.get(i).length; j++) {
          scores.add(s.get(i)[j]);
          labels.add((double) chunk.get(i).labels()[j]);
        }
      }
    }
    return StepMetrics.compute(scores.stream().mapToDouble(Double::doubleValue).toArray(),
        labels.stream().mapToDouble(Double::doubleValue).toArray(), config.threshold());
  }

  private LossTerms loss(List<Encoded> batch, ai.djl.ndarray.NDManager m) {
    List<StepSpans> spans = new ArrayList<>(batch.size());
    int steps = 0;
    long tokens = 0;
    for (Encoded e : batch) {
      spans.add(e.spans());
      steps += e.labels().length;
      tokens += e.spans().length();
    }
    float[] target = new float[steps];
    float[] hard = new float[steps];
    int k = 0;
    for (Encoded e : batch) {
      for (float y : e.labels()) {
        target[k] = y;
        hard[k++] = StepMetrics.isCorrect(y) ? 1f : 0f;
      }
    }
    NDArray logits = prm.stepLogits(spans, m, true);
    NDArray y = m.create(target);
    NDArray logp = logits.logSoftmax(1);
    NDArray logpCorrect = logp.get(new NDIndex(":, 1"));
    NDArray logpWrong = logp.get(new NDIndex(":, 0"));
    // Cross-entropy against the target distribution (1 - y, y).
    NDArray loss = y.mul(logpCorrect).add(y.neg().add(1f).mul(logpWrong)).neg().mean();
    NDArray yHard = m.create(hard);
    NDArray predicted = logits.argMax(1).toType(DataType.FLOAT32, false);
    NDArray accuracy = predicted.eq(yHard).toType(DataType.FLOAT32, false).mean();
    NDArray metrics = NDArrays.stack(new NDList(loss, accuracy));
    return new LossTerms(loss, metrics, NAMES, steps, tokens, new NDList(y), new NDList(logits));
  }

  private List<Encoded> encodeAll(List<LabeledRationale> data, String what) {
    List<Encoded> out = new ArrayList<>(data.size());
    int tooLong = 0;
    for (LabeledRationale r : data) {
      StepSpans s;
      try {
        s = prm.encode(r.prompt(), r.steps());
      } catch (SequenceTooLongException e) {
        tooLong++;
        continue;
      }
      float[] labels = new float[r.steps().size()];
      for (int i = 0; i < labels.length; i++) {
        labels[i] = (float) r.label(i);
      }
      out.add(new Encoded(s, labels));
    }
    if (tooLong > 0) {
      LOG.warn("{} of {} {} rationales exceed the PRM backbone's maximum length of {} tokens and are left out",
          tooLong, data.size(), what, prm.backbone().maxLength());
    }
    return out;
  }

  private static Map<String, Object> row(long epoch, StepResult r) {
    Map<String, Object> row = new LinkedHashMap<>();
    row.put("step", r.step());
    row.put("epoch", epoch);
    row.put("learning_rate", r.learningRate());
    row.put("grad_norm", r.gradNorm());
    row.put("skipped", r.skipped());
    row.put("steps_labelled", r.examples());
    row.put("step_ms", Math.round(r.millis() * 100) / 100.0);
    row.putAll(r.metrics());
    return row;
  }
}
