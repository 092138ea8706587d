package io.github.sipf4j.orpo.lora;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ai.djl.Device;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import ai.djl.nn.Parameter;
import ai.djl.util.Pair;
import com.google.gson.JsonObject;
import com.google.gson.JsonParser;
import io.github.sipf4j.orpo.loss.NllScope;
import io.github.sipf4j.orpo.model.CausalLm;
import io.github.sipf4j.orpo.model.CausalLms;
import io.github.sipf4j.orpo.model.DecoderConfig;
import io.github.sipf4j.orpo.model.DecoderLm;
import io.github.sipf4j.orpo.model.LoadOptions;
import io.github.sipf4j.orpo.model.hf.HfCausalLm;
import io.github.sipf4j.orpo.model.hf.HfFixtures;
import io.github.sipf4j.orpo.text.EncodedSequence;
import io.github.sipf4j.orpo.train.OptimizerConfig;
import io.github.sipf4j.orpo.train.SftTrainer;
import io.github.sipf4j.orpo.train.StepResult;
import io.github.sipf4j.orpo.train.TrainerConfig;
import io.github.sipf4j.orpo.train.TrainerListener;
import io.github.sipf4j.orpo.train.TrainingSummary;
import io.github.sipf4j.orpo.util.SafetensorsFile;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Random;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * What a {@link LoraModel} promises: a fresh adapter changes nothing; only the adapters train, checkpoint and move;
 * a killed run resumes to the same adapters; PEFT folders round-trip; merged exports load as plain models; a float16
 * base works; dropout is keyed; DecoderLm takes adapters under its own names; and a mismatched adapter is refused
 * naming the key and both shapes.
 */
class LoraModelTest {

  private static final LoraConfig SMALL = LoraConfig.builder().r(4).loraAlpha(8).build();

  private static HfCausalLm llama() throws IOException {
    return HfCausalLm.load(HfFixtures.dir("llama"), Device.cpu());
  }

  private static DecoderLm decoder(long seed) {
    return DecoderLm.create(DecoderConfig.builder().vocabSize(40).dModel(32).layers(2).heads(4).maxLength(32).build(),
        Device.cpu(), seed);
  }

  /** Sequences over the llama fixture's plain ids, for a few SFT steps. */
  private static List<EncodedSequence> sequences(int n, long seed) {
    Random r = new Random(seed);
    List<EncodedSequence> out = new ArrayList<>();
    for (int i = 0; i < n; i++) {
      long[] ids = new long[6 + r.nextInt(5)];
      ids[0] = 1;
      for (int t = 1; t < ids.length; t++) {
        ids[t] = 9 + r.nextInt(30);
      }
      out.add(new EncodedSequence(ids, 3, false));
    }
    return out;
  }

  private static TrainerConfig.Builder sft() {
    return TrainerConfig.builder().batchSize(4).progressBar(false)
        .optimizer(OptimizerConfig.builder().learningRate(1e-2f).build());
  }

