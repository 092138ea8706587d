package io.github.sipf4j.examples.quickstart;

import ai.djl.Device;
import com.google.gson.Gson;
import com.google.gson.GsonBuilder;
import io.github.sipf4j.orpo.loss.NllScope;
import io.github.sipf4j.orpo.model.CausalLm;
import io.github.sipf4j.orpo.model.CausalLms;
import io.github.sipf4j.orpo.sample.SamplingConfig;
import io.github.sipf4j.orpo.text.EncodedSequence;
import io.github.sipf4j.orpo.text.PromptTemplate;
import io.github.sipf4j.orpo.text.SequenceEncoder;
import io.github.sipf4j.orpo.text.TextTokenizer;
import io.github.sipf4j.orpo.train.OptimizerConfig;
import io.github.sipf4j.orpo.train.SftTrainer;
import io.github.sipf4j.orpo.train.TrainerConfig;
import io.github.sipf4j.orpo.util.AtomicFiles;
import io.github.sipf4j.prm.iterate.EvalResult;
import io.github.sipf4j.prm.iterate.FeedbackMode;
import io.github.sipf4j.prm.iterate.IterationReport;
import io.github.sipf4j.prm.iterate.PolicyEvaluator;
import io.github.sipf4j.prm.iterate.PolicyTrainingConfig;
import io.github.sipf4j.prm.iterate.SelfIterativeResult;
import io.github.sipf4j.prm.iterate.SelfIterativeTrainer;
import io.github.sipf4j.prm.iterate.phase.RolloutShards;
import io.github.sipf4j.prm.process.Aggregation;
import io.github.sipf4j.prm.process.PairSelector;
import io.github.sipf4j.prm.process.PairSelectorConfig;
import io.github.sipf4j.prm.process.PrmTrainerConfig;
import io.github.sipf4j.prm.process.SimulatorConfig;
import io.github.sipf4j.prm.rollout.RolloutEngine;
import io.github.sipf4j.prm.rollout.VerifierSpec;
import io.github.sipf4j.prm.synthetic.SyntheticSplit;
import io.github.sipf4j.prm.synthetic.SyntheticStepChecker;
import io.github.sipf4j.prm.synthetic.SyntheticTaskGenerator;
import io.github.sipf4j.prm.task.ReasoningTask;
import io.github.sipf4j.prm.task.TaskSet;
import io.github.sipf4j.prm.verify.OutcomeVerifier;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collections;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;

/**
 * The embedded default, end to end: an SFT warm start of a small {@code DecoderLm} on gold rationales of the
 * synthetic task, then iterations of SIPF (or another method) on a larger pool of questions that have answers but no
 * rationales, evaluated on an in-domain test split, the unseen-wording split (the primary out-of-domain test) and the
 * longer-chain split. Every step is resumable: re-running with the same output directory continues where it stopped.
 */
public final class Quickstart {

  /** The name of the in-domain test split in reports. */
  public static final String IN_DOMAIN = "in-domain";

  /** The name of the primary out-of-domain split (unseen wording) in reports. */
  public static final String OOD = "ood-wording";

  /** The name of the secondary out-of-domain split (longer chains) in reports. */
  public static final String OOD_LENGTH = "ood-length";

  /** The name of the validation split (model selection only). */
  public static final String VALIDATION = "validation";

  private static final Gson GSON = new GsonBuilder().setPrettyPrinting().serializeSpecialFloatingPointValues()
      .disableHtmlEscaping().create();

  private Quickstart() {}

  /** The methods of the paper's comparison. */
  public enum Method {
    /** More supervised fine-tuning on the gold rationales (the fair baseline: extra training, no self-sampling). */
    SFT,
    /** Rejection-sampling fine-tuning on the policy's own correct samples plus the gold rationales. */
    RFT,
    /** ORPO on pairs chosen by the final answer alone (the paper's SIOF). */
    OUTCOME,
    /** ORPO on pairs chosen by process rewards (SIPF). */
    SIPF;

    /**
     * Parses a method name.
     *
     * @param name sft, rft, outcome or sipf
     * @return the method
     */
    public static Method parse(String name) {
      try {
        return valueOf(name.trim().toUpperCase(Locale.ROOT));
      } catch (IllegalArgumentException e) {
        throw new IllegalArgumentException("unknown method '" + name + "'; methods: sft, rft, outcome, sipf", e);
      }
    }

    /**
     * Returns the lower-case name.
     *
     * @return the name used in files and reports
     */
    public String key() {
      return name().toLowerCase(Locale.ROOT);
    }
  }

