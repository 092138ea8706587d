package io.github.sipf4j.orpo.model;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ai.djl.Device;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import com.google.gson.JsonArray;
import com.google.gson.JsonElement;
import com.google.gson.JsonObject;
import com.google.gson.JsonParser;
import io.github.sipf4j.orpo.loss.NllScope;
import io.github.sipf4j.orpo.loss.OrpoLoss;
import io.github.sipf4j.orpo.loss.OrpoOutput;
import io.github.sipf4j.orpo.text.EncodedSequence;
import io.github.sipf4j.orpo.text.TokenBatch;
import io.github.sipf4j.orpo.train.EncodedPair;
import io.github.sipf4j.orpo.train.LrScheduleType;
import io.github.sipf4j.orpo.train.OptimizerConfig;
import io.github.sipf4j.orpo.train.OrpoTrainer;
import io.github.sipf4j.orpo.train.TrainerConfig;
import io.github.sipf4j.orpo.train.TrainingSummary;
import java.io.IOException;
import java.io.InputStream;
import java.net.URISyntaxException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Parity with PyTorch: the fixture in {@code src/test/resources/torchscript} was made by {@code
 * scripts/make_tiny_torchscript.py} (the same architecture in plain PyTorch, scripted), with reference logits, ORPO
 * loss and one AdamW step recorded by PyTorch. Both the built-in {@link DecoderLm} (loading the same weights from
 * safetensors) and the {@link TorchScriptLm} (loading the scripted module) must reproduce them.
 */
class PyTorchParityTest {

  static JsonObject ref;
  static Path fixtureDir;

  @BeforeAll
  static void readFixture() throws IOException, URISyntaxException {
    try (InputStream in = PyTorchParityTest.class.getResourceAsStream("/torchscript/tiny_lm_reference.json")) {
      ref = JsonParser.parseString(new String(in.readAllBytes(), StandardCharsets.UTF_8)).getAsJsonObject();
    }
    fixtureDir = Path.of(PyTorchParityTest.class.getResource("/torchscript/tiny_lm.pt").toURI()).getParent();
  }

  static DecoderLm decoderWithFixtureWeights() throws IOException {
    JsonObject c = ref.getAsJsonObject("config");
    DecoderConfig config = DecoderConfig.builder().vocabSize(c.get("vocab").getAsInt())
        .dModel(c.get("d_model").getAsInt()).layers(c.get("layers").getAsInt()).heads(c.get("heads").getAsInt())
        .mlpHidden(c.get("mlp_hidden").getAsInt()).maxLength(c.get("max_len").getAsInt())
        .positions(PositionEncoding.ROTARY).ropeBase(c.get("rope_base").getAsFloat()).build();
    DecoderLm lm = DecoderLm.create(config, Device.cpu(), 0);
    lm.loadWeights(fixtureDir.resolve("tiny_lm.safetensors"));
    return lm;
  }

  static TorchScriptLm torchScript(Path dir) throws IOException {
    Files.copy(fixtureDir.resolve("tiny_lm.pt"), dir.resolve(TorchScriptLm.MODEL_FILE));
    Files.writeString(dir.resolve(TorchScriptLm.META_FILE), "{\"format\":\"torchscript\",\"vocab_size\":48,"
        + "\"max_length\":64,\"bos_id\":1,\"eos_id\":2,\"pad_id\":0}");
    return TorchScriptLm.load(dir, Device.cpu());
  }

  static long[][] longs(JsonArray a) {
    long[][] out = new long[a.size()][];
    for (int i = 0; i < a.size(); i++) {
      JsonArray row = a.get(i).getAsJsonArray();
      out[i] = new long[row.size()];
      for (int j = 0; j < row.size(); j++) {
        out[i][j] = row.get(j).getAsLong();
      }
    }
    return out;
  }

