package io.github.sipf4j.orpo.model.hf;

import static io.github.sipf4j.orpo.model.hf.HfFixtures.assertClose;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ai.djl.Device;
import ai.djl.engine.Engine;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.index.NDIndex;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import ai.djl.nn.Parameter;
import ai.djl.training.GradientCollector;
import ai.djl.util.Pair;
import com.google.gson.JsonObject;
import com.google.gson.JsonParser;
import io.github.sipf4j.orpo.loss.NllScope;
import io.github.sipf4j.orpo.loss.OrpoLoss;
import io.github.sipf4j.orpo.model.KvCache;
import io.github.sipf4j.orpo.model.LoadOptions;
import io.github.sipf4j.orpo.text.EncodedSequence;
import io.github.sipf4j.orpo.text.TokenBatch;
import io.github.sipf4j.orpo.train.EncodedPair;
import io.github.sipf4j.orpo.train.OrpoTrainer;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;
import org.junit.jupiter.params.provider.ValueSource;

/** The model's own contracts: cache equals full forward, hidden states, one AdamW step, float16, mistral, create. */
class HfCausalLmTest {

  /**
   * Prefills left-padded prompts of three lengths into the cache, then feeds the rest of each sequence token by
   * token: every step's logits equal the full forward pass over the whole left-padded batch at those positions.
   */
  @ParameterizedTest(name = "{0}")
  @MethodSource("io.github.sipf4j.orpo.model.hf.HfFixtures#all")
  void cachedDecodingEqualsTheFullForward(String name) throws IOException {
    List<long[]> sequences = HfFixtures.rows(HfFixtures.reference(name).get("sequences"));
    int[] promptLength = {5, 2, 4};
    int steps = 3;
    int width = 0;
    for (int b = 0; b < 3; b++) {
      width = Math.max(width, promptLength[b]);
    }
    int total = width + steps;
    long[][] ids = new long[3][total];
    long[][] mask = new long[3][total];
    for (int b = 0; b < 3; b++) {
      int pad = width - promptLength[b];
      for (int t = 0; t < promptLength[b] + steps; t++) {
        ids[b][pad + t] = sequences.get(b)[t];
        mask[b][pad + t] = 1;
      }
    }
    try (HfCausalLm lm = HfCausalLm.load(HfFixtures.dir(name), Device.cpu());
        NDManager m = lm.getManager().newSubManager();
        KvCache cache = lm.newCache(3)) {
      NDArray full = lm.forward(m.create(ids), m.create(mask), false);
      NDArray allIds = m.create(ids);
      NDArray allMask = m.create(mask);
      NDIndex prefix = new NDIndex().addAllDim().addSliceDim(0, width);
      NDArray prefill = lm.forwardCached(allIds.get(prefix), allMask.get(prefix), cache);
      // padding positions have no meaningful logits: compare the real ones
      NDArray real = allMask.get(prefix).toType(DataType.FLOAT32, false).expandDims(2);
      assertArrayClose(full.get(prefix).mul(real).toFloatArray(), prefill.mul(real).toFloatArray(),
          name + " prefill");
      for (int s = 0; s < steps; s++) {
        NDIndex at = new NDIndex().addAllDim().addSliceDim(width + s, width + s + 1);
        NDArray step = lm.forwardCached(allIds.get(at), allMask.get(at), cache);
        assertArrayClose(full.get(at).toFloatArray(), step.toFloatArray(), name + " step " + s);
      }
      assertEquals(total, cache.length());
      cache.selectRows(new int[] {2, 2, 0});
      NDIndex last = new NDIndex().addAllDim().addSliceDim(total - 1, total);
      assertEquals(3, cache.batchSize());
      try (KvCache fresh = lm.newCache(1)) {
        // a duplicated row continues exactly like its source
        NDArray rows = m.create(new long[][] {{7}, {7}, {7}});
        NDArray next = lm.forwardCached(rows, rows.onesLike(), cache);
        assertArrayEquals(next.get("0").toFloatArray(), next.get("1").toFloatArray());
        assertEquals(total + 1, cache.length());
        assertEquals(0, fresh.length());
        assertEquals(3, full.get(last).getShape().get(0));
      }
    }
  }

  private static void assertArrayClose(float[] want, float[] got, String what) {
    assertEquals(want.length, got.length, what);
    double worst = 0;
    for (int i = 0; i < want.length; i++) {
      worst = Math.max(worst, Math.abs(want[i] - got[i]));
    }
    assertTrue(worst < 1e-5, what + ": max |diff| " + worst);
  }

