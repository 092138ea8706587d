package io.github.sipf4j.orpo.model.hf;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ai.djl.Device;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.nn.Parameter;
import ai.djl.util.Pair;
import com.google.gson.JsonArray;
import com.google.gson.JsonObject;
import com.google.gson.JsonParser;
import io.github.sipf4j.orpo.loss.OrpoLoss;
import io.github.sipf4j.orpo.train.OptimizerConfig;
import io.github.sipf4j.orpo.train.OrpoTrainer;
import io.github.sipf4j.orpo.train.TrainerConfig;
import io.github.sipf4j.orpo.util.SafetensorsFile;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/** Saving writes a Hugging Face folder: it loads back bit for bit, shards and bfloat16 included, and PyTorch reads it. */
class HfSaveLoadTest {

  @ParameterizedTest(name = "{0}")
  @MethodSource("io.github.sipf4j.orpo.model.hf.HfFixtures#all")
  void saveThenLoadIsBitIdentical(String name, @TempDir Path dir) throws IOException {
    Path source = HfFixtures.dir(name);
    try (HfCausalLm lm = HfCausalLm.load(source, Device.cpu())) {
      lm.save(dir);
      try (HfCausalLm again = HfCausalLm.load(dir, Device.cpu())) {
        assertSameParameters(lm, again);
        assertArrayEquals(logits(lm), logits(again), name + " logits");
      }
    }
    JsonObject before = json(source.resolve("config.json"));
    JsonObject after = json(dir.resolve("config.json"));
    assertEquals("float32", after.get("torch_dtype").getAsString());
    before.remove("torch_dtype");
    after.remove("torch_dtype");
    assertEquals(before, after, name + ": config.json is carried over");
    for (String f : List.of("tokenizer.json", "tokenizer_config.json", "generation_config.json")) {
      assertArrayEquals(Files.readAllBytes(source.resolve(f)), Files.readAllBytes(dir.resolve(f)), f);
    }
    assertFalse(Files.exists(dir.resolve("reference.json")), "only the model's companion files are copied");
  }

  @Test
  void aLargeModelIsShardedWithAnIndexAndResavingUnshardedRemovesTheShards(@TempDir Path dir) throws IOException {
    try (HfCausalLm lm = HfCausalLm.load(HfFixtures.dir("llama"), Device.cpu())) {
      lm.save(dir, HfSaveOptions.builder().maxShardBytes(20_000).build());
      JsonObject index = json(dir.resolve("model.safetensors.index.json"));
      JsonObject weightMap = index.getAsJsonObject("weight_map");
      assertEquals(lm.getBlock().getParameters().size(), weightMap.size());
      long total = 0;
      for (Pair<String, Parameter> p : lm.getBlock().getParameters()) {
        total += p.getValue().getArray().size() * 4;
        assertTrue(weightMap.get(p.getKey()).getAsString().matches("model-0000\\d-of-0000\\d\\.safetensors"));
      }
      assertEquals(total, index.getAsJsonObject("metadata").get("total_size").getAsLong());
      assertFalse(Files.exists(dir.resolve("model.safetensors")));
      try (Stream<Path> files = Files.list(dir)) {
        List<Path> shards = files.filter(f -> f.getFileName().toString().startsWith("model-")).toList();
        assertTrue(shards.size() >= 4, "shards: " + shards);
        for (Path shard : shards) {
          try (SafetensorsFile f = SafetensorsFile.open(shard)) {
            assertEquals(Map.of("format", "pt"), f.metadata());
            long bytes = f.tensors().values().stream().mapToLong(SafetensorsFile.TensorInfo::byteLength).sum();
            assertTrue(bytes <= 20_000 || f.tensors().size() == 1, shard + " holds " + bytes + " bytes");
          }
        }
      }
      try (HfCausalLm again = HfCausalLm.load(dir, Device.cpu())) {
        assertSameParameters(lm, again);
      }
      lm.save(dir);
      try (Stream<Path> files = Files.list(dir)) {
        assertTrue(files.noneMatch(f -> f.getFileName().toString().startsWith("model-")));
      }
      assertFalse(Files.exists(dir.resolve("model.safetensors.index.json")));
      try (HfCausalLm again = HfCausalLm.load(dir, Device.cpu())) {
        assertSameParameters(lm, again);
      }
    }
  }

  /** A bfloat16 folder loads exactly into float32 and saves back as bfloat16 with the very same tensor bits. */
  @Test
  void aBfloat16FolderRoundTripsThroughFloat32(@TempDir Path dir) throws IOException {
    Path source = HfFixtures.dir("llama-bf16");
    try (HfCausalLm lm = HfCausalLm.load(source, Device.cpu())) {
      assertEquals(DataType.FLOAT32, lm.dtype());
      lm.save(dir, HfSaveOptions.builder().dtype(DataType.BFLOAT16).build());
    }
    assertEquals("bfloat16", json(dir.resolve("config.json")).get("torch_dtype").getAsString());
    try (SafetensorsFile want = SafetensorsFile.open(source.resolve("model.safetensors"));
        SafetensorsFile got = SafetensorsFile.open(dir.resolve("model.safetensors"));
        NDManager m = NDManager.newBaseManager(Device.cpu())) {
      assertEquals(want.tensors().keySet(), got.tensors().keySet());
      for (String name : want.tensors().keySet()) {
        assertEquals("BF16", got.tensor(name).dtype(), name);
        assertEquals(want.tensor(name).shape(), got.tensor(name).shape(), name);
        assertArrayEquals(want.read(name, m).toFloatArray(), got.read(name, m).toFloatArray(), name);
      }
    }
  }