  @Test
  void aFreshAdapterChangesNothingAndStartsAsPeftDoes() throws IOException {
    float[] base;
    try (HfCausalLm lm = llama()) {
      base = LoraFixtures.logits(lm);
    }
    try (LoraModel lm = LoraModel.create(llama(), SMALL, 3)) {
      assertArrayEquals(base, LoraFixtures.logits(lm), "B = 0: the adapted model is its base, bit for bit");
      assertEquals(2 * 7, lm.adaptedModules().size(), "all-linear: seven projections in each of two layers");
      for (Pair<String, Parameter> p : lm.trainableParameters()) {
        NDArray a = p.getValue().getArray();
        assertEquals(DataType.FLOAT32, a.getDataType());
        float[] v = a.toFloatArray();
        if (p.getKey().endsWith("lora_B.weight")) {
          assertArrayEquals(new float[v.length], v, p.getKey());
        } else {
          // Kaiming uniform with a = sqrt(5): U(-1/sqrt(in), 1/sqrt(in)), variance 1/(3 in)
          long in = a.getShape().get(1);
          double bound = 1 / Math.sqrt(in);
          double var = Arrays.stream(toDoubles(v)).map(x -> x * x).sum() / v.length;
          assertTrue(Arrays.stream(toDoubles(v)).allMatch(x -> Math.abs(x) <= bound), p.getKey());
          assertEquals(1 / (3.0 * in), var, 0.35 / (3.0 * in), p.getKey() + " variance");
        }
      }
      assertEquals("base_model.model.model.layers.0.self_attn.q_proj.lora_A.weight",
          lm.trainableParameters().get(0).getKey(), "PEFT's keys");
      assertEquals("base_model.model.model.layers.0.self_attn.q_proj.lora_B.weight",
          lm.trainableParameters().get(1).getKey());
      try (LoraModel same = LoraModel.create(llama(), SMALL, 3);
          LoraModel other = LoraModel.create(llama(), SMALL, 4)) {
        float[] a = same.trainableParameters().get(0).getValue().getArray().toFloatArray();
        assertArrayEquals(lm.trainableParameters().get(0).getValue().getArray().toFloatArray(), a, "seeded");
        assertFalse(Arrays.equals(a, other.trainableParameters().get(0).getValue().getArray().toFloatArray()));
      }
    }
  }

  private static double[] toDoubles(float[] v) {
    double[] out = new double[v.length];
    for (int i = 0; i < v.length; i++) {
      out[i] = v[i];
    }
    return out;
  }

  @Test
  void onlyTheAdaptersTrainAndTheCheckpointHoldsNothingElse(@TempDir Path dir) throws IOException {
    try (LoraModel lm = LoraModel.create(llama(), SMALL, 5)) {
      assertTrue(lm.trainableParameters().stream().allMatch(p -> p.getKey().startsWith(LoraModel.KEY_PREFIX)
          && p.getKey().contains(".lora_")));
      assertTrue(lm.base().trainableParameters().isEmpty(), "the base is frozen");
      Map<String, float[]> base = LoraFixtures.values(lm.base());
      Map<String, float[]> before = LoraFixtures.values(lm);
      new SftTrainer(lm, sft().maxSteps(3).workDir(dir).build(), 3, NllScope.RESPONSE).fit(sequences(12, 1));
      Map<String, float[]> after = LoraFixtures.values(lm.base());
      for (Map.Entry<String, float[]> e : base.entrySet()) {
        assertArrayEquals(e.getValue(), after.get(e.getKey()), "the base's " + e.getKey() + " moved");
      }
      Map<String, float[]> adapters = LoraFixtures.values(lm);
      assertTrue(before.keySet().stream().anyMatch(k -> !Arrays.equals(before.get(k), adapters.get(k))),
          "the adapters moved");
      try (SafetensorsFile weights = SafetensorsFile.open(dir.resolve("checkpoint/model.safetensors"));
          SafetensorsFile optimizer = SafetensorsFile.open(dir.resolve("checkpoint/optimizer.safetensors"))) {
        assertEquals(before.keySet(), weights.tensors().keySet(), "the checkpoint holds the adapters alone");
        for (String k : optimizer.tensors().keySet()) {
          assertTrue(k.equals("step") || k.contains(".lora_"), "optimizer state of a base parameter: " + k);
        }
        assertEquals(2 * before.size() + 1, optimizer.tensors().size());
      }
    }
  }