  /**
   * Logits stay identical across garbage collections: every array the model computes with belongs to the engine, none
   * to a Java buffer the collector could free (a rotation table made with {@code toType(sameType, true)} once did).
   */
  @Test
  void forwardIsStableAcrossGarbageCollections() throws Exception {
    try (HfCausalLm lm = HfCausalLm.load(HfFixtures.dir("phi"), Device.cpu());
        NDManager m = lm.getManager().newSubManager()) {
      NDArray ids = m.create(new long[][] {{4, 20, 31, 9, 50, 12}});
      float[] before = lm.forward(ids, ids.onesLike(), false).toFloatArray();
      for (int i = 0; i < 3; i++) {
        System.gc();
        Thread.sleep(20);
        assertArrayEquals(before, lm.forward(ids, ids.onesLike(), false).toFloatArray(), "after collection " + i);
      }
    }
  }

  @Test
  void hiddenStatesAreTheHeadsInput() throws IOException {
    try (HfCausalLm lm = HfCausalLm.load(HfFixtures.dir("phi"), Device.cpu());
        NDManager m = lm.getManager().newSubManager()) {
      assertTrue(lm.supportsHiddenStates());
      assertEquals(32, lm.hiddenSize());
      NDArray ids = m.create(new long[][] {{4, 20, 31, 9}, {4, 11, 3, 3}});
      NDArray mask = m.create(new long[][] {{1, 1, 1, 1}, {1, 1, 0, 0}});
      NDArray hidden = lm.forwardHidden(ids, mask, false);
      assertEquals(new Shape(2, 4, 32), hidden.getShape());
      assertEquals(DataType.FLOAT32, hidden.getDataType());
      NDArray head = hidden.getNDArrayInternal().linear(hidden, lm.getBlock().getParameters().get("lm_head.weight")
          .getArray(), lm.getBlock().getParameters().get("lm_head.bias").getArray()).singletonOrThrow();
      assertArrayClose(lm.forward(ids, mask, false).toFloatArray(), head.toFloatArray(), "head(hidden)");
    }
  }

  /**
   * One ORPO step through {@link OrpoTrainer} (clip 1, AdamW lr 1e-3, weight decay 0.01, TRL's NLL scope) matches the
   * same step in PyTorch ({@code sipf4j_adamw_step} of {@code scripts/make_hf_fixtures.py}, sipf4j's AdamW formula):
   * for every family the loss before and after, for llama every weight after the step. (The update is the same
   * arithmetic for every family; their gradients are compared one by one in {@link #gradientsMatchTheReference}.
   * Comparing every family's weights would compare noise: Adam's first step moves a weight by about the learning rate
   * whatever the size of its gradient, and some gradients are zero in exact arithmetic, such as those of Phi's
   * unrotated key biases, which shift every score of a query alike, so their float32 rounding decides the
   * direction.)
   */
  @ParameterizedTest(name = "{0}")
  @MethodSource("io.github.sipf4j.orpo.model.hf.HfFixtures#all")
  void oneAdamWStepMatchesTheReference(String name) throws IOException {
    JsonObject ref = HfFixtures.reference(name);
    JsonObject step = ref.getAsJsonObject("orpo").getAsJsonObject("adamw_step");
    try (HfCausalLm lm = HfCausalLm.load(HfFixtures.dir(name), Device.cpu())) {
      HfFixtures.assertOneAdamWStep(lm, ref, step.get("loss_before").getAsDouble(),
          step.get("loss_after").getAsDouble(), name);
      Path weights = HfFixtures.dir(name).resolve("adamw_step.safetensors");
      if (Files.exists(weights)) {
        HfFixtures.Worst w = HfFixtures.worstDifference(weights, lm.getBlock().getParameters());
        // 0.5% of the learning rate; the largest difference (1.4e-6 when measured) sits at a weight whose
        // gradient is ~1e-7, where g / (|g| + eps) is most sensitive to the gradient's rounding
        assertTrue(w.value() < 5e-6, name + ": weights after one step differ by " + w.value() + " at " + w.where());
      }
    }
  }

