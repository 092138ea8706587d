package io.github.sipf4j.prm.process;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDArrays;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.index.NDIndex;
import ai.djl.ndarray.types.DataType;
import com.google.common.base.Preconditions;
import com.google.gson.JsonObject;
import com.google.gson.JsonParser;
import io.github.sipf4j.orpo.text.SequenceTooLongException;
import io.github.sipf4j.orpo.train.AbstractTrainer;
import io.github.sipf4j.orpo.train.AnchorSet;
import io.github.sipf4j.orpo.train.LossTerms;
import io.github.sipf4j.orpo.train.MicroBatchObjective;
import io.github.sipf4j.orpo.train.StepResult;
import io.github.sipf4j.orpo.train.TrainableWeights;
import io.github.sipf4j.orpo.train.TrainingSummary;
import io.github.sipf4j.orpo.util.MetricsFile;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.IdentityHashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Trains a {@link DecoderPrm} on rationales with step labels: per-step cross-entropy at step ends (see
 * {@link DecoderPrm}) on the trainer base that SFT and ORPO share ({@link AbstractTrainer}): seeded shuffling every
 * epoch, micro-batches with gradient accumulation, AdamW with clipping and the configured schedule, a progress bar,
 * listeners, and with a work directory metrics files ({@code prm-metrics}, {@code prm-eval}) and checkpoints of the
 * backbone, the head and the optimizer, so a killed run resumes where it stopped and ends with the same weights.
 * Validation metrics ({@link StepMetrics}) are computed on held-out rationales.
 *
 * <p>Training metrics per step: {@code loss} (mean cross-entropy over the steps of the batch; every step of every
 * rationale weighs the same) and {@code step_accuracy} (argmax of the head against {@code label > 0.5}); the
 * metrics files' {@code examples} column counts labelled steps. Rationales longer than the backbone's maximum length
 * are left out with a warning and counted in the result.
 *
 * <pre>{@code
 * PrmTrainerConfig cfg = PrmTrainerConfig.builder().epochs(3).workDir(Path.of("runs/prm")).build();
 * PrmTrainingResult r = new PrmTrainer(prm, cfg).fit(StepwiseJsonl.read(trainFile), StepwiseJsonl.read(validFile));
 * System.out.println(r.validation().auroc());
 * }</pre>
 */
public final class PrmTrainer extends AbstractTrainer<LabeledRationale> {

  private static final Logger LOG = LoggerFactory.getLogger(PrmTrainer.class);
  private static final List<String> NAMES = List.of("loss", "step_accuracy");
  private static final String EVAL_FILE = "prm-eval";

  private final DecoderPrm prm;
  private final PrmTrainerConfig config;
  /** The encodings of the training rationales of the current {@link #fit} call, looked up by identity. */
  private final Map<LabeledRationale, Encoded> encoded = new IdentityHashMap<>();
  private List<Encoded> held = List.of();
  private final Map<Long, StepMetrics> history = new LinkedHashMap<>();
  private MetricsFile evalFile;
  private int keptCount;

  /**
   * Creates the trainer.
   *
   * @param prm the model to train, in place
   * @param config how to train it
   */
  public PrmTrainer(DecoderPrm prm, PrmTrainerConfig config) {
    super(Preconditions.checkNotNull(prm, "prm").backbone(),
        TrainableWeights.of(prm.trainableParameters(Preconditions.checkNotNull(config, "config").trainBackbone()),
            prm.backbone().getManager()),
        config.arguments());
    this.prm = prm;
    this.config = config;
  }

  /** One rationale, encoded, with its labels. */
  private record Encoded(StepSpans spans, float[] labels) {}

  /**
   * Trains the PRM and validates it on held-out rationales. With a work directory holding a checkpoint of the same
   * run, training resumes there; the validation history then also holds the validations written before.
   *
   * @param train the training rationales, at least one that fits the backbone
   * @param validation held-out rationales for {@link StepMetrics}; null or empty for none
   * @return what the run did, with the final validation metrics
   * @throws IOException if a checkpoint or the metrics files cannot be written or read
   */
  public PrmTrainingResult fit(List<LabeledRationale> train, List<LabeledRationale> validation) throws IOException {
    long started = System.nanoTime();
    held = validation == null ? List.of() : encodeAll(validation, "validation", null);
    history.clear();
    try {
      TrainingSummary summary = fit(train, (AnchorSet) null);
      StepMetrics last = history.get(summary.steps());
      if (!held.isEmpty() && last == null) {
        last = validate(summary.steps());
      }
      return new PrmTrainingResult(summary.steps(), summary.skippedSteps(), train.size() - keptCount,
          summary.firstMetrics().getOrDefault("loss", Float.NaN),
          summary.lastMetrics().getOrDefault("loss", Float.NaN), last, history, (System.nanoTime() - started) / 1e9);
    } finally {
      held = List.of();
      closeEvalFile();
    }
  }