  @Test
  void aKilledRunWithDropoutResumesToTheAdaptersOfAnUninterruptedRun(@TempDir Path dir) throws IOException {
    LoraConfig config = SMALL.toBuilder().loraDropout(0.1).build();
    List<EncodedSequence> data = sequences(16, 2);
    TrainerConfig.Builder cfg = sft().epochs(3).checkpointEverySteps(2);
    Map<String, float[]> reference;
    try (LoraModel lm = LoraModel.create(llama(), config, 8)) {
      new SftTrainer(lm, cfg.workDir(dir.resolve("a")).build(), 3, NllScope.RESPONSE).fit(data);
      reference = LoraFixtures.values(lm);
    }
    Path b = dir.resolve("b");
    try (LoraModel lm = LoraModel.create(llama(), config, 8)) {
      SftTrainer t = new SftTrainer(lm, cfg.workDir(b).build(), 3, NllScope.RESPONSE);
      t.addListener(new TrainerListener() {
        @Override
        public void onStep(int epoch, StepResult r) {
          if (r.step() == 7) {
            throw new IllegalStateException("simulated crash");
          }
        }
      });
      assertThrows(IllegalStateException.class, () -> t.fit(data));
    }
    try (LoraModel lm = LoraModel.create(llama(), config, 8)) {
      for (Pair<String, Parameter> p : lm.trainableParameters()) { // the checkpoint must overwrite them
        io.github.sipf4j.orpo.util.InPlace.zero(p.getValue().getArray());
      }
      TrainingSummary s = new SftTrainer(lm, cfg.workDir(b).build(), 3, NllScope.RESPONSE).fit(data);
      assertEquals(12, s.steps());
      assertEquals(6, s.stepsThisRun(), "resumed after the checkpoint of step 6");
      Map<String, float[]> resumed = LoraFixtures.values(lm);
      for (Map.Entry<String, float[]> e : reference.entrySet()) {
        assertArrayEquals(e.getValue(), resumed.get(e.getKey()), e.getKey() + " after resuming");
      }
    }
  }

  @Test
  void dropoutAppliesWhileTrainingAndDependsOnTheBatchAlone() throws IOException {
    LoraConfig config = SMALL.toBuilder().loraDropout(0.5).init(LoraInit.RANDOM).build();
    try (LoraModel lm = LoraModel.create(llama(), config, 1);
        NDManager m = lm.getManager().newSubManager()) {
      NDArray ids = m.create(new long[][] {{1, 20, 21, 22}, {1, 30, 31, 32}});
      NDArray mask = ids.onesLike();
      float[] eval = lm.forward(ids, mask, false).toFloatArray();
      float[] train = lm.forward(ids, mask, true).toFloatArray();
      assertFalse(Arrays.equals(eval, train), "dropout while training");
      assertArrayEquals(train, lm.forward(ids, mask, true).toFloatArray(), "the same batch, the same masks");
      assertArrayEquals(eval, lm.forward(ids, mask, false).toFloatArray());
      NDArray other = m.create(new long[][] {{1, 20, 21, 22}, {1, 30, 31, 33}});
      float[] row0 = Arrays.copyOf(lm.forward(other, mask, true).toFloatArray(), train.length / 2);
      assertFalse(Arrays.equals(Arrays.copyOf(train, train.length / 2), row0), "another batch, other masks");
    }
  }

