package io.github.sipf4j.examples.run;

import ai.djl.Device;
import ai.djl.ndarray.types.DataType;
import io.github.sipf4j.examples.quickstart.SftWarmStart;
import io.github.sipf4j.orpo.loss.NllScope;
import io.github.sipf4j.orpo.model.CausalLm;
import io.github.sipf4j.orpo.model.CausalLms;
import io.github.sipf4j.orpo.model.DecoderLm;
import io.github.sipf4j.orpo.lora.LoraConfig;
import io.github.sipf4j.orpo.lora.LoraModel;
import io.github.sipf4j.orpo.model.AdaptableLm;
import io.github.sipf4j.orpo.model.LoadOptions;
import io.github.sipf4j.orpo.sample.SamplingConfig;
import io.github.sipf4j.orpo.text.PromptTemplate;
import io.github.sipf4j.orpo.text.SequenceEncoder;
import io.github.sipf4j.orpo.text.TextTokenizer;
import io.github.sipf4j.orpo.train.OptimizerConfig;
import io.github.sipf4j.orpo.train.SftTrainer;
import io.github.sipf4j.orpo.train.TrainerConfig;
import io.github.sipf4j.orpo.train.TrainingSummary;
import io.github.sipf4j.orpo.util.AtomicFiles;
import io.github.sipf4j.prm.report.HtmlReport;
import io.github.sipf4j.prm.data.CodeDatasets;
import io.github.sipf4j.prm.data.Gsm8kLoader;
import io.github.sipf4j.prm.data.MmluLoader;
import io.github.sipf4j.prm.exec.ExecutorConfig;
import io.github.sipf4j.prm.exec.SandboxMode;
import io.github.sipf4j.prm.iterate.FeedbackMode;
import io.github.sipf4j.prm.iterate.PolicyTrainingConfig;
import io.github.sipf4j.prm.iterate.SelfIterativeTrainer;
import io.github.sipf4j.prm.iterate.phase.RolloutShards;
import io.github.sipf4j.prm.process.Aggregation;
import io.github.sipf4j.prm.process.PairSelector;
import io.github.sipf4j.prm.process.PairSelectorConfig;
import io.github.sipf4j.prm.process.PrmTrainerConfig;
import io.github.sipf4j.prm.process.SimulatorConfig;
import io.github.sipf4j.prm.rollout.RolloutEngine;
import io.github.sipf4j.prm.rollout.RolloutEngineFactory;
import io.github.sipf4j.prm.rollout.VerifierSpec;
import io.github.sipf4j.prm.synthetic.SyntheticSplit;
import io.github.sipf4j.prm.synthetic.SyntheticTaskGenerator;
import io.github.sipf4j.prm.task.ReasoningTask;
import io.github.sipf4j.prm.task.TaskSet;
import io.github.sipf4j.prm.task.VerifierKind;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * Turns checked run settings into the objects of a run: the device, the model and tokenizer, the task sets, the SFT
 * warm start and a {@link SelfIterativeTrainer.Builder} holding every setting. {@code sipf4j run} and {@code sipf4j
 * plan} share it, so the plan measures exactly the model and batches the run uses.
 */
public final class RunSetup {

  /** The folder, inside the output directory, of the SFT warm start. */
  public static final String WARM_START_DIR = "warm-start";

  /** The warm start's phase key in a plan ({@code plan.json}), at iteration 0 before the starting evaluation. */
  public static final String WARM_START_PHASE = "warm_start";

  /** The file, inside {@link #WARM_START_DIR}, that marks a finished warm start and holds its time and loss. */
  public static final String WARM_START_MARKER = "warm-start.json";

  /** The file of the resolved settings in the output directory. */
  public static final String CONFIG_FILE = "run-config.yaml";

  private RunSetup() {}

  /**
   * A model and its tokenizer, closed together.
   *
   * @param model the model
   * @param tokenizer its tokenizer
   */
  public record OpenModel(CausalLm model, TextTokenizer tokenizer) implements AutoCloseable {
    @Override
    public void close() {
      try {
        model.close();
      } finally {
        tokenizer.close();
      }
    }
  }

