package io.github.sipf4j.examples.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import com.google.gson.JsonObject;
import com.google.gson.JsonParser;
import io.github.sipf4j.prm.data.Gsm8kLoader;
import io.github.sipf4j.prm.synthetic.SyntheticRegime;
import io.github.sipf4j.prm.task.ReasoningTask;
import io.github.sipf4j.prm.task.TaskSet;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class CodeAndSyntheticCommandsTest {
  @TempDir Path dir;

  private static Path shared(String relative) {
    String prop = System.getProperty("sipf4j.shared.dir");
    if (prop != null && Files.isDirectory(Path.of(prop, "datasets"))) {
      return Path.of(prop, "datasets", relative);
    }
    for (Path p = Path.of("").toAbsolutePath(); p != null; p = p.getParent()) {
      if (Files.isDirectory(p.resolve("shared/datasets"))) {
        return p.resolve("shared/datasets").resolve(relative);
      }
    }
    assumeTrue(false, "shared/datasets is absent");
    return null;
  }

  @Test
  void generateSyntheticWritesGsm8kJsonl() throws Exception {
    Path file = dir.resolve("ood.jsonl");
    CliRun wrote = CliRun.of("generate-synthetic", "--split", "ood-wording", "--count", "25", "--seed", "3", "--out",
        file.toString());
    assertEquals(0, wrote.exitCode, wrote.err.toString());
    assertTrue(wrote.out.toString().contains("wrote 25 tasks of split ood-wording"), wrote.out.toString());
    TaskSet back = Gsm8kLoader.standard().load(file);
    assertEquals(25, back.size());
    assertTrue(back.get(0).goldSteps().get(back.get(0).goldSteps().size() - 1).startsWith("The answer is "));
    List<String> again = Files.readAllLines(file);
    assertEquals(0, CliRun.of("generate-synthetic", "--split", "ood-wording", "--count", "25", "--seed", "3", "--out",
        file.toString()).exitCode);
    assertEquals(again, Files.readAllLines(file), "same seed, same file");
    fails("unknown synthetic split 'train'", "generate-synthetic", "--split", "train", "--count", "5", "--out",
        file.toString());
    fails("use in-domain, validation, ood-distractors, ood-length", "generate-synthetic", "--regime", "distractors",
        "--split", "ood-wording", "--count", "5", "--out", file.toString());
    fails("unknown synthetic regime 'algebra'", "generate-synthetic", "--regime", "algebra", "--split", "in-domain",
        "--count", "5", "--out", file.toString());
    Path story = dir.resolve("story.jsonl");
    CliRun stories = CliRun.of("generate-synthetic", "--regime", "distractors", "--split", "ood-distractors",
        "--count", "7", "--seed", "4", "--out", story.toString());
    assertEquals(0, stories.exitCode, stories.err.toString());
    assertTrue(stories.out.toString().contains("wrote 7 tasks of split ood-distractors of the distractors regime"),
        stories.out.toString());
    assertEquals(SyntheticRegime.DISTRACTORS.generate("ood-distractors", 7, 4).tasks().stream()
        .map(ReasoningTask::prompt).toList(), Gsm8kLoader.standard().load(story).tasks().stream()
        .map(ReasoningTask::prompt).toList());
  }

  @Test
  void evaluateHumanEvalReferences() {
    CliRun run = CliRun.of("evaluate-code", "--dataset", shared("humaneval/HumanEval-sample10.jsonl.gz").toString(),
        "--reference", "--timeout-seconds", "5", "--workers", "2");
    assertEquals(0, run.exitCode, run.err.toString());
    JsonObject report = JsonParser.parseString(run.out.toString()).getAsJsonObject();
    assertEquals(10, report.get("tasks").getAsInt());
    assertEquals(1.0, report.getAsJsonObject("pass@1").get("estimate").getAsDouble(), 1e-12);
    assertEquals(10, report.getAsJsonObject("statuses").get("PASSED").getAsInt());
  }

  @Test
  void evaluateMbppCompletionsWithSeveralSamples() throws Exception {
    Path data = dir.resolve("mini-mbpp.json");
    Files.writeString(data, "[\n"
        + " {\"task_id\": 1, \"prompt\": \"Double.\", \"code\": \"def f(x):\\n  return 2*x\", \"test_imports\": [],"
        + " \"test_list\": [\"assert f(2) == 4\", \"assert f(0) == 0\"]},\n"
        + " {\"task_id\": 2, \"prompt\": \"Square.\", \"code\": \"def g(x):\\n  return x*x\", \"test_imports\": [\"import math\"],"
        + " \"test_list\": [\"assert g(3) == 9\"]}\n]\n");
    Path completions = dir.resolve("samples.jsonl");
    Files.writeString(completions, String.join("\n",
        "{\"task_id\": 1, \"completion\": \"def f(x):\\n  return x+x\"}",
        "{\"task_id\": \"Mbpp/1\", \"completion\": \"def f(x):\\n  return x+2\"}",
        "{\"task_id\": \"1\", \"completion\": \"```python\\ndef f(x):\\n  return 2*x\\n```\"}",
        "{\"task_id\": 2, \"completion\": \"def g(x):\\n  return x+5\"}",
        "{\"task_id\": 2, \"completion\": \"while True: pass\"}",
        "{\"task_id\": 2, \"completion\": \"def g(x) return 1\"}") + "\n");
    Path results = dir.resolve("results.jsonl");
    CliRun run = CliRun.of("evaluate-code", "--dataset", data.toString(), "--completions", completions.toString(),
        "--k", "1,3", "--timeout-seconds", "1.5", "--workers", "2", "--results", results.toString());
    assertEquals(0, run.exitCode, run.err.toString());
    JsonObject report = JsonParser.parseString(run.out.toString()).getAsJsonObject();
    assertEquals(6, report.get("samples").getAsInt());
    // Task 1: 2 of 3 pass, task 2: 0 of 3 -> pass@1 = (2/3 + 0) / 2, pass@3 = (1 + 0) / 2.
    assertEquals(1.0 / 3, report.getAsJsonObject("pass@1").get("estimate").getAsDouble(), 1e-12);
    assertEquals(0.5, report.getAsJsonObject("pass@3").get("estimate").getAsDouble(), 1e-12);
    JsonObject st = report.getAsJsonObject("statuses");
    assertEquals(2, st.get("PASSED").getAsInt());
    assertEquals(2, st.get("FAILED").getAsInt());
    assertEquals(1, st.get("TIMED_OUT").getAsInt());
    assertEquals(1, st.get("CRASHED").getAsInt());
    assertEquals(6, Files.readAllLines(results).size());
    assertTrue(Files.readAllLines(results).get(1).contains("assert f(0) == 0 -> AssertionError"));
  }

  @Test
  void evaluateRejectsUnknownTaskIdsWithTheLine() throws Exception {
    Path completions = dir.resolve("bad.jsonl");
    Files.writeString(completions, "{\"task_id\": \"HumanEval/0\", \"completion\": \"    return True\"}\n"
        + "{\"task_id\": \"HumanEval/999\", \"completion\": \"x\"}\n");
    fails("bad.jsonl:2: field 'task_id'", "evaluate-code", "--dataset",
        shared("humaneval/HumanEval-sample10.jsonl.gz").toString(), "--completions", completions.toString());
  }

  /** Runs a command that must fail with exit code 2 and checks that its standard error holds {@code expected}. */
  private static void fails(String expected, String... args) {
    CliRun run = CliRun.of(args);
    assertEquals(2, run.exitCode, "expected a failure: " + run.out);
    assertTrue(run.err.toString().contains(expected), run.err.toString());
  }
}