  @Test
  void aPeftFolderRoundTripsAndLoadsThroughTheRegistry(@TempDir Path dir) throws IOException {
    Path out = dir.resolve("adapter");
    float[] logits;
    Map<String, float[]> adapters;
    try (LoraModel lm = LoraModel.create(llama(), SMALL.toBuilder().init(LoraInit.RANDOM).build(), 6)) {
      logits = LoraFixtures.logits(lm);
      adapters = LoraFixtures.values(lm);
      lm.save(out);
    }
    JsonObject config = JsonParser.parseString(Files.readString(out.resolve(LoraModel.CONFIG_FILE)))
        .getAsJsonObject();
    assertEquals(HfFixtures.dir("llama").toAbsolutePath().normalize().toString(),
        config.get("base_model_name_or_path").getAsString());
    List<String> targets = new ArrayList<>();
    config.getAsJsonArray("target_modules").forEach(e -> targets.add(e.getAsString()));
    assertEquals(List.of("down_proj", "gate_proj", "k_proj", "o_proj", "q_proj", "up_proj", "v_proj"), targets,
        "all-linear is written as the projections chosen");
    try (SafetensorsFile f = SafetensorsFile.open(out.resolve(LoraModel.WEIGHTS_FILE))) {
      assertEquals(adapters.keySet(), f.tensors().keySet());
      assertEquals(new Shape(4, 32), f.tensor("base_model.model.model.layers.0.self_attn.q_proj.lora_A.weight")
          .shape());
      assertEquals(new Shape(16, 4), f.tensor("base_model.model.model.layers.0.self_attn.k_proj.lora_B.weight")
          .shape());
      assertEquals("F32", f.tensor("base_model.model.model.layers.1.mlp.down_proj.lora_B.weight").dtype());
    }
    try (CausalLm again = CausalLms.load(out, Device.cpu())) {
      assertEquals(LoraModel.class, again.getClass());
      assertArrayEquals(logits, LoraFixtures.logits(again));
      Map<String, float[]> read = LoraFixtures.values(again);
      adapters.forEach((k, v) -> assertArrayEquals(v, read.get(k), k));
    }
  }

  @Test
  void aMergedExportIsAPlainHuggingFaceFolderAndLeavesTheBaseAlone(@TempDir Path dir) throws IOException {
    try (LoraModel lm = LoraFixtures.adapted("llama")) {
      Map<String, float[]> base = LoraFixtures.values(lm.base());
      float[] adapted = LoraFixtures.logits(lm);
      lm.saveMerged(dir.resolve("merged"));
      Map<String, float[]> after = LoraFixtures.values(lm.base());
      base.forEach((k, v) -> assertArrayEquals(v, after.get(k), k + " is restored bit for bit"));
      assertFalse(lm.isMerged());
      try (CausalLm merged = CausalLms.load(dir.resolve("merged"), Device.cpu())) {
        assertEquals(HfCausalLm.class, merged.getClass());
        float diff = LoraFixtures.maxAbsDiff(adapted, LoraFixtures.logits(merged));
        assertTrue(diff < 1e-5, "merged logits differ by " + diff);
      }
      assertTrue(Files.isRegularFile(dir.resolve("merged/tokenizer.json")), "the base's tokenizer comes along");
    }
  }

  @Test
  void aMergedModelRefusesTraining() throws IOException {
    try (LoraModel lm = LoraModel.create(llama(), SMALL, 1);
        NDManager m = lm.getManager().newSubManager()) {
      lm.merge();
      NDArray ids = m.create(new long[][] {{1, 20}});
      assertThrows(IllegalStateException.class, () -> lm.forward(ids, ids.onesLike(), true));
      assertThrows(IllegalStateException.class, lm::merge);
      lm.unmerge();
      lm.forward(ids, ids.onesLike(), true);
    }
  }

  @Test
  void aFloat16BaseKeepsItsTypeAndItsBitsWhileFloat32AdaptersTrain() throws IOException {
    JsonObject ref = LoraFixtures.reference("llama");
    LoadOptions half = LoadOptions.builder().dtype(DataType.FLOAT16).build();
    try (LoraModel lm = LoraModel.load(HfCausalLm.load(HfFixtures.dir("llama"), Device.cpu(), half),
        LoraFixtures.dir("llama"))) {
      HfFixtures.assertClose(HfFixtures.referenceLogProbs(ref, "token_logprobs"),
          HfFixtures.tokenLogProbs(lm, HfFixtures.rows(ref.get("sequences")), 0, false), 0.03, "float16 base");
      Map<String, float[]> base = LoraFixtures.values(lm.base());
      new SftTrainer(lm, sft().maxSteps(2).build(), 3, NllScope.RESPONSE).fit(sequences(8, 3));
      for (Pair<String, Parameter> p : lm.base().getBlock().getParameters()) {
        assertEquals(DataType.FLOAT16, p.getValue().getArray().getDataType(), p.getKey());
      }
      lm.trainableParameters().forEach(p -> assertEquals(DataType.FLOAT32, p.getValue().getArray().getDataType()));
      Map<String, float[]> after = LoraFixtures.values(lm.base());
      base.forEach((k, v) -> assertArrayEquals(v, after.get(k), k));
      lm.merge();
      assertEquals(DataType.FLOAT16, lm.base().projections().get(0).weight().getArray().getDataType());
    }
  }