  /**
   * The data of one seed.
   *
   * @param gold the warm start's gold rationales
   * @param train the iterations' questions: the pool (answers only) followed by the gold replay questions
   * @param evalSets the evaluation splits by name: validation, in-domain, ood-wording, ood-length
   */
  public record Splits(TaskSet gold, TaskSet train, Map<String, TaskSet> evalSets) {}

  /**
   * Generates the splits of one seed: the gold set is {@code SyntheticTaskGenerator.generate(IN_DOMAIN, goldExamples,
   * seed)} (what {@link SftWarmStart#train(Path, int, int, float, long, boolean)} trains on), the others use seeds
   * derived from it. The pool and the in-domain test split exclude every question text of the gold
   * set (and the test split those of the pool), so no test question was trained on.
   *
   * @param p the preset
   * @param seed the seed
   * @return the splits
   */
  public static Splits splits(Preset p, long seed) {
    TaskSet gold = SyntheticTaskGenerator.generate(SyntheticSplit.IN_DOMAIN, p.goldExamples(), seed);
    Set<String> seen = new HashSet<>();
    gold.tasks().forEach(t -> seen.add(t.prompt()));
    List<ReasoningTask> train = new ArrayList<>();
    for (ReasoningTask t : SyntheticTaskGenerator.generate(SyntheticSplit.IN_DOMAIN, p.poolQuestions() * 2,
        seed * 1000 + 2).tasks()) {
      if (train.size() < p.poolQuestions() && seen.add(t.prompt())) {
        train.add(new ReasoningTask("pool/" + t.id(), t.prompt(), t.answer(), List.of(), t.kind(), t.choices(),
            t.tests(), t.metadata()));
      }
    }
    for (int i = 0; i < Math.min(p.goldReplay(), gold.size()); i++) {
      train.add(gold.get(i));
    }
    List<ReasoningTask> test = new ArrayList<>();
    for (ReasoningTask t : SyntheticTaskGenerator.generate(SyntheticSplit.IN_DOMAIN, p.evalTasks() * 2,
        seed * 1000 + 3).tasks()) {
      if (test.size() < p.evalTasks() && !seen.contains(t.prompt())) {
        test.add(t);
      }
    }
    Map<String, TaskSet> eval = new LinkedHashMap<>();
    eval.put(VALIDATION, SyntheticTaskGenerator.generate(SyntheticSplit.VALIDATION, p.evalTasks(), seed * 1000 + 4));
    eval.put(IN_DOMAIN, new TaskSet(IN_DOMAIN, test));
    eval.put(OOD, SyntheticTaskGenerator.generate(SyntheticSplit.OOD_WORDING, p.evalTasks(), seed * 1000 + 5));
    eval.put(OOD_LENGTH, SyntheticTaskGenerator.generate(SyntheticSplit.OOD_LENGTH, p.evalTasks(), seed * 1000 + 6));
    return new Splits(gold, new TaskSet("pool+replay", train), eval);
  }

  /**
   * Trains the warm start into {@code dir/sft-model}, or reuses it when it is already there.
   *
   * @param p the preset
   * @param seed the seed
   * @param splits the splits of the seed
   * @param dir the directory
   * @param progress whether to draw progress bars
   * @return the model directory and the seconds spent now (0 when reused)
   * @throws IOException if training or saving fails
   */
  public static WarmStart warmStart(Preset p, long seed, Splits splits, Path dir, boolean progress)
      throws IOException {
    Path model = dir.resolve("sft-model");
    Path done = dir.resolve("sft-model.json");
    if (Files.exists(done)) {
      return GSON.fromJson(Files.readString(done), WarmStart.class);
    }
    long t0 = System.nanoTime();
    SftWarmStart w = SftWarmStart.train(dir, splits.gold(), p.warmSteps(), p.warmLr(), seed, progress);
    WarmStart ws = new WarmStart(model.toString(), (System.nanoTime() - t0) / 1e9,
        w.summary().epochMeans().isEmpty() ? Float.NaN
            : w.summary().epochMeans().get(w.summary().epochMeans().size() - 1).getOrDefault("loss", Float.NaN));
    AtomicFiles.writeString(done, GSON.toJson(ws));
    return ws;
  }

  /**
   * A finished warm start.
   *
   * @param modelDir the saved model (with its tokenizer)
   * @param seconds how long training took
   * @param lastLoss the mean loss of the last epoch
   */
  public record WarmStart(String modelDir, double seconds, double lastLoss) {}

