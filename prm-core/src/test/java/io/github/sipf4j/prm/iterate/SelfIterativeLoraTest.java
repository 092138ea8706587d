package io.github.sipf4j.prm.iterate;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ai.djl.Device;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.nn.Parameter;
import ai.djl.util.Pair;
import com.google.gson.JsonParser;
import io.github.sipf4j.orpo.lora.LoraConfig;
import io.github.sipf4j.orpo.lora.LoraModel;
import io.github.sipf4j.orpo.model.AdaptableLm;
import io.github.sipf4j.orpo.model.CausalLm;
import io.github.sipf4j.orpo.model.CausalLms;
import io.github.sipf4j.orpo.model.DecoderLm;
import io.github.sipf4j.orpo.util.SafetensorsFile;
import io.github.sipf4j.prm.iterate.phase.AdapterBase;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The loop with a LoRA policy: every policy the run saves is an adapter folder naming the base (saved once, or the
 * base's own folder), checkpoints and the PRM hold adapters and the head alone, the base stays bit-identical, a crash
 * resumes to the adapters of an uninterrupted run, and a resume on another base is refused.
 */
class SelfIterativeLoraTest {

  /** Rank 4 on every projection of the tiny decoder, with dropout, so that the keyed masks take part. */
  private static final LoraConfig LORA = LoraConfig.builder().r(4).loraAlpha(8).loraDropout(0.1).build();

  private static LoraModel newPolicy(DecoderLm base) {
    return LoraModel.create(base, LORA, 17);
  }

  private static Map<String, byte[]> snapshot(AdaptableLm base) {
    Map<String, byte[]> out = new LinkedHashMap<>();
    for (Pair<String, Parameter> p : base.getBlock().getParameters()) {
      out.put(p.getKey(), p.getValue().getArray().toByteArray());
    }
    return out;
  }

  private static void assertSameBase(Map<String, byte[]> expected, AdaptableLm base) {
    Map<String, byte[]> now = snapshot(base);
    assertEquals(expected.keySet(), now.keySet());
    expected.forEach((k, v) -> assertArrayEquals(v, now.get(k), "base parameter " + k + " changed"));
  }

  @Test
  void adaptersRunTheLoopOnOneFrozenBaseAndResumeAfterACrash(@TempDir Path dir) throws IOException {
    Path reference = dir.resolve("reference");
    SelfIterativeResult expected;
    try (LoraModel policy = newPolicy(TinyRun.newDecoder())) {
      Map<String, byte[]> before = snapshot(policy.base());
      expected = TinyRun.builder(policy, reference, FeedbackMode.PROCESS).build().run();
      assertSameBase(before, policy.base());
      checkFolders(reference, policy);
      // the saved policy loads anywhere with its base (the registered lora kind) and computes what the policy does
      try (CausalLm loaded = CausalLms.load(expected.finalPolicyDir(), Device.cpu());
          NDManager m = NDManager.newBaseManager()) {
        assertTrue(loaded instanceof LoraModel, loaded.getClass().getName());
        NDArray ids = m.create(new long[] {1, 5, 9, 13, 2, 7}).reshape(2, 3);
        NDArray mask = m.ones(ids.getShape(), ids.getDataType());
        assertTrue(policy.forward(ids, mask, false).allClose(loaded.forward(ids, mask, false), 1e-6, 1e-6, false));
      }
      try (DecoderLm saved = DecoderLm.load(reference.resolve(AdapterBase.DIR), Device.cpu())) {
        assertSameBase(before, saved);
      }
    }

    Path crashed = dir.resolve("crashed");
    try (LoraModel policy = newPolicy(TinyRun.newDecoder())) {
      SelfIterativeTrainer t = TinyRun.builder(policy, crashed, FeedbackMode.PROCESS)
          .listener(new SelfIterativeListener() {
            @Override
            public void onPhaseStart(int iteration, Phase phase) {
              if (iteration == 2 && phase == Phase.TRAIN_PRM) {
                throw new IllegalStateException("simulated crash");
              }
            }
          }).build();
      assertThrows(IllegalStateException.class, t::run);
    }
    // a fresh policy over a fresh base, as after a restart: the adapters come back from the adapter folders
    try (LoraModel policy = newPolicy(TinyRun.newDecoder())) {
      Map<String, byte[]> before = snapshot(policy.base());
      SelfIterativeResult actual = TinyRun.builder(policy, crashed, FeedbackMode.PROCESS).build().run();
      assertSameBase(before, policy.base());
      for (int k = 0; k < 2; k++) {
        assertEquals(expected.iterations().get(k).evaluations(), actual.iterations().get(k).evaluations());
        assertEquals(expected.iterations().get(k).newExamples(), actual.iterations().get(k).newExamples());
      }
    }
    for (String f : List.of("samples.jsonl", "labels.jsonl", "scores.jsonl", "dataset.jsonl")) {
      assertEquals(Files.readString(reference.resolve("iteration-02").resolve(f)),
          Files.readString(crashed.resolve("iteration-02").resolve(f)), f);
    }
    String adapters = "iteration-02/policy/" + LoraModel.WEIGHTS_FILE;
    assertArrayEquals(Files.readAllBytes(reference.resolve(adapters)), Files.readAllBytes(crashed.resolve(adapters)),
        "final adapters");

    // resuming on another base is refused before any work
    try (LoraModel other = LoraModel.create(TinyRun.newDecoder(99), LORA, 17)) {
      IllegalStateException e = assertThrows(IllegalStateException.class,
          () -> TinyRun.builder(other, crashed, FeedbackMode.PROCESS).iterations(3).build().run());
      assertTrue(e.getMessage().contains("other parameters than the base this run started with"), e.getMessage());
    }
  }

  /** Policies are adapter folders naming the saved base; every tensor the iterations wrote is an adapter or head. */
  private static void checkFolders(Path run, LoraModel policy) throws IOException {
    Path base = run.resolve(AdapterBase.DIR).toAbsolutePath().normalize();
    assertTrue(Files.isRegularFile(run.resolve(AdapterBase.FILE)));
    List<Path> policies = new ArrayList<>(List.of(run.resolve(SelfIterativeTrainer.INITIAL_POLICY_DIR)));
    for (int k = 1; k <= 2; k++) {
      policies.add(run.resolve(String.format("iteration-%02d", k)).resolve(SelfIterativeTrainer.POLICY_DIR));
      policies.add(run.resolve(String.format("iteration-%02d", k)).resolve("prm/backbone"));
    }
    for (Path p : policies) {
      assertTrue(Files.isRegularFile(p.resolve(LoraModel.WEIGHTS_FILE)), p.toString());
      assertFalse(Files.exists(p.resolve("model.safetensors")), p + " holds no full model");
      String name = JsonParser.parseString(Files.readString(p.resolve(LoraModel.CONFIG_FILE),
          StandardCharsets.UTF_8)).getAsJsonObject().get("base_model_name_or_path").getAsString();
      assertEquals(base.toString(), name, p.toString());
    }
    List<Path> tensors;
    try (Stream<Path> files = Files.walk(run)) {
      tensors = files.filter(f -> f.toString().endsWith(".safetensors") && !f.startsWith(run.resolve(AdapterBase.DIR)))
          .toList();
    }
    assertTrue(tensors.size() >= 10, "policies, checkpoints and PRMs: " + tensors);
    for (Path f : tensors) {
      try (SafetensorsFile file = SafetensorsFile.open(f)) {
        for (String key : file.tensors().keySet()) {
          boolean stepCount = key.equals("step") && file.tensor(key).shape().size() <= 1;
          boolean head = key.contains("head.") || f.getFileName().toString().equals("head.safetensors");
          assertTrue(key.contains(".lora_A.") || key.contains(".lora_B.") || head || stepCount,
              f + " holds " + key + ", which is neither an adapter, the PRM's head nor the optimizer's step count");
        }
      }
    }
    assertEquals(2 * policy.adaptedModules().size(), policy.trainableParameters().size());
  }

  /** The PRM's own adapters (rank 2 here, the paper's 16) sit on the policy's frozen base, not on its adapters. */
  @Test
  void theProcessRewardModelTrainsAdaptersOfItsOwn(@TempDir Path dir) throws IOException {
    LoraConfig prmLora = LoraConfig.builder().r(2).loraAlpha(4).build();
    Path run = dir.resolve("run");
    try (LoraModel policy = newPolicy(TinyRun.newDecoder())) {
      Map<String, byte[]> before = snapshot(policy.base());
      SelfIterativeResult r = TinyRun.builder(policy, run, FeedbackMode.PROCESS).iterations(1).prmAdapters(prmLora)
          .build().run();
      assertSameBase(before, policy.base());
      assertEquals(1, r.iterations().size());
    }
    Path backbone = run.resolve("iteration-01/prm/backbone");
    var config = JsonParser.parseString(Files.readString(backbone.resolve(LoraModel.CONFIG_FILE),
        StandardCharsets.UTF_8)).getAsJsonObject();
    assertEquals(2, config.get("r").getAsInt(), "the PRM's own rank, not the policy's 4");
    assertEquals(run.resolve(AdapterBase.DIR).toAbsolutePath().normalize().toString(),
        config.get("base_model_name_or_path").getAsString());
    boolean fractional = false; // the learned PRM's probabilities, not outcome scores of 0 or 1
    for (String line : Files.readAllLines(run.resolve("iteration-01/scores.jsonl"))) {
      for (var v : JsonParser.parseString(line).getAsJsonObject().getAsJsonArray("scores")) {
        fractional |= v.getAsDouble() > 0 && v.getAsDouble() < 1;
      }
    }
    assertTrue(fractional, "the PRM scored the samples");
    assertTrue(Files.readString(run.resolve("run.json")).contains("\"prm_adapters\": \"" + prmLora + "\""));
    // a resumed run must keep the setting
    try (LoraModel policy = newPolicy(TinyRun.newDecoder())) {
      IllegalStateException e = assertThrows(IllegalStateException.class,
          () -> TinyRun.builder(policy, run, FeedbackMode.PROCESS).iterations(2).build().run());
      assertTrue(e.getMessage().contains("prm_adapters: " + prmLora + " -> none"), e.getMessage());
    }
  }

  @Test
  void prmAdaptersNeedALoraPolicyAndALearnedPrm(@TempDir Path dir) {
    LoraConfig prmLora = LoraConfig.builder().r(2).build();
    try (DecoderLm full = TinyRun.newDecoder()) {
      IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
          () -> TinyRun.builder(full, dir, FeedbackMode.PROCESS).prmAdapters(prmLora).build());
      assertTrue(e.getMessage().contains("the policy must train LoRA adapters (a LoraModel), not DecoderLm"),
          e.getMessage());
    }
    try (LoraModel policy = newPolicy(TinyRun.newDecoder())) {
      IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
          () -> TinyRun.builder(policy, dir, FeedbackMode.OUTCOME).prmAdapters(prmLora).build());
      assertTrue(e.getMessage().contains("prmAdapters applies to a learned process reward model"), e.getMessage());
    }
  }

  @Test
  void aMergedPolicyIsRefusedAtBuild(@TempDir Path dir) {
    try (LoraModel policy = newPolicy(TinyRun.newDecoder())) {
      policy.merge();
      IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
          () -> TinyRun.builder(policy, dir, FeedbackMode.PROCESS).build());
      assertTrue(e.getMessage().contains("merged into its base"), e.getMessage());
    }
  }

  @Test
  void aBaseLoadedFromAFolderIsReferredToWhereItIs(@TempDir Path dir) throws IOException {
    Path baseDir = dir.resolve("base");
    try (DecoderLm lm = TinyRun.newDecoder()) {
      lm.save(baseDir);
    }
    Path run = dir.resolve("run");
    try (LoraModel policy = newPolicy(DecoderLm.load(baseDir, Device.cpu()))) {
      TinyRun.builder(policy, run, FeedbackMode.OUTCOME).iterations(1).build().run();
    }
    assertFalse(Files.exists(run.resolve(AdapterBase.DIR)), "the base is not copied");
    String name = JsonParser.parseString(Files.readString(run.resolve("iteration-01/policy")
        .resolve(LoraModel.CONFIG_FILE))).getAsJsonObject().get("base_model_name_or_path").getAsString();
    assertEquals(baseDir.toAbsolutePath().normalize().toString(), name);
  }
}
