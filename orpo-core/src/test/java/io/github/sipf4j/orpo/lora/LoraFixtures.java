package io.github.sipf4j.orpo.lora;

import ai.djl.Device;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.nn.Parameter;
import ai.djl.util.Pair;
import com.google.gson.JsonObject;
import com.google.gson.JsonParser;
import io.github.sipf4j.orpo.model.CausalLm;
import io.github.sipf4j.orpo.model.hf.HfCausalLm;
import io.github.sipf4j.orpo.model.hf.HfFixtures;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.URISyntaxException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;

/**
 * The PEFT adapter folders in {@code src/test/resources/hf-lora}, made by {@code scripts/make_hf_fixtures.py} on the
 * Hugging Face folders of {@link HfFixtures}, with the reference values of {@code scripts/hf_reference.py}.
 */
final class LoraFixtures {

  /** Every adapter fixture; each is named after its base folder. */
  static final List<String> ALL = List.of("llama", "phi", "gemma");

  private LoraFixtures() {}

  static Stream<String> all() {
    return ALL.stream();
  }

  static Path dir(String name) {
    try {
      return Path.of(LoraFixtures.class.getResource("/hf-lora/" + name + "/adapter_config.json").toURI())
          .getParent();
    } catch (URISyntaxException e) {
      throw new IllegalStateException(e);
    }
  }

  static JsonObject reference(String name) {
    try {
      return JsonParser.parseString(Files.readString(dir(name).resolve("reference.json"), StandardCharsets.UTF_8))
          .getAsJsonObject();
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  /** The fixture's base model, in float32. */
  static HfCausalLm base(String name) throws IOException {
    return HfCausalLm.load(HfFixtures.dir(reference(name).get("base").getAsString()), Device.cpu());
  }

  /** The fixture's adapter on its base. */
  static LoraModel adapted(String name) throws IOException {
    return LoraModel.load(base(name), dir(name));
  }

  /** Copies an adapter fixture (without its reference files) into {@code target}, for tests that change it. */
  static Path copy(String name, Path target) throws IOException {
    Files.createDirectories(target);
    for (String f : List.of(LoraModel.CONFIG_FILE, LoraModel.WEIGHTS_FILE)) {
      Files.copy(dir(name).resolve(f), target.resolve(f));
    }
    return target;
  }

  /** Every parameter of a model's block as float arrays, by name. */
  static Map<String, float[]> values(CausalLm lm) {
    Map<String, float[]> out = new LinkedHashMap<>();
    for (Pair<String, Parameter> p : lm.getBlock().getParameters()) {
      out.put(p.getKey(), p.getValue().getArray().toType(ai.djl.ndarray.types.DataType.FLOAT32, false)
          .toFloatArray());
    }
    return out;
  }

  /** The logits of fixed sequences (one left-padded), flattened. */
  static float[] logits(CausalLm lm) {
    try (NDManager m = lm.getManager().newSubManager()) {
      NDArray ids = m.create(new long[][] {{1, 20, 21, 22, 23, 24}, {3, 3, 1, 30, 31, 32}});
      NDArray mask = m.create(new long[][] {{1, 1, 1, 1, 1, 1}, {0, 0, 1, 1, 1, 1}});
      return lm.forward(ids, mask, false).toFloatArray();
    }
  }

  static float maxAbsDiff(float[] a, float[] b) {
    float max = 0;
    for (int i = 0; i < a.length; i++) {
      max = Math.max(max, Math.abs(a[i] - b[i]));
    }
    return max;
  }
}