  /** The gradient of TRL's ORPO loss reaches every parameter as in PyTorch: per tensor, the sum of |gradient|. */
  @ParameterizedTest(name = "{0}")
  @MethodSource("io.github.sipf4j.orpo.model.hf.HfFixtures#all")
  void gradientsMatchTheReference(String name) throws IOException {
    JsonObject ref = HfFixtures.reference(name);
    JsonObject want = ref.getAsJsonObject("orpo").getAsJsonObject("adamw_step").getAsJsonObject("grad_abs_sum");
    List<EncodedPair> pairs = HfFixtures.pairs(ref);
    List<EncodedSequence> rows = new ArrayList<>();
    pairs.forEach(p -> rows.add(p.chosen()));
    pairs.forEach(p -> rows.add(p.rejected()));
    try (HfCausalLm lm = HfCausalLm.load(HfFixtures.dir(name), Device.cpu())) {
      try (NDManager m = lm.getManager().newSubManager();
          GradientCollector gc = Engine.getInstance().newGradientCollector()) {
        TokenBatch b = TokenBatch.collate(rows, ref.getAsJsonObject("orpo").get("pad_id").getAsLong(), m);
        gc.backward(OrpoLoss.builder().nllScope(NllScope.PROMPT_AND_RESPONSE).build().compute(
            lm.forward(b.inputIds(), b.attentionMask(), true), b.labels(), b.responseMask(), b.tokenMask()).loss());
      }
      assertEquals(want.size(), lm.getBlock().getParameters().size(), name + ": parameters");
      for (Pair<String, Parameter> p : lm.getBlock().getParameters()) {
        double got = p.getValue().getArray().getGradient().abs().sum().getFloat();
        double expected = want.get(p.getKey()).getAsDouble();
        assertEquals(expected, got, 1e-4 * expected + 1e-7, name + " " + p.getKey() + ": sum of |gradient|");
      }
    }
  }

  /**
   * float16 parameters: every family loads in float16 (the bfloat16 folder too, rounded) and gives log-probs close to
   * the float32 reference; the logits stay float32.
   */
  @ParameterizedTest(name = "{0}")
  @MethodSource("io.github.sipf4j.orpo.model.hf.HfFixtures#all")
  void float16LogProbsAreCloseToTheFloat32Reference(String name) throws IOException {
    JsonObject ref = HfFixtures.reference(name);
    LoadOptions half = LoadOptions.builder().dtype(DataType.FLOAT16).build();
    try (HfCausalLm lm = HfCausalLm.load(HfFixtures.dir(name), Device.cpu(), half);
        NDManager m = lm.getManager().newSubManager()) {
      assertEquals(DataType.FLOAT16, lm.dtype());
      for (Pair<String, Parameter> p : lm.getBlock().getParameters()) {
        assertEquals(DataType.FLOAT16, p.getValue().getArray().getDataType(), p.getKey());
      }
      NDArray ids = m.create(new long[][] {{1, 20, 31}});
      assertEquals(DataType.FLOAT32, lm.forward(ids, ids.onesLike(), false).getDataType());
      assertClose(HfFixtures.referenceLogProbs(ref, "token_logprobs"),
          HfFixtures.tokenLogProbs(lm, HfFixtures.rows(ref.get("sequences")), 0, true), 0.02, name + " float16");
    }
  }

  /**
   * float16 models train: every conversion between float16 and float32 in the forward pass (attention scores, norms,
   * the float32 logits) keeps its gradient path, so the gradient of the ORPO loss reaches every parameter and points
   * where float32's does.
   */
  @ParameterizedTest(name = "{0}")
  @ValueSource(strings = {"llama", "phi"})
  void float16ModelsHaveTheGradientsOfFloat32Models(String name) throws IOException {
    JsonObject ref = HfFixtures.reference(name);
    LoadOptions half = LoadOptions.builder().dtype(DataType.FLOAT16).build();
    try (HfCausalLm full = HfCausalLm.load(HfFixtures.dir(name), Device.cpu());
        HfCausalLm low = HfCausalLm.load(HfFixtures.dir(name), Device.cpu(), half)) {
      List<float[]> want = HfFixtures.orpoGradients(full, ref);
      List<float[]> got = HfFixtures.orpoGradients(low, ref);
      double cosine = HfFixtures.cosine(want, got);
      assertTrue(cosine > 0.999, name + ": float16 gradients at an angle of cosine " + cosine);
    }
  }

