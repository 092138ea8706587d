package io.github.sipf4j.orpo.train;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import io.github.sipf4j.orpo.loss.GradientCheck;
import io.github.sipf4j.orpo.loss.NllScope;
import io.github.sipf4j.orpo.loss.OrpoLoss;
import io.github.sipf4j.orpo.model.DecoderLm;
import io.github.sipf4j.orpo.text.EncodedSequence;
import io.github.sipf4j.orpo.text.TokenBatch;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.IdentityHashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.Set;
import java.util.stream.LongStream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;
import org.junit.jupiter.params.provider.MethodSource;

class AnchorSetTest {

  @BeforeAll
  static void setUp() {
    TrainingTest.setUp();
  }

  @AfterAll
  static void tearDown() {
    TrainingTest.tearDown();
  }

  static LongStream seeds() {
    return LongStream.range(0, 40);
  }

  /** The stream walks epochs of permutations, cut into steps and micro-batches that depend only on their index. */
  @ParameterizedTest
  @MethodSource("seeds")
  void everyEpochVisitsEachAnchorOnceAndAStepReadsTheSameAnchorsInAnyOrder(long seed) {
    Random r = new Random(seed);
    int n = 1 + r.nextInt(30);
    int perStep = 1 + r.nextInt(20);
    int micros = 1 + r.nextInt(perStep);
    int steps = 1 + r.nextInt(12);
    List<EncodedSequence> seqs = TrainingTest.additions(n, seed);
    AnchorSet set = new AnchorSet(seqs, perStep, 1f, NllScope.RESPONSE, 0);
    long trainerSeed = r.nextLong();
    AnchorStream stream = new AnchorStream(set, trainerSeed);
    List<EncodedSequence> walked = new ArrayList<>();
    for (int s = 0; s < steps; s++) {
      for (int m = 0; m < micros; m++) {
        List<EncodedSequence> slice = stream.slice(s, m, micros);
        assertTrue(!slice.isEmpty(), "seed " + seed);
        walked.addAll(slice);
      }
    }
    String what = "seed " + seed + ": n=" + n + " perStep=" + perStep + " micros=" + micros;
    assertEquals((long) steps * perStep, walked.size(), what);
    for (int from = 0; from + n <= walked.size(); from += n) {
      Set<EncodedSequence> epoch = java.util.Collections.newSetFromMap(new IdentityHashMap<>());
      epoch.addAll(walked.subList(from, from + n));
      assertEquals(n, epoch.size(), what + ": epoch at " + from + " repeats an anchor");
    }
    AnchorStream fresh = new AnchorStream(set, trainerSeed);
    int s = r.nextInt(steps);
    int m = r.nextInt(micros);
    List<EncodedSequence> again = fresh.slice(s, m, micros);
    int offset = s * perStep + perStep * m / micros;
    for (int i = 0; i < again.size(); i++) {
      assertSame(walked.get(offset + i), again.get(i), what + ": step " + s + " micro " + m + " differs when read alone");
    }
  }

  @Test
  void moreMicroBatchesThanAnchorsStillGiveEachOneAnchor() {
    AnchorStream stream = new AnchorStream(new AnchorSet(TrainingTest.additions(5, 1), 2, 1f, NllScope.RESPONSE, 0),
        3);
    for (int m = 0; m < 4; m++) {
      assertEquals(1, stream.slice(7, m, 4).size());
    }
  }

  @Test
  void invalidAnchorSetsAreRefusedWithTheSetting() {
    List<EncodedSequence> seqs = TrainingTest.additions(3, 1);
    assertTrue(assertThrows(IllegalArgumentException.class,
        () -> new AnchorSet(List.of(), 4, 1f, NllScope.RESPONSE, 0)).getMessage().contains("at least one sequence"));
    assertTrue(assertThrows(IllegalArgumentException.class,
        () -> new AnchorSet(seqs, 0, 1f, NllScope.RESPONSE, 0)).getMessage().contains("anchors per step"));
    assertTrue(assertThrows(IllegalArgumentException.class,
        () -> new AnchorSet(seqs, 2, Float.NaN, NllScope.RESPONSE, 0)).getMessage().contains("anchor weight"));
    assertTrue(assertThrows(IllegalArgumentException.class,
        () -> new AnchorSet(seqs, 2, 0f, NllScope.RESPONSE, 0)).getMessage().contains("anchor weight"));
  }

