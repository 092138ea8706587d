package io.github.sipf4j.examples.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ai.djl.Device;
import com.google.gson.JsonObject;
import com.google.gson.JsonParser;
import io.github.sipf4j.orpo.lora.LoraModel;
import io.github.sipf4j.orpo.model.hf.HfCausalLm;
import java.io.StringWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code sipf4j evaluate --model DIR --adapter DIR} on the tiny llama folder and its PEFT adapter (orpo-core's test
 * fixtures): greedy outputs equal those of the merged model, and a missing or mismatched adapter is a clear error.
 */
class EvaluateAdapterTest {

  private static final Path RESOURCES = Path.of("../orpo-core/src/test/resources");
  private StringWriter out = new StringWriter();
  private StringWriter err = new StringWriter();

  private int run(String... args) {
    CliRun r = CliRun.of(args);
    out = r.out;
    err = r.err;
    return r.exitCode;
  }

  @Test
  void anAdapterOnAModelGivesTheMergedModelsAnswers(@TempDir Path dir) throws Exception {
    Path base = RESOURCES.resolve("hf/llama");
    Path adapter = RESOURCES.resolve("hf-lora/llama");
    Path merged = dir.resolve("merged");
    try (LoraModel lm = LoraModel.load(HfCausalLm.load(base, Device.cpu()), adapter)) {
      lm.saveMerged(merged);
    }
    Path tasks = dir.resolve("tasks.jsonl");
    Files.writeString(tasks, "{\"question\": \"the cat is in\", \"answer\": \"in\\n#### 3\"}\n"
        + "{\"question\": \"1+2=\", \"answer\": \"#### 3\"}\n");
    assertEquals(0, run("evaluate", "--model", base.toString(), "--adapter", adapter.toString(), "--tasks",
        tasks.toString(), "--max-new-tokens", "5", "--predictions", dir.resolve("a.jsonl").toString()),
        err.toString());
    JsonObject result = JsonParser.parseString(out.toString()).getAsJsonObject();
    assertEquals(2, result.get("n").getAsInt());
    assertEquals(adapter.toString(), result.get("adapter").getAsString());
    assertEquals(0, run("evaluate", "--model", merged.toString(), "--tasks", tasks.toString(), "--max-new-tokens",
        "5", "--predictions", dir.resolve("m.jsonl").toString()), err.toString());
    assertEquals(Files.readString(dir.resolve("m.jsonl")), Files.readString(dir.resolve("a.jsonl")));
    assertEquals(0, run("evaluate", "--model", base.toString(), "--tasks", tasks.toString(), "--max-new-tokens", "5",
        "--predictions", dir.resolve("b.jsonl").toString()), err.toString());
    assertTrue(!Files.readString(dir.resolve("b.jsonl")).equals(Files.readString(dir.resolve("a.jsonl"))),
        "the adapter changes the answers");
  }

  @Test
  void aMissingOrMismatchedAdapterIsAClearError(@TempDir Path dir) throws Exception {
    Path tasks = dir.resolve("tasks.jsonl");
    Files.writeString(tasks, "{\"question\": \"1+2=\", \"answer\": \"#### 3\"}\n");
    assertEquals(2, run("evaluate", "--model", RESOURCES.resolve("hf/llama").toString(), "--adapter",
        dir.resolve("none").toString(), "--tasks", tasks.toString()));
    assertTrue(err.toString().contains("not a PEFT adapter folder"), err.toString());
    assertEquals(2, run("evaluate", "--model", RESOURCES.resolve("hf/qwen2").toString(), "--adapter",
        RESOURCES.resolve("hf-lora/llama").toString(), "--tasks", tasks.toString()));
    assertTrue(err.toString().contains("base_model_name_or_path"), err.toString());
  }
}