  /**
   * The result of one method on one seed: the warm start's evaluation and one entry per iteration.
   *
   * @param method the method
   * @param baseline accuracy of the warm start by split
   * @param iterations per iteration: accuracies by split, training examples, PRM accuracy and phase times
   * @param finalModelDir the final policy
   * @param seconds the method's wall time (without the warm start)
   * @param soundChosen per iteration, the share of the policy's own NLL targets (chosen rationales, RFT examples)
   *     whose every step is sound ({@link ChosenSoundness}); NaN where there are none (continued SFT)
   */
  public record MethodResult(Method method, Map<String, EvalResult> baseline, List<IterationReport> iterations,
      Path finalModelDir, double seconds, List<Double> soundChosen) {}

  /**
   * Runs one method from a warm start; resumes when {@code workDir} holds an unfinished run.
   *
   * @param m the method
   * @param p the preset
   * @param seed the seed
   * @param splits the splits
   * @param warmModel the warm-start model directory
   * @param workDir the method's working directory
   * @param progress whether to draw progress bars
   * @return the result
   * @throws IOException if a file cannot be read or written
   */
  public static MethodResult runMethod(Method m, Preset p, long seed, Splits splits, Path warmModel, Path workDir,
      boolean progress) throws IOException {
    return runMethod(m, p, seed, splits, warmModel, workDir, progress, Rollouts.LOCAL);
  }

  /**
   * Where a method's rollouts run: the loop's own engine in this process, or an engine such as Spark's with the
   * verifier described as a specification.
   *
   * @param engine the engine, or null for the loop's default (this process, the policy in memory)
   * @param shards how rollout jobs are cut into shards
   */
  public record Rollouts(RolloutEngine engine, RolloutShards shards) {

    /** In this process, with the default shards. */
    public static final Rollouts LOCAL = new Rollouts(null, RolloutShards.DEFAULT);
  }

  /**
   * Runs one method from a warm start with its rollouts on a given engine; resumes when {@code workDir} holds an
   * unfinished run. The engine does not change the run's files.
   *
   * @param m the method
   * @param p the preset
   * @param seed the seed
   * @param splits the splits
   * @param warmModel the warm-start model directory
   * @param workDir the method's working directory
   * @param progress whether to draw progress bars
   * @param rollouts where rollouts run
   * @return the result
   * @throws IOException if a file cannot be read or written
   */
  public static MethodResult runMethod(Method m, Preset p, long seed, Splits splits, Path warmModel, Path workDir,
      boolean progress, Rollouts rollouts) throws IOException {
    long t0 = System.nanoTime();
    if (m == Method.SFT) {
      return continuedSft(p, seed, splits, warmModel, workDir, progress, t0);
    }
    try (TextTokenizer tok = TextTokenizer.fromFile(warmModel);
        CausalLm policy = CausalLms.load(warmModel, Device.cpu())) {
      SamplingConfig sampling = SamplingConfig.builder().temperature(1f).samplesPerPrompt(p.samplesPerQuestion())
          .maxNewTokens(p.maxNewTokens()).batchSize(128).build();
      SelfIterativeTrainer.Builder b = SelfIterativeTrainer.builder().policy(policy).tokenizer(tok)
          .trainTasks(splits.train()).sampling(sampling).rolloutShards(rollouts.shards())
          .questionsPerIteration(p.questionsPerIteration())
          .simulator(SimulatorConfig.builder().rolloutsPerStep(p.rolloutsPerStep()).sampling(SamplingConfig.builder()
              .temperature(1f).maxNewTokens(p.maxNewTokens()).batchSize(256).build()).build())
          .maxSimulatedSamples(p.maxSimulatedSamples())
          .prmTraining(PrmTrainerConfig.builder().epochs(p.prmEpochs()).batchSize(16)
              .optimizer(OptimizerConfig.builder().learningRate(5e-4f).warmupSteps(10).build()).build())
          .training(PolicyTrainingConfig.builder().lambda(p.lambda()).learningRate(p.orpoLr())
              .maxSteps(p.orpoMaxSteps()).epochs(50).anchorsPerStep(p.anchorsPerStep()).build())
          .anchorTasks(p.anchorsPerStep() > 0 ? splits.gold() : null)
          .pairSelector(new PairSelector(PairSelectorConfig.builder()
              .preferFlawedRejected(m == Method.SIPF && p.preferFlawedRejected())
              .minChosenReward(m == Method.SIPF ? p.minChosenReward() : 0).build()))
          .iterations(p.iterations()).workDir(workDir).seed(seed).progress(progress)
          .mode(switch (m) {
            case RFT -> FeedbackMode.RFT;
            case OUTCOME -> FeedbackMode.OUTCOME;
            default -> FeedbackMode.PROCESS;
          });
      if (rollouts.engine() != null) {
        b.verifier(VerifierSpec.forTaskKind()).rolloutEngine(rollouts.engine());
      } else {
        b.verifier(OutcomeVerifier.forTaskKind());
      }
      if (m == Method.SIPF) {
        if (p.checkerRewards()) {
          b.rewardModel(new SyntheticStepChecker());
        } else if (p.monteCarloRewards()) {
          b.monteCarloRewards(p.softLabels());
        } else {
          b.softLabels(p.softLabels());
        }
        b.aggregation(p.aggregation(), Aggregation.named(p.aggregation()));
      }
      splits.evalSets().forEach(b::evalSet);
      Path cache = warmEvaluationFile(workDir);
      Map<String, EvalResult> start = readWarmEvaluation(cache, warmModel, splits);
      SelfIterativeTrainer trainer = b.startingEvaluation(start).build();
      SelfIterativeResult r = trainer.run();
      if (start == null) {
        writeWarmEvaluation(cache, warmModel, splits, r.baseline());
      }
      Set<String> gold = new HashSet<>();
      splits.train().tasks().stream().filter(t -> !t.goldSteps().isEmpty()).forEach(t -> gold.add(t.goldRationale()));
      List<Double> sound = new ArrayList<>();
      for (IterationReport it : r.iterations()) {
        sound.add(ChosenSoundness.share(trainer.iterationDir(it.iteration()), gold));
      }
      return new MethodResult(m, r.baseline(), r.iterations(), r.finalPolicyDir(), (System.nanoTime() - t0) / 1e9,
          sound);
    }
  }