  /**
   * Returns the run's device.
   *
   * @param s the settings
   * @return {@code Device.cpu()}, {@code Device.gpu()} or {@code Device.gpu(N)}
   */
  public static Device device(RunSettings s) {
    String d = s.getString("device").strip().toLowerCase(Locale.ROOT);
    if (d.equals("cpu")) {
      return Device.cpu();
    }
    return d.startsWith("gpu:") ? Device.gpu(Integer.parseInt(d.substring(4))) : Device.gpu();
  }

  /**
   * Returns the output directory.
   *
   * @param s the settings
   * @return the folder
   */
  public static Path output(RunSettings s) {
    return s.getPath("output");
  }

  /**
   * Opens the starting model: a saved folder (Hugging Face or sipf4j) with its tokenizer, or a new embedded
   * {@code DecoderLm} with the character-level tokenizer.
   *
   * @param s the settings
   * @return the model and tokenizer
   * @throws IOException if the folder cannot be read
   */
  public static OpenModel openModel(RunSettings s) throws IOException {
    Device device = device(s);
    if (s.getBool("model.embedded")) {
      TextTokenizer tok = TextTokenizer.characterLevel();
      return new OpenModel(DecoderLm.create(SftWarmStart.defaultModel(tok.vocabSize()), device, s.getLong("seed")),
          tok);
    }
    return open(s.getPath("model.path"), s, device);
  }

  private static OpenModel open(Path dir, RunSettings s, Device device) throws IOException {
    DataType dtype = "float16".equals(s.getString("model.dtype")) ? DataType.FLOAT16 : DataType.FLOAT32;
    TextTokenizer tok = TextTokenizer.fromFile(dir);
    try {
      CausalLm lm = CausalLms.load(dir, device, LoadOptions.builder().dtype(dtype).build());
      Map<String, Object> lora = s.section("lora");
      if (lora == null || lm instanceof LoraModel) {
        return new OpenModel(lm, tok);
      }
      if (!(lm instanceof AdaptableLm base)) {
        lm.close();
        throw new IllegalArgumentException("lora: the model in " + dir + " (" + lm.getClass().getSimpleName()
            + ") has no projections to adapt; LoRA works on Hugging Face folders and DecoderLm models");
      }
      return new OpenModel(LoraModel.create(base, loraConfig(s), s.getLong("seed")), tok);
    } catch (IOException | RuntimeException e) {
      tok.close();
      throw e;
    }
  }

  /**
   * Returns the adapters' settings of the run file's {@code lora} section.
   *
   * @param s the settings (with a {@code lora} section)
   * @return the LoRA configuration
   */
  public static LoraConfig loraConfig(RunSettings s) {
    return loraConfig(s, "lora");
  }

  /**
   * Returns the adapters' settings of a LoRA section ({@code lora}, or the PRM's {@code prm.lora}).
   *
   * @param s the settings
   * @param section the section's key path
   * @return the LoRA configuration
   */
  public static LoraConfig loraConfig(RunSettings s, String section) {
    return LoraConfig.builder().r(s.getInt(section + ".r")).loraAlpha(s.getDouble(section + ".alpha"))
        .loraDropout(s.getDouble(section + ".dropout")).targetModules(s.getStrings(section + ".target_modules"))
        .useRslora(s.getBool(section + ".use_rslora")).build();
  }

  /**
   * Loads one task source of the run file.
   *
   * @param s the settings
   * @param source the source's settings (kind, file, limit, or split, count and seed)
   * @param name the task set's name
   * @return the tasks
   * @throws IOException if the file cannot be read
   */
  public static TaskSet loadTasks(RunSettings s, Map<String, Object> source, String name) throws IOException {
    String kind = (String) source.get("kind");
    int limit = ((Number) source.get("limit")).intValue();
    TaskSet set = switch (kind) {
      case "synthetic" -> SyntheticTaskGenerator.generate(SyntheticSplit.fromName((String) source.get("split")),
          ((Number) source.get("count")).intValue(), ((Number) source.get("seed")).longValue());
      case "gsm8k" -> Gsm8kLoader.standard().load(s.resolve((String) source.get("file")));
      case "mbpp", "humaneval" -> CodeDatasets.load(s.resolve((String) source.get("file")));
      case "mmlu" -> {
        Path f = s.resolve((String) source.get("file"));
        yield Files.isDirectory(f) ? MmluLoader.multipleChoice().loadAll(f) : MmluLoader.multipleChoice().load(f);
      }
      default -> throw new IllegalArgumentException("unknown task kind " + kind);
    };
    List<ReasoningTask> tasks = limit > 0 && limit < set.size() ? set.take(limit).tasks() : set.tasks();
    return new TaskSet(name, tasks);
  }