  /** Mistral is the llama layout: the llama fixture under model_type mistral gives llama's log-probs. */
  @Test
  void mistralLoadsAsLlamaWithItsSlidingWindowAsMaximumLength(@TempDir Path dir) throws IOException {
    Path folder = HfFixtures.copy("llama", dir.resolve("mistral"));
    JsonObject config = JsonParser.parseString(Files.readString(folder.resolve("config.json"))).getAsJsonObject();
    config.addProperty("model_type", "mistral");
    config.addProperty("sliding_window", 48);
    Files.writeString(folder.resolve("config.json"), config.toString(), StandardCharsets.UTF_8);
    JsonObject ref = HfFixtures.reference("llama");
    try (HfCausalLm lm = HfCausalLm.load(folder, Device.cpu())) {
      assertEquals("mistral", lm.config().modelType());
      assertEquals(48, lm.maxLength());
      assertClose(HfFixtures.referenceLogProbs(ref, "token_logprobs"),
          HfFixtures.tokenLogProbs(lm, HfFixtures.rows(ref.get("sequences")), 0, false), 1e-4, "mistral");
    }
  }

  /** A fresh model is seeded on the host: the same seed gives the same weights, saved and loaded back unchanged. */
  @Test
  void createIsSeededAndSurvivesSaveAndLoad(@TempDir Path dir) throws IOException {
    HfConfig config = HfConfig.read(HfFixtures.dir("gemma"));
    float[] a;
    try (HfCausalLm one = HfCausalLm.create(config, Device.cpu(), LoadOptions.defaults(), 5);
        HfCausalLm two = HfCausalLm.create(config, Device.cpu(), LoadOptions.defaults(), 5)) {
      assertEquals(one.parameterCount(), two.parameterCount());
      a = one.getBlock().getParameters().get("model.layers.1.mlp.up_proj.weight").getArray().toFloatArray();
      assertArrayEquals(a, two.getBlock().getParameters().get("model.layers.1.mlp.up_proj.weight").getArray()
          .toFloatArray());
      double std = Math.sqrt(Arrays.stream(toDoubles(a)).map(x -> x * x).average().orElse(0));
      assertEquals(config.initializerRange(), std, 0.002);
      assertArrayEquals(new float[32], one.getBlock().getParameters().get("model.norm.weight").getArray()
          .toFloatArray(), "gemma's norm gains start at zero: they scale by 1 + w");
      one.save(dir);
    }
    try (HfCausalLm again = HfCausalLm.load(dir, Device.cpu())) {
      assertArrayEquals(a, again.getBlock().getParameters().get("model.layers.1.mlp.up_proj.weight").getArray()
          .toFloatArray());
      assertTrue(Files.notExists(dir.resolve("tokenizer.json")), "a created model has no tokenizer to copy");
    }
  }

  private static double[] toDoubles(float[] a) {
    double[] d = new double[a.length];
    for (int i = 0; i < a.length; i++) {
      d[i] = a[i];
    }
    return d;
  }

  /** Phi's dropouts apply while training only: training passes differ from one another, inference ones do not. */
  @Test
  void dropoutAppliesWhileTrainingOnly(@TempDir Path dir) throws IOException {
    Path folder = HfFixtures.copy("phi", dir.resolve("phi"));
    JsonObject config = JsonParser.parseString(Files.readString(folder.resolve("config.json"))).getAsJsonObject();
    config.addProperty("resid_pdrop", 0.3);
    config.addProperty("embd_pdrop", 0.3);
    config.addProperty("attention_dropout", 0.3);
    Files.writeString(folder.resolve("config.json"), config.toString(), StandardCharsets.UTF_8);
    try (HfCausalLm lm = HfCausalLm.load(folder, Device.cpu());
        NDManager m = lm.getManager().newSubManager()) {
      NDArray ids = m.create(new long[][] {{4, 20, 31, 9, 50, 12}});
      float[] eval = lm.forward(ids, ids.onesLike(), false).toFloatArray();
      assertArrayEquals(eval, lm.forward(ids, ids.onesLike(), false).toFloatArray());
      float[] train1 = lm.forward(ids, ids.onesLike(), true).toFloatArray();
      float[] train2 = lm.forward(ids, ids.onesLike(), true).toFloatArray();
      assertTrue(!Arrays.equals(train1, train2) && !Arrays.equals(train1, eval), "dropout changes training passes");
      JsonObject ref = HfFixtures.reference("phi");
      assertClose(HfFixtures.referenceLogProbs(ref, "token_logprobs"),
          HfFixtures.tokenLogProbs(lm, HfFixtures.rows(ref.get("sequences")), 0, false), 1e-4, "phi, dropout off");
    }
  }
}
