package io.github.sipf4j.spark;

import ai.djl.Device;
import com.google.gson.Gson;
import com.google.gson.GsonBuilder;
import com.google.gson.JsonObject;
import com.google.gson.JsonParser;
import io.github.sipf4j.orpo.loss.NllScope;
import io.github.sipf4j.orpo.model.CausalLm;
import io.github.sipf4j.orpo.model.CausalLms;
import io.github.sipf4j.orpo.model.DecoderConfig;
import io.github.sipf4j.orpo.model.DecoderLm;
import io.github.sipf4j.orpo.model.PositionEncoding;
import io.github.sipf4j.orpo.sample.SamplingConfig;
import io.github.sipf4j.orpo.text.EncodedSequence;
import io.github.sipf4j.orpo.text.PromptTemplate;
import io.github.sipf4j.orpo.text.SequenceEncoder;
import io.github.sipf4j.orpo.text.TextTokenizer;
import io.github.sipf4j.orpo.train.LrScheduleType;
import io.github.sipf4j.orpo.train.OptimizerConfig;
import io.github.sipf4j.orpo.train.SftTrainer;
import io.github.sipf4j.orpo.train.TrainerConfig;
import io.github.sipf4j.orpo.util.CpuTuning;
import io.github.sipf4j.prm.iterate.FeedbackMode;
import io.github.sipf4j.prm.iterate.PolicyTrainingConfig;
import io.github.sipf4j.prm.iterate.SelfIterativeTrainer;
import io.github.sipf4j.prm.iterate.phase.RolloutShards;
import io.github.sipf4j.prm.process.SimulatorConfig;
import io.github.sipf4j.prm.rollout.RolloutEngine;
import io.github.sipf4j.prm.rollout.VerifierSpec;
import io.github.sipf4j.prm.synthetic.SyntheticSplit;
import io.github.sipf4j.prm.synthetic.SyntheticTaskGenerator;
import io.github.sipf4j.prm.task.ReasoningTask;
import io.github.sipf4j.prm.task.TaskSet;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.stream.Stream;
import org.apache.spark.sql.SparkSession;

/**
 * One iteration of the quickstart's rollouts (sampling, verification, Monte-Carlo simulation, greedy evaluation of
 * the starting and the updated policy) through one rollout engine: the loop's local engine, or Spark
 * {@code local[N]}. Each engine runs in a fresh JVM ({@code spark/scripts/benchmark.sh} runs all three and prints the
 * table); a run appends one JSON line to {@code OUT/results.jsonl}, and {@code --table} prints the table, the cost
 * per generated token and per simulated continuation, and the overheads. The loop's own phases (ORPO, one step here)
 * run in the driver as always.
 *
 * <p>Arguments: {@code --engine local|local[N]} (default local), {@code --out DIR}, sizes {@code --questions 400
 * --samples 4 --rollouts 4 --simulated 400 --eval 100 --max-new-tokens 200 --warm-steps 300 --seed 1}, shards
 * {@code --shards 50,100}; or {@code --table} with {@code --out}. The policy is the quickstart's model (4 layers of
 * width 96, character-level) after a short SFT warm start on gold rationales, trained once into {@code OUT/policy}.
 */
public final class SparkRolloutBenchmark {

  private static final Gson GSON = new GsonBuilder().setPrettyPrinting().create();
  private static final String[] ROLLOUT_PHASES = {"sample", "verify", "simulate", "evaluate"};

  private SparkRolloutBenchmark() {}