  /**
   * Loads the training tasks: every source of {@code tasks}, in order. With more than one source, each task id is
   * prefixed by its source's index ({@code 1/...}), since ids key the random streams and must be unique.
   *
   * @param s the settings
   * @return the tasks
   * @throws IOException if a file cannot be read
   */
  public static TaskSet trainTasks(RunSettings s) throws IOException {
    List<Map<String, Object>> sources = s.list("tasks");
    if (sources.size() == 1) {
      return loadTasks(s, sources.get(0), "train");
    }
    List<ReasoningTask> all = new ArrayList<>();
    for (int i = 0; i < sources.size(); i++) {
      for (ReasoningTask t : loadTasks(s, sources.get(i), "train").tasks()) {
        all.add(new ReasoningTask(i + "/" + t.id(), t.prompt(), t.answer(), t.goldSteps(), t.kind(), t.choices(),
            t.tests(), t.metadata()));
      }
    }
    return new TaskSet("train", all);
  }

  /**
   * Loads the evaluation sets by name.
   *
   * @param s the settings
   * @return the sets, in the file's order
   * @throws IOException if a file cannot be read
   */
  public static Map<String, TaskSet> evalSets(RunSettings s) throws IOException {
    Map<String, TaskSet> out = new LinkedHashMap<>();
    for (Map<String, Object> e : s.list("eval")) {
      String name = (String) e.get("name");
      out.put(name, loadTasks(s, e, name));
    }
    return out;
  }

  /**
   * Says whether any task of the run is a code task (then the verifier runs Python in the sandbox).
   *
   * @param sets the task sets
   * @return whether any task has tests to run
   */
  public static boolean hasCode(List<TaskSet> sets) {
    for (TaskSet set : sets) {
      for (ReasoningTask t : set.tasks()) {
        if (t.kind() == VerifierKind.PYTHON) {
          return true;
        }
      }
    }
    return false;
  }

  /**
   * Returns the sandboxed executor's settings.
   *
   * @param s the settings
   * @return the executor configuration
   */
  public static ExecutorConfig executor(RunSettings s) {
    ExecutorConfig.Builder b = ExecutorConfig.builder()
        .timeout(Duration.ofSeconds(s.getInt("verifier.timeout_seconds")))
        .sandbox(SandboxMode.valueOf(s.getString("verifier.sandbox").toUpperCase(Locale.ROOT)));
    if (s.getInt("verifier.workers") > 0) {
      b.workers(s.getInt("verifier.workers"));
    }
    return b.build();
  }

  /**
   * Returns the sampling settings of the iterations (and, greedy, of evaluation).
   *
   * @param s the settings
   * @return the configuration
   */
  public static SamplingConfig sampling(RunSettings s) {
    return SamplingConfig.builder().temperature((float) s.getDouble("sampling.temperature"))
        .topK(s.getInt("sampling.top_k")).topP((float) s.getDouble("sampling.top_p"))
        .samplesPerPrompt(s.getInt("sampling.samples_per_question")).maxNewTokens(s.getInt("sampling.max_new_tokens"))
        .batchSize(s.getInt("sampling.batch_size")).seed(1).build();
  }

  /**
   * Returns the Monte-Carlo simulation settings.
   *
   * @param s the settings
   * @return the configuration
   */
  public static SimulatorConfig simulator(RunSettings s) {
    return SimulatorConfig.builder().rolloutsPerStep(s.getInt("simulation.rollouts_per_step"))
        .delta(s.getDouble("simulation.delta")).earlyStop(s.getBool("simulation.early_stop"))
        .sampling(SamplingConfig.builder().temperature((float) s.getDouble("sampling.temperature"))
            .topK(s.getInt("sampling.top_k")).topP((float) s.getDouble("sampling.top_p"))
            .maxNewTokens(s.getInt("simulation.max_new_tokens")).batchSize(s.getInt("simulation.batch_size"))
            .seed(1234).build())
        .build();
  }