  /**
   * Trains the PRM without validation, optionally with supervised anchor sequences run through the backbone's
   * language-model head (see {@link AnchorSet}). Rationales that do not fit the backbone are left out with a
   * warning.
   *
   * @param train the training rationales, at least one that fits the backbone
   * @param anchors the anchors, or null for none
   * @return what the run did
   * @throws IOException if a checkpoint or the metrics files cannot be written or read
   */
  @Override
  public TrainingSummary fit(List<LabeledRationale> train, AnchorSet anchors) throws IOException {
    encoded.clear();
    List<LabeledRationale> kept = new ArrayList<>(train.size());
    encodeAll(train, "training", kept);
    Preconditions.checkArgument(!kept.isEmpty(), "no training rationale fits the backbone");
    keptCount = kept.size();
    try {
      return super.fit(kept, anchors);
    } finally {
      encoded.clear();
    }
  }

  /**
   * Scores held-out rationales and compares the scores with their labels at the configured threshold. Rationales
   * longer than the backbone's maximum length are left out with a warning.
   *
   * @param data the labelled rationales, at least one that fits
   * @return the metrics over all their steps
   */
  public StepMetrics evaluate(List<LabeledRationale> data) {
    List<Encoded> list = encodeAll(data, "evaluation", null);
    Preconditions.checkArgument(!list.isEmpty(), "no rationale to evaluate fits the backbone");
    return evaluateEncoded(list);
  }

  @Override
  protected String name() {
    return "prm";
  }

  @Override
  protected MicroBatchObjective<List<LabeledRationale>> objective() {
    return this::loss;
  }

  @Override
  protected int exampleLength(LabeledRationale example) {
    return encoded.get(example).spans().length();
  }

  @Override
  protected void beforeTraining(long firstStep, long totalSteps) throws IOException {
    Path dir = config.workDir();
    if (dir == null || held.isEmpty()) {
      return;
    }
    if (firstStep > 0) {
      // Validations up to the restored step describe the restored weights: keep them; later ones are redone.
      evalFile = MetricsFile.openResuming(dir, EVAL_FILE, firstStep + 1);
      for (String line : Files.readAllLines(evalFile.jsonlFile(), StandardCharsets.UTF_8)) {
        JsonObject row = JsonParser.parseString(line).getAsJsonObject();
        history.put(row.get("step").getAsLong(), StepMetrics.fromJson(row));
      }
    } else {
      evalFile = MetricsFile.create(dir, EVAL_FILE);
    }
  }

  @Override
  protected String afterStep(long step, long totalSteps, StepResult result) throws IOException {
    boolean evalNow = !held.isEmpty() && (step + 1 == totalSteps
        || config.evalEverySteps() > 0 && (step + 1) % config.evalEverySteps() == 0);
    if (!evalNow) {
      return "";
    }
    StepMetrics m = validate(step + 1);
    return String.format(Locale.ROOT, "eval auroc %.3f acc %.3f", m.auroc(), m.accuracy());
  }

  /** Validates on the held-out rationales, records the result under the step count and writes it. */
  private StepMetrics validate(long steps) throws IOException {
    StepMetrics m = evaluateEncoded(held);
    history.put(steps, m);
    if (evalFile == null && config.workDir() != null) {
      evalFile = MetricsFile.openResuming(config.workDir(), EVAL_FILE, steps);
    }
    if (evalFile != null) {
      Map<String, Object> row = new LinkedHashMap<>();
      row.put("step", steps);
      row.putAll(m.toMap(""));
      evalFile.write(row);
    }
    LOG.info("prm step {}: validation {}", steps, m);
    return m;
  }

  private void closeEvalFile() {
    if (evalFile != null) {
      evalFile.close();
      evalFile = null;
    }
  }

  private StepMetrics evaluateEncoded(List<Encoded> data) {
    List<Double> scores = new ArrayList<>();
    List<Double> labels = new ArrayList<>();
    List<double[]> s = prm.scoreAll(data.stream().map(Encoded::spans).toList());
    for (int i = 0; i < data.size(); i++) {
      for (int j = 0; j < s.get(i).length; j++) {
        scores.add(s.get(i)[j]);
        labels.add((double) data.get(i).labels()[j]);
      }
    }
    return StepMetrics.compute(scores.stream().mapToDouble(Double::doubleValue).toArray(),
        labels.stream().mapToDouble(Double::doubleValue).toArray(), config.threshold());
  }

  private LossTerms loss(List<LabeledRationale> rationales, NDManager m) {
    List<StepSpans> spans = new ArrayList<>(rationales.size());
    int steps = 0;
    long tokens = 0;
    List<Encoded> batch = new ArrayList<>(rationales.size());
    for (LabeledRationale r : rationales) {
      Encoded e = encoded.get(r);
      batch.add(e);
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

  /**
   * Encodes rationales, leaving out (and counting in one warning) those that exceed the backbone's maximum length.
   * With {@code kept} given, the training encodings are remembered for the objective and the rationales that fit
   * are added to {@code kept}.
   */
  private List<Encoded> encodeAll(List<LabeledRationale> data, String what, List<LabeledRationale> kept) {
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
      Encoded e = new Encoded(s, labels);
      out.add(e);
      if (kept != null) {
        encoded.put(r, e);
        kept.add(r);
      }
    }
    if (tooLong > 0) {
      LOG.warn("{} of {} {} rationales exceed the PRM backbone's maximum length of {} tokens and are left out",
          tooLong, data.size(), what, prm.backbone().maxLength());
    }
    return out;
  }
}