  @Test
  void aFloat16BaseGivesTheAdaptersTheGradientsOfAFloat32Base() throws IOException {
    JsonObject ref = HfFixtures.reference("llama");
    LoadOptions half = LoadOptions.builder().dtype(DataType.FLOAT16).build();
    try (LoraModel full = LoraFixtures.adapted("llama");
        LoraModel low = LoraModel.load(HfCausalLm.load(HfFixtures.dir("llama"), Device.cpu(), half),
            LoraFixtures.dir("llama"))) {
      List<float[]> want = HfFixtures.orpoGradients(full, ref);
      List<float[]> got = HfFixtures.orpoGradients(low, ref);
      double cosine = HfFixtures.cosine(want, got);
      assertTrue(cosine > 0.999, "float16-base gradients at an angle of cosine " + cosine);
      assertTrue(want.stream().allMatch(g -> Arrays.stream(toDoubles(g)).anyMatch(x -> x != 0)),
          "every adapter matrix has a gradient");
    }
  }

  @Test
  void decoderLmTakesAdaptersUnderItsOwnNames(@TempDir Path dir) throws IOException {
    Path baseDir = dir.resolve("base");
    try (DecoderLm lm = decoder(3)) {
      lm.save(baseDir);
    }
    LoraConfig config = LoraConfig.builder().r(2).loraAlpha(4).init(LoraInit.RANDOM).build();
    float[] logits;
    try (LoraModel lm = LoraModel.create(DecoderLm.load(baseDir, Device.cpu()), config, 2)) {
      assertEquals(List.of("h.0.attn.qkv", "h.0.attn.proj", "h.0.mlp.fc", "h.0.mlp.proj", "h.1.attn.qkv",
          "h.1.attn.proj", "h.1.mlp.fc", "h.1.mlp.proj"), lm.adaptedModules());
      assertEquals("base_model.model.h.0.attn.qkv.lora_A.weight", lm.trainableParameters().get(0).getKey());
      logits = LoraFixtures.logits(lm);
      try (DecoderLm plain = DecoderLm.load(baseDir, Device.cpu())) {
        assertTrue(LoraFixtures.maxAbsDiff(logits, LoraFixtures.logits(plain)) > 1e-3, "the adapters act");
      }
      lm.merge();
      assertTrue(LoraFixtures.maxAbsDiff(logits, LoraFixtures.logits(lm)) < 1e-5, "merged equals unmerged");
      lm.unmerge();
      lm.save(dir.resolve("adapter"));
    }
    JsonObject saved = JsonParser.parseString(Files.readString(dir.resolve("adapter").resolve(LoraModel.CONFIG_FILE)))
        .getAsJsonObject();
    assertEquals("[\"attn.proj\",\"attn.qkv\",\"mlp.fc\",\"mlp.proj\"]", saved.get("target_modules").toString(),
        "DecoderLm's last names are ambiguous (proj), so the names after the layer are written");
    try (CausalLm again = CausalLms.load(dir.resolve("adapter"), Device.cpu())) {
      assertTrue(LoraFixtures.maxAbsDiff(logits, LoraFixtures.logits(again)) < 1e-6);
    }
  }