  /**
   * Returns the policy training settings (ORPO, or SFT for mode rft).
   *
   * @param s the settings
   * @return the configuration
   */
  public static PolicyTrainingConfig training(RunSettings s) {
    return PolicyTrainingConfig.builder().lambda((float) s.getDouble("orpo.lambda"))
        .batchSize(s.getInt("orpo.batch_size")).microBatchSize(microBatchSize(s, "orpo", s.getInt("orpo.batch_size")))
        .groupByLength(s.getBool("orpo.group_by_length"))
        .epochs(s.getInt("orpo.epochs")).maxSteps(s.getLong("orpo.max_steps"))
        .optimizer(OptimizerConfig.builder().learningRate((float) s.getDouble("orpo.learning_rate"))
            .warmupSteps(s.getInt("orpo.warmup_steps")).minLrRatio(0.1f)
            .weightDecay((float) s.getDouble("orpo.weight_decay"))
            .maxGradNorm((float) s.getDouble("orpo.max_grad_norm")).build())
        .build();
  }

  /**
   * Opens the rollout engine that {@code rollout.engine} names, with {@code rollout.settings}, through
   * {@link RolloutEngineFactory} (the Spark engine is there when {@code sipf4j-spark} and Spark 4 are on the class
   * path).
   *
   * @param s the settings
   * @return the engine, which the caller closes; null for {@code local} without settings: the loop's own engine over
   *     the policy in memory ({@code local} with settings, such as {@code partitions=2}, is
   *     {@link io.github.sipf4j.prm.rollout.LocalRolloutEngineFactory}'s engine, which loads each job's policy from
   *     its saved folder)
   * @throws IllegalArgumentException if the engine refuses a setting; the message names {@code rollout.settings}
   */
  public static RolloutEngine rolloutEngine(RunSettings s) {
    String name = s.getString("rollout.engine");
    if ("local".equals(name) && s.getStrings("rollout.settings").isEmpty()) {
      return null;
    }
    Map<String, String> settings = new LinkedHashMap<>();
    for (String kv : s.getStrings("rollout.settings")) {
      int eq = kv.indexOf('=');
      settings.put(kv.substring(0, eq).strip(), kv.substring(eq + 1).strip());
    }
    try {
      return RolloutEngineFactory.create(name, settings);
    } catch (IllegalArgumentException e) {
      throw new IllegalArgumentException("rollout.settings: " + e.getMessage(), e);
    }
  }

  /**
   * Returns how rollout jobs are cut into shards: {@code rollout.shard_tasks} and {@code rollout.shard_rationales}
   * where given, else {@link RolloutShards#DEFAULT} for the local engine and {@link RolloutShards#DISTRIBUTED} for
   * any other.
   *
   * @param s the settings
   * @return the shard sizes
   */
  public static RolloutShards rolloutShards(RunSettings s) {
    RolloutShards d = "local".equals(s.getString("rollout.engine")) ? RolloutShards.DEFAULT
        : RolloutShards.DISTRIBUTED;
    Object tasks = s.get("rollout.shard_tasks");
    Object rationales = s.get("rollout.shard_rationales");
    return new RolloutShards(tasks == null ? d.tasks() : ((Number) tasks).intValue(),
        rationales == null ? d.rationales() : ((Number) rationales).intValue());
  }

  /**
   * Returns a section's {@code micro_batch_size}, or the default when it is not written.
   *
   * @param s the settings
   * @param section {@code warm_start}, {@code prm} or {@code orpo}
   * @param dflt the value when unset
   * @return the micro-batch size
   */
  static int microBatchSize(RunSettings s, String section, int dflt) {
    Object v = s.get(section + ".micro_batch_size");
    return v == null ? dflt : ((Number) v).intValue();
  }