  /** The anchors' loss is the SFT loss; its gradient against finite differences, in float64. */
  @ParameterizedTest
  @EnumSource(NllScope.class)
  void anchorNllGradientMatchesFiniteDifferencesInFloat64(NllScope scope) {
    long seed = 9100 + scope.ordinal();
    Random r = new Random(seed);
    try (NDManager m = NDManager.newBaseManager()) {
      List<EncodedSequence> seqs = new ArrayList<>();
      for (int i = 0; i < 3; i++) {
        int len = 3 + r.nextInt(4);
        long[] ids = new long[len];
        for (int j = 0; j < len; j++) {
          ids[j] = 1 + r.nextInt(5);
        }
        seqs.add(new EncodedSequence(ids, 1 + r.nextInt(len - 2), false));
      }
      TokenBatch b = TokenBatch.collate(seqs, 0, m);
      long t = b.labels().getShape().get(1);
      double[] logits = new double[(int) (3 * t * 6)];
      for (int i = 0; i < logits.length; i++) {
        logits[i] = r.nextGaussian() * 2;
      }
      NDArray x = m.create(logits, new Shape(3, t, 6));
      GradientCheck.check(m, x, l -> SftTrainer.meanNll(l, b, scope), "seed " + seed + " " + scope);
    }
  }

  @Test
  void aStepWithAnchorsAddsTheWeightedAnchorNllToTheOwnLoss() {
    List<EncodedPair> pairs = TrainingTest.preferences();
    List<EncodedSequence> gold = TrainingTest.additions(12, 4);
    float weight = 0.6f;
    AnchorSet set = new AnchorSet(gold, 6, weight, NllScope.RESPONSE, TrainingTest.tok.padId());
    AnchorStream stream = new AnchorStream(set, 11);
    try (DecoderLm lm = TrainingTest.tinyModel(5);
        NDManager m = lm.getManager().newSubManager()) {
      OrpoTrainer orpo = new OrpoTrainer(lm, TrainerConfig.builder().progressBar(false).build(),
          OrpoLoss.builder().build(), TrainingTest.tok.padId());
      SftTrainer sft = new SftTrainer(lm, TrainerConfig.builder().progressBar(false).build(),
          TrainingTest.tok.padId(), NllScope.RESPONSE);
      List<EncodedPair> micro = pairs.subList(4, 8);
      LossTerms own = orpo.objective().compute(micro, m);
      LossTerms anchors = sft.objective().compute(stream.slice(3, 1, 2), m);
      MicroBatchObjective<List<EncodedPair>> both = stream.wrap(orpo.objective(), lm, 3, 2);
      both.compute(pairs.subList(0, 4), m); // micro-batch 0 of step 3
      LossTerms total = both.compute(micro, m); // micro-batch 1
      float expected = own.loss().getFloat() + weight * anchors.loss().getFloat();
      assertEquals(expected, total.loss().getFloat(), 1e-5f);
      List<String> names = total.names();
      assertEquals("loss", names.get(0));
      assertEquals(AnchorStream.METRIC, names.get(names.size() - 1));
      assertEquals(own.names().size() + 1, names.size());
      float[] metrics = total.metrics().toType(DataType.FLOAT32, false).toFloatArray();
      assertEquals(expected, metrics[0], 1e-5f);
      assertEquals(anchors.loss().getFloat(), metrics[metrics.length - 1], 1e-5f);
      float[] ownMetrics = own.metrics().toFloatArray();
      for (int i = 1; i < ownMetrics.length; i++) {
        assertEquals(ownMetrics[i], metrics[i], 1e-5f, names.get(i));
      }
      assertEquals(own.examples(), total.examples(), "anchors do not change the weight of the micro-batch");
      long anchorTokens = stream.slice(3, 1, 2).stream().mapToLong(s -> s.length() - 1).sum();
      assertEquals(own.tokens() + anchorTokens, total.tokens());
    }
  }