  @Test
  void twoAdaptersShareOneBaseAndASavedBaseCanBeNamed(@TempDir Path dir) throws IOException {
    LoraConfig random = SMALL.toBuilder().init(LoraInit.RANDOM).build();
    try (HfCausalLm base = llama()) {
      float[] plain = LoraFixtures.logits(base);
      float[] one;
      try (LoraModel a = LoraModel.create(base, random, 1).sharingBase();
          LoraModel b = LoraModel.create(base, random.toBuilder().r(2).build(), 2).sharingBase()) {
        one = LoraFixtures.logits(a);
        float[] two = LoraFixtures.logits(b);
        assertTrue(LoraFixtures.maxAbsDiff(one, two) > 1e-3, "each model applies its own adapters");
        assertArrayEquals(one, LoraFixtures.logits(a), "and only while it runs");
        assertArrayEquals(plain, LoraFixtures.logits(base), "the base alone computes as before");
        a.baseReference("/models/shared-base").save(dir.resolve("a"));
      }
      assertArrayEquals(plain, LoraFixtures.logits(base), "closing the adapters leaves the base open");
      JsonObject saved = JsonParser.parseString(Files.readString(dir.resolve("a").resolve(LoraModel.CONFIG_FILE)))
          .getAsJsonObject();
      assertEquals("/models/shared-base", saved.get("base_model_name_or_path").getAsString());
    }
  }

  @Test
  void aKindOnABaseLoadsAdaptersOntoItAndKeepsTheirBaseReference(@TempDir Path dir) throws IOException {
    LoraConfig random = SMALL.toBuilder().init(LoraInit.RANDOM).build();
    try (HfCausalLm base = llama()) {
      float[] plain = LoraFixtures.logits(base);
      float[] adapted;
      try (LoraModel a = LoraModel.create(base, random, 3).sharingBase()) {
        adapted = LoraFixtures.logits(a);
        a.baseReference("/models/shared-base").save(dir.resolve("a"));
      }
      LoraKind kind = LoraKind.onBase(base);
      assertEquals(LoraKind.NAME, kind.name());
      assertTrue(kind.recognises(dir.resolve("a")));
      try (LoraModel again = (LoraModel) kind.load(dir.resolve("a"), Device.cpu())) {
        assertSame(base, again.base(), "the adapters go onto the base in memory, not onto the one the folder names");
        assertArrayEquals(adapted, LoraFixtures.logits(again));
        assertEquals(Optional.of("/models/shared-base"), again.baseModelNameOrPath());
      }
      assertArrayEquals(plain, LoraFixtures.logits(base), "closing the loaded adapters leaves the base open");
      IOException e = assertThrows(IOException.class, () -> kind.load(dir.resolve("a"), Device.gpu(3)));
      assertTrue(e.getMessage().contains("shared base model lives on"), e.getMessage());
    }
  }