  /**
   * Runs one engine, or prints the table.
   *
   * @param args see the class documentation
   * @throws IOException if a file cannot be read or written
   */
  public static void main(String[] args) throws IOException {
    Map<String, String> a = new LinkedHashMap<>();
    for (int i = 0; i < args.length; i++) {
      if (args[i].equals("--table")) {
        a.put("table", "true");
      } else {
        a.put(args[i].substring(2), args[++i]);
      }
    }
    Path out = Path.of(a.getOrDefault("out", "spark-benchmark"));
    if (a.containsKey("table")) {
      printTable(out);
      return;
    }
    CpuTuning.apply();
    String engineName = a.getOrDefault("engine", "local");
    int questions = Integer.parseInt(a.getOrDefault("questions", "400"));
    int samples = Integer.parseInt(a.getOrDefault("samples", "4"));
    int rollouts = Integer.parseInt(a.getOrDefault("rollouts", "4"));
    int simulated = Integer.parseInt(a.getOrDefault("simulated", "400"));
    int evalTasks = Integer.parseInt(a.getOrDefault("eval", "100"));
    int maxNew = Integer.parseInt(a.getOrDefault("max-new-tokens", "200"));
    int warmSteps = Integer.parseInt(a.getOrDefault("warm-steps", "300"));
    long seed = Long.parseLong(a.getOrDefault("seed", "1"));
    String[] sh = a.getOrDefault("shards", "50,100").split(",");
    RolloutShards shards = new RolloutShards(Integer.parseInt(sh[0]), Integer.parseInt(sh[1]));

    Path policyDir = out.resolve("policy");
    if (!Files.exists(policyDir.resolve("config.json")) && !Files.exists(policyDir.resolve("model.safetensors"))) {
      warmStart(policyDir, warmSteps, seed);
    }
    TaskSet train = SyntheticTaskGenerator.generate(SyntheticSplit.IN_DOMAIN, questions, seed * 1000 + 1);
    Map<String, TaskSet> evals = new LinkedHashMap<>();
    evals.put("validation", SyntheticTaskGenerator.generate(SyntheticSplit.VALIDATION, evalTasks, seed * 1000 + 4));
    evals.put("in-domain", SyntheticTaskGenerator.generate(SyntheticSplit.IN_DOMAIN, evalTasks, seed * 1000 + 7));
    evals.put("ood-wording", SyntheticTaskGenerator.generate(SyntheticSplit.OOD_WORDING, evalTasks, seed * 1000 + 5));
    evals.put("ood-length", SyntheticTaskGenerator.generate(SyntheticSplit.OOD_LENGTH, evalTasks, seed * 1000 + 6));

    Path workDir = out.resolve("run-" + engineName.replaceAll("[^A-Za-z0-9]+", ""));
    deleteTree(workDir);
    double startup = 0;
    SparkSession spark = null;
    RolloutEngine engine = null;
    long t0 = System.nanoTime();
    if (!engineName.equals("local")) {
      spark = SparkSession.builder().master(engineName).appName("sipf4j-benchmark")
          .config("spark.ui.enabled", "false").config("spark.driver.host", "127.0.0.1")
          .config("spark.driver.bindAddress", "127.0.0.1").getOrCreate();
      startup = (System.nanoTime() - t0) / 1e9;
      engine = SparkRolloutEngine.builder().session(spark).build();
    }
    long r0 = System.nanoTime();
    try (TextTokenizer tok = TextTokenizer.fromFile(policyDir); CausalLm policy = CausalLms.load(policyDir,
        Device.cpu())) {
      SelfIterativeTrainer.Builder b = SelfIterativeTrainer.builder().policy(policy).tokenizer(tok).trainTasks(train)
          .verifier(VerifierSpec.forTaskKind()).mode(FeedbackMode.PROCESS).monteCarloRewards(false)
          .sampling(SamplingConfig.builder().temperature(1f).samplesPerPrompt(samples).maxNewTokens(maxNew)
              .batchSize(128).build())
          .simulator(SimulatorConfig.builder().rolloutsPerStep(rollouts).sampling(SamplingConfig.builder()
              .temperature(1f).maxNewTokens(maxNew).batchSize(256).build()).build())
          .maxSimulatedSamples(simulated)
          .training(PolicyTrainingConfig.builder().learningRate(3e-4f).maxSteps(1).epochs(50).build())
          .iterations(1).workDir(workDir).seed(seed).progress(false).rolloutShards(shards);
      evals.forEach(b::evalSet);
      if (engine != null) {
        b.rolloutEngine(engine);
      }
      b.build().run();
    }
    double loopSeconds = (System.nanoTime() - r0) / 1e9;
    JsonObject row = new JsonObject();
    row.addProperty("engine", engineName);
    row.addProperty("startup_s", startup);
    row.addProperty("loop_s", loopSeconds);
    for (String p : ROLLOUT_PHASES) {
      row.addProperty(p + "_s", phaseSeconds(workDir.resolve("iteration-01"), p));
    }
    row.addProperty("baseline_evaluate_s", phaseSeconds(workDir.resolve("baseline"), "evaluate"));
    Path it = workDir.resolve("iteration-01");
    row.addProperty("sampled_tokens", sumField(it.resolve("samples.jsonl"), "tokens"));
    row.addProperty("rationales", Files.readAllLines(it.resolve("samples.jsonl")).size());
    row.addProperty("simulated_rationales", Files.readAllLines(it.resolve("labels.jsonl")).size());
    row.addProperty("continuations", sumArray(it.resolve("labels.jsonl"), "rollouts"));
    long evalChars = 0;
    int evalOutputs = 0;
    for (Path dir : List.of(workDir.resolve("baseline"), it)) {
      for (String set : evals.keySet()) {
        for (String line : Files.readAllLines(dir.resolve("eval-" + set + ".jsonl"))) {
          JsonObject o = JsonParser.parseString(line).getAsJsonObject();
          evalChars += o.has("output") ? o.get("output").getAsString().length() : 0;
          evalOutputs++;
        }
      }
    }
    row.addProperty("eval_outputs", evalOutputs);
    row.addProperty("eval_chars", evalChars);
    row.addProperty("fingerprint", fingerprint(workDir));
    if (engine instanceof SparkRolloutEngine s) {
      SparkRolloutStats st = s.stats();
      row.addProperty("partitions", s.partitions());
      row.addProperty("spark_jobs", st.jobs());
      row.addProperty("spark_tasks", st.tasks());
      row.addProperty("policy_loads", st.policyLoads());
      row.addProperty("policy_load_s", st.policyLoadSeconds());
      row.addProperty("compute_s", st.computeSeconds());
      row.addProperty("rollout_wall_s", st.wallSeconds());
      engine.close();
    }
    if (spark != null) {
      spark.stop();
    }
    Files.createDirectories(out);
    Files.writeString(out.resolve("results.jsonl"), GSON.toJson(row).replace("\n", "").replaceAll(" +", " ") + "\n",
        StandardOpenOption.CREATE, StandardOpenOption.APPEND);
    System.out.println(GSON.toJson(row));
  }

