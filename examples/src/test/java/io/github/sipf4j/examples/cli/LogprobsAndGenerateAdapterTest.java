package io.github.sipf4j.examples.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ai.djl.Device;
import com.google.gson.JsonArray;
import com.google.gson.JsonObject;
import com.google.gson.JsonParser;
import io.github.sipf4j.orpo.lora.LoraModel;
import io.github.sipf4j.orpo.model.hf.HfCausalLm;
import java.io.StringWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code sipf4j logprobs} and {@code sipf4j generate} with {@code --adapter DIR} on the tiny llama folder and its PEFT
 * adapter (orpo-core's test fixtures): the same log-probs and greedy text as the merged model, other log-probs than
 * the base alone, and a folder that is no adapter is a clear error.
 */
class LogprobsAndGenerateAdapterTest {

  private static final Path RESOURCES = Path.of("../orpo-core/src/test/resources");
  private static final Path BASE = RESOURCES.resolve("hf/llama");
  private static final Path ADAPTER = RESOURCES.resolve("hf-lora/llama");
  private StringWriter out = new StringWriter();
  private StringWriter err = new StringWriter();

  private int run(String... args) {
    CliRun r = CliRun.of(args);
    out = r.out;
    err = r.err;
    return r.exitCode;
  }

  /** Every line's {@code field}, flattened. */
  private static List<Float> values(Path jsonl, String field) throws Exception {
    List<Float> v = new ArrayList<>();
    for (String line : Files.readAllLines(jsonl)) {
      JsonObject o = JsonParser.parseString(line).getAsJsonObject();
      JsonArray a = o.getAsJsonArray(field);
      a.forEach(x -> v.add(x.getAsFloat()));
    }
    return v;
  }

  private static float maxAbsDiff(List<Float> a, List<Float> b) {
    assertEquals(a.size(), b.size());
    float d = 0;
    for (int i = 0; i < a.size(); i++) {
      d = Math.max(d, Math.abs(a.get(i) - b.get(i)));
    }
    return d;
  }

  @Test
  void anAdapterGivesTheMergedModelsLogprobsAndText(@TempDir Path dir) throws Exception {
    Path merged = dir.resolve("merged");
    try (LoraModel lm = LoraModel.load(HfCausalLm.load(BASE, Device.cpu()), ADAPTER)) {
      lm.saveMerged(merged);
    }
    Path in = dir.resolve("in.jsonl");
    Files.writeString(in, "{\"input_ids\": [1, 9, 14, 20, 11, 30]}\n{\"input_ids\": [1, 12, 13]}\n");
    assertEquals(0, run("logprobs", "--model", BASE.toString(), "--adapter", ADAPTER.toString(), "--input",
        in.toString(), "--out", dir.resolve("a.jsonl").toString()), err.toString());
    assertEquals(0, run("logprobs", "--model", merged.toString(), "--input", in.toString(), "--out",
        dir.resolve("m.jsonl").toString()), err.toString());
    assertEquals(0, run("logprobs", "--model", BASE.toString(), "--input", in.toString(), "--out",
        dir.resolve("b.jsonl").toString()), err.toString());
    List<Float> adapted = values(dir.resolve("a.jsonl"), "token_logprobs");
    assertTrue(maxAbsDiff(adapted, values(dir.resolve("m.jsonl"), "token_logprobs")) < 1e-4f, "as merged");
    assertTrue(maxAbsDiff(adapted, values(dir.resolve("b.jsonl"), "token_logprobs")) > 1e-3f, "not as the base");

    assertEquals(0, run("generate", "--model", BASE.toString(), "--adapter", ADAPTER.toString(), "--input",
        in.toString(), "--max-new-tokens", "6", "--temperature", "0", "--out", dir.resolve("ga.jsonl").toString()),
        err.toString());
    assertEquals(0, run("generate", "--model", merged.toString(), "--input", in.toString(), "--max-new-tokens", "6",
        "--temperature", "0", "--out", dir.resolve("gm.jsonl").toString()), err.toString());
    assertEquals(values(dir.resolve("gm.jsonl"), "output_ids"), values(dir.resolve("ga.jsonl"), "output_ids"));
  }

  @Test
  void aFolderThatIsNoAdapterIsAClearError(@TempDir Path dir) throws Exception {
    Path in = dir.resolve("in.jsonl");
    Files.writeString(in, "{\"input_ids\": [1, 9, 14]}\n");
    assertEquals(2, run("logprobs", "--model", BASE.toString(), "--adapter", dir.resolve("none").toString(),
        "--input", in.toString()));
    assertTrue(err.toString().contains("not a PEFT adapter folder"), err.toString());
    assertEquals(2, run("generate", "--model", RESOURCES.resolve("hf/qwen2").toString(), "--adapter",
        ADAPTER.toString(), "--input", in.toString(), "--max-new-tokens", "2"));
    assertTrue(err.toString().contains("base_model_name_or_path"), err.toString());
  }
}