  /**
   * The continued-SFT baseline: per iteration, {@code sftSteps} more steps on the gold rationales, then the same
   * evaluation as the other methods.
   */
  private static MethodResult continuedSft(Preset p, long seed, Splits splits, Path warmModel, Path workDir,
      boolean progress, long t0) throws IOException {
    Files.createDirectories(workDir);
    try (TextTokenizer tok = TextTokenizer.fromFile(warmModel);
        CausalLm policy = CausalLms.load(warmModel, Device.cpu())) {
      PolicyEvaluator evaluator = new PolicyEvaluator(policy, tok, PromptTemplate.DEFAULT,
          OutcomeVerifier.forTaskKind(), SamplingConfig.builder().maxNewTokens(p.maxNewTokens()).batchSize(128)
              .build());
      Path cache = warmEvaluationFile(workDir);
      Map<String, EvalResult> baseline = readWarmEvaluation(cache, warmModel, splits);
      if (baseline == null) {
        baseline = evaluateAll(evaluator, splits);
        writeWarmEvaluation(cache, warmModel, splits, baseline);
      }
      List<EncodedSequence> data = SftWarmStart.encodeGold(
          new SequenceEncoder(tok, PromptTemplate.DEFAULT, policy.maxLength()), splits.gold());
      List<IterationReport> reports = new ArrayList<>();
      Path last = warmModel;
      for (int k = 1; k <= p.iterations(); k++) {
        Path dir = workDir.resolve(String.format(Locale.ROOT, "iteration-%02d", k));
        Path reportFile = dir.resolve("report.json");
        if (Files.exists(reportFile)) {
          IterationReport r = GSON.fromJson(Files.readString(reportFile), IterationReport.class);
          reports.add(r);
          last = dir.resolve("policy");
          policy.loadWeights(last.resolve("model.safetensors"));
          continue;
        }
        long s0 = System.nanoTime();
        TrainerConfig cfg = TrainerConfig.builder().batchSize(16).maxSteps(p.sftSteps()).epochs(50).seed(seed * 31 + k)
            .workDir(dir.resolve("train")).progressBar(progress).optimizer(OptimizerConfig.builder()
                .learningRate(p.orpoLr()).warmupSteps(10).minLrRatio(0.1f).build()).build();
        var summary = new SftTrainer(policy, cfg, tok.padId(), NllScope.RESPONSE).fit(data);
        double trainSeconds = (System.nanoTime() - s0) / 1e9;
        last = dir.resolve("policy");
        policy.save(last);
        tok.save(last);
        long e0 = System.nanoTime();
        Map<String, EvalResult> evals = evaluateAll(evaluator, splits);
        double evalSeconds = (System.nanoTime() - e0) / 1e9;
        Map<String, Double> seconds = new LinkedHashMap<>();
        seconds.put("train_policy", trainSeconds);
        seconds.put("evaluate", evalSeconds);
        IterationReport r = new IterationReport(k, null, evals, 0, 0, 0, 0, 0, data.size(), data.size(), 0,
            data.size(), Double.NaN, Double.NaN, summary.steps(), summary.lastMetrics().getOrDefault("loss", Float.NaN),
            seconds);
        AtomicFiles.writeString(reportFile, GSON.toJson(r));
        reports.add(r);
      }
      return new MethodResult(Method.SFT, baseline, reports, last, (System.nanoTime() - t0) / 1e9,
          Collections.nCopies(reports.size(), Double.NaN));
    }
  }