  /** The quickstart's model after a short SFT warm start on gold rationales. */
  private static void warmStart(Path dir, int steps, long seed) throws IOException {
    TaskSet gold = SyntheticTaskGenerator.generate(SyntheticSplit.IN_DOMAIN, 2000, seed);
    try (TextTokenizer tok = TextTokenizer.characterLevel();
        DecoderLm lm = DecoderLm.create(DecoderConfig.builder().vocabSize(tok.vocabSize()).dModel(96).layers(4)
            .heads(4).maxLength(320).positions(PositionEncoding.ROTARY).build(), Device.cpu(), seed)) {
      SequenceEncoder encoder = new SequenceEncoder(tok, PromptTemplate.DEFAULT, lm.maxLength());
      List<EncodedSequence> data = new ArrayList<>();
      for (ReasoningTask t : gold.tasks()) {
        data.add(encoder.encodeQuestion(t.prompt(), t.goldRationale()));
      }
      TrainerConfig cfg = TrainerConfig.builder().batchSize(16).maxSteps(steps).seed(seed).progressBar(false)
          .optimizer(OptimizerConfig.builder().learningRate(2e-3f).warmupSteps(Math.min(50, steps / 10))
              .schedule(LrScheduleType.COSINE).minLrRatio(0.05f).build()).build();
      long t0 = System.nanoTime();
      new SftTrainer(lm, cfg, tok.padId(), NllScope.RESPONSE).fit(data);
      System.out.printf(Locale.ROOT, "warm start: %d SFT steps in %.0f s%n", steps, (System.nanoTime() - t0) / 1e9);
      lm.save(dir);
      tok.save(dir);
    }
  }

  private static double phaseSeconds(Path iterationDir, String phase) throws IOException {
    Path marker = iterationDir.resolve("phases").resolve(phase + ".json");
    return JsonParser.parseString(Files.readString(marker)).getAsJsonObject().get("seconds").getAsDouble();
  }

  private static long sumField(Path jsonl, String field) throws IOException {
    long s = 0;
    for (String line : Files.readAllLines(jsonl)) {
      s += JsonParser.parseString(line).getAsJsonObject().get(field).getAsLong();
    }
    return s;
  }

  private static long sumArray(Path jsonl, String field) throws IOException {
    long s = 0;
    for (String line : Files.readAllLines(jsonl)) {
      for (var e : JsonParser.parseString(line).getAsJsonObject().getAsJsonArray(field)) {
        s += e.getAsLong();
      }
    }
    return s;
  }

  /** A hash of the rollout artefacts, equal across engines when their files are byte-identical. */
  private static String fingerprint(Path workDir) throws IOException {
    return Integer.toHexString(TinyRun.artefacts(workDir).entrySet().stream()
        .mapToInt(e -> e.getKey().hashCode() * 31 + java.util.Arrays.hashCode(e.getValue())).reduce(17,
            (x, y) -> x * 31 + y));
  }