  /**
   * Returns the PRM training settings.
   *
   * @param s the settings
   * @return the configuration
   */
  public static PrmTrainerConfig prmTraining(RunSettings s) {
    int batch = s.getInt("prm.batch_size");
    int trainerDefault = PrmTrainerConfig.builder().build().microBatchSize();
    return PrmTrainerConfig.builder().epochs(s.getInt("prm.epochs")).batchSize(batch)
        .microBatchSize(microBatchSize(s, "prm", Math.min(trainerDefault, batch)))
        .groupByLength(s.getBool("prm.group_by_length"))
        .optimizer(OptimizerConfig.builder().learningRate((float) s.getDouble("prm.learning_rate")).build()).build();
  }

  /**
   * Builds the loop from the settings (everything but the listeners).
   *
   * @param s the settings
   * @param model the starting policy and its tokenizer
   * @param train the training tasks
   * @param eval the evaluation sets
   * @return the builder, ready for {@code build()}
   */
  public static SelfIterativeTrainer.Builder trainer(RunSettings s, OpenModel model, TaskSet train,
      Map<String, TaskSet> eval) {
    List<TaskSet> all = new ArrayList<>(eval.values());
    all.add(train);
    SelfIterativeTrainer.Builder b = SelfIterativeTrainer.builder().policy(model.model()).tokenizer(model.tokenizer())
        .trainTasks(train)
        .verifier(hasCode(all) ? VerifierSpec.forTaskKind(executor(s)) : VerifierSpec.forTaskKind())
        .sampling(sampling(s)).questionsPerIteration(s.getInt("sampling.questions_per_iteration"))
        .simulator(simulator(s)).maxSimulatedSamples(s.getInt("simulation.max_samples"))
        .prmTraining(prmTraining(s)).prmValidationFraction(s.getDouble("prm.validation_fraction"))
        .prmAdapters(s.section("prm.lora") == null ? null : loraConfig(s, "prm.lora"))
        .pairSelector(new PairSelector(PairSelectorConfig.builder().margin(s.getDouble("pairs.margin"))
            .maxPairsPerQuestion(s.getInt("pairs.max_per_question"))
            .minChosenReward(s.getDouble("pairs.min_chosen_reward"))
            .preferFlawedRejected(s.getBool("pairs.prefer_flawed_rejected")).build()))
        .useGoldRationales(s.getBool("pairs.use_gold_rationales")).accumulate(s.getBool("pairs.accumulate"))
        .training(training(s)).iterations(s.getInt("iterations")).workDir(output(s)).seed(s.getLong("seed"))
        .rolloutShards(rolloutShards(s)).progress(s.getBool("progress"))
        .mode(FeedbackMode.valueOf(s.getString("mode").toUpperCase(Locale.ROOT)));
    if ("process".equals(s.getString("mode"))) {
      String agg = s.getString("prm.aggregation");
      b.aggregation(agg, Aggregation.named(agg));
      if ("monte_carlo".equals(s.getString("prm.rewards"))) {
        b.monteCarloRewards(s.getBool("prm.soft_labels"));
      } else {
        b.softLabels(s.getBool("prm.soft_labels"));
      }
    }
    eval.forEach(b::evalSet);
    return b;
  }

  /**
   * Encodes the gold rationales of a warm start's tasks.
   *
   * @param s the settings
   * @param tok the tokenizer
   * @param maxLength the model's maximum length
   * @return one SFT example per task with gold steps
   * @throws IOException if the file cannot be read
   */
  public static List<io.github.sipf4j.orpo.text.EncodedSequence> warmStartData(RunSettings s, TextTokenizer tok,
      int maxLength) throws IOException {
    TaskSet gold = loadTasks(s, s.section("warm_start.tasks"), "warm-start");
    List<ReasoningTask> withGold = gold.tasks().stream().filter(t -> !t.goldSteps().isEmpty()).toList();
    if (withGold.isEmpty()) {
      throw new IllegalArgumentException("warm_start.tasks: no task has a gold rationale to train on");
    }
    return SftWarmStart.encodeGold(new SequenceEncoder(tok, PromptTemplate.DEFAULT, maxLength),
        new TaskSet(gold.name(), withGold));
  }