  /** The file name of the warm start's evaluation, shared by the methods run beside each other. */
  public static final String WARM_EVALUATION_FILE = "warm-start-evaluation.json";

  /**
   * Returns where the warm start's evaluation is shared: beside the method's folder, so that every method of one
   * seed (or of one quickstart output directory) decodes the warm start's evaluation sets once.
   */
  static Path warmEvaluationFile(Path workDir) {
    Path parent = workDir.toAbsolutePath().getParent();
    return (parent == null ? workDir.toAbsolutePath() : parent).resolve(WARM_EVALUATION_FILE);
  }

  /** The shared evaluation of a warm start, valid only for the same weights and the same splits (by hash). */
  record WarmEvaluation(String weightsSha256, String splitsSha256, Map<String, EvalResult> results) {}

  /**
   * Reads a shared warm-start evaluation.
   *
   * @return the results, or null when there is none, it belongs to other weights or splits, or it cannot be read
   */
  static Map<String, EvalResult> readWarmEvaluation(Path cache, Path warmModel, Splits splits) throws IOException {
    if (!Files.exists(cache)) {
      return null;
    }
    WarmEvaluation w;
    try {
      w = GSON.fromJson(Files.readString(cache), WarmEvaluation.class);
    } catch (com.google.gson.JsonParseException e) {
      return null; // written by hand or cut short: evaluate again and overwrite it
    }
    if (w == null || w.results() == null || !weightsHash(warmModel).equals(w.weightsSha256())
        || !splitsHash(splits).equals(w.splitsSha256()) || !w.results().keySet().equals(splits.evalSets().keySet())) {
      return null;
    }
    for (Map.Entry<String, TaskSet> e : splits.evalSets().entrySet()) {
      EvalResult r = w.results().get(e.getKey());
      if (r == null || r.n() != e.getValue().size()) {
        return null;
      }
    }
    return new LinkedHashMap<>(w.results());
  }

  static void writeWarmEvaluation(Path cache, Path warmModel, Splits splits, Map<String, EvalResult> results)
      throws IOException {
    if (!results.isEmpty()) {
      AtomicFiles.writeString(cache, GSON.toJson(new WarmEvaluation(weightsHash(warmModel), splitsHash(splits),
          results)));
    }
  }

  /** SHA-256 of the evaluation splits' names, questions and answers, hex. */
  static String splitsHash(Splits splits) {
    java.security.MessageDigest md = sha256();
    splits.evalSets().forEach((name, set) -> {
      md.update((name + "\u0000").getBytes(java.nio.charset.StandardCharsets.UTF_8));
      for (ReasoningTask t : set.tasks()) {
        md.update((t.prompt() + "\u0000" + t.answer() + "\u0000").getBytes(java.nio.charset.StandardCharsets.UTF_8));
      }
    });
    return java.util.HexFormat.of().formatHex(md.digest());
  }

  private static java.security.MessageDigest sha256() {
    try {
      return java.security.MessageDigest.getInstance("SHA-256");
    } catch (java.security.NoSuchAlgorithmException e) {
      throw new IllegalStateException(e);
    }
  }

  /** SHA-256 of a saved policy's weights file(s), hex. */
  static String weightsHash(Path modelDir) throws IOException {
    java.security.MessageDigest md = sha256();
    try (var files = Files.list(modelDir)) {
      for (Path f : files.filter(x -> x.getFileName().toString().endsWith(".safetensors")
          || x.getFileName().toString().endsWith(".pt")).sorted().toList()) {
        md.update(f.getFileName().toString().getBytes(java.nio.charset.StandardCharsets.UTF_8));
        md.update(Files.readAllBytes(f));
      }
    }
    return java.util.HexFormat.of().formatHex(md.digest());
  }

  private static Map<String, EvalResult> evaluateAll(PolicyEvaluator evaluator, Splits splits) {
    Map<String, EvalResult> out = new LinkedHashMap<>();
    splits.evalSets().forEach((name, set) -> out.put(name, evaluator.evaluate(name, set).result()));
    return out;
  }

  /**
   * Returns the shared JSON writer (pretty, NaN allowed).
   *
   * @return the Gson instance
   */
  static Gson gson() {
    return GSON;
  }
}
