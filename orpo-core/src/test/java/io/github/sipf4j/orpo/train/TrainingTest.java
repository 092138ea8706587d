package io.github.sipf4j.orpo.train;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ai.djl.Device;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDArrays;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import ai.djl.training.Trainer;
import ai.djl.training.listener.EvaluatorTrainingListener;
import ai.djl.training.listener.TrainingListener;
import ai.djl.training.listener.TrainingListenerAdapter;
import io.github.sipf4j.orpo.data.PreferencePair;
import io.github.sipf4j.orpo.loss.NllScope;
import io.github.sipf4j.orpo.loss.OrpoLoss;
import io.github.sipf4j.orpo.model.DecoderConfig;
import io.github.sipf4j.orpo.model.DecoderLm;
import io.github.sipf4j.orpo.text.EncodedSequence;
import io.github.sipf4j.orpo.text.PromptTemplate;
import io.github.sipf4j.orpo.text.SequenceEncoder;
import io.github.sipf4j.orpo.text.TextTokenizer;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class TrainingTest {

  static TextTokenizer tok;
  static SequenceEncoder encoder;

  @BeforeAll
  static void setUp() {
    tok = TextTokenizer.characterLevel();
    encoder = new SequenceEncoder(tok, PromptTemplate.DEFAULT, 64);
  }

  @AfterAll
  static void tearDown() {
    tok.close();
  }

  static DecoderLm tinyModel(long seed) {
    return DecoderLm.create(DecoderConfig.builder().vocabSize(tok.vocabSize()).dModel(32).layers(2).heads(4)
        .maxLength(64).build(), Device.cpu(), seed);
  }

  /** Tiny arithmetic: "a+b" answered by "a+b=c". */
  static List<EncodedSequence> additions(int n, long seed) {
    Random r = new Random(seed);
    List<EncodedSequence> out = new ArrayList<>();
    for (int i = 0; i < n; i++) {
      int a = r.nextInt(5);
      int b = r.nextInt(5);
      out.add(encoder.encodeQuestion(a + "+" + b, a + "+" + b + "=" + (a + b)));
    }
    return out;
  }

  @Test
  void sftLowersTheLossAndWritesMetricsAndCheckpoints(@TempDir Path dir) throws IOException {
    try (DecoderLm lm = tinyModel(1)) {
      TrainerConfig cfg = TrainerConfig.builder().batchSize(8).microBatchSize(4).epochs(6).workDir(dir)
          .progressBar(false).optimizer(OptimizerConfig.builder().learningRate(5e-3f).warmupSteps(3).build())
          .build();
      TrainingSummary s = new SftTrainer(lm, cfg, tok.padId(), NllScope.RESPONSE).fit(additions(48, 3));
      assertEquals(36, s.steps());
      assertEquals(0, s.skippedSteps());
      float first = s.epochMeans().get(0).get("loss");
      float last = s.epochMeans().get(s.epochMeans().size() - 1).get("loss");
      assertTrue(last < 0.6f * first, "loss " + first + " -> " + last);
      assertTrue(Files.readAllLines(dir.resolve("sft-metrics.csv")).size() == 37);
      assertTrue(Files.isRegularFile(dir.resolve("checkpoint/model.safetensors")));
      assertTrue(Files.isRegularFile(dir.resolve("checkpoint/optimizer.safetensors")));
    }
  }

  /** Grouping by length changes which examples share a step, not what training achieves. */
  @Test
  void sftGroupedByLengthLowersTheLossAsWell() throws IOException {
    List<EncodedSequence> data = new ArrayList<>(additions(40, 3));
    Random r = new Random(4);
    for (int i = 0; i < 40; i++) { // longer examples, so that lengths vary
      int a = r.nextInt(50);
      int b = r.nextInt(50);
      data.add(encoder.encodeQuestion(a + "+" + b, a + "+" + b + "=" + (a + b)));
    }
    try (DecoderLm lm = tinyModel(1)) {
      TrainerConfig cfg = TrainerConfig.builder().batchSize(8).microBatchSize(4).epochs(6).groupByLength(true)
          .progressBar(false).optimizer(OptimizerConfig.builder().learningRate(5e-3f).warmupSteps(3).build())
          .build();
      assertTrue(cfg.groupByLength());
      TrainingSummary s = new SftTrainer(lm, cfg, tok.padId(), NllScope.RESPONSE).fit(data);
      assertEquals(60, s.steps());
      float first = s.epochMeans().get(0).get("loss");
      float last = s.epochMeans().get(s.epochMeans().size() - 1).get("loss");
      assertTrue(last < 0.6f * first, "loss " + first + " -> " + last);
    }
  }

  /** A trainer that cannot tell its examples' lengths refuses grouping before its first step. */
  @Test
  void groupingByLengthNeedsTheTrainersExampleLengths() {
    try (DecoderLm lm = tinyModel(1)) {
      TrainerConfig cfg = TrainerConfig.builder().batchSize(2).groupByLength(true).progressBar(false).build();
      AtomicInteger steps = new AtomicInteger();
      AbstractTrainer<EncodedSequence> own = new AbstractTrainer<>(lm, cfg) {
        @Override
        protected String name() {
          return "own";
        }

        @Override
        protected MicroBatchObjective<List<EncodedSequence>> objective() {
          steps.incrementAndGet();
          throw new AssertionError("no step may run");
        }
      };
      UnsupportedOperationException e = assertThrows(UnsupportedOperationException.class,
          () -> own.fit(additions(4, 1)));
      assertTrue(e.getMessage().contains("groupByLength"), e.getMessage());
      assertEquals(0, steps.get());
    }
  }

  /** A listener that stops training ends it after that step, with a checkpoint, and the summary counts the steps. */
  @Test
  void aListenerCanStopTrainingEarly(@TempDir Path dir) throws IOException {
    try (DecoderLm lm = tinyModel(1)) {
      TrainerConfig cfg = TrainerConfig.builder().batchSize(8).epochs(6).workDir(dir).progressBar(false)
          .optimizer(OptimizerConfig.builder().learningRate(5e-3f).build()).build();
      List<Long> asked = new ArrayList<>();
      List<Integer> epochsEnded = new ArrayList<>();
      SftTrainer trainer = new SftTrainer(lm, cfg, tok.padId(), NllScope.RESPONSE);
      trainer.addListener(new TrainerListener() {
        @Override
        public boolean stopRequested(long stepsDone) {
          asked.add(stepsDone);
          return stepsDone == 8;
        }

        @Override
        public void onEpochEnd(int epoch, Map<String, Float> means) {
          epochsEnded.add(epoch);
        }
      });
      TrainingSummary s = trainer.fit(additions(48, 3));
      assertEquals(8, s.steps());
      assertEquals(8, s.stepsThisRun());
      assertEquals(List.of(1L, 2L, 3L, 4L, 5L, 6L, 7L, 8L), asked);
      assertEquals(List.of(0, 1), epochsEnded, "the stopped step closes its (partial) epoch");
      assertTrue(Files.readString(dir.resolve(Checkpoint.DIR).resolve("trainer-state.json")).contains("\"nextStep\": 8"),
          "the stopping step is checkpointed");
    }
  }

  static List<EncodedPair> preferences() {
    List<PreferencePair> pairs = new ArrayList<>();
    for (int i = 0; i < 8; i++) {
      String q = "Q: is " + i + " even?\nA:\n";
      boolean even = i % 2 == 0;
      pairs.add(new PreferencePair(q, even ? "yes" : "no", even ? "no" : "yes"));
    }
    return OrpoTrainer.encode(pairs, encoder);
  }

  static Map<String, Float> evaluate(DecoderLm lm, List<EncodedPair> pairs, OrpoLoss loss) {
    try (NDManager m = lm.getManager().newSubManager()) {
      OrpoTrainer t = new OrpoTrainer(lm, TrainerConfig.builder().progressBar(false).build(), loss, tok.padId());
      LossTerms terms = t.objective().compute(pairs, m);
      Map<String, Float> out = new java.util.LinkedHashMap<>();
      float[] v = terms.metrics().toFloatArray();
      for (int i = 0; i < v.length; i++) {
        out.put(terms.names().get(i), v[i]);
      }
      return out;
    }
  }

  @Test
  void orpoRaisesRewardAccuracyAndMargins() throws IOException {
    List<EncodedPair> pairs = preferences();
    OrpoLoss loss = OrpoLoss.builder().lambda(1f).build();
    try (DecoderLm lm = tinyModel(2)) {
      Map<String, Float> before = evaluate(lm, pairs, loss);
      TrainerConfig cfg = TrainerConfig.builder().batchSize(8).epochs(80).progressBar(false)
          .optimizer(OptimizerConfig.builder().learningRate(1e-2f).build()).build();
      TrainingSummary s = new OrpoTrainer(lm, cfg, loss, tok.padId()).fit(pairs);
      Map<String, Float> after = evaluate(lm, pairs, loss);
      assertTrue(after.get("rewards/accuracies") == 1.0f, "accuracies " + before + " -> " + after);
      assertTrue(after.get("rewards/margins") > before.get("rewards/margins") + 0.05f, before + " -> " + after);
      assertTrue(after.get("loss") < before.get("loss"), before + " -> " + after);
      assertEquals(OrpoLossNames.ALL, s.lastMetrics().keySet());
    }
  }

  /** The names the ORPO trainer reports (TRL's). */
  static final class OrpoLossNames {
    static final java.util.Set<String> ALL = new java.util.LinkedHashSet<>(
        io.github.sipf4j.orpo.loss.OrpoOutput.METRIC_NAMES);
  }

  @Test
  void aKilledRunResumesFromItsCheckpointAndEndsWhereAnUninterruptedRunEnds(@TempDir Path dir) throws IOException {
    List<EncodedSequence> data = additions(40, 5);
    TrainerConfig.Builder cfg = TrainerConfig.builder().batchSize(8).epochs(3).checkpointEverySteps(4)
        .progressBar(false).optimizer(OptimizerConfig.builder().learningRate(3e-3f).build());
    float[] reference;
    try (DecoderLm lm = tinyModel(7)) {
      new SftTrainer(lm, cfg.workDir(dir.resolve("a")).build(), tok.padId(), NllScope.RESPONSE).fit(data);
      reference = logitsOf(lm);
    }
    Path b = dir.resolve("b");
    try (DecoderLm lm = tinyModel(7)) {
      SftTrainer t = new SftTrainer(lm, cfg.workDir(b).build(), tok.padId(), NllScope.RESPONSE);
      t.addListener(new TrainerListener() {
        @Override
        public void onStep(int epoch, StepResult r) {
          if (r.step() == 10) {
            throw new IllegalStateException("simulated crash");
          }
        }
      });
      assertThrows(IllegalStateException.class, () -> t.fit(data));
    }
    try (DecoderLm lm = tinyModel(99)) { // other initial weights: the checkpoint must overwrite them
      TrainingSummary s = new SftTrainer(lm, cfg.workDir(b).build(), tok.padId(), NllScope.RESPONSE).fit(data);
      assertEquals(15, s.steps());
      assertEquals(5, s.stepsThisRun(), "resumes after the checkpoint written at the end of epoch 2 (step 10)");
      float[] resumed = logitsOf(lm);
      float maxDiff = maxAbsDiff(resumed, reference);
      assertTrue(maxDiff < 1e-5f, "resumed run differs by " + maxDiff);
      List<String> rows = Files.readAllLines(b.resolve("sft-metrics.csv"));
      assertEquals(16, rows.size(), "one header and one row per step, none duplicated: " + rows.size());
    }
  }

  /** The largest elementwise difference between two arrays of the same length. */
  static float maxAbsDiff(float[] a, float[] b) {
    assertEquals(a.length, b.length);
    float max = 0;
    for (int i = 0; i < a.length; i++) {
      max = Math.max(max, Math.abs(a[i] - b[i]));
    }
    return max;
  }

  static float[] logitsOf(DecoderLm lm) {
    try (NDManager m = lm.getManager().newSubManager()) {
      NDArray ids = m.create(new long[][] {{1, 20, 21, 22, 23}});
      return lm.forward(ids, ids.onesLike(), false).toFloatArray();
    }
  }

  @Test
  void aNonFiniteLossSkipsTheUpdateCountsItAndTrainingGoesOn() {
    try (DecoderLm lm = tinyModel(3);
        OptimizerStep opt = new OptimizerStep(lm, OptimizerConfig.builder().learningRate(1e-2f).build(), 10)) {
      NDArray w = lm.getBlock().getParameters().get("h.0.mlp.fc.bias").getArray();
      MicroBatchObjective<Float> obj = (scale, m) -> {
        NDArray loss = w.square().sum().mul(scale).add(w.sum());
        return new LossTerms(loss, NDArrays.stack(new NDList(loss)), List.of("loss"), 1, 1, new NDList(),
            new NDList());
      };
      StepResult ok = opt.step(List.of(1f), obj);
      assertTrue(!ok.skipped());
      float[] before = w.toFloatArray();
      StepResult bad = opt.step(List.of(Float.NaN), obj);
      assertTrue(bad.skipped());
      assertEquals(1, opt.skippedCount());
      assertArrayEquals(before, w.toFloatArray(), "a skipped step must not move the weights");
      StepResult again = opt.step(List.of(1f), obj);
      assertTrue(!again.skipped() && Double.isFinite(again.gradNorm()), "gradients were reset to zero, not NaN");
      assertTrue(Float.isFinite(w.sum().getFloat()));
    }
  }

  @Test
  void adamWStepAndClippingMatchHandComputedValues() {
    try (DecoderLm lm = tinyModel(4)) {
      OptimizerConfig cfg = OptimizerConfig.builder().learningRate(0.1f).weightDecay(0.5f).maxGradNorm(1.0f)
          .schedule(LrScheduleType.CONSTANT).build();
      try (OptimizerStep opt = new OptimizerStep(lm, cfg, 10)) {
        NDArray w = lm.getBlock().getParameters().get("ln_f.bias").getArray();
        float[] w0 = w.toFloatArray();
        // loss = sum(3 * w) over ln_f.bias only: gradient 3 everywhere, global norm 3*sqrt(d)
        MicroBatchObjective<Integer> obj = (x, m) -> {
          NDArray loss = w.mul(3).sum();
          return new LossTerms(loss, NDArrays.stack(new NDList(loss)), List.of("loss"), 1, 1, new NDList(),
              new NDList());
        };
        StepResult r = opt.step(List.of(0), obj);
        int d = w0.length;
        assertEquals(3 * Math.sqrt(d), r.gradNorm(), 1e-4);
        // Clipped gradient g = 3 / (3 sqrt(d)) = 1/sqrt(d); first AdamW step moves each weight by lr * g/(|g|+eps')
        // after decoupled decay w(1 - lr*wd).
        float[] w1 = w.toFloatArray();
        double g = 1 / Math.sqrt(d);
        for (int i = 0; i < d; i++) {
          double expected = w0[i] * (1 - 0.1 * 0.5) - 0.1 * g / (g + 1e-8 * Math.sqrt(1 - 0.999));
          assertEquals(expected, w1[i], 1e-5, "element " + i);
        }
      }
    }
  }

  @Test
  void learningRateSchedules() {
    OptimizerConfig cos = OptimizerConfig.builder().learningRate(1f).warmupSteps(10).minLrRatio(0.1f).build();
    assertEquals(0.1f, cos.learningRateAt(0, 110), 1e-6);
    assertEquals(1.0f, cos.learningRateAt(9, 110), 1e-6);
    assertEquals(1.0f, cos.learningRateAt(10, 110), 1e-6);
    assertEquals(0.55f, cos.learningRateAt(60, 110), 1e-6);
    assertEquals(0.1f, cos.learningRateAt(110, 110), 1e-6);
    OptimizerConfig lin = OptimizerConfig.builder().learningRate(2f).schedule(LrScheduleType.LINEAR).build();
    assertEquals(2f, lin.learningRateAt(0, 100), 1e-6);
    assertEquals(1f, lin.learningRateAt(50, 100), 1e-6);
    OptimizerConfig constant = OptimizerConfig.builder().schedule(LrScheduleType.CONSTANT).build();
    assertEquals(constant.learningRate(), constant.learningRateAt(77, 100));
    assertThrows(IllegalArgumentException.class, () -> OptimizerConfig.builder().learningRate(-1).build());
    assertThrows(IllegalArgumentException.class, () -> TrainerConfig.builder().batchSize(4).microBatchSize(8).build());
  }

  @Test
  void djlTrainingListenersReceiveEveryStep() throws IOException {
    AtomicInteger batches = new AtomicInteger();
    AtomicInteger epochs = new AtomicInteger();
    AtomicInteger ends = new AtomicInteger();
    TrainingListener counting = new TrainingListenerAdapter() {
      @Override
      public void onTrainingBatch(Trainer trainer, BatchData batchData) {
        batches.incrementAndGet();
        assertTrue(batchData.getPredictions().values().iterator().next().head().getShape().dimension() == 3);
      }

      @Override
      public void onEpoch(Trainer trainer) {
        epochs.incrementAndGet();
      }

      @Override
      public void onTrainingEnd(Trainer trainer) {
        ends.incrementAndGet();
        assertTrue(trainer.getMetrics().hasMetric("rewards/accuracies"));
      }
    };
    OrpoLoss loss = OrpoLoss.builder().build();
    try (DecoderLm lm = tinyModel(5)) {
      OrpoTrainer t = new OrpoTrainer(lm, TrainerConfig.builder().batchSize(4).epochs(2).progressBar(false).build(),
          loss, tok.padId());
      DjlListeners djl = new DjlListeners(lm, loss, counting, new EvaluatorTrainingListener());
      t.addListener(djl);
      t.fit(preferences());
    }
    assertEquals(4, batches.get());
    assertEquals(2, epochs.get());
    assertEquals(1, ends.get());
  }
}