  /**
   * Folders saved after training (sharded float32, bfloat16, float16) load in the PyTorch reference, strictly (Hugging
   * Face's names and shapes, config.json's torch_dtype) and give the log-probs this library computes on them.
   */
  @Test
  void savedFoldersAreReadByThePyTorchReference(@TempDir Path dir) throws Exception {
    String python = Files.isExecutable(Path.of("/usr/bin/python3")) ? "/usr/bin/python3" : "python3";
    Path script = repositoryRoot().resolve("scripts").resolve("make_hf_fixtures.py");
    List<String> command = new ArrayList<>(List.of(python, script.toString()));
    String[][] cases = {{"llama", "F32"}, {"phi", "BF16"}, {"gemma", "F16"}, {"qwen2", "F32"}};
    for (String[] c : cases) {
      Path out = dir.resolve(c[0]);
      JsonObject ref = HfFixtures.reference(c[0]);
      try (HfCausalLm lm = HfCausalLm.load(HfFixtures.dir(c[0]), Device.cpu())) {
        new OrpoTrainer(lm, TrainerConfig.builder().batchSize(2).maxSteps(1).progressBar(false)
            .optimizer(OptimizerConfig.builder().learningRate(1e-2f).build()).build(), OrpoLoss.builder().build(),
            ref.getAsJsonObject("orpo").get("pad_id").getAsLong()).fit(HfFixtures.pairs(ref));
        DataType type = c[1].equals("F32") ? DataType.FLOAT32 : c[1].equals("F16") ? DataType.FLOAT16
            : DataType.BFLOAT16;
        lm.save(out, HfSaveOptions.builder().dtype(type).maxShardBytes(c[0].equals("llama") ? 20_000
            : HfSaveOptions.DEFAULT_MAX_SHARD_BYTES).build());
      }
      JsonObject expect = new JsonObject();
      expect.add("sequences", ref.get("sequences"));
      try (HfCausalLm saved = HfCausalLm.load(out, Device.cpu())) {
        JsonArray lps = new JsonArray();
        for (double[] row : HfFixtures.tokenLogProbs(saved, HfFixtures.rows(ref.get("sequences")), 0, false)) {
          JsonArray r = new JsonArray();
          for (double x : row) {
            r.add(x);
          }
          lps.add(r);
        }
        expect.add("token_logprobs", lps);
      }
      Path expectFile = dir.resolve(c[0] + "-expect.json");
      Files.writeString(expectFile, expect.toString(), StandardCharsets.UTF_8);
      command.addAll(List.of("--check", out.toString(), "--expect", expectFile.toString()));
    }
    String output;
    int exit;
    try {
      Process p = new ProcessBuilder(command).redirectErrorStream(true).start();
      output = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
      assertTrue(p.waitFor(120, TimeUnit.SECONDS), "the reference did not finish");
      exit = p.exitValue();
    } catch (IOException e) {
      output = e.toString();
      exit = -1;
    }
    Assumptions.assumeFalse(exit != 0 && (output.contains("No module named 'torch'") || output.contains("error=2,")),
        python + " cannot import torch (install python3-torch): the PyTorch reference cannot check saved folders: "
            + output);
    assertEquals(0, exit, output);
    JsonObject result = JsonParser.parseString(output.substring(output.lastIndexOf("{\"ok\""))).getAsJsonObject();
    assertTrue(result.get("ok").getAsBoolean(), output);
    assertEquals(cases.length, result.getAsJsonArray("results").size());
  }

  static Path repositoryRoot() {
    Path d = Path.of("").toAbsolutePath();
    while (d != null && !Files.isRegularFile(d.resolve("scripts").resolve("make_hf_fixtures.py"))) {
      d = d.getParent();
    }
    if (d == null) {
      throw new IllegalStateException("scripts/make_hf_fixtures.py not found above " + Path.of("").toAbsolutePath());
    }
    return d;
  }

  private static JsonObject json(Path file) throws IOException {
    return JsonParser.parseString(Files.readString(file, StandardCharsets.UTF_8)).getAsJsonObject();
  }

  private static void assertSameParameters(HfCausalLm a, HfCausalLm b) {
    List<Pair<String, Parameter>> pa = a.getBlock().getParameters().stream().toList();
    List<Pair<String, Parameter>> pb = b.getBlock().getParameters().stream().toList();
    assertEquals(pa.size(), pb.size());
    for (int i = 0; i < pa.size(); i++) {
      assertEquals(pa.get(i).getKey(), pb.get(i).getKey());
      NDArray x = pa.get(i).getValue().getArray();
      NDArray y = pb.get(i).getValue().getArray();
      assertEquals(x.getShape(), y.getShape(), pa.get(i).getKey());
      assertArrayEquals(x.toFloatArray(), y.toFloatArray(), pa.get(i).getKey());
    }
  }

  private static float[] logits(HfCausalLm lm) {
    try (NDManager m = lm.getManager().newSubManager()) {
      NDArray ids = m.create(new long[][] {{1, 20, 31, 9, 50}, {1, 11, 3, 3, 3}});
      NDArray mask = m.create(new long[][] {{1, 1, 1, 1, 1}, {1, 1, 0, 0, 0}});
      return lm.forward(ids, mask, false).toFloatArray();
    }
  }
}