  static void assertLogitsMatch(CausalLm lm, String what) {
    int examples = 0;
    for (JsonElement e : ref.getAsJsonArray("examples")) {
      JsonObject ex = e.getAsJsonObject();
      long[][] ids = longs(ex.getAsJsonArray("input_ids"));
      long[][] mask = longs(ex.getAsJsonArray("attention_mask"));
      JsonArray logits = ex.getAsJsonArray("logits");
      try (NDManager m = lm.getManager().newSubManager()) {
        NDArray out = lm.forward(m.create(ids), m.create(mask), false);
        float[] got = out.toFloatArray();
        int v = (int) out.getShape().get(2);
        int t = (int) out.getShape().get(1);
        double maxDiff = 0;
        for (int b = 0; b < ids.length; b++) {
          for (int i = 0; i < t; i++) {
            if (mask[b][i] == 0) {
              continue; // padded positions are not meaningful
            }
            JsonArray row = logits.get(b).getAsJsonArray().get(i).getAsJsonArray();
            for (int k = 0; k < v; k++) {
              maxDiff = Math.max(maxDiff, Math.abs(row.get(k).getAsDouble() - got[(b * t + i) * v + k]));
            }
          }
        }
        assertTrue(maxDiff < 2e-5, what + " example " + examples + ": max |logit diff| " + maxDiff);
      }
      examples++;
    }
    assertEquals(2, examples);
  }

  @Test
  void decoderLmReproducesPyTorchLogits() throws IOException {
    try (DecoderLm lm = decoderWithFixtureWeights()) {
      assertLogitsMatch(lm, "DecoderLm");
    }
  }

  @Test
  void torchScriptLmReproducesPyTorchLogits(@TempDir Path dir) throws IOException {
    try (TorchScriptLm lm = torchScript(dir)) {
      assertEquals(27008, lm.trainableParameters().stream().mapToLong(p -> p.getValue().getArray().size()).sum());
      assertLogitsMatch(lm, "TorchScriptLm");
    }
  }

  static List<EncodedPair> fixturePairs() {
    List<EncodedPair> pairs = new ArrayList<>();
    for (JsonElement e : ref.getAsJsonObject("orpo").getAsJsonArray("pairs")) {
      JsonObject p = e.getAsJsonObject();
      long[] prompt = longs(wrap(p.getAsJsonArray("prompt")))[0];
      long[] chosen = longs(wrap(p.getAsJsonArray("chosen")))[0];
      long[] rejected = longs(wrap(p.getAsJsonArray("rejected")))[0];
      pairs.add(new EncodedPair(new EncodedSequence(concat(prompt, chosen), prompt.length, false),
          new EncodedSequence(concat(prompt, rejected), prompt.length, false)));
    }
    return pairs;
  }

  static JsonArray wrap(JsonArray a) {
    JsonArray w = new JsonArray();
    w.add(a);
    return w;
  }

  static long[] concat(long[] a, long[] b) {
    long[] c = new long[a.length + b.length];
    System.arraycopy(a, 0, c, 0, a.length);
    System.arraycopy(b, 0, c, a.length, b.length);
    return c;
  }

  static void assertOrpoMatches(CausalLm lm, String what) {
    List<EncodedPair> pairs = fixturePairs();
    List<EncodedSequence> rows = new ArrayList<>();
    pairs.forEach(p -> rows.add(p.chosen()));
    pairs.forEach(p -> rows.add(p.rejected()));
    for (NllScope scope : NllScope.values()) {
      JsonObject want = ref.getAsJsonObject("orpo")
          .getAsJsonObject(scope == NllScope.RESPONSE ? "result_nll_response_only" : "result");
      try (NDManager m = lm.getManager().newSubManager()) {
        TokenBatch b = TokenBatch.collate(rows, 0, m);
        OrpoOutput out = OrpoLoss.builder().nllScope(scope).build()
            .compute(lm.forward(b.inputIds(), b.attentionMask(), false), b.labels(), b.responseMask(), b.tokenMask());
        Map<String, Float> metrics = out.metrics();
        assertEquals(want.get("loss").getAsDouble(), metrics.get("loss"), 1e-4, what + " " + scope + " loss");
        for (Map.Entry<String, JsonElement> e : want.getAsJsonObject("metrics").entrySet()) {
          assertEquals(e.getValue().getAsDouble(), metrics.get(e.getKey()), 1e-4, what + " " + scope + " " + e.getKey());
        }
      }
    }
  }