  private static void deleteTree(Path dir) throws IOException {
    if (!Files.exists(dir)) {
      return;
    }
    try (Stream<Path> s = Files.walk(dir)) {
      for (Path p : s.sorted(java.util.Comparator.reverseOrder()).toList()) {
        Files.delete(p);
      }
    }
  }

  private static void printTable(Path out) throws IOException {
    List<JsonObject> rows = new ArrayList<>();
    for (String line : Files.readAllLines(out.resolve("results.jsonl"), StandardCharsets.UTF_8)) {
      if (!line.isBlank()) {
        rows.add(JsonParser.parseString(line).getAsJsonObject());
      }
    }
    System.out.println("| engine | start-up s | sample s | verify s | simulate s | evaluate s (start + end) | "
        + "rollouts s | policy loads (s each) | Spark jobs | files |");
    System.out.println("|---|---|---|---|---|---|---|---|---|---|");
    String reference = rows.isEmpty() ? "" : rows.get(0).get("fingerprint").getAsString();
    for (JsonObject r : rows) {
      double evalS = r.get("evaluate_s").getAsDouble() + r.get("baseline_evaluate_s").getAsDouble();
      double rollouts = r.get("sample_s").getAsDouble() + r.get("verify_s").getAsDouble()
          + r.get("simulate_s").getAsDouble() + evalS;
      String loads = r.has("policy_loads") ? String.format(Locale.ROOT, "%d (%.2f)", r.get("policy_loads").getAsLong(),
          r.get("policy_load_s").getAsDouble() / Math.max(1, r.get("policy_loads").getAsLong())) : "0 (in memory)";
      System.out.printf(Locale.ROOT, "| %s | %.1f | %.1f | %.1f | %.1f | %.1f | %.1f | %s | %s | %s |%n",
          r.get("engine").getAsString(), r.get("startup_s").getAsDouble(), r.get("sample_s").getAsDouble(),
          r.get("verify_s").getAsDouble(), r.get("simulate_s").getAsDouble(), evalS, rollouts, loads,
          r.has("spark_jobs") ? r.get("spark_jobs").getAsString() : "-",
          r.get("fingerprint").getAsString().equals(reference) ? "identical" : "DIFFERENT");
    }
    JsonObject l = rows.get(0);
    double sampleTok = l.get("sampled_tokens").getAsDouble();
    double cont = l.get("continuations").getAsDouble();
    double evalChars = l.get("eval_chars").getAsDouble() + l.get("eval_outputs").getAsDouble();
    double evalS = l.get("evaluate_s").getAsDouble() + l.get("baseline_evaluate_s").getAsDouble();
    System.out.printf(Locale.ROOT, "%nwork of the iteration (engine %s): %d rationales, %.0f sampled tokens "
        + "(%.2f ms/token); %d rationales simulated with %.0f continuations (%.2f ms/continuation); %d greedy "
        + "answers, %.0f tokens (%.2f ms/token)%n", l.get("engine").getAsString(), l.get("rationales").getAsLong(),
        sampleTok, 1e3 * l.get("sample_s").getAsDouble() / sampleTok, l.get("simulated_rationales").getAsLong(), cont,
        1e3 * l.get("simulate_s").getAsDouble() / cont, l.get("eval_outputs").getAsLong(), evalChars,
        1e3 * evalS / evalChars);
    for (JsonObject r : rows) {
      if (r.has("spark_jobs")) {
        double overhead = r.get("rollout_wall_s").getAsDouble() - r.get("compute_s").getAsDouble()
            / r.get("partitions").getAsDouble() - r.get("policy_load_s").getAsDouble()
            / r.get("partitions").getAsDouble();
        System.out.printf(Locale.ROOT, "%s: %d partitions, task compute %.1f s (sum over tasks), rollout wall %.1f s, "
            + "policy loads %.2f s in all, Spark overhead beyond compute/partitions and loads %.1f s over %d jobs "
            + "(%.2f s per job)%n", r.get("engine").getAsString(), r.get("partitions").getAsInt(),
            r.get("compute_s").getAsDouble(), r.get("rollout_wall_s").getAsDouble(),
            r.get("policy_load_s").getAsDouble(), overhead, r.get("spark_jobs").getAsLong(),
            overhead / r.get("spark_jobs").getAsDouble());
      }
    }
  }
}
