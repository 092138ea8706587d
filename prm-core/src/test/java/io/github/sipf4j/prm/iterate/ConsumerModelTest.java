package io.github.sipf4j.prm.iterate;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ai.djl.Device;
import ai.djl.ndarray.NDArray;
import io.github.sipf4j.orpo.model.CausalLm;
import io.github.sipf4j.orpo.model.CausalLmKind;
import io.github.sipf4j.orpo.model.ForwardingCausalLm;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The consumer's scenario: a model of one's own ({@link BagOfWordsLm}: its own DJL block, its own folder format
 * without {@code model.safetensors}, its own registered model kind) in every phase of SIPF with the default learned
 * PRM; a run killed mid-iteration resumes to exactly the result of an uninterrupted one. And a model that breaks
 * {@code CausalLm}'s contract fails at {@code build()}, before any work, with a message saying what is wrong.
 */
class ConsumerModelTest {

  private static final int DIM = 8;
  private static final long SEED = 19;

  private static BagOfWordsLm model() {
    return BagOfWordsLm.create(TinyRun.TOKENIZER.vocabSize(), DIM, SEED);
  }

  @Test
  void ownModelRunsEveryPhaseAndResumesAfterACrashToTheSameResult(@TempDir Path dir) throws IOException {
    Path reference = dir.resolve("reference");
    SelfIterativeResult expected;
    try (BagOfWordsLm lm = model()) {
      SelfIterativeTrainer t = TinyRun.builder(lm, reference, FeedbackMode.PROCESS).build();
      assertTrue(t.phases().contains(Phase.TRAIN_PRM), "the default learned PRM is in use: " + t.phases());
      expected = t.run();
    }
    Path crashed = dir.resolve("crashed");
    try (BagOfWordsLm lm = model()) {
      SelfIterativeTrainer t = TinyRun.builder(lm, crashed, FeedbackMode.PROCESS)
          .listener(new SelfIterativeListener() {
            @Override
            public void onPhaseStart(int iteration, Phase phase) {
              if (iteration == 2 && phase == Phase.SCORE) {
                throw new IllegalStateException("killed");
              }
            }
          }).build();
      assertEquals("killed", assertThrows(IllegalStateException.class, t::run).getMessage());
    }
    SelfIterativeResult actual;
    try (BagOfWordsLm lm = model()) {
      actual = TinyRun.builder(lm, crashed, FeedbackMode.PROCESS).build().run();
      try (BagOfWordsLm last = BagOfWordsLm.load(actual.finalPolicyDir(), Device.cpu())) {
        assertArrayEquals(weights(last), weights(lm), "after run() the policy holds the final weights");
      }
    }
    for (int k = 0; k < 2; k++) {
      IterationReport e = expected.iterations().get(k);
      IterationReport a = actual.iterations().get(k);
      assertEquals(e.evaluations(), a.evaluations());
      assertEquals(e.newExamples(), a.newExamples());
      assertEquals(e.simulated(), a.simulated());
      assertEquals(e.prmStepAccuracy(), a.prmStepAccuracy());
    }
    for (String f : List.of("samples.jsonl", "labels.jsonl", "scores.jsonl", "dataset.jsonl", "eval-val.jsonl",
        "policy/" + BagOfWordsLm.WEIGHTS_FILE, "prm/backbone/" + BagOfWordsLm.WEIGHTS_FILE)) {
      assertArrayEquals(Files.readAllBytes(reference.resolve("iteration-02").resolve(f)),
          Files.readAllBytes(crashed.resolve("iteration-02").resolve(f)), f);
    }
    try (Stream<Path> files = Files.walk(crashed)) {
      // Trainer checkpoints hold CausalLm.saveWeights files of their own; model folders are the model's own format.
      assertEquals(List.of(), files.filter(p -> p.getFileName().toString().equals("model.safetensors"))
          .filter(p -> !p.getParent().getFileName().toString().equals("checkpoint")).toList());
    }
    assertTrue(Files.readString(crashed.resolve("iteration-01/policy/saved.json")).contains("test-bag-of-words"));
  }

