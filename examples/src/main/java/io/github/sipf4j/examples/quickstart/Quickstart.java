package io.github.sipf4j.examples.quickstart;

import ai.djl.Device;
import com.google.gson.Gson;
import com.google.gson.GsonBuilder;
import io.github.sipf4j.orpo.loss.NllScope;
import io.github.sipf4j.orpo.model.CausalLm;
import io.github.sipf4j.orpo.model.CausalLms;
import io.github.sipf4j.orpo.model.DecoderConfig;
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
import io.github.sipf4j.prm.process.Aggregation;
import io.github.sipf4j.prm.process.PairSelector;
import io.github.sipf4j.prm.process.PairSelectorConfig;
import io.github.sipf4j.prm.process.PrmTrainerConfig;
import io.github.sipf4j.prm.process.SimulatorConfig;
import io.github.sipf4j.prm.rollout.RolloutEngine;
import io.github.sipf4j.prm.rollout.VerifierSpec;
import io.github.sipf4j.prm.iterate.phase.RolloutShards;
import io.github.sipf4j.prm.process.StepScoringInput;
import io.github.sipf4j.prm.process.StepSplitter;
import io.github.sipf4j.prm.synthetic.SyntheticRegime;
import io.github.sipf4j.prm.synthetic.StepAudit;
import io.github.sipf4j.prm.synthetic.SyntheticStepChecker;
import io.github.sipf4j.prm.task.ReasoningTask;
import io.github.sipf4j.prm.task.TaskSet;
import io.github.sipf4j.prm.verify.OutcomeVerifier;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collections;
import java.util.HashMap;
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
    SIPF,
    /**
     * SIPF with exact step labels from {@code SyntheticStepChecker} (with the generator's reference rationales where
     * the regime has them) instead of Monte-Carlo labels, and SIPF's pair settings otherwise: the upper bound of
     * process feedback on the synthetic task, not the paper's method; no simulation runs.
     */
    SIPF_EXACT;

    /**
     * Parses a method name.
     *
     * @param name sft, rft, outcome, sipf or sipf-exact
     * @return the method
     */
    public static Method parse(String name) {
      for (Method m : values()) {
        if (m.key().equalsIgnoreCase(name.trim().replace('_', '-'))) {
          return m;
        }
      }
      throw new IllegalArgumentException("unknown method '" + name + "'; methods: sft, rft, outcome, sipf, "
          + "sipf-exact");
    }

    /**
     * Returns the lower-case name.
     *
     * @return the name used in files and reports ({@code sipf-exact} for {@link #SIPF_EXACT})
     */
    public String key() {
      return name().toLowerCase(Locale.ROOT).replace('_', '-');
    }

    /**
     * Returns whether the method scores steps (SIPF with Monte-Carlo or exact labels).
     *
     * @return true for {@link #SIPF} and {@link #SIPF_EXACT}
     */
    public boolean processFeedback() {
      return this == SIPF || this == SIPF_EXACT;
    }
  }

  /**
   * The data of one seed.
   *
   * @param gold the warm start's gold rationales
   * @param train the iterations' questions: the pool (answers only) followed by the gold replay questions
   * @param evalSets the evaluation splits by name: validation, in-domain, then the regime's out-of-domain splits
   * @param dev the warm start's early-stopping set: questions of the validation distribution that are in no other
   *     set (empty when the preset does not stop early)
   * @param references the generator's reference rationale of every question of every set (the pool's too), by
   *     question text, for the exact step checker
   */
  public record Splits(TaskSet gold, TaskSet train, Map<String, TaskSet> evalSets, TaskSet dev,
      Map<String, List<String>> references) {

    /**
     * Returns these splits with only the named evaluation sets, in the given order.
     *
     * @param names evaluation set names; every one must exist
     * @return the restricted splits
     * @throws IllegalArgumentException naming an unknown set and the known ones
     */
    public Splits onlyEvaluating(List<String> names) {
      Map<String, TaskSet> kept = new LinkedHashMap<>();
      for (String n : names) {
        TaskSet t = evalSets.get(n);
        if (t == null) {
          throw new IllegalArgumentException("unknown evaluation split '" + n + "'; splits: "
              + String.join(", ", evalSets.keySet()));
        }
        kept.put(n, t);
      }
      return new Splits(gold, train, kept, dev, references);
    }
  }

  /**
   * Generates the splits of one seed: the gold set is the regime's {@code in-domain} split of {@code goldExamples}
   * tasks with the seed itself (for the arithmetic regime what {@link SftWarmStart#train(Path, int, int, float,
   * long, boolean)} trains on), the others use seeds derived from it. The pool and the in-domain test split exclude
   * every question text of the gold set (and the test split those of the pool), so no test question was trained on.
   *
   * @param p the preset
   * @param seed the seed
   * @return the splits
   */
  public static Splits splits(Preset p, long seed) {
    SyntheticRegime regime = p.regime();
    TaskSet gold = regime.generate(SyntheticRegime.IN_DOMAIN, p.goldExamples(), seed);
    Map<String, List<String>> references = new HashMap<>(SyntheticStepChecker.goldSteps(gold.tasks()));
    Set<String> seen = new HashSet<>();
    gold.tasks().forEach(t -> seen.add(t.prompt()));
    List<ReasoningTask> train = new ArrayList<>();
    for (ReasoningTask t : regime.generate(SyntheticRegime.IN_DOMAIN, p.poolQuestions() * 2, seed * 1000 + 2)
        .tasks()) {
      if (train.size() < p.poolQuestions() && seen.add(t.prompt())) {
        references.put(t.prompt(), t.goldSteps());
        train.add(new ReasoningTask("pool/" + t.id(), t.prompt(), t.answer(), List.of(), t.kind(), t.choices(),
            t.tests(), t.metadata()));
      }
    }
    for (int i = 0; i < Math.min(p.goldReplay(), gold.size()); i++) {
      train.add(gold.get(i));
    }
    List<ReasoningTask> test = new ArrayList<>();
    for (ReasoningTask t : regime.generate(SyntheticRegime.IN_DOMAIN, p.evalTasks() * 2, seed * 1000 + 3)
        .tasks()) {
      if (test.size() < p.evalTasks() && !seen.contains(t.prompt())) {
        test.add(t);
      }
    }
    Map<String, TaskSet> eval = new LinkedHashMap<>();
    eval.put(VALIDATION, regime.generate(SyntheticRegime.VALIDATION, p.evalTasks(), seed * 1000 + 4));
    eval.put(IN_DOMAIN, new TaskSet(IN_DOMAIN, test));
    long stream = 5;
    for (String ood : regime.outOfDomain().keySet()) {
      eval.put(ood, regime.generate(ood, p.evalTasks(), seed * 1000 + stream++));
    }
    List<ReasoningTask> dev = new ArrayList<>();
    if (p.warmEvalEvery() > 0) {
      Set<String> validation = new HashSet<>();
      eval.get(VALIDATION).tasks().forEach(t -> validation.add(t.prompt()));
      for (ReasoningTask t : regime.generate(SyntheticRegime.VALIDATION, p.evalTasks() * 2, seed * 1000 + 9)
          .tasks()) {
        if (dev.size() < p.evalTasks() && !validation.contains(t.prompt())) {
          dev.add(t);
        }
      }
    }
    eval.values().forEach(set -> references.putAll(SyntheticStepChecker.goldSteps(set.tasks())));
    return new Splits(gold, new TaskSet("pool+replay", train), eval, new TaskSet("development", dev),
        Map.copyOf(references));
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
    SftWarmStart.StoppingRule stopping = p.warmEvalEvery() > 0 ? new SftWarmStart.StoppingRule(splits.dev(),
        p.warmEvalEvery(), p.warmPatience(), p.maxNewTokens()) : null;
    SftWarmStart.Result w;
    double pretrainSeconds = 0;
    try (TextTokenizer tok = TextTokenizer.characterLevel()) {
      DecoderConfig shape = SftWarmStart.model(tok.vocabSize(), p.modelWidth(), p.modelLayers(), maxLength(p));
      Path base = null;
      if (p.pretrainSteps() > 0) {
        Path pretrain = dir.resolve("pretrain");
        base = pretrain.resolve("sft-model");
        if (!Files.exists(base.resolve("tokenizer.json"))) {
          long p0 = System.nanoTime();
          SftWarmStart.train(pretrain, p.regime().generatePretraining(p.pretrainExamples(), seed * 1000 + 8), shape,
              null, p.pretrainSteps(), Preset.PRETRAIN_LR, seed, progress, null);
          pretrainSeconds = (System.nanoTime() - p0) / 1e9;
        }
      }
      w = SftWarmStart.train(dir, splits.gold(), shape, base, p.warmSteps(), p.warmLr(), seed, progress, stopping);
    }
    List<Map<String, Float>> epochs = w.warm().summary().epochMeans();
    EarlyStopping.History h = w.history();
    WarmStart ws = new WarmStart(model.toString(), (System.nanoTime() - t0) / 1e9,
        epochs.isEmpty() ? Float.NaN : epochs.get(epochs.size() - 1).getOrDefault("loss", Float.NaN),
        w.warm().summary().steps(), h == null ? -1 : h.bestStep(), h == null ? Double.NaN : h.bestAccuracy(),
        h == null ? List.of() : h.evaluations(), pretrainSeconds);
    AtomicFiles.writeString(done, GSON.toJson(ws));
    return ws;
  }

  /**
   * Returns the policy's context for a preset: 320 tokens for the arithmetic regime (the embedded default), else
   * room for the longest question and rationale of any of the regime's splits plus the prompt template and a
   * margin.
   */
  static int maxLength(Preset p) {
    if (p.regime() == SyntheticRegime.ARITHMETIC) {
      return 320;
    }
    int longest = p.regime().inDomain().maxChars();
    for (var c : p.regime().outOfDomain().values()) {
      longest = Math.max(longest, c.maxChars());
    }
    return longest + 32;
  }

  /**
   * A finished warm start.
   *
   * @param modelDir the saved model (with its tokenizer)
   * @param seconds how long training took
   * @param lastLoss the mean loss of the last epoch
   * @param steps the optimizer steps trained
   * @param bestStep with early stopping, the steps done at the kept (best) weights; -1 without
   * @param devAccuracy with early stopping, the kept weights' accuracy on the development set; NaN without
   * @param devEvaluations with early stopping, every development evaluation; empty without
   * @param pretrainSeconds of {@code seconds}, the pretraining stage's (0 without one, or when it was reused)
   */
  public record WarmStart(String modelDir, double seconds, double lastLoss, long steps, long bestStep,
      double devAccuracy, List<EarlyStopping.Evaluation> devEvaluations, double pretrainSeconds) {

    /**
     * Copies the evaluations (none when a file written by an older version lacks them).
     *
     * @param modelDir the {@code modelDir} component (see the record)
     * @param seconds the {@code seconds} component (see the record)
     * @param lastLoss the {@code lastLoss} component (see the record)
     * @param steps the {@code steps} component (see the record)
     * @param bestStep the {@code bestStep} component (see the record)
     * @param devAccuracy the {@code devAccuracy} component (see the record)
     * @param devEvaluations the {@code devEvaluations} component (see the record)
     * @param pretrainSeconds the {@code pretrainSeconds} component (see the record)
     */
    public WarmStart {
      devEvaluations = devEvaluations == null ? List.of() : List.copyOf(devEvaluations);
    }

    /**
     * A warm start trained elsewhere, of which only the folder is known.
     *
     * @param modelDir the saved model
     * @return the warm start with unknown cost and history
     */
    public static WarmStart external(String modelDir) {
      return new WarmStart(modelDir, 0, Double.NaN, 0, -1, Double.NaN, List.of(), 0);
    }
  }

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
   * @param validationAudit the step checker's audit of the greedy validation answers: index 0 the starting policy,
   *     then one per iteration; null where the validation split was not evaluated
   * @param splits the evaluated splits in the regime's order (validation, in-domain, out-of-domain)
   */
  public record MethodResult(Method method, Map<String, EvalResult> baseline, List<IterationReport> iterations,
      Path finalModelDir, double seconds, List<Double> soundChosen, List<StepAudit> validationAudit,
      List<String> splits) {}

  /**
   * Returns the exact step checker of a preset's regime: with the generator's reference rationales (so that it sees
   * reasoning errors) except for the arithmetic regime, whose checker stays the one of arithmetic and chaining its
   * published results used.
   *
   * @param p the preset
   * @param splits the splits, whose references it uses
   * @return the checker
   */
  public static SyntheticStepChecker checker(Preset p, Splits splits) {
    return p.regime() == SyntheticRegime.ARITHMETIC ? new SyntheticStepChecker()
        : SyntheticStepChecker.withReferences(splits.references());
  }

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
              .preferFlawedRejected(m.processFeedback() && p.preferFlawedRejected())
              .minChosenReward(m.processFeedback() ? p.minChosenReward() : 0).build()))
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
      if (m.processFeedback()) {
        if (m == Method.SIPF_EXACT || p.checkerRewards()) {
          b.rewardModel(checker(p, splits));
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
        shareWarmAnswers(trainer.iterationDir(0), workDir);
      }
      Set<String> gold = new HashSet<>();
      splits.train().tasks().stream().filter(t -> !t.goldSteps().isEmpty()).forEach(t -> gold.add(t.goldRationale()));
      ChosenSoundness soundness = new ChosenSoundness(formatted(checker(p, splits), p, splits));
      List<Double> sound = new ArrayList<>();
      List<StepAudit> audits = new ArrayList<>();
      audits.add(audit(p, splits, warmAnswersDir(workDir)));
      for (IterationReport it : r.iterations()) {
        sound.add(soundness.share(trainer.iterationDir(it.iteration()), gold));
        audits.add(audit(p, splits, trainer.iterationDir(it.iteration())));
      }
      return new MethodResult(m, r.baseline(), r.iterations(), r.finalPolicyDir(), (System.nanoTime() - t0) / 1e9,
          sound, audits, List.copyOf(splits.evalSets().keySet()));
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
      List<StepAudit> audits = new ArrayList<>();
      if (baseline == null) {
        baseline = evaluateAll(evaluator, splits, workDir.resolve("baseline"));
        writeWarmEvaluation(cache, warmModel, splits, baseline);
        shareWarmAnswers(workDir.resolve("baseline"), workDir);
      }
      audits.add(audit(p, splits, warmAnswersDir(workDir)));
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
          audits.add(audit(p, splits, dir));
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
        Map<String, EvalResult> evals = evaluateAll(evaluator, splits, dir);
        double evalSeconds = (System.nanoTime() - e0) / 1e9;
        Map<String, Double> seconds = new LinkedHashMap<>();
        seconds.put("train_policy", trainSeconds);
        seconds.put("evaluate", evalSeconds);
        IterationReport r = new IterationReport(k, null, evals, 0, 0, 0, 0, 0, data.size(), data.size(), 0,
            data.size(), Double.NaN, Double.NaN, summary.steps(), summary.lastMetrics().getOrDefault("loss", Float.NaN),
            seconds);
        AtomicFiles.writeString(reportFile, GSON.toJson(r));
        reports.add(r);
        audits.add(audit(p, splits, dir));
      }
      return new MethodResult(Method.SFT, baseline, reports, last, (System.nanoTime() - t0) / 1e9,
          Collections.nCopies(reports.size(), Double.NaN), audits, List.copyOf(splits.evalSets().keySet()));
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

  /**
   * Returns where the warm start's greedy answers ({@code eval-<split>.jsonl}) are shared beside its evaluation, for
   * the audit of the starting policy of every method.
   */
  static Path warmAnswersDir(Path workDir) {
    return warmEvaluationFile(workDir).resolveSibling("warm-start-answers");
  }

  /** Copies the answers of the method that evaluated the warm start to the shared folder. */
  private static void shareWarmAnswers(Path evaluatedDir, Path workDir) throws IOException {
    Path shared = Files.createDirectories(warmAnswersDir(workDir));
    try (var files = Files.list(evaluatedDir)) {
      for (Path f : files.filter(x -> x.getFileName().toString().startsWith("eval-")
          && x.getFileName().toString().endsWith(".jsonl")).toList()) {
        Files.copy(f, shared.resolve(f.getFileName()), java.nio.file.StandardCopyOption.REPLACE_EXISTING);
      }
    }
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

  /** Evaluates every split and writes each one's answers to {@code dir/eval-<split>.jsonl}, as the loop does. */
  private static Map<String, EvalResult> evaluateAll(PolicyEvaluator evaluator, Splits splits, Path dir)
      throws IOException {
    Files.createDirectories(dir);
    Map<String, EvalResult> out = new LinkedHashMap<>();
    for (Map.Entry<String, TaskSet> e : splits.evalSets().entrySet()) {
      PolicyEvaluator.Evaluation ev = evaluator.evaluate(e.getKey(), e.getValue());
      List<String> lines = new ArrayList<>();
      for (PolicyEvaluator.Prediction pr : ev.predictions()) {
        lines.add(new Gson().toJson(pr));
      }
      AtomicFiles.writeString(dir.resolve("eval-" + e.getKey() + ".jsonl"), String.join("\n", lines) + "\n");
      out.put(e.getKey(), ev.result());
    }
    return out;
  }

  /**
   * Audits the greedy validation answers written in a folder ({@code eval-validation.jsonl}) with the preset's
   * checker, or returns null when the folder has none.
   */
  static StepAudit audit(Preset p, Splits splits, Path dir) throws IOException {
    Path file = dir.resolve("eval-" + VALIDATION + ".jsonl");
    TaskSet tasks = splits.evalSets().get(VALIDATION);
    if (tasks == null || !Files.exists(file)) {
      return null;
    }
    Map<String, ReasoningTask> byId = new HashMap<>();
    tasks.tasks().forEach(t -> byId.put(t.id(), t));
    List<StepScoringInput> inputs = new ArrayList<>();
    StepSplitter splitter = StepSplitter.newlines();
    for (String line : Files.readAllLines(file)) {
      if (line.isBlank()) {
        continue;
      }
      PolicyEvaluator.Prediction pr = GSON.fromJson(line, PolicyEvaluator.Prediction.class);
      ReasoningTask t = byId.get(pr.task());
      List<String> steps = splitter.split(pr.output());
      if (t != null && !steps.isEmpty()) {
        inputs.add(new StepScoringInput(t.prompt(), steps, pr.correct()));
      }
    }
    return StepAudit.of(checker(p, splits), inputs);
  }

  /**
   * Returns the preset's checker keyed by formatted prompts (as the pair and RFT files hold them) where it has
   * references.
   */
  private static SyntheticStepChecker formatted(SyntheticStepChecker checker, Preset p, Splits splits) {
    if (checker.referenceCount() == 0) {
      return checker;
    }
    Map<String, List<String>> byPrompt = new HashMap<>();
    splits.references().forEach((q, steps) -> byPrompt.put(PromptTemplate.DEFAULT.format(q), steps));
    return SyntheticStepChecker.withReferences(byPrompt);
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