  @Test
  void orpoLossAndTrlMetricsMatchPyTorchOnBothModels(@TempDir Path dir) throws IOException {
    try (DecoderLm lm = decoderWithFixtureWeights()) {
      assertOrpoMatches(lm, "DecoderLm");
    }
    try (TorchScriptLm lm = torchScript(dir)) {
      assertOrpoMatches(lm, "TorchScriptLm");
    }
  }

  @Test
  void oneClippedAdamWStepMatchesPyTorch() throws IOException {
    JsonObject step = ref.getAsJsonObject("orpo").getAsJsonObject("after_one_step");
    try (DecoderLm lm = decoderWithFixtureWeights()) {
      TrainerConfig cfg = TrainerConfig.builder().batchSize(2).maxSteps(1).progressBar(false)
          .optimizer(OptimizerConfig.builder().learningRate(1e-3f).weightDecay(0.01f).maxGradNorm(1f)
              .schedule(LrScheduleType.CONSTANT).build()).build();
      OrpoLoss loss = OrpoLoss.builder().nllScope(NllScope.PROMPT_AND_RESPONSE).build();
      TrainingSummary s = new OrpoTrainer(lm, cfg, loss, 0).fit(fixturePairs());
      assertEquals(step.get("loss_before").getAsDouble(), s.firstMetrics().get("loss"), 1e-4);
      List<EncodedSequence> rows = new ArrayList<>();
      fixturePairs().forEach(p -> rows.add(p.chosen()));
      fixturePairs().forEach(p -> rows.add(p.rejected()));
      try (NDManager m = lm.getManager().newSubManager()) {
        TokenBatch b = TokenBatch.collate(rows, 0, m);
        float after = loss.compute(lm.forward(b.inputIds(), b.attentionMask(), false), b.labels(), b.responseMask(),
            b.tokenMask()).loss().getFloat();
        assertEquals(step.get("loss_after").getAsDouble(), after, 2e-4);
      }
    }
  }

  @Test
  void torchScriptFineTuningLowersTheLossAndSurvivesSaveAndReload(@TempDir Path dir) throws IOException {
    Path src = Files.createDirectories(dir.resolve("src"));
    Path saved = dir.resolve("saved");
    List<EncodedPair> pairs = fixturePairs();
    float[] before;
    try (TorchScriptLm lm = torchScript(src)) {
      TrainerConfig cfg = TrainerConfig.builder().batchSize(2).epochs(15).progressBar(false)
          .optimizer(OptimizerConfig.builder().learningRate(3e-3f).build()).build();
      TrainingSummary s = new OrpoTrainer(lm, cfg, OrpoLoss.builder().build(), 0).fit(pairs);
      assertTrue(s.lastMetrics().get("loss") < 0.7 * s.firstMetrics().get("loss"), s.firstMetrics() + " -> "
          + s.lastMetrics());
      before = logits(lm);
      lm.save(saved);
    }
    try (CausalLm again = CausalLms.load(saved, Device.cpu())) {
      assertTrue(again instanceof TorchScriptLm);
      float[] after = logits(again);
      assertEquals(before.length, after.length);
      for (int i = 0; i < before.length; i++) {
        assertEquals(before[i], after[i], 0f, "logit " + i);
      }
    }
  }

  static float[] logits(CausalLm lm) {
    try (NDManager m = lm.getManager().newSubManager()) {
      NDArray ids = m.create(new long[][] {{1, 5, 9, 13, 2}});
      return lm.forward(ids, ids.onesLike(), false).toFloatArray();
    }
  }
}
