package io.github.sipf4j.orpo.model.hf;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ai.djl.Device;
import ai.djl.ndarray.BaseNDManager;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import com.google.gson.JsonObject;
import com.google.gson.JsonParser;
import io.github.sipf4j.orpo.model.CausalLms;
import io.github.sipf4j.orpo.model.LoadOptions;
import io.github.sipf4j.orpo.util.SafetensorsFile;
import java.io.IOException;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.function.Consumer;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Bad folders fail at load with an error naming the file and the field or tensor, and leave nothing behind: no array
 * allocated, no file open.
 */
class HfLoadErrorsTest {

  @TempDir
  Path dir;

  private int copies;

  /** Loads the folder expecting a failure; checks that no array and no file descriptor outlives it. */
  private IOException failure(Path folder) throws IOException {
    long arrays = liveArrays();
    long files = openFiles();
    IOException e = assertThrows(IOException.class, () -> CausalLms.load(folder, Device.cpu()).close());
    assertEquals(arrays, liveArrays(), "arrays left allocated by a failed load: " + e.getMessage());
    assertEquals(files, openFiles(), "files left open by a failed load: " + e.getMessage());
    return e;
  }

  private static long liveArrays() {
    try (NDManager probe = NDManager.newBaseManager(Device.cpu())) {
      return ((BaseNDManager) probe.getParentManager()).getManagedArrays().size();
    }
  }

  /** Counts this process's open file descriptors that point into the test's folder (Linux; 0 elsewhere). */
  private long openFiles() throws IOException {
    Path fds = Path.of("/proc/self/fd");
    if (!Files.isDirectory(fds)) {
      return 0;
    }
    Path root = dir.toRealPath();
    try (Stream<Path> s = Files.list(fds)) {
      return s.filter(fd -> {
        try {
          return Files.readSymbolicLink(fd).startsWith(root);
        } catch (IOException | UnsupportedOperationException e) {
          return false; // closed while listing, or not a link
        }
      }).count();
    }
  }

  private Path withConfig(String fixture, Consumer<JsonObject> edit) throws IOException {
    Path folder = HfFixtures.copy(fixture, dir.resolve(fixture + "-" + copies++));
    JsonObject config = JsonParser.parseString(Files.readString(folder.resolve("config.json"))).getAsJsonObject();
    edit.accept(config);
    Files.writeString(folder.resolve("config.json"), config.toString(), StandardCharsets.UTF_8);
    return folder;
  }

  /** Rewrites model.safetensors with one tensor removed or replaced. */
  private Path withWeights(String name, NDArray replacement) throws IOException {
    Path folder = HfFixtures.copy("llama", dir.resolve("llama"));
    Path file = folder.resolve("model.safetensors");
    try (NDManager m = NDManager.newBaseManager(Device.cpu());
        SafetensorsFile f = SafetensorsFile.open(file)) {
      Map<String, NDArray> arrays = new LinkedHashMap<>();
      for (String n : f.tensors().keySet()) {
        if (!n.equals(name)) {
          arrays.put(n, f.read(n, m));
        } else if (replacement != null) {
          arrays.put(n, replacement.toType(DataType.FLOAT32, false).toDevice(Device.cpu(), false));
        }
      }
      SafetensorsFile.write(file, arrays);
    }
    return folder;
  }

  @Test
  void anUnknownModelTypeNamesTheSupportedOnes() throws IOException {
    IOException e = failure(withConfig("llama", c -> c.addProperty("model_type", "gpt2")));
    assertInstanceOf(HfFormatException.class, e);
    assertTrue(e.getMessage().contains("config.json: field 'model_type': \"gpt2\" is not supported; supported: "
        + "\"llama\", \"mistral\", \"qwen2\", \"gemma\", \"phi\""), e.getMessage());
  }

  @Test
  void anUnsupportedRopeScalingNamesFieldValueAndTheSupportedTypes() throws IOException {
    IOException e = failure(withConfig("llama", c -> c.add("rope_scaling",
        JsonParser.parseString("{\"rope_type\": \"yarn\", \"factor\": 4.0}"))));
    assertTrue(e.getMessage().contains("field 'rope_scaling.rope_type': \"yarn\" is not supported; supported: none, "
        + "\"default\", \"linear\", \"llama3\""), e.getMessage());
    e = failure(withConfig("llama", c -> c.add("rope_scaling",
        JsonParser.parseString("{\"rope_type\": \"llama3\", \"factor\": 8.0}"))));
    assertTrue(e.getMessage().contains("field 'rope_scaling.low_freq_factor': is required"), e.getMessage());
  }

