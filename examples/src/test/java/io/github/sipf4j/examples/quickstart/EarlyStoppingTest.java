package io.github.sipf4j.examples.quickstart;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ai.djl.Device;
import io.github.sipf4j.orpo.loss.NllScope;
import io.github.sipf4j.orpo.model.DecoderLm;
import io.github.sipf4j.orpo.text.PromptTemplate;
import io.github.sipf4j.orpo.text.SequenceEncoder;
import io.github.sipf4j.orpo.text.TextTokenizer;
import io.github.sipf4j.orpo.train.OptimizerConfig;
import io.github.sipf4j.orpo.train.SftTrainer;
import io.github.sipf4j.orpo.train.TrainerConfig;
import io.github.sipf4j.orpo.train.TrainingSummary;
import io.github.sipf4j.prm.synthetic.SyntheticRegime;
import io.github.sipf4j.prm.task.TaskSet;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayDeque;
import java.util.Deque;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class EarlyStoppingTest {

  private static DecoderLm tiny(TextTokenizer tok) {
    return DecoderLm.create(SftWarmStart.model(tok.vocabSize(), 16, 1, 384), Device.cpu(), 3);
  }

  /**
   * With scripted accuracies 0.1, 0.3, 0.2, 0.3 every 2 steps and patience 2, training stops after step 8 (two
   * evaluations without a better one; a tie is not better), the best is step 4, and finishing loads its weights.
   */
  @Test
  void keepsTheBestWeightsAndStopsAfterThePatience(@TempDir Path dir) throws IOException {
    TaskSet gold = SyntheticRegime.DISTRACTORS.generate("in-domain", 48, 1L);
    try (TextTokenizer tok = TextTokenizer.characterLevel(); DecoderLm lm = tiny(tok)) {
      Deque<Double> script = new ArrayDeque<>(List.of(0.1, 0.3, 0.2, 0.3, 0.9));
      EarlyStopping es = new EarlyStopping(lm, script::removeFirst, 2, 2, dir.resolve("es"));
      TrainerConfig cfg = TrainerConfig.builder().batchSize(8).maxSteps(20).seed(1).workDir(dir.resolve("sft"))
          .progressBar(false).optimizer(OptimizerConfig.builder().learningRate(3e-3f).build()).build();
      SftTrainer trainer = new SftTrainer(lm, cfg, tok.padId(), NllScope.RESPONSE);
      trainer.addListener(es);
      TrainingSummary s = trainer.fit(SftWarmStart.encodeGold(new SequenceEncoder(tok, PromptTemplate.DEFAULT,
          lm.maxLength()), gold));
      assertEquals(8, s.steps(), "stopped after the fourth evaluation");
      EarlyStopping.History h = es.finish(s.steps());
      assertEquals(List.of(new EarlyStopping.Evaluation(2, 0.1), new EarlyStopping.Evaluation(4, 0.3),
          new EarlyStopping.Evaluation(6, 0.2), new EarlyStopping.Evaluation(8, 0.3)), h.evaluations(),
          "the last step was evaluated already, so finishing does not evaluate again");
      assertEquals(4, h.bestStep());
      assertEquals(0.3, h.bestAccuracy());
      assertTrue(h.stopped());
      Path now = dir.resolve("now.safetensors");
      lm.saveWeights(now);
      assertArrayEquals(Files.readAllBytes(dir.resolve("es/best.safetensors")), Files.readAllBytes(now));
      assertFalse(java.util.Arrays.equals(Files.readAllBytes(dir.resolve("sft/checkpoint/model.safetensors")),
          Files.readAllBytes(now)), "the weights of step 8 are not the ones kept");

      // A new listener on the same folder continues from the saved history.
      EarlyStopping again = new EarlyStopping(lm, () -> 1.0, 2, 2, dir.resolve("es"));
      assertTrue(again.alreadyStopped());
      assertEquals(h, again.history());
    }
  }

  /** Without patience training runs to the end; the end is evaluated once more when no evaluation fell on it. */
  @Test
  void withoutPatienceTrainsToTheEndAndEvaluatesTheLastStep(@TempDir Path dir) throws IOException {
    TaskSet gold = SyntheticRegime.DISTRACTORS.generate("in-domain", 40, 2L);
    try (TextTokenizer tok = TextTokenizer.characterLevel(); DecoderLm lm = tiny(tok)) {
      Deque<Double> script = new ArrayDeque<>(List.of(0.5, 0.4, 0.6));
      EarlyStopping es = new EarlyStopping(lm, script::removeFirst, 3, 0, dir.resolve("es"));
      TrainerConfig cfg = TrainerConfig.builder().batchSize(8).maxSteps(7).seed(1).progressBar(false)
          .optimizer(OptimizerConfig.builder().learningRate(3e-3f).build()).build();
      SftTrainer trainer = new SftTrainer(lm, cfg, tok.padId(), NllScope.RESPONSE);
      trainer.addListener(es);
      TrainingSummary s = trainer.fit(SftWarmStart.encodeGold(new SequenceEncoder(tok, PromptTemplate.DEFAULT,
          lm.maxLength()), gold));
      assertEquals(7, s.steps());
      EarlyStopping.History h = es.finish(s.steps());
      assertEquals(List.of(3L, 6L, 7L), h.evaluations().stream().map(EarlyStopping.Evaluation::step).toList());
      assertEquals(7, h.bestStep());
      assertFalse(h.stopped());
    }
  }

  /** The warm start with early stopping on real greedy accuracy writes its model and its history. */
  @Test
  void aWarmStartWithEarlyStoppingSavesTheBestModel(@TempDir Path dir) throws IOException {
    SyntheticRegime d = SyntheticRegime.DISTRACTORS;
    try (TextTokenizer tok = TextTokenizer.characterLevel()) {
      SftWarmStart.Result r = SftWarmStart.train(dir, d.generate("in-domain", 32, 1L),
          SftWarmStart.model(tok.vocabSize(), 16, 1, 384), null, 6, 3e-3f, 1, false,
          new SftWarmStart.StoppingRule(d.generate("validation", 4, 9L), 3, 1, 8));
      assertEquals(List.of(3L, 6L), r.history().evaluations().stream().map(EarlyStopping.Evaluation::step).toList());
      assertTrue(r.history().bestAccuracy() >= 0 && r.history().bestAccuracy() <= 1);
      assertTrue(Files.isRegularFile(r.warm().modelDir().resolve("tokenizer.json")));
      assertTrue(Files.isRegularFile(dir.resolve("early-stopping/history.json")));
    }
  }
}
