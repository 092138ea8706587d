package io.github.sipf4j.prm.process;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ai.djl.Device;
import io.github.sipf4j.orpo.model.DecoderConfig;
import io.github.sipf4j.orpo.model.DecoderLm;
import io.github.sipf4j.orpo.text.PromptTemplate;
import io.github.sipf4j.orpo.text.SequenceTooLongException;
import io.github.sipf4j.orpo.text.TextTokenizer;
import io.github.sipf4j.orpo.train.OptimizerConfig;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class DecoderPrmTest {

  static TextTokenizer tok;

  @BeforeAll
  static void setUp() {
    tok = TextTokenizer.characterLevel();
  }

  @AfterAll
  static void tearDown() {
    tok.close();
  }

  static DecoderPrm tinyPrm(long seed) {
    DecoderLm lm = DecoderLm.create(DecoderConfig.builder().vocabSize(tok.vocabSize()).dModel(64).layers(2).heads(4)
        .maxLength(64).build(), Device.cpu(), seed);
    return DecoderPrm.create(lm, tok, PromptTemplate.DEFAULT, seed);
  }

  /**
   * Rationales of 4 to 6 independent single-digit additions "a+b=c\n" with a, b in 0..1; each step is labelled by
   * its own arithmetic (half right, half off by 1 or 2), so the label is learnable from the step text alone.
   */
  static List<LabeledRationale> additions(int n, long seed) {
    return additions(n, seed, 2, 4, 6);
  }

  static List<LabeledRationale> additions(int n, long seed, int digits, int minSteps, int maxSteps) {
    Random r = new Random(seed);
    List<LabeledRationale> out = new ArrayList<>();
    for (int i = 0; i < n; i++) {
      int k = minSteps + r.nextInt(maxSteps - minSteps + 1);
      List<String> steps = new ArrayList<>();
      double[] labels = new double[k];
      for (int j = 0; j < k; j++) {
        int a = r.nextInt(digits);
        int b = r.nextInt(digits);
        int c = a + b;
        boolean correct = r.nextBoolean();
        if (!correct) {
          int delta = (1 + r.nextInt(2)) * (r.nextBoolean() ? 1 : -1);
          c = c + delta < 0 ? c - delta : c + delta;
        }
        steps.add(a + "+" + b + "=" + c + "\n");
        labels[j] = correct ? 1 : 0;
      }
      out.add(new LabeledRationale("add", steps, labels));
    }
    return out;
  }

  @Test
  @Tag("slow")
  void learnsStepCorrectnessOfAdditionsAndBeatsChanceOnHeldOutSteps(@TempDir Path dir) throws IOException {
    try (DecoderPrm prm = tinyPrm(3)) {
      List<LabeledRationale> train = additions(400, 11);
      List<LabeledRationale> valid = additions(100, 12);
      PrmTrainerConfig cfg = PrmTrainerConfig.builder().maxSteps(200).batchSize(16).microBatchSize(16)
          .optimizer(OptimizerConfig.builder().learningRate(3e-3f).warmupSteps(10).build()).evalEverySteps(100)
          .workDir(dir).progressBar(false).build();
      long t0 = System.nanoTime();
      PrmTrainingResult r = new PrmTrainer(prm, cfg).fit(train, valid);
      double seconds = (System.nanoTime() - t0) / 1e9;
      System.out.printf("DecoderPrm synthetic additions: %s, first loss %.4f, last loss %.4f, %.1f s%n",
          r.validation(), r.firstLoss(), r.lastLoss(), seconds);
      System.out.println("history " + r.validationHistory());
      assertEquals(200, r.steps());
      assertEquals(0, r.skippedSteps());
      assertTrue(r.lastLoss() < r.firstLoss(), "loss did not fall");
      assertTrue(r.validation().auroc() > 0.8, "held-out AUROC " + r.validation().auroc());
      assertTrue(r.validation().accuracy() > 0.7, "held-out accuracy " + r.validation().accuracy());
      assertEquals(2, r.validationHistory().size());
      assertTrue(Files.readAllLines(dir.resolve("prm-metrics.csv")).size() == 201);
      assertTrue(Files.readAllLines(dir.resolve("prm-eval.csv")).size() == 3);
    }
  }

  /**
   * Scoring takes the rationales longest first in its batches and returns every score in the inputs' order, equal to
   * scoring each rationale alone; a rationale too long for the backbone fails before any is scored.
   */
  @Test
  void batchedScoringReturnsEachInputsScoresInOrder() {
    try (DecoderPrm prm = tinyPrm(6)) {
      prm.scoringBatchSize(2);
      Random r = new Random(9);
      List<StepScoringInput> inputs = new ArrayList<>();
      for (int i = 0; i < 7; i++) {
        List<String> steps = new ArrayList<>();
        for (int k = 0, n = 1 + r.nextInt(5); k < n; k++) {
          steps.add(r.nextInt(5) + "+" + r.nextInt(5) + "=" + r.nextInt(9) + (k < n - 1 ? "\n" : ""));
        }
        inputs.add(StepScoringInput.of("q" + "?".repeat(r.nextInt(6)), steps));
      }
      List<double[]> all = prm.scoreSteps(inputs);
      assertEquals(inputs.size(), all.size());
      for (int i = 0; i < inputs.size(); i++) {
        assertEquals(inputs.get(i).steps().size(), all.get(i).length, "input " + i);
        assertArrayEquals(prm.scoreSteps(inputs.get(i)), all.get(i), 1e-5, "input " + i);
      }
      List<StepScoringInput> withTooLong = new ArrayList<>(inputs);
      withTooLong.add(StepScoringInput.of("q", List.of("1+1=2\n".repeat(20))));
      assertThrows(SequenceTooLongException.class, () -> prm.scoreSteps(withTooLong));
    }
  }

  /** The PRM trainer tells its rationales' token lengths, so its batches can group by length. */
  @Test
  void prmTrainingGroupsBatchesByLength() throws IOException {
    try (DecoderPrm prm = tinyPrm(5)) {
      PrmTrainerConfig cfg = PrmTrainerConfig.builder().maxSteps(6).batchSize(4).microBatchSize(2)
          .groupByLength(true).progressBar(false).build();
      assertTrue(cfg.groupByLength());
      PrmTrainingResult r = new PrmTrainer(prm, cfg).fit(additions(16, 2), List.of());
      assertEquals(6, r.steps());
      assertTrue(Double.isFinite(r.firstLoss()) && Double.isFinite(r.lastLoss()), r.toString());
    }
  }

  @Test
  void saveAndLoadGiveIdenticalScores(@TempDir Path dir) throws IOException {
    List<StepScoringInput> inputs = List.of(StepScoringInput.of("add", List.of("1+2=3\n", "2+2=5\n")),
        StepScoringInput.of("a longer question", List.of("0+0=0\n")),
        StepScoringInput.of("add", List.of("1+1=2\n", "2+1=3\n", "1+0=4\n")));
    List<double[]> before;
    try (DecoderPrm prm = tinyPrm(5)) {
      PrmTrainerConfig cfg = PrmTrainerConfig.builder().maxSteps(3).batchSize(4).microBatchSize(2)
          .progressBar(false).build();
      new PrmTrainer(prm, cfg).fit(additions(8, 1), List.of());
      before = prm.scoreSteps(inputs);
      // Batching and padding do not change a rationale's scores.
      for (int i = 0; i < inputs.size(); i++) {
        assertArrayEquals(before.get(i), prm.scoreSteps(inputs.get(i)), 1e-5);
      }
      prm.save(dir);
    }
    assertTrue(Files.isRegularFile(dir.resolve(DecoderPrm.META_FILE)));
    assertTrue(Files.isRegularFile(dir.resolve(DecoderPrm.HEAD_FILE)));
    assertTrue(Files.isDirectory(dir.resolve(DecoderPrm.BACKBONE_DIR)));
    try (DecoderPrm loaded = DecoderPrm.load(dir, Device.cpu())) {
      assertEquals(PrmFeatures.HIDDEN, loaded.features());
      assertEquals(PromptTemplate.DEFAULT, loaded.template());
      List<double[]> after = loaded.scoreSteps(inputs);
      for (int i = 0; i < inputs.size(); i++) {
        assertArrayEquals(before.get(i), after.get(i), 0.0, "input " + i);
        for (double p : after.get(i)) {
          assertTrue(p > 0 && p < 1);
        }
      }
    }
  }

  @Test
  void logitFeaturesWorkForBackbonesWithoutHiddenStatesAndTooLongInputsFailClearly(@TempDir Path dir)
      throws IOException {
    DecoderLm lm = DecoderLm.create(DecoderConfig.builder().vocabSize(tok.vocabSize()).dModel(16).layers(1).heads(2)
        .maxLength(24).build(), Device.cpu(), 9);
    try (DecoderPrm prm = DecoderPrm.create(lm, tok, PromptTemplate.of("{question}:"), PrmFeatures.LOGITS, 1)) {
      assertEquals(tok.vocabSize(), prm.featureSize());
      PrmTrainerConfig cfg = PrmTrainerConfig.builder().maxSteps(2).batchSize(4).microBatchSize(4)
          .trainBackbone(false).progressBar(false).build();
      PrmTrainingResult r = new PrmTrainer(prm, cfg).fit(additions(6, 2, 3, 1, 2), additions(3, 3, 3, 1, 2));
      assertEquals(2, r.steps());
      assertTrue(r.validation().steps() > 0);
      double[] s = prm.scoreSteps(StepScoringInput.of("q", List.of("1+1=2\n")));
      prm.save(dir);
      try (DecoderPrm loaded = DecoderPrm.load(dir, Device.cpu())) {
        assertEquals(PrmFeatures.LOGITS, loaded.features());
        assertArrayEquals(s, loaded.scoreSteps(StepScoringInput.of("q", List.of("1+1=2\n"))), 0.0);
      }
      SequenceTooLongException e = assertThrows(SequenceTooLongException.class,
          () -> prm.scoreSteps(StepScoringInput.of("q", List.of("1+1=2\n", "2+2=4\n", "3+3=6\n", "4+4=8\n"))));
      assertTrue(e.getMessage().contains("take 27 tokens, the PRM backbone accepts 24"), e.getMessage());
    }
    Files.writeString(dir.resolve(DecoderPrm.META_FILE), "{\"type\": \"decoder-prm\"}");
    IOException bad = assertThrows(IOException.class, () -> DecoderPrm.load(dir, Device.cpu()));
    assertTrue(bad.getMessage().contains("malformed PRM settings"), bad.getMessage());
  }

  /**
   * PrmTrainer runs on the shared trainer base: killed after step 7 of 9, a new trainer on a PRM with other initial
   * weights resumes from the checkpoint and ends with the weights, scores and validation history of an uninterrupted
   * run; the metrics files hold each step and each validation once.
   */
  @Test
  void aKilledPrmTrainingResumesToTheSameWeights(@TempDir Path dir) throws IOException {
    List<LabeledRationale> train = additions(12, 21);
    List<LabeledRationale> valid = additions(4, 22);
    List<StepScoringInput> probe = valid.stream().map(r -> StepScoringInput.of(r.prompt(), r.steps())).toList();
    PrmTrainerConfig.Builder cfg = PrmTrainerConfig.builder().batchSize(4).microBatchSize(2).epochs(3)
        .checkpointEverySteps(4).evalEverySteps(3).progressBar(false)
        .optimizer(OptimizerConfig.builder().learningRate(3e-3f).build());
    List<double[]> reference;
    PrmTrainingResult uninterrupted;
    try (DecoderPrm prm = tinyPrm(5)) {
      uninterrupted = new PrmTrainer(prm, cfg.workDir(dir.resolve("a")).build()).fit(train, valid);
      reference = prm.scoreSteps(probe);
    }
    Path b = dir.resolve("b");
    try (DecoderPrm prm = tinyPrm(5)) {
      PrmTrainer t = new PrmTrainer(prm, cfg.workDir(b).build());
      t.addListener(new io.github.sipf4j.orpo.train.TrainerListener() {
        @Override
        public void onStep(int epoch, io.github.sipf4j.orpo.train.StepResult r) {
          if (r.step() == 7) {
            throw new IllegalStateException("simulated crash");
          }
        }
      });
      assertThrows(IllegalStateException.class, () -> t.fit(train, valid));
    }
    try (DecoderPrm prm = tinyPrm(77)) { // other initial weights, backbone and head: the checkpoint must restore both
      PrmTrainingResult r = new PrmTrainer(prm, cfg.workDir(b).build()).fit(train, valid);
      assertEquals(9, r.steps());
      List<double[]> resumed = prm.scoreSteps(probe);
      for (int i = 0; i < probe.size(); i++) {
        assertArrayEquals(reference.get(i), resumed.get(i), 1e-5, "scores of rationale " + i);
      }
      assertEquals(uninterrupted.validationHistory().keySet(), r.validationHistory().keySet());
      assertEquals(uninterrupted.validation().auroc(), r.validation().auroc(), 1e-9);
      assertEquals(10, Files.readAllLines(b.resolve("prm-metrics.csv")).size(), "a header and one row per step");
      assertEquals(4, Files.readAllLines(b.resolve("prm-eval.csv")).size(), "a header and validations 3, 6, 9");
    }
  }
}