  /** ORPO alone leaves unrelated gold sequences where they were; with them as anchors it learns them as well. */
  @Test
  void orpoWithAnchorsAlsoLearnsTheAnchors() throws IOException {
    List<EncodedPair> pairs = TrainingTest.preferences();
    List<EncodedSequence> gold = TrainingTest.additions(24, 6);
    OrpoLoss loss = OrpoLoss.builder().lambda(1f).build();
    TrainerConfig cfg = TrainerConfig.builder().batchSize(8).microBatchSize(4).epochs(60).progressBar(false)
        .optimizer(OptimizerConfig.builder().learningRate(1e-2f).build()).build();
    float plain;
    float anchored;
    Map<String, Float> last;
    try (DecoderLm lm = TrainingTest.tinyModel(2)) {
      new OrpoTrainer(lm, cfg, loss, TrainingTest.tok.padId()).fit(pairs);
      plain = sftLoss(lm, gold);
    }
    try (DecoderLm lm = TrainingTest.tinyModel(2)) {
      float before = sftLoss(lm, gold);
      TrainingSummary s = new OrpoTrainer(lm, cfg, loss, TrainingTest.tok.padId())
          .fit(pairs, new AnchorSet(gold, 8, 1f, NllScope.RESPONSE, TrainingTest.tok.padId()));
      anchored = sftLoss(lm, gold);
      last = s.lastMetrics();
      assertTrue(anchored < 0.5f * before, "anchor NLL " + before + " -> " + anchored);
      assertEquals(1.0f, TrainingTest.evaluate(lm, pairs, loss).get("rewards/accuracies"),
          "the pairs are still ranked right");
    }
    assertTrue(anchored < 0.5f * plain, "with anchors " + anchored + ", without " + plain);
    assertTrue(last.containsKey(AnchorStream.METRIC), last.toString());
    assertEquals(last.get("nll_loss") - 1f * last.get("log_odds_ratio") + 1f * last.get(AnchorStream.METRIC),
        last.get("loss"), 1e-4f, "loss = NLL + lambda * odds-ratio term + weight * anchor NLL: " + last);
  }

  static float sftLoss(DecoderLm lm, List<EncodedSequence> seqs) {
    try (NDManager m = lm.getManager().newSubManager()) {
      SftTrainer t = new SftTrainer(lm, TrainerConfig.builder().progressBar(false).build(), TrainingTest.tok.padId(),
          NllScope.RESPONSE);
      return t.objective().compute(seqs, m).loss().getFloat();
    }
  }

  @Test
  void aKilledRunWithAnchorsResumesAndEndsWhereAnUninterruptedRunEnds(@TempDir Path dir) throws IOException {
    List<EncodedPair> pairs = TrainingTest.preferences();
    AnchorSet anchors = new AnchorSet(TrainingTest.additions(20, 8), 5, 0.5f, NllScope.RESPONSE,
        TrainingTest.tok.padId());
    OrpoLoss loss = OrpoLoss.builder().build();
    TrainerConfig.Builder cfg = TrainerConfig.builder().batchSize(4).microBatchSize(2).epochs(6)
        .checkpointEverySteps(3).progressBar(false).optimizer(OptimizerConfig.builder().learningRate(3e-3f).build());
    float[] reference;
    try (DecoderLm lm = TrainingTest.tinyModel(7)) {
      new OrpoTrainer(lm, cfg.workDir(dir.resolve("a")).build(), loss, TrainingTest.tok.padId()).fit(pairs, anchors);
      reference = TrainingTest.logitsOf(lm);
    }
    Path b = dir.resolve("b");
    try (DecoderLm lm = TrainingTest.tinyModel(7)) {
      OrpoTrainer t = new OrpoTrainer(lm, cfg.workDir(b).build(), loss, TrainingTest.tok.padId());
      t.addListener(new TrainerListener() {
        @Override
        public void onStep(int epoch, StepResult r) {
          if (r.step() == 7) {
            throw new IllegalStateException("simulated crash");
          }
        }
      });
      assertThrows(IllegalStateException.class, () -> t.fit(pairs, anchors));
    }
    try (DecoderLm lm = TrainingTest.tinyModel(99)) {
      TrainingSummary s = new OrpoTrainer(lm, cfg.workDir(b).build(), loss, TrainingTest.tok.padId())
          .fit(pairs, anchors);
      assertEquals(12, s.steps());
      assertEquals(6, s.stepsThisRun(), "resumes after the checkpoint written at step 6");
      float[] resumed = TrainingTest.logitsOf(lm);
      float maxDiff = TrainingTest.maxAbsDiff(resumed, reference);
      assertTrue(maxDiff < 1e-5f, "resumed run differs by " + maxDiff);
      assertTrue(Files.readAllLines(b.resolve("orpo-metrics.csv")).get(0).contains(AnchorStream.METRIC));
    }
  }
}