  @Test
  void settingsThatAdaptNothingFailListingTheProjections() throws IOException {
    try (HfCausalLm base = llama()) {
      IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
          () -> LoraModel.create(base, LoraConfig.builder().targetModules("c_attn").build(), 1));
      assertTrue(e.getMessage().contains("self_attn.q_proj") && e.getMessage().contains("c_attn"), e.getMessage());
      assertFalse(base.trainableParameters().isEmpty(), "the base stays trainable");
    }
  }

  @Test
  void anAdapterForAnotherShapeFailsNamingTheKeyAndBothShapes() throws IOException {
    // llama-llama3 has head_dim 12: its q_proj is (48, 32) where the llama adapter was made for (32, 32)
    try (HfCausalLm base = HfCausalLm.load(HfFixtures.dir("llama-llama3"), Device.cpu())) {
      LoraFormatException e = assertThrows(LoraFormatException.class,
          () -> LoraModel.load(base, LoraFixtures.dir("llama"), false));
      assertEquals("tensor 'base_model.model.model.layers.0.self_attn.q_proj.lora_B.weight'", e.where(),
          e.getMessage());
      assertTrue(e.getMessage().contains("(32, 4)") && e.getMessage().contains("(48, 4)"), e.getMessage());
      assertFalse(base.trainableParameters().isEmpty(), "a failed load leaves the base as it was");
    }
  }

  @Test
  void anAdapterForAnotherBaseModelFailsNamingIt() throws IOException {
    // qwen2's projections have llama's shapes: only the recorded base tells them apart
    try (HfCausalLm base = HfCausalLm.load(HfFixtures.dir("qwen2"), Device.cpu())) {
      LoraFormatException e = assertThrows(LoraFormatException.class,
          () -> LoraModel.load(base, LoraFixtures.dir("llama")));
      assertEquals("field 'base_model_name_or_path'", e.where(), e.getMessage());
      assertTrue(e.getMessage().contains("../../hf/llama") && e.getMessage().contains("qwen2"), e.getMessage());
    }
    try (LoraModel lm = LoraModel.load(HfCausalLm.load(HfFixtures.dir("qwen2"), Device.cpu()),
        LoraFixtures.dir("llama"), false)) {
      assertEquals(14, lm.adaptedModules().size(), "the check can be turned off");
    }
  }

  @Test
  void aModuleMissingFromTheFileOrUnknownToTheBaseFailsNamingTheKey(@TempDir Path dir) throws IOException {
    Path missing = LoraFixtures.copy("llama", dir.resolve("missing"));
    Path unknown = LoraFixtures.copy("llama", dir.resolve("unknown"));
    try (NDManager m = NDManager.newBaseManager()) {
      Map<String, NDArray> tensors = io.github.sipf4j.orpo.util.Safetensors.read(missing.resolve(
          LoraModel.WEIGHTS_FILE), m);
      Map<String, NDArray> fewer = new java.util.LinkedHashMap<>(tensors);
      fewer.remove("base_model.model.model.layers.1.mlp.up_proj.lora_A.weight");
      fewer.remove("base_model.model.model.layers.1.mlp.up_proj.lora_B.weight");
      io.github.sipf4j.orpo.util.Safetensors.write(missing.resolve(LoraModel.WEIGHTS_FILE), fewer);
      Map<String, NDArray> more = new java.util.LinkedHashMap<>(tensors);
      more.put("base_model.model.model.layers.0.self_attn.q_proj.lora_magnitude_vector", m.ones(new Shape(32)));
      io.github.sipf4j.orpo.util.Safetensors.write(unknown.resolve(LoraModel.WEIGHTS_FILE), more);
    }
    try (HfCausalLm base = llama()) {
      LoraFormatException e = assertThrows(LoraFormatException.class, () -> LoraModel.load(base, missing, false));
      assertEquals("tensor 'base_model.model.model.layers.1.mlp.up_proj.lora_A.weight'", e.where(), e.getMessage());
      assertTrue(e.getMessage().contains("is missing"), e.getMessage());
      e = assertThrows(LoraFormatException.class, () -> LoraModel.load(base, unknown, false));
      assertEquals("tensor 'base_model.model.model.layers.0.self_attn.q_proj.lora_magnitude_vector'", e.where());
    }
  }

  @Test
  void anAdapterWhoseBaseIsNotAFolderSaysSo(@TempDir Path dir) throws IOException {
    Path adapter = LoraFixtures.copy("llama", dir.resolve("adapter"));
    Path config = adapter.resolve(LoraModel.CONFIG_FILE);
    JsonObject o = JsonParser.parseString(Files.readString(config)).getAsJsonObject();
    o.addProperty("base_model_name_or_path", "meta-llama/Llama-3.2-1B");
    Files.writeString(config, o.toString());
    LoraFormatException e = assertThrows(LoraFormatException.class, () -> CausalLms.load(adapter, Device.cpu()));
    assertTrue(e.getMessage().contains("meta-llama/Llama-3.2-1B") && e.getMessage().contains("not a local folder"),
        e.getMessage());
    try (LoraModel lm = LoraModel.load(llama(), adapter, false)) {
      assertNotEquals(null, lm.config(), "loads onto a base given by hand");
    }
  }
}