  /**
   * The SFT warm start's trainer settings.
   *
   * @param s the settings
   * @param workDir the checkpoint folder, or null
   * @return the configuration
   */
  public static TrainerConfig warmStartConfig(RunSettings s, Path workDir) {
    TrainerConfig.Builder b = TrainerConfig.builder().batchSize(s.getInt("warm_start.batch_size"))
        .microBatchSize(microBatchSize(s, "warm_start", s.getInt("warm_start.batch_size")))
        .groupByLength(s.getBool("warm_start.group_by_length"))
        .maxSteps(s.getInt("warm_start.steps")).epochs(1_000_000).seed(s.getLong("seed")).checkpointEverySteps(200)
        .progressBar(s.getBool("progress")).optimizer(OptimizerConfig.builder()
            .learningRate((float) s.getDouble("warm_start.learning_rate"))
            .warmupSteps(s.getInt("warm_start.warmup_steps")).minLrRatio(0.05f).build());
    if (workDir != null) {
      b.workDir(workDir);
    }
    return b.build();
  }

  /**
   * Runs the SFT warm start when the run file has one, or finds the one finished earlier; returns the model the
   * iterations start from. The warm-started model is saved to {@code output/warm-start/model} and reopened from
   * there, so a resumed run starts from the same weights.
   *
   * @param s the settings
   * @param model the starting model; closed (also on failure) and replaced when the run file has a warm start
   * @return the model the loop starts from
   * @throws IOException if training or saving fails
   */
  public static OpenModel warmStart(RunSettings s, OpenModel model) throws IOException {
    if (s.section("warm_start") == null) {
      return model;
    }
    try (model) {
      trainWarmStart(s, model);
    }
    return open(output(s).resolve(WARM_START_DIR).resolve("model"), s, device(s));
  }

  private static void trainWarmStart(RunSettings s, OpenModel model) throws IOException {
    Path dir = output(s).resolve(WARM_START_DIR);
    Path saved = dir.resolve("model");
    Path marker = dir.resolve(WARM_START_MARKER);
    if (!Files.exists(marker)) {
      long t0 = System.nanoTime();
      List<io.github.sipf4j.orpo.text.EncodedSequence> data = warmStartData(s, model.tokenizer(),
          model.model().maxLength());
      TrainingSummary summary = new SftTrainer(model.model(), warmStartConfig(s, dir.resolve("sft")),
          model.tokenizer().padId(), NllScope.RESPONSE).fit(data);
      model.model().save(saved);
      model.tokenizer().save(saved);
      double seconds = (System.nanoTime() - t0) / 1e9;
      float loss = summary.lastMetrics().getOrDefault("loss", Float.NaN);
      AtomicFiles.writeString(marker, String.format(Locale.ROOT, "{\"seconds\": %.3f, \"steps\": %d, \"examples\": "
          + "%d, \"loss\": %s}%n", seconds, summary.steps(), data.size(), Float.isFinite(loss) ? loss : "null"));
    }
    // The run's report sets the warm start's time against the plan (also for a warm start finished before the
    // report knew of it).
    Double seconds = measuredSeconds(output(s), 0, WARM_START_PHASE);
    if (seconds != null) {
      HtmlReport.recordPhaseTime(output(s), 0, WARM_START_PHASE, seconds);
    }
  }

  /**
   * Returns the measured wall time of a phase finished in an output directory, from its marker: the warm start's
   * ({@value #WARM_START_DIR}/{@value #WARM_START_MARKER}) or a loop phase's.
   *
   * @param out the output directory
   * @param iteration the phase's iteration
   * @param phase the phase's key, {@value #WARM_START_PHASE} for the warm start
   * @return its seconds, or null when it has not finished there
   * @throws IOException if its marker cannot be read
   */
  public static Double measuredSeconds(Path out, int iteration, String phase) throws IOException {
    Path marker = WARM_START_PHASE.equals(phase) ? out.resolve(WARM_START_DIR).resolve(WARM_START_MARKER)
        : out.resolve(SelfIterativeTrainer.iterationFolder(iteration)).resolve("phases").resolve(phase + ".json");
    if (!Files.exists(marker)) {
      return null;
    }
    com.google.gson.JsonObject json = com.google.gson.JsonParser.parseString(Files.readString(marker))
        .getAsJsonObject();
    return json.has("seconds") ? json.get("seconds").getAsDouble() : null;
  }
}