  @Test
  void slidingWindowsSoftCappingAndQuantizationAreRefused() throws IOException {
    IOException e = failure(withConfig("qwen2", c -> c.addProperty("use_sliding_window", true)));
    assertTrue(e.getMessage().contains("field 'use_sliding_window': true is not supported; supported: false"),
        e.getMessage());
    e = failure(withConfig("gemma", c -> c.addProperty("final_logit_softcapping", 30.0)));
    assertTrue(e.getMessage().contains("field 'final_logit_softcapping': 30.0 is not supported"), e.getMessage());
    e = failure(withConfig("llama", c -> c.add("quantization_config",
        JsonParser.parseString("{\"quant_method\": \"bitsandbytes\"}"))));
    assertTrue(e.getMessage().contains("field 'quantization_config'"), e.getMessage());
    e = failure(withConfig("llama", c -> c.addProperty("hidden_act", "relu2")));
    assertTrue(e.getMessage().contains("field 'hidden_act': \"relu2\" is not supported; supported: \"silu\""),
        e.getMessage());
    e = failure(withConfig("llama", c -> c.addProperty("num_key_value_heads", 3)));
    assertTrue(e.getMessage().contains("field 'num_key_value_heads': 3 does not divide num_attention_heads 4"),
        e.getMessage());
  }

  @Test
  void aMissingTensorIsNamedWithTheShapeTheConfigNeeds() throws IOException {
    Path folder = withWeights("model.layers.1.mlp.up_proj.weight", null);
    IOException e = failure(folder);
    assertEquals(folder.resolve("model.safetensors") + ": tensor 'model.layers.1.mlp.up_proj.weight': is missing; "
        + "config.json's llama with 2 layers needs it with shape (48, 32)", e.getMessage());
  }

  @Test
  void aMisshapenTensorIsNamedWithBothShapes() throws IOException {
    try (NDManager m = NDManager.newBaseManager(Device.cpu())) {
      Path folder = withWeights("model.layers.0.self_attn.q_proj.weight", m.zeros(new ai.djl.ndarray.types.Shape(16,
          32)));
      IOException e = failure(folder);
      assertEquals(folder.resolve("model.safetensors") + ": tensor 'model.layers.0.self_attn.q_proj.weight': has "
          + "shape (16, 32), config.json needs (32, 32)", e.getMessage());
    }
  }

  @Test
  void aTruncatedFileIsReportedBeforeAnythingIsRead() throws IOException {
    Path folder = HfFixtures.copy("llama", dir.resolve("llama"));
    Path file = folder.resolve("model.safetensors");
    try (FileChannel ch = FileChannel.open(file, StandardOpenOption.WRITE)) {
      ch.truncate(ch.size() - 100);
    }
    IOException e = failure(folder);
    assertTrue(e.getMessage().startsWith(file + ": truncated: tensor "), e.getMessage());
    assertTrue(e.getMessage().contains("but the file holds only"), e.getMessage());
    try (FileChannel ch = FileChannel.open(file, StandardOpenOption.WRITE)) {
      ch.truncate(20);
    }
    e = failure(folder);
    assertTrue(e.getMessage().startsWith(file + ": truncated: the header needs"), e.getMessage());
  }

  @Test
  void aShardIndexPointingAtAMissingFileNamesIndexTensorAndShard() throws IOException {
    Path folder = HfFixtures.copy("llama-sharded", dir.resolve("sharded"));
    Files.delete(folder.resolve("model-00002-of-00003.safetensors"));
    IOException e = failure(folder);
    assertTrue(e.getMessage().startsWith(folder.resolve("model.safetensors.index.json") + ": field 'weight_map."),
        e.getMessage());
    assertTrue(e.getMessage().contains("points to shard \"model-00002-of-00003.safetensors\", which does not exist"),
        e.getMessage());
  }

  @Test
  void aFolderWithoutSafetensorsSaysWhatItLooksFor() throws IOException {
    Path folder = HfFixtures.copy("llama", dir.resolve("bin"));
    Files.move(folder.resolve("model.safetensors"), folder.resolve("pytorch_model.bin"));
    IOException e = failure(folder);
    assertTrue(e.getMessage().contains("no model.safetensors or model.safetensors.index.json (pytorch_model.bin is a "
        + "pickle"), e.getMessage());
  }

  @Test
  void bfloat16ComputeIsRefusedWithTheReason() {
    IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
        () -> LoadOptions.builder().dtype(DataType.BFLOAT16).build());
    assertTrue(e.getMessage().contains("DJL 0.36's PyTorch engine cannot hold bfloat16 arrays"), e.getMessage());
  }
}