  @Test
  void aModelWithoutARegisteredKindIsRefusedAtBuildUnlessItsKindIsHandedOver(@TempDir Path dir) throws IOException {
    try (BagOfWordsLm inner = model(); CausalLm lm = new Unregistered(inner)) {
      IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
          () -> TinyRun.builder(lm, dir.resolve("a"), FeedbackMode.PROCESS).build());
      assertTrue(e.getMessage().contains("cannot be saved and loaded again"), e.getMessage());
      assertTrue(e.getMessage().contains("policyKind(CausalLmKind)"), e.getMessage());
      assertTrue(e.getMessage().contains("test-bag-of-words"), "the message lists the kinds: " + e.getMessage());
      SelfIterativeResult r = TinyRun.builder(lm, dir.resolve("b"), FeedbackMode.PROCESS).iterations(1)
          .policyKind(new UnregisteredKind()).build().run();
      assertEquals(1, r.iterations().size());
      assertTrue(Files.exists(r.finalPolicyDir().resolve("unregistered.json")));
    }
  }

  @Test
  void aForwardOfTheWrongShapeFailsAtBuildNamingBothShapes(@TempDir Path dir) throws IOException {
    try (BagOfWordsLm inner = model(); CausalLm lm = new Unregistered(inner) {
      @Override
      public NDArray forward(NDArray inputIds, NDArray attentionMask, boolean training) {
        return super.forward(inputIds, attentionMask, training).get(":, -1, :");
      }
    }) {
      IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
          () -> TinyRun.builder(lm, dir, FeedbackMode.PROCESS).policyKind(new UnregisteredKind()).build());
      int v = TinyRun.TOKENIZER.vocabSize();
      assertTrue(e.getMessage().contains("returned float32 logits of shape (2, " + v + ")"), e.getMessage());
      assertTrue(e.getMessage().contains("(batch, time, vocab) = (2, 3, " + v + "), float32"), e.getMessage());
      try (Stream<Path> files = Files.list(dir)) {
        assertEquals(0, files.count(), "nothing was written");
      }
    }
  }

  @Test
  void aModelThatDoesNotReloadItsWeightsIsRefusedAtBuild(@TempDir Path dir) throws IOException {
    try (BagOfWordsLm inner = model(); CausalLm lm = new Unregistered(inner)) {
      CausalLmKind forgetful = new UnregisteredKind() {
        @Override
        public CausalLm load(Path d, Device device) {
          return new Unregistered(BagOfWordsLm.create(TinyRun.TOKENIZER.vocabSize(), DIM, SEED + 1));
        }
      };
      IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
          () -> TinyRun.builder(lm, dir, FeedbackMode.PROCESS).policyKind(forgetful).build());
      assertTrue(e.getMessage().contains("holds other values after loading"), e.getMessage());
    }
  }

  private static float[] weights(BagOfWordsLm lm) {
    return lm.getBlock().getParameters().values().stream().map(p -> p.getArray().toFloatArray())
        .reduce((a, b) -> {
          float[] c = java.util.Arrays.copyOf(a, a.length + b.length);
          System.arraycopy(b, 0, c, a.length, b.length);
          return c;
        }).orElseThrow();
  }

  /** The same model, saved in a folder format that no registered kind knows. */
  private static class Unregistered extends ForwardingCausalLm {

    Unregistered(BagOfWordsLm inner) {
      super(inner);
    }

    @Override
    public void save(Path dir) throws IOException {
      super.save(dir);
      Files.move(dir.resolve(BagOfWordsLm.CONFIG_FILE), dir.resolve("unregistered.json"));
    }
  }

  /** Loads {@link Unregistered}'s folders; handed to the run, not registered. */
  private static class UnregisteredKind implements CausalLmKind {
    @Override
    public String name() {
      return "test-unregistered";
    }

    @Override
    public boolean recognises(Path dir) {
      return Files.isRegularFile(dir.resolve("unregistered.json"));
    }

    @Override
    public CausalLm load(Path dir, Device device) throws IOException {
      Path tmp = Files.createTempDirectory("unregistered");
      Files.copy(dir.resolve(BagOfWordsLm.WEIGHTS_FILE), tmp.resolve(BagOfWordsLm.WEIGHTS_FILE));
      Files.copy(dir.resolve("unregistered.json"), tmp.resolve(BagOfWordsLm.CONFIG_FILE));
      return new Unregistered(BagOfWordsLm.load(tmp, device));
    }
  }
}
