package io.github.sipf4j.prm.iterate;

import com.google.common.base.Preconditions;
import com.google.gson.JsonObject;
import com.google.gson.reflect.TypeToken;
import io.github.sipf4j.orpo.data.PreferenceJsonl;
import io.github.sipf4j.orpo.data.PreferencePair;
import io.github.sipf4j.orpo.loss.OrpoLoss;
import io.github.sipf4j.orpo.model.CausalLm;
import io.github.sipf4j.orpo.model.CausalLms;
import io.github.sipf4j.orpo.model.DecoderLm;
import io.github.sipf4j.orpo.sample.Sample;
import io.github.sipf4j.orpo.sample.Sampler;
import io.github.sipf4j.orpo.sample.SamplingConfig;
import io.github.sipf4j.orpo.text.EncodedSequence;
import io.github.sipf4j.orpo.text.PromptTemplate;
import io.github.sipf4j.orpo.text.SequenceEncoder;
import io.github.sipf4j.orpo.text.SequenceTooLongException;
import io.github.sipf4j.orpo.text.TextTokenizer;
import io.github.sipf4j.orpo.train.AnchorSet;
import io.github.sipf4j.orpo.train.OrpoTrainer;
import io.github.sipf4j.orpo.train.SftTrainer;
import io.github.sipf4j.orpo.train.TrainerConfig;
import io.github.sipf4j.orpo.train.TrainingSummary;
import io.github.sipf4j.orpo.util.AtomicFiles;
import io.github.sipf4j.orpo.util.MetricsFile;
import io.github.sipf4j.prm.process.Aggregation;
import io.github.sipf4j.prm.process.DecoderPrm;
import io.github.sipf4j.prm.process.LabeledRationale;
import io.github.sipf4j.prm.process.PairSelector;
import io.github.sipf4j.prm.process.PrmTrainer;
import io.github.sipf4j.prm.process.PrmTrainerConfig;
import io.github.sipf4j.prm.process.PrmTrainingResult;
import io.github.sipf4j.prm.process.ProcessRewardModel;
import io.github.sipf4j.prm.process.RolloutRequest;
import io.github.sipf4j.prm.process.RolloutSimulator;
import io.github.sipf4j.prm.process.ScoredRationale;
import io.github.sipf4j.prm.process.SelectedPair;
import io.github.sipf4j.prm.process.SimulationStats;
import io.github.sipf4j.prm.process.SimulatorConfig;
import io.github.sipf4j.prm.process.StepLabels;
import io.github.sipf4j.prm.process.StepScoringInput;
import io.github.sipf4j.prm.process.StepSplitter;
import io.github.sipf4j.prm.task.ReasoningTask;
import io.github.sipf4j.prm.task.TaskSet;
import io.github.sipf4j.prm.verify.OutcomeVerifier;
import io.github.sipf4j.prm.verify.Verdict;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Objects;
import java.util.Random;
import java.util.Set;
import java.util.TreeMap;
import java.util.regex.Pattern;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Runs SIPF (Chen, Wang, Zhang, COLING 2025) end to end: every iteration samples rationales from the policy, verifies
 * their final answers, labels steps by Monte-Carlo inference simulation, trains a process reward model on the labels,
 * scores every step, selects chosen/rejected pairs, adds them to the pairs of earlier iterations
 * (\( D_{k+1} = D_k \cup \text{new} \)), trains the policy with ORPO and evaluates it. The outcome-only ablation
 * (SIOF) and rejection-sampling fine-tuning (RFT) run through the same loop ({@link FeedbackMode}).
 *
 * <p>Every phase writes its output to {@code workDir/iteration-NN/} and then a marker {@code phases/<phase>.json}
 * holding its summary; later phases read their inputs from those files. {@link #run()} on an existing work directory
 * skips every phase whose marker exists, so a run killed at any moment loses at most the phase in flight (and the
 * policy training phase resumes from its last checkpoint). The starting policy is saved once to
 * {@code initial-policy/}, every iteration's policy to {@code iteration-NN/policy/} (model and tokenizer, loadable
 * with {@link CausalLms#load} and {@link TextTokenizer#fromFile}). The run's settings are kept in {@code run.json};
 * resuming with different settings fails (the number of iterations may grow). {@code metrics.csv} and
 * {@code metrics.jsonl} hold one row per iteration (row 0: the starting policy's evaluation).
 *
 * <pre>{@code
 * try (TextTokenizer tok = TextTokenizer.characterLevel();
 *      DecoderLm policy = DecoderLm.load(Path.of("sft-model"), Device.cpu())) {
 *   SelfIterativeResult result = SelfIterativeTrainer.builder()
 *       .policy(policy).tokenizer(tok)
 *       .trainTasks(SyntheticTaskGenerator.generate(SyntheticSplit.IN_DOMAIN, 1200, 7))
 *       .evalSet("in-domain", SyntheticTaskGenerator.generate(SyntheticSplit.VALIDATION, 300, 8))
 *       .iterations(2).workDir(Path.of("runs/sipf"))
 *       .build().run();
 *   System.out.println(result.last().accuracy("in-domain"));
 * }
 * }</pre>
 *
 * <p>Instances are not thread-safe; one run uses the policy exclusively. The policy and tokenizer stay the caller's
 * (the trainer does not close them); after {@code run()} the policy holds the final weights.
 */
public final class SelfIterativeTrainer {

  private static final Logger LOG = LoggerFactory.getLogger(SelfIterativeTrainer.class);
  private static final Pattern SAFE_NAME = Pattern.compile("[A-Za-z0-9._-]+");

  /** The directory, inside the work directory, holding the starting policy. */
  public static final String INITIAL_POLICY_DIR = "initial-policy";

  /** The directory, inside an iteration's folder, holding the policy it trained. */
  public static final String POLICY_DIR = "policy";

  /** How many iterations run by default. */
  public static final int DEFAULT_ITERATIONS = 2;

  /** How many rationales are sampled per question by default (the calibration's setting). */
  public static final int DEFAULT_SAMPLES_PER_QUESTION = 4;

  /** The most samples whose steps are simulated per iteration to train the default PRM. */
  public static final int DEFAULT_MAX_SIMULATED_SAMPLES = 1000;

  /** The share of simulated questions held out to validate the trained PRM. */
  public static final double DEFAULT_PRM_VALIDATION_FRACTION = 0.2;

  private enum RewardSource {
    LEARNED, MONTE_CARLO, CUSTOM
  }

  private final CausalLm policy;
  private final TextTokenizer tokenizer;
  private final PromptTemplate template;
  private final TaskSet trainTasks;
  private final OutcomeVerifier verifier;
  private final SamplingConfig sampling;
  private final int questionsPerIteration;
  private final FeedbackMode mode;
  private final CausalLm simulatorModel;
  private final SimulatorConfig simulator;
  private final int maxSimulatedSamples;
  private final RewardSource rewardSource;
  private final ProcessRewardModel customRewardModel;
  private final boolean softLabels;
  private final PrmTrainerConfig prmTraining;
  private final double prmValidationFraction;
  private final Aggregation aggregation;
  private final String aggregationName;
  private final PairSelector pairSelector;
  private final boolean useGoldRationales;
  private final TaskSet anchorTasks;
  private final boolean accumulate;
  private final PolicyTrainingConfig training;
  private final int iterations;
  private final Path workDir;
  private final List<SelfIterativeListener> listeners;
  private final Map<String, TaskSet> evalSets;
  private final Map<String, EvalResult> startingEvaluation;
  private final long seed;
  private final boolean progress;
  private final SequenceEncoder encoder;
  private final StepSplitter splitter = StepSplitter.newlines();

  /** Which saved weights the policy holds now; null when unknown (being trained, or the caller's). */
  private Path loadedPolicy;

  private SelfIterativeTrainer(Builder b) {
    this.policy = b.policy;
    this.tokenizer = b.tokenizer;
    this.template = b.template;
    this.trainTasks = b.trainTasks;
    this.verifier = b.verifier;
    this.sampling = b.sampling;
    this.questionsPerIteration = b.questionsPerIteration;
    this.mode = b.mode;
    this.simulatorModel = b.simulatorModel;
    this.simulator = b.simulator;
    this.maxSimulatedSamples = b.maxSimulatedSamples;
    this.rewardSource = b.rewardSource;
    this.customRewardModel = b.customRewardModel;
    this.softLabels = b.softLabels;
    this.prmTraining = b.prmTraining;
    this.prmValidationFraction = b.prmValidationFraction;
    this.aggregation = b.aggregation;
    this.aggregationName = b.aggregationName;
    this.pairSelector = b.pairSelector;
    this.useGoldRationales = b.useGoldRationales;
    this.anchorTasks = b.anchorTasks;
    this.accumulate = b.accumulate;
    this.training = b.training;
    this.iterations = b.iterations;
    this.workDir = b.workDir;
    this.listeners = List.copyOf(b.listeners);
    this.evalSets = Collections.unmodifiableMap(new LinkedHashMap<>(b.evalSets));
    this.startingEvaluation = b.startingEvaluation == null ? null
        : Collections.unmodifiableMap(new LinkedHashMap<>(b.startingEvaluation));
    this.seed = b.seed;
    this.progress = b.progress;
    this.encoder = new SequenceEncoder(tokenizer, template, policy.maxLength());
  }

  /**
   * Returns a builder holding the documented defaults.
   *
   * @return a new builder
   */
  public static Builder builder() {
    return new Builder();
  }

  /**
   * Returns the phases this trainer runs in every iteration, in order.
   *
   * @return the phases
   */
  public List<Phase> phases() {
    List<Phase> out = new ArrayList<>(List.of(Phase.SAMPLE, Phase.VERIFY));
    if (mode == FeedbackMode.PROCESS && rewardSource != RewardSource.CUSTOM) {
      out.add(Phase.SIMULATE);
    }
    if (mode == FeedbackMode.PROCESS && rewardSource == RewardSource.LEARNED) {
      out.add(Phase.TRAIN_PRM);
    }
    if (mode != FeedbackMode.RFT) {
      out.add(Phase.SCORE);
    }
    out.addAll(List.of(Phase.SELECT, Phase.TRAIN_POLICY));
    if (!evalSets.isEmpty()) {
      out.add(Phase.EVALUATE);
    }
    return out;
  }

  /**
   * Returns the folder of one iteration.
   *
   * @param iteration the iteration, from 1 (0: the baseline evaluation)
   * @return {@code workDir/iteration-NN}, or {@code workDir/baseline} for 0
   */
  public Path iterationDir(int iteration) {
    return iteration == 0 ? workDir.resolve("baseline")
        : workDir.resolve(String.format(Locale.ROOT, "iteration-%02d", iteration));
  }

  /**
   * Runs (or resumes) every iteration.
   *
   * @return the baseline evaluation and one report per iteration
   * @throws IOException if the work directory cannot be read or written
   * @throws IllegalStateException if the work directory holds a run with other settings
   */
  public SelfIterativeResult run() throws IOException {
    Files.createDirectories(workDir);
    checkRunSettings();
    Path initial = workDir.resolve(INITIAL_POLICY_DIR);
    if (Files.exists(initial.resolve("saved.json"))) {
      loadedPolicy = null; // the caller's policy may hold other weights: restore before use
    } else {
      savePolicy(initial);
    }
    Map<String, EvalResult> baseline = Map.of();
    List<Map<String, Object>> rows = new ArrayList<>();
    if (!evalSets.isEmpty()) {
      Path dir = iterationDir(0);
      JsonObject s = runPhase(0, dir, Phase.EVALUATE, () -> startingEvaluation == null ? evaluate(0, dir, initial)
          : recordStartingEvaluation(dir));
      baseline = evalResults(s);
      rows.add(new IterationReport(0, mode, baseline, 0, 0, 0, 0, 0, 0, 0, 0, 0, Double.NaN, Double.NaN, 0,
          Double.NaN, Map.of(Phase.EVALUATE.key(), s.get("seconds").getAsDouble())).toRow());
    }
    List<IterationReport> reports = new ArrayList<>();
    for (int k = 1; k <= iterations; k++) {
      IterationReport report = runIteration(k);
      reports.add(report);
      rows.add(report.toRow());
      writeMetrics(rows);
      for (SelfIterativeListener l : listeners) {
        l.onIterationEnd(report);
      }
    }
    if (reports.isEmpty()) {
      writeMetrics(rows);
    }
    Path last = iterationDir(iterations).resolve(POLICY_DIR);
    ensurePolicy(last);
    return new SelfIterativeResult(baseline, reports, last, workDir);
  }

  private IterationReport runIteration(int k) throws IOException {
    Path dir = iterationDir(k);
    Path previous = k == 1 ? workDir.resolve(INITIAL_POLICY_DIR) : iterationDir(k - 1).resolve(POLICY_DIR);
    List<ReasoningTask> questions = questionsFor(k);
    Map<String, JsonObject> done = new LinkedHashMap<>();
    for (Phase p : phases()) {
      JsonObject s = switch (p) {
        case SAMPLE -> runPhase(k, dir, p, () -> sample(k, dir, previous, questions));
        case VERIFY -> runPhase(k, dir, p, () -> verify(dir, questions));
        case SIMULATE -> runPhase(k, dir, p, () -> simulate(k, dir, previous, questions));
        case TRAIN_PRM -> runPhase(k, dir, p, () -> trainPrm(k, dir, previous, questions));
        case SCORE -> runPhase(k, dir, p, () -> score(dir, questions));
        case SELECT -> runPhase(k, dir, p, () -> select(k, dir, questions));
        case TRAIN_POLICY -> runPhase(k, dir, p, () -> trainPolicy(k, dir, previous));
        case EVALUATE -> runPhase(k, dir, p, () -> evaluate(k, dir, dir.resolve(POLICY_DIR)));
      };
      done.put(p.key(), s);
    }
    IterationReport report = report(k, done);
    RunStore.writeJson(dir.resolve("report.json"), report);
    LOG.info("iteration {}: {}", k, report.toRow());
    return report;
  }

  // ---------------------------------------------------------------------------------------------- phases

  private JsonObject sample(int k, Path dir, Path previous, List<ReasoningTask> questions) throws IOException {
    ensurePolicy(previous);
    List<String> prompts = new ArrayList<>(questions.size());
    for (ReasoningTask t : questions) {
      prompts.add(template.format(t.prompt()));
    }
    SamplingConfig cfg = sampling.toBuilder().seed(seedFor("sample", k)).showProgress(progress).build();
    List<Sample> samples = new Sampler(policy, encoder).sample(prompts, cfg);
    List<SampleRecord> records = new ArrayList<>(samples.size());
    long tokens = 0;
    for (List<Sample> group : Sampler.byPrompt(samples, prompts.size())) {
      for (Sample s : group) {
        records.add(new SampleRecord(s.promptIndex(), questions.get(s.promptIndex()).id(), s.sampleIndex(),
            s.text(), s.length(), s.meanLogProb(), s.finishReason().name()));
        tokens += s.length();
      }
    }
    RunStore.writeLines(dir.resolve("samples.jsonl"), records);
    JsonObject s = new JsonObject();
    s.addProperty("questions", questions.size());
    s.addProperty("samples", records.size());
    s.addProperty("tokens", tokens);
    return s;
  }

  private JsonObject verify(Path dir, List<ReasoningTask> questions) throws IOException {
    List<SampleRecord> samples = readSamples(dir, questions);
    List<VerdictRecord> out = new ArrayList<>(samples.size());
    int correct = 0;
    for (SampleRecord r : samples) {
      Verdict v = verifier.verify(questions.get(r.question()), r.text());
      out.add(new VerdictRecord(v.correct(), v.extracted(), v.reason()));
      correct += v.correct() ? 1 : 0;
    }
    RunStore.writeLines(dir.resolve("verdicts.jsonl"), out);
    JsonObject s = new JsonObject();
    s.addProperty("correct", correct);
    s.addProperty("samples", samples.size());
    return s;
  }

  private JsonObject simulate(int k, Path dir, Path previous, List<ReasoningTask> questions) throws IOException {
    List<SampleRecord> samples = readSamples(dir, questions);
    List<VerdictRecord> verdicts = readVerdicts(dir, samples.size());
    boolean[] pairable = pairableQuestions(questions, samples, verdicts);
    List<Integer> chosen = new ArrayList<>();
    for (int i = 0; i < samples.size(); i++) {
      if (!splitter.split(samples.get(i).text()).isEmpty()
          && (rewardSource == RewardSource.LEARNED || pairable[samples.get(i).question()])) {
        chosen.add(i);
      }
    }
    if (rewardSource == RewardSource.LEARNED && chosen.size() > maxSimulatedSamples) {
      Collections.shuffle(chosen, new Random(seedFor("simulate-subset", k)));
      chosen = new ArrayList<>(chosen.subList(0, maxSimulatedSamples));
      Collections.sort(chosen);
    }
    List<RolloutRequest> requests = new ArrayList<>(chosen.size());
    for (int i : chosen) {
      SampleRecord r = samples.get(i);
      requests.add(new RolloutRequest(questions.get(r.question()), template.format(questions.get(r.question())
          .prompt()), splitter.split(r.text()), false));
    }
    List<LabelRecord> labels = new ArrayList<>(requests.size());
    int flawed = 0;
    SimulationStats stats = null;
    if (!requests.isEmpty()) {
      CausalLm simModel = simulatorModel == null ? policy : simulatorModel;
      if (simulatorModel == null) {
        ensurePolicy(previous);
      }
      SimulatorConfig cfg = new SimulatorConfig(simulator.rolloutsPerStep(), simulator.delta(), simulator.earlyStop(),
          simulator.sampling().toBuilder().seed(seedFor("simulate", k)).build(), progress);
      RolloutSimulator sim = new RolloutSimulator(new Sampler(simModel, encoder), verifier, cfg);
      List<StepLabels> out = sim.label(requests);
      stats = sim.lastStats();
      for (int j = 0; j < out.size(); j++) {
        StepLabels l = out.get(j);
        labels.add(new LabelRecord(chosen.get(j), l.soft(), l.hard(), l.rollouts(), l.correct(), l.outcomeCorrect(),
            l.firstWrongStep()));
        flawed += l.outcomeCorrect() && l.firstWrongStep() >= 0 && l.firstWrongStep() < l.size() - 1 ? 1 : 0;
      }
    }
    RunStore.writeLines(dir.resolve("labels.jsonl"), labels);
    JsonObject s = new JsonObject();
    s.addProperty("simulated", labels.size());
    s.addProperty("flawed_correct", flawed);
    s.addProperty("completions", stats == null ? 0 : stats.completions());
    s.addProperty("prefixes", stats == null ? 0 : stats.prefixesSimulated());
    return s;
  }

  private JsonObject trainPrm(int k, Path dir, Path previous, List<ReasoningTask> questions) throws IOException {
    List<SampleRecord> samples = readSamples(dir, questions);
    List<LabelRecord> labels = RunStore.readLines(dir.resolve("labels.jsonl"), LabelRecord.class);
    JsonObject s = new JsonObject();
    if (labels.isEmpty()) {
      LOG.warn("iteration {}: no simulated samples, so no PRM was trained; rationales are scored by outcome", k);
      s.addProperty("trained", false);
      return s;
    }
    // Hold out whole questions: a seeded share of the simulated questions validates the PRM.
    List<Integer> simulatedQuestions = labels.stream().map(l -> samples.get(l.sample()).question()).distinct()
        .sorted().collect(java.util.stream.Collectors.toCollection(ArrayList::new));
    Collections.shuffle(simulatedQuestions, new Random(seedFor("prm-split", k)));
    int held = simulatedQuestions.size() < 5 ? 0 : (int) Math.round(prmValidationFraction * simulatedQuestions.size());
    Set<Integer> validationQuestions = new LinkedHashSet<>(simulatedQuestions.subList(0, held));
    List<LabeledRationale> train = new ArrayList<>();
    List<LabeledRationale> validation = new ArrayList<>();
    for (LabelRecord l : labels) {
      SampleRecord r = samples.get(l.sample());
      LabeledRationale lr = new LabeledRationale(questions.get(r.question()).prompt(), splitter.split(r.text()),
          softLabels ? l.soft() : toDoubles(l.hard()));
      (validationQuestions.contains(r.question()) ? validation : train).add(lr);
    }
    PrmTrainerConfig cfg = prmTraining.toBuilder().seed(seedFor("prm", k)).workDir(dir.resolve("prm-train"))
        .progressBar(progress).build();
    CausalLm backbone = CausalLms.load(previous, policy.getDevice());
    try (DecoderPrm prm = DecoderPrm.create(backbone, tokenizer, template, seedFor("prm-head", k))) {
      PrmTrainingResult result = new PrmTrainer(prm, cfg).fit(train, validation.isEmpty() ? null : validation);
      prm.save(dir.resolve("prm"));
      s.addProperty("trained", true);
      s.addProperty("train_rationales", train.size());
      s.addProperty("validation_rationales", validation.size());
      s.addProperty("steps", result.steps());
      s.addProperty("skipped_steps", result.skippedSteps());
      s.addProperty("first_loss", result.firstLoss());
      s.addProperty("last_loss", result.lastLoss());
      s.addProperty("step_accuracy", result.validation() == null ? Double.NaN : result.validation().accuracy());
      s.addProperty("auroc", result.validation() == null ? Double.NaN : result.validation().auroc());
      if (result.validation() != null) {
        RunStore.writeJson(dir.resolve("prm-metrics.json"), result.validation().toMap(""));
      }
    }
    return s;
  }

  private JsonObject score(Path dir, List<ReasoningTask> questions) throws IOException {
    List<SampleRecord> samples = readSamples(dir, questions);
    List<VerdictRecord> verdicts = readVerdicts(dir, samples.size());
    List<Integer> index = new ArrayList<>();
    List<StepScoringInput> inputs = new ArrayList<>();
    for (int i = 0; i < samples.size(); i++) {
      List<String> steps = splitter.split(samples.get(i).text());
      if (!steps.isEmpty()) {
        index.add(i);
        inputs.add(new StepScoringInput(questions.get(samples.get(i).question()).prompt(), steps,
            verdicts.get(i).correct()));
      }
    }
    List<double[]> scores = scoreAll(dir, samples, inputs, index);
    List<ScoreRecord> out = new ArrayList<>();
    int unscored = 0;
    for (int j = 0; j < index.size(); j++) {
      double[] sc = scores.get(j);
      boolean finite = sc != null && sc.length == inputs.get(j).steps().size()
          && Arrays.stream(sc).allMatch(v -> Double.isFinite(v) && v >= 0 && v <= 1);
      if (!finite) {
        unscored++;
        continue;
      }
      out.add(new ScoreRecord(index.get(j), sc, aggregation.aggregate(sc)));
    }
    if (unscored > 0) {
      LOG.warn("{} of {} samples got a missing, non-finite or out-of-range step score and were left out of the pairs",
          unscored, index.size());
    }
    RunStore.writeLines(dir.resolve("scores.jsonl"), out);
    JsonObject s = new JsonObject();
    s.addProperty("scored", out.size());
    s.addProperty("unscored", unscored);
    return s;
  }

  private List<double[]> scoreAll(Path dir, List<SampleRecord> samples, List<StepScoringInput> inputs,
      List<Integer> index) throws IOException {
    if (mode == FeedbackMode.OUTCOME) {
      return ProcessRewardModel.outcome().scoreSteps(inputs);
    }
    switch (rewardSource) {
      case CUSTOM:
        return customRewardModel.scoreSteps(inputs);
      case MONTE_CARLO: {
        Map<Integer, LabelRecord> bySample = new TreeMap<>();
        for (LabelRecord l : RunStore.readLines(dir.resolve("labels.jsonl"), LabelRecord.class)) {
          bySample.put(l.sample(), l);
        }
        List<double[]> out = new ArrayList<>();
        for (int j = 0; j < index.size(); j++) {
          LabelRecord l = bySample.get(index.get(j));
          out.add(l != null ? (softLabels ? l.soft() : toDoubles(l.hard()))
              : ProcessRewardModel.outcome().scoreSteps(inputs.get(j)));
        }
        return out;
      }
      default: {
        Path prmDir = dir.resolve("prm");
        if (!Files.isDirectory(prmDir)) {
          return ProcessRewardModel.outcome().scoreSteps(inputs);
        }
        try (DecoderPrm prm = DecoderPrm.load(prmDir, policy.getDevice())) {
          List<double[]> out = new ArrayList<>(inputs.size());
          for (StepScoringInput in : inputs) {
            out.add(null);
          }
          // Score what fits the PRM's context; a sample too long for it stays unscored (reported as such).
          List<Integer> fit = new ArrayList<>();
          for (int j = 0; j < inputs.size(); j++) {
            try {
              prm.encode(inputs.get(j).prompt(), inputs.get(j).steps());
              fit.add(j);
            } catch (SequenceTooLongException e) {
              LOG.warn("sample {} does not fit the PRM: {}", index.get(j), e.getMessage());
            }
          }
          List<double[]> scored = prm.scoreSteps(fit.stream().map(inputs::get).toList());
          for (int j = 0; j < fit.size(); j++) {
            out.set(fit.get(j), scored.get(j));
          }
          return out;
        }
      }
    }
  }

  private JsonObject select(int k, Path dir, List<ReasoningTask> questions) throws IOException {
    List<SampleRecord> samples = readSamples(dir, questions);
    List<VerdictRecord> verdicts = readVerdicts(dir, samples.size());
    Path previousData = k == 1 ? null : iterationDir(k - 1).resolve("dataset.jsonl");
    JsonObject s = new JsonObject();
    if (mode == FeedbackMode.RFT) {
      LinkedHashSet<SftRecord> fresh = new LinkedHashSet<>();
      int gold = 0;
      for (int q = 0; q < questions.size(); q++) {
        ReasoningTask t = questions.get(q);
        String prompt = template.format(t.prompt());
        if (useGoldRationales && !t.goldSteps().isEmpty()) {
          gold += fresh.add(new SftRecord(prompt, t.goldRationale())) ? 1 : 0;
        }
      }
      for (int i = 0; i < samples.size(); i++) {
        if (verdicts.get(i).correct() && !samples.get(i).text().isBlank()) {
          fresh.add(new SftRecord(template.format(questions.get(samples.get(i).question()).prompt()),
              samples.get(i).text().strip()));
        }
      }
      LinkedHashSet<SftRecord> all = new LinkedHashSet<>();
      if (accumulate && previousData != null) {
        all.addAll(RunStore.readLines(previousData, SftRecord.class));
      }
      int before = all.size();
      all.addAll(fresh);
      RunStore.writeLines(dir.resolve("sft-new.jsonl"), fresh);
      RunStore.writeLines(dir.resolve("dataset.jsonl"), all);
      s.addProperty("new", fresh.size());
      s.addProperty("added", all.size() - before);
      s.addProperty("total", all.size());
      s.addProperty("gold_chosen", gold);
      s.addProperty("correct_rejected", 0);
      return s;
    }
    Map<Integer, ScoreRecord> scores = new TreeMap<>();
    for (ScoreRecord r : RunStore.readLines(dir.resolve("scores.jsonl"), ScoreRecord.class)) {
      scores.put(r.sample(), r);
    }
    List<List<Integer>> byQuestion = new ArrayList<>();
    for (int q = 0; q < questions.size(); q++) {
      byQuestion.add(new ArrayList<>());
    }
    for (int i = 0; i < samples.size(); i++) {
      byQuestion.get(samples.get(i).question()).add(i);
    }
    List<PreferencePair> fresh = new ArrayList<>();
    List<SelectedRecord> selected = new ArrayList<>();
    int correctRejected = 0;
    int goldChosen = 0;
    for (int q = 0; q < questions.size(); q++) {
      ReasoningTask t = questions.get(q);
      List<ScoredRationale> candidates = new ArrayList<>();
      String goldText = null;
      if (useGoldRationales && !t.goldSteps().isEmpty()) {
        goldText = t.goldRationale();
        double[] ones = new double[t.goldSteps().size()];
        Arrays.fill(ones, 1.0);
        candidates.add(new ScoredRationale(goldText, t.goldSteps(), true, 1.0, ones));
      }
      for (int i : byQuestion.get(q)) {
        ScoreRecord sc = scores.get(i);
        if (sc != null) {
          candidates.add(new ScoredRationale(samples.get(i).text(), splitter.split(samples.get(i).text()),
              verdicts.get(i).correct(), sc.reward(), sc.scores()));
        }
      }
      if (candidates.size() < 2) {
        continue;
      }
      for (SelectedPair p : pairSelector.select(template.format(t.prompt()), candidates)) {
        fresh.add(p.pair());
        boolean gold = p.pair().chosen().equals(goldText);
        correctRejected += p.rejectedCorrect() ? 1 : 0;
        goldChosen += gold ? 1 : 0;
        selected.add(new SelectedRecord(t.id(), p.chosenReward(), p.rejectedReward(), p.rejectedCorrect(), gold));
      }
    }
    LinkedHashSet<PreferencePair> all = new LinkedHashSet<>();
    if (accumulate && previousData != null) {
      all.addAll(PreferenceJsonl.read(previousData));
    }
    int before = all.size();
    all.addAll(fresh);
    PreferenceJsonl.write(dir.resolve("pairs.jsonl"), fresh);
    RunStore.writeLines(dir.resolve("pairs-info.jsonl"), selected);
    PreferenceJsonl.write(dir.resolve("dataset.jsonl"), all);
    s.addProperty("new", fresh.size());
    s.addProperty("added", all.size() - before);
    s.addProperty("total", all.size());
    s.addProperty("gold_chosen", goldChosen);
    s.addProperty("correct_rejected", correctRejected);
    return s;
  }

  private JsonObject trainPolicy(int k, Path dir, Path previous) throws IOException {
    ensurePolicy(previous);
    Path data = dir.resolve("dataset.jsonl");
    TrainerConfig cfg = TrainerConfig.builder().batchSize(training.batchSize())
        .microBatchSize(training.microBatchSize()).epochs(training.epochs()).maxSteps(training.maxSteps())
        .seed(seedFor("train", k)).optimizer(training.optimizer()).workDir(dir.resolve("train"))
        .checkpointEverySteps(training.checkpointEverySteps()).progressBar(progress).build();
    TrainingSummary summary = null;
    int examples;
    loadedPolicy = null;
    if (mode == FeedbackMode.RFT) {
      List<EncodedSequence> seqs = new ArrayList<>();
      for (SftRecord r : RunStore.readLines(data, SftRecord.class)) {
        try {
          seqs.add(encoder.encode(r.prompt(), r.completion()));
        } catch (SequenceTooLongException e) {
          LOG.warn("SFT example left out: {}", e.getMessage());
        }
      }
      examples = seqs.size();
      if (!seqs.isEmpty()) {
        summary = new SftTrainer(policy, cfg, tokenizer.padId(), training.nllScope()).fit(seqs, anchors());
      }
    } else {
      var pairs = OrpoTrainer.encode(PreferenceJsonl.read(data), encoder);
      examples = pairs.size();
      if (!pairs.isEmpty()) {
        OrpoLoss loss = OrpoLoss.builder().lambda(training.lambda()).nllScope(training.nllScope()).build();
        summary = new OrpoTrainer(policy, cfg, loss, tokenizer.padId()).fit(pairs, anchors());
      }
    }
    if (summary == null) {
      LOG.warn("iteration {}: no training data, the policy is unchanged", k);
    }
    savePolicy(dir.resolve(POLICY_DIR));
    JsonObject s = new JsonObject();
    s.addProperty("examples", examples);
    s.addProperty("steps", summary == null ? 0 : summary.steps());
    s.addProperty("skipped_steps", summary == null ? 0 : summary.skippedSteps());
    Map<String, Float> lastEpoch = summary == null || summary.epochMeans().isEmpty() ? Map.of()
        : summary.epochMeans().get(summary.epochMeans().size() - 1);
    s.addProperty("loss", lastEpoch.getOrDefault("loss", Float.NaN));
    JsonObject metrics = new JsonObject();
    lastEpoch.forEach(metrics::addProperty);
    s.add("last_epoch", metrics);
    return s;
  }

  /** The anchor tasks' gold rationales, encoded, or null without anchors. */
  private AnchorSet anchors() {
    if (training.anchorsPerStep() == 0) {
      return null;
    }
    List<EncodedSequence> seqs = new ArrayList<>();
    for (ReasoningTask t : anchorTasks.tasks()) {
      if (!t.goldSteps().isEmpty()) {
        try {
          seqs.add(encoder.encode(template.format(t.prompt()), t.goldRationale()));
        } catch (SequenceTooLongException e) {
          LOG.warn("anchor task '{}' left out: {}", t.id(), e.getMessage());
        }
      }
    }
    Preconditions.checkState(!seqs.isEmpty(), "no gold rationale of the anchor tasks (%s) fits the policy's %s "
        + "tokens", anchorTasks.name(), policy.maxLength());
    return new AnchorSet(seqs, training.anchorsPerStep(), training.anchorWeight(), training.nllScope(),
        tokenizer.padId());
  }

  private JsonObject evaluate(int k, Path dir, Path policyDir) throws IOException {
    ensurePolicy(policyDir);
    PolicyEvaluator evaluator = new PolicyEvaluator(policy, tokenizer, template, verifier, sampling);
    Map<String, EvalResult> results = new LinkedHashMap<>();
    for (Map.Entry<String, TaskSet> e : evalSets.entrySet()) {
      PolicyEvaluator.Evaluation ev = evaluator.evaluate(e.getKey(), e.getValue());
      RunStore.writeLines(dir.resolve("eval-" + e.getKey() + ".jsonl"), ev.predictions());
      EvalResult r = ev.result();
      results.put(e.getKey(), r);
      LOG.info("iteration {}: {} accuracy {} ({} of {})", k, e.getKey(),
          String.format(Locale.ROOT, "%.3f", r.accuracy()), r.correct(), r.n());
    }
    return recordEvaluation(dir, results);
  }

  /** The baseline phase when the starting policy's evaluation was handed over: record it, decode nothing. */
  private JsonObject recordStartingEvaluation(Path dir) throws IOException {
    Map<String, EvalResult> results = new LinkedHashMap<>();
    evalSets.keySet().forEach(name -> results.put(name, startingEvaluation.get(name)));
    JsonObject s = recordEvaluation(dir, results);
    s.addProperty("reused", true);
    LOG.info("iteration 0: starting evaluation handed over, not decoded again");
    return s;
  }

  /** Writes {@code eval.json} (one result per evaluation set, in order) and returns the phase's summary. */
  private static JsonObject recordEvaluation(Path dir, Map<String, EvalResult> results) throws IOException {
    JsonObject json = new JsonObject();
    results.forEach((name, r) -> json.add(name, RunStore.GSON.toJsonTree(r)));
    RunStore.writeJson(dir.resolve("eval.json"), json);
    JsonObject s = new JsonObject();
    s.add("results", json);
    return s;
  }

  // --------------------------------------------------------------------------------------------- plumbing

  @FunctionalInterface
  private interface PhaseBody {
    JsonObject run() throws IOException;
  }

  private JsonObject runPhase(int k, Path dir, Phase phase, PhaseBody body) throws IOException {
    Path marker = dir.resolve("phases").resolve(phase.key() + ".json");
    if (Files.exists(marker)) {
      JsonObject s = RunStore.readJson(marker);
      for (SelfIterativeListener l : listeners) {
        l.onPhaseEnd(k, phase, s.get("seconds").getAsDouble(), true);
      }
      return s;
    }
    for (SelfIterativeListener l : listeners) {
      l.onPhaseStart(k, phase);
    }
    Files.createDirectories(dir);
    long t0 = System.nanoTime();
    JsonObject s = body.run();
    double seconds = (System.nanoTime() - t0) / 1e9;
    s.addProperty("seconds", seconds);
    RunStore.writeJson(marker, s);
    LOG.info("iteration {}: {} done in {} s", k, phase.key(), String.format(Locale.ROOT, "%.1f", seconds));
    for (SelfIterativeListener l : listeners) {
      l.onPhaseEnd(k, phase, seconds, false);
    }
    return s;
  }

  private IterationReport report(int k, Map<String, JsonObject> done) {
    Map<String, Double> seconds = new LinkedHashMap<>();
    done.forEach((key, s) -> seconds.put(key, s.get("seconds").getAsDouble()));
    JsonObject sample = done.get(Phase.SAMPLE.key());
    JsonObject verify = done.get(Phase.VERIFY.key());
    JsonObject sim = done.get(Phase.SIMULATE.key());
    JsonObject prm = done.get(Phase.TRAIN_PRM.key());
    JsonObject select = done.get(Phase.SELECT.key());
    JsonObject train = done.get(Phase.TRAIN_POLICY.key());
    JsonObject eval = done.get(Phase.EVALUATE.key());
    boolean prmTrained = prm != null && prm.get("trained").getAsBoolean();
    return new IterationReport(k, mode, eval == null ? Map.of() : evalResults(eval),
        sample.get("questions").getAsInt(), sample.get("samples").getAsInt(), verify.get("correct").getAsInt(),
        sim == null ? 0 : sim.get("simulated").getAsInt(), sim == null ? 0 : sim.get("flawed_correct").getAsInt(),
        select.get("new").getAsInt(), select.get("total").getAsInt(), select.get("correct_rejected").getAsInt(),
        select.get("gold_chosen").getAsInt(), prmTrained ? prm.get("step_accuracy").getAsDouble() : Double.NaN,
        prmTrained ? prm.get("auroc").getAsDouble() : Double.NaN, train.get("steps").getAsLong(),
        train.get("loss").getAsDouble(), seconds);
  }

  private static Map<String, EvalResult> evalResults(JsonObject phaseSummary) {
    Map<String, EvalResult> out = new LinkedHashMap<>();
    JsonObject results = phaseSummary.getAsJsonObject("results");
    for (String name : results.keySet()) {
      out.put(name, RunStore.GSON.fromJson(results.get(name), EvalResult.class));
    }
    return out;
  }

  private void writeMetrics(List<Map<String, Object>> rows) throws IOException {
    MetricsFile m = MetricsFile.create(workDir, "metrics");
    try {
      rows.forEach(m::write);
    } finally {
      m.close();
    }
  }

  private List<ReasoningTask> questionsFor(int k) {
    List<ReasoningTask> all = trainTasks.tasks();
    if (questionsPerIteration == 0 || questionsPerIteration >= all.size()) {
      return all;
    }
    List<ReasoningTask> order = trainTasks.shuffled(seed).tasks();
    List<ReasoningTask> out = new ArrayList<>(questionsPerIteration);
    long start = (long) (k - 1) * questionsPerIteration;
    for (int i = 0; i < questionsPerIteration; i++) {
      out.add(order.get((int) ((start + i) % order.size())));
    }
    return out;
  }

  private boolean[] pairableQuestions(List<ReasoningTask> questions, List<SampleRecord> samples,
      List<VerdictRecord> verdicts) {
    boolean[] out = new boolean[questions.size()];
    for (int q = 0; q < questions.size(); q++) {
      out[q] = useGoldRationales && !questions.get(q).goldSteps().isEmpty();
    }
    for (int i = 0; i < samples.size(); i++) {
      if (verdicts.get(i).correct()) {
        out[samples.get(i).question()] = true;
      }
    }
    return out;
  }

  private List<SampleRecord> readSamples(Path dir, List<ReasoningTask> questions) throws IOException {
    Path file = dir.resolve("samples.jsonl");
    List<SampleRecord> out = RunStore.readLines(file, SampleRecord.class);
    for (int i = 0; i < out.size(); i++) {
      SampleRecord r = out.get(i);
      if (r.question() < 0 || r.question() >= questions.size() || !questions.get(r.question()).id().equals(r.task())
          || r.text() == null) {
        throw new io.github.sipf4j.orpo.data.DataFormatException(file, i + 1L, "task",
            "sample does not belong to this iteration's question " + r.question()
                + " (the training tasks or their order changed since the run started)");
      }
    }
    return out;
  }

  private static List<VerdictRecord> readVerdicts(Path dir, int expected) throws IOException {
    Path file = dir.resolve("verdicts.jsonl");
    List<VerdictRecord> out = RunStore.readLines(file, VerdictRecord.class);
    if (out.size() != expected) {
      throw new io.github.sipf4j.orpo.data.DataFormatException(file, out.size(), "correct",
          "holds " + out.size() + " verdicts for " + expected + " samples");
    }
    return out;
  }

  private void savePolicy(Path dir) throws IOException {
    Path tmp = dir.resolveSibling(dir.getFileName() + ".tmp");
    AtomicFiles.deleteRecursively(tmp);
    Files.createDirectories(tmp);
    policy.save(tmp);
    tokenizer.save(tmp);
    RunStore.writeJson(tmp.resolve("saved.json"), Map.of("complete", true));
    AtomicFiles.deleteRecursively(dir);
    Files.move(tmp, dir, java.nio.file.StandardCopyOption.ATOMIC_MOVE);
    loadedPolicy = dir;
  }

  private void ensurePolicy(Path dir) throws IOException {
    if (!dir.equals(loadedPolicy)) {
      policy.loadWeights(dir.resolve(DecoderLm.WEIGHTS_FILE));
      loadedPolicy = dir;
    }
  }

  private long seedFor(String what, int k) {
    long h = seed * 0x9E3779B97F4A7C15L + k * 0xBF58476D1CE4E5B9L + what.hashCode();
    h ^= h >>> 31;
    h *= 0x94D049BB133111EBL;
    return h ^ (h >>> 29);
  }

  private static double[] toDoubles(boolean[] b) {
    double[] d = new double[b.length];
    for (int i = 0; i < b.length; i++) {
      d[i] = b[i] ? 1 : 0;
    }
    return d;
  }

  /**
   * Settings added after runs were already being written, with the value that matches how earlier versions behaved:
   * a {@code run.json} without the key resumes as if it held this value.
   */
  private static final Map<String, String> ADDED_LATER = Map.of("prefer_flawed_rejected", "false",
      "anchor_tasks", "none", "anchors_per_step", "0", "anchor_weight", "1.0", "min_chosen_reward", "0.0");

  /** The settings that must not change when a run resumes (the iteration count may). */
  Map<String, String> settings() {
    Map<String, Object> m = new LinkedHashMap<>();
    m.put("mode", mode.name());
    m.put("reward_source", rewardSource.name());
    m.put("soft_labels", softLabels);
    m.put("train_tasks", trainTasks.name() + " (" + trainTasks.size() + ")");
    m.put("first_task", trainTasks.size() == 0 ? "" : trainTasks.get(0).id());
    m.put("questions_per_iteration", questionsPerIteration);
    m.put("samples_per_question", sampling.samplesPerPrompt());
    m.put("temperature", (double) sampling.temperature());
    m.put("max_new_tokens", sampling.maxNewTokens());
    m.put("rollouts_per_step", simulator.rolloutsPerStep());
    m.put("delta", simulator.delta());
    m.put("max_simulated_samples", maxSimulatedSamples);
    m.put("aggregation", aggregationName);
    m.put("pair_margin", pairSelector.config().margin());
    m.put("pairs_per_question", pairSelector.config().maxPairsPerQuestion());
    m.put("prefer_flawed_rejected", pairSelector.config().preferFlawedRejected());
    m.put("min_chosen_reward", pairSelector.config().minChosenReward());
    m.put("gold_rationales", useGoldRationales);
    m.put("accumulate", accumulate);
    m.put("lambda", (double) training.lambda());
    m.put("learning_rate", (double) training.optimizer().learningRate());
    m.put("epochs", training.epochs());
    m.put("max_steps", training.maxSteps());
    m.put("batch_size", training.batchSize());
    m.put("nll_scope", training.nllScope().name());
    m.put("anchor_tasks", anchorTasks == null ? "none" : anchorTasks.name() + " (" + anchorTasks.size() + ")");
    m.put("anchors_per_step", training.anchorsPerStep());
    m.put("anchor_weight", (double) training.anchorWeight());
    m.put("seed", seed);
    m.put("template", template.format("{question}"));
    Map<String, String> out = new LinkedHashMap<>();
    m.forEach((k, v) -> out.put(k, String.valueOf(v)));
    return out;
  }

  private void checkRunSettings() throws IOException {
    Path file = workDir.resolve("run.json");
    Map<String, String> now = settings();
    String nowJson = RunStore.PRETTY.toJson(now);
    if (Files.exists(file)) {
      Map<String, String> then = RunStore.readJson(file, new TypeToken<LinkedHashMap<String, String>>() {}.getType());
      List<String> differ = new ArrayList<>();
      for (String key : now.keySet()) {
        String old = then.containsKey(key) ? then.get(key) : ADDED_LATER.get(key);
        if (!Objects.equals(old, now.get(key))) {
          differ.add(key + ": " + old + " -> " + now.get(key));
        }
      }
      Preconditions.checkState(differ.isEmpty(), "%s holds a run with other settings (%s); use another work "
          + "directory or the same settings", workDir, String.join("; ", differ));
    } else {
      AtomicFiles.writeString(file, nowJson + "\n");
    }
  }

  // ---------------------------------------------------------------------------------------------- records

  /** One sampled rationale, as stored in {@code samples.jsonl}. */
  record SampleRecord(int question, String task, int sample, String text, int tokens, double meanLogProb,
      String finish) {}

  /** One verdict, as stored in {@code verdicts.jsonl} (same order as the samples). */
  record VerdictRecord(boolean correct, String extracted, String reason) {}

  /** The simulation labels of one sample, as stored in {@code labels.jsonl}. */
  record LabelRecord(int sample, double[] soft, boolean[] hard, int[] rollouts, int[] correct, boolean outcomeCorrect,
      int firstWrongStep) {}

  /** The step scores and reward of one sample, as stored in {@code scores.jsonl}. */
  record ScoreRecord(int sample, double[] scores, double reward) {}

  /** What a selected pair came from, as stored in {@code pairs-info.jsonl} (same order as {@code pairs.jsonl}). */
  record SelectedRecord(String task, double chosenReward, double rejectedReward, boolean rejectedCorrect,
      boolean goldChosen) {}

  /** One SFT example of RFT, in TRL's prompt-completion format. */
  record SftRecord(String prompt, String completion) {}

  // ---------------------------------------------------------------------------------------------- builder

  /**
   * Builds a {@link SelfIterativeTrainer}. Required: {@link #policy}, {@link #tokenizer}, {@link #trainTasks} and
   * {@link #workDir}. Every other setting has a default, named at its setter.
   */
  public static final class Builder {
    private CausalLm policy;
    private TextTokenizer tokenizer;
    private PromptTemplate template = PromptTemplate.DEFAULT;
    private TaskSet trainTasks;
    private OutcomeVerifier verifier = OutcomeVerifier.forTaskKind();
    private SamplingConfig sampling = SamplingConfig.builder().temperature(1f).samplesPerPrompt(
        DEFAULT_SAMPLES_PER_QUESTION).maxNewTokens(256).batchSize(128).seed(1).build();
    private int questionsPerIteration = 0;
    private FeedbackMode mode = FeedbackMode.PROCESS;
    private CausalLm simulatorModel;
    private SimulatorConfig simulator = SimulatorConfig.builder().build();
    private int maxSimulatedSamples = DEFAULT_MAX_SIMULATED_SAMPLES;
    private RewardSource rewardSource = RewardSource.LEARNED;
    private ProcessRewardModel customRewardModel;
    private boolean softLabels = false;
    private PrmTrainerConfig prmTraining = PrmTrainerConfig.builder().epochs(3).batchSize(16).build();
    private double prmValidationFraction = DEFAULT_PRM_VALIDATION_FRACTION;
    private Aggregation aggregation = Aggregation.mean();
    private String aggregationName = "mean";
    private PairSelector pairSelector = PairSelector.withDefaults();
    private boolean useGoldRationales = true;
    private TaskSet anchorTasks;
    private boolean accumulate = true;
    private PolicyTrainingConfig training = PolicyTrainingConfig.builder().build();
    private int iterations = DEFAULT_ITERATIONS;
    private Path workDir;
    private final List<SelfIterativeListener> listeners = new ArrayList<>();
    private final Map<String, TaskSet> evalSets = new LinkedHashMap<>();
    private Map<String, EvalResult> startingEvaluation;
    private long seed = 42;
    private boolean progress = true;
    private final List<String> errors = new ArrayList<>();

    private Builder() {}

    /**
     * Sets the policy to improve (required). Its weights change in place; the trainer never closes it.
     *
     * @param v the policy
     * @return this builder
     */
    public Builder policy(CausalLm v) {
      policy = v;
      return this;
    }

    /**
     * Sets the policy's tokenizer (required); it is saved beside every policy the run writes.
     *
     * @param v the tokenizer
     * @return this builder
     */
    public Builder tokenizer(TextTokenizer v) {
      tokenizer = v;
      return this;
    }

    /**
     * Sets the prompt template (default {@link PromptTemplate#DEFAULT}, {@code "Q: {question}\nA:\n"}).
     *
     * @param v the template
     * @return this builder
     */
    public Builder template(PromptTemplate v) {
      template = v;
      return this;
    }

    /**
     * Sets the training questions (required): questions with verifiable answers; tasks that also carry gold steps
     * contribute their gold rationale as a candidate (see {@link #useGoldRationales}).
     *
     * @param v the tasks
     * @return this builder
     */
    public Builder trainTasks(TaskSet v) {
      trainTasks = v;
      return this;
    }

    /**
     * Sets the verifier of final answers (default {@link OutcomeVerifier#forTaskKind()}).
     *
     * @param v the verifier
     * @return this builder
     */
    public Builder verifier(OutcomeVerifier v) {
      verifier = v;
      return this;
    }

    /**
     * Sets how rationales are sampled (default: temperature 1,
     * {@value SelfIterativeTrainer#DEFAULT_SAMPLES_PER_QUESTION} samples per question, at most 256 new tokens,
     * batches of 128 rows). Its {@code samplesPerPrompt} is N; its seed is
     * replaced by one derived from the run's seed and the iteration. Evaluation uses the same settings greedily.
     *
     * @param v the sampling settings
     * @return this builder
     */
    public Builder sampling(SamplingConfig v) {
      sampling = v;
      return this;
    }

    /**
     * Sets N, the rationales sampled per question, keeping the other sampling settings.
     *
     * @param v N, at least 1
     * @return this builder
     */
    public Builder samplesPerQuestion(int v) {
      if (v < 1) {
        errors.add("samplesPerQuestion must be at least 1, got " + v);
        return this;
      }
      sampling = sampling.toBuilder().samplesPerPrompt(v).build();
      return this;
    }

    /**
     * Sets the sampling temperature, keeping the other sampling settings (default 1).
     *
     * @param v the temperature, above 0
     * @return this builder
     */
    public Builder temperature(float v) {
      if (!(v > 0) || !Float.isFinite(v)) {
        errors.add("temperature must be finite and above 0 (self-sampling needs diverse rationales), got " + v);
        return this;
      }
      sampling = sampling.toBuilder().temperature(v).build();
      return this;
    }

    /**
     * Sets how many training questions each iteration samples (default 0: all of them). With fewer, iteration
     * {@code k} takes the next window of a seeded shuffle of the tasks, wrapping around.
     *
     * @param v questions per iteration, 0 for all
     * @return this builder
     */
    public Builder questionsPerIteration(int v) {
      questionsPerIteration = v;
      return this;
    }

    /**
     * Sets the feedback mode (default {@link FeedbackMode#PROCESS}, SIPF).
     *
     * @param v the mode
     * @return this builder
     */
    public Builder mode(FeedbackMode v) {
      mode = v;
      return this;
    }

    /**
     * Sets the model that completes step prefixes in the simulation (default: the policy of the iteration). It must
     * share the policy's tokenizer; the trainer does not close it.
     *
     * @param v the simulator model
     * @return this builder
     */
    public Builder simulatorModel(CausalLm v) {
      simulatorModel = v;
      return this;
    }

    /**
     * Sets the Monte-Carlo simulation (default {@link SimulatorConfig#builder()}: K = 4 completions per step
     * prefix, δ = 0, early stop, temperature 1). Its sampling seed is replaced by one derived from the run's seed
     * and the iteration.
     *
     * @param v the simulator settings
     * @return this builder
     */
    public Builder simulator(SimulatorConfig v) {
      simulator = v;
      return this;
    }

    /**
     * Caps the samples simulated per iteration to train the default PRM (default
     * {@value SelfIterativeTrainer#DEFAULT_MAX_SIMULATED_SAMPLES}, a seeded random subset). With
     * {@link #monteCarloRewards} every sample of a question that can form a pair is simulated instead.
     *
     * @param v the cap, at least 1
     * @return this builder
     */
    public Builder maxSimulatedSamples(int v) {
      maxSimulatedSamples = v;
      return this;
    }

    /**
     * Scores steps with a reward model of your own instead of a trained {@code DecoderPrm}; no simulation runs.
     * Only for {@link FeedbackMode#PROCESS}.
     *
     * @param v the reward model (the trainer does not close it)
     * @return this builder
     */
    public Builder rewardModel(ProcessRewardModel v) {
      customRewardModel = v;
      rewardSource = v == null ? RewardSource.LEARNED : RewardSource.CUSTOM;
      return this;
    }

    /**
     * Scores steps by the Monte-Carlo labels themselves instead of a PRM trained on them (no PRM phase). Only for
     * {@link FeedbackMode#PROCESS}.
     *
     * @param soft true for the share of correct completions, false for the hard 0/1 labels
     * @return this builder
     */
    public Builder monteCarloRewards(boolean soft) {
      rewardSource = RewardSource.MONTE_CARLO;
      customRewardModel = null;
      softLabels = soft;
      return this;
    }

    /**
     * Trains the default PRM on soft labels (the share of correct completions) instead of hard ones (default: hard,
     * SIPF's).
     *
     * @param v whether to use soft labels
     * @return this builder
     */
    public Builder softLabels(boolean v) {
      softLabels = v;
      return this;
    }

    /**
     * Sets how the default {@code DecoderPrm} is trained each iteration (default: 3 epochs, batch 16, the
     * {@link PrmTrainerConfig} defaults otherwise). Its seed, work directory and progress bar are replaced.
     *
     * @param v the PRM training settings
     * @return this builder
     */
    public Builder prmTraining(PrmTrainerConfig v) {
      prmTraining = v;
      return this;
    }

    /**
     * Sets the share of simulated questions held out to validate the PRM (default
     * {@value SelfIterativeTrainer#DEFAULT_PRM_VALIDATION_FRACTION}; none with fewer than 5 questions).
     *
     * @param v a fraction in [0, 0.9]
     * @return this builder
     */
    public Builder prmValidationFraction(double v) {
      prmValidationFraction = v;
      return this;
    }

    /**
     * Sets how step scores become a rationale's reward (default {@link Aggregation#mean()}, SIPF's).
     *
     * @param name a short name for the run's settings, such as {@code min}
     * @param v the aggregation
     * @return this builder
     */
    public Builder aggregation(String name, Aggregation v) {
      aggregationName = name;
      aggregation = v;
      return this;
    }

    /**
     * Sets the pair selector (default {@link PairSelector#withDefaults()}: margin 0.1, at most 2 pairs per
     * question).
     *
     * @param v the selector
     * @return this builder
     */
    public Builder pairSelector(PairSelector v) {
      pairSelector = v;
      return this;
    }

    /**
     * Sets whether tasks with gold steps add their gold rationale as a perfect candidate (reward 1, correct): it
     * becomes the preferred chosen rationale of pairs (and an SFT example for RFT). Default true; tasks without gold
     * steps are unaffected.
     *
     * @param v whether to use gold rationales
     * @return this builder
     */
    public Builder useGoldRationales(boolean v) {
      useGoldRationales = v;
      return this;
    }

    /**
     * Sets the tasks whose gold rationales anchor policy training: each optimizer step of every iteration also reads
     * {@link PolicyTrainingConfig#anchorsPerStep()} of them as NLL-only examples (see
     * {@link io.github.sipf4j.orpo.train.AnchorSet}), for every feedback mode. Typically the SFT warm start's
     * labelled set, so that training on the model's own samples keeps the gold data in view. Default: none; with
     * anchor tasks, {@code anchorsPerStep} must be positive, and the reverse.
     *
     * @param v tasks with gold steps (tasks without are left out), or null for none
     * @return this builder
     */
    public Builder anchorTasks(TaskSet v) {
      anchorTasks = v;
      return this;
    }

    /**
     * Sets whether each iteration trains on the pairs of all iterations so far (\( D_{k+1} = D_k \cup \text{new}
     * \), default true) or on its own pairs only.
     *
     * @param v whether to accumulate
     * @return this builder
     */
    public Builder accumulate(boolean v) {
      accumulate = v;
      return this;
    }

    /**
     * Sets how the policy is trained each iteration (default {@link PolicyTrainingConfig#builder()}: λ = 0.1,
     * learning rate 1e-4, one epoch, batch 16).
     *
     * @param v the training settings
     * @return this builder
     */
    public Builder training(PolicyTrainingConfig v) {
      training = v;
      return this;
    }

    /**
     * Sets the number of iterations (default {@value SelfIterativeTrainer#DEFAULT_ITERATIONS}). A finished run
     * resumed with more iterations continues from its last policy.
     *
     * @param v iterations, at least 1
     * @return this builder
     */
    public Builder iterations(int v) {
      iterations = v;
      return this;
    }

    /**
     * Sets the working directory (required): every phase's output, the policies and the metrics go there.
     *
     * @param v the directory, created when missing
     * @return this builder
     */
    public Builder workDir(Path v) {
      workDir = v;
      return this;
    }

    /**
     * Adds a listener.
     *
     * @param v the listener
     * @return this builder
     */
    public Builder listener(SelfIterativeListener v) {
      listeners.add(Preconditions.checkNotNull(v, "listener"));
      return this;
    }

    /**
     * Adds an evaluation set: the starting policy and the policy after every iteration are evaluated on it greedily.
     *
     * @param name a name made of letters, digits, dots, dashes and underscores, unique in the run
     * @param v the tasks, at least one
     * @return this builder
     */
    public Builder evalSet(String name, TaskSet v) {
      if (name == null || !SAFE_NAME.matcher(name).matches()) {
        errors.add("evaluation set name must match " + SAFE_NAME.pattern() + ", got '" + name + "'");
      } else if (evalSets.containsKey(name)) {
        errors.add("evaluation set '" + name + "' was added twice");
      } else if (v == null || v.size() == 0) {
        errors.add("evaluation set '" + name + "' is empty");
      } else {
        evalSets.put(name, v);
      }
      return this;
    }

    /**
     * Hands over the starting policy's evaluation, made elsewhere with the same weights, evaluation sets and greedy
     * settings (for example by another method's run from the same warm start), so that the baseline row is recorded
     * without decoding the evaluation sets again; {@code baseline/} then holds {@code eval.json} but no predictions.
     * Default: none, the run evaluates its starting policy.
     *
     * @param v one result per evaluation set, with that set's name and size
     * @return this builder
     */
    public Builder startingEvaluation(Map<String, EvalResult> v) {
      startingEvaluation = v == null ? null : new LinkedHashMap<>(v);
      return this;
    }

    /**
     * Sets the seed of sampling, simulation, PRM and policy training (default 42).
     *
     * @param v the seed
     * @return this builder
     */
    public Builder seed(long v) {
      seed = v;
      return this;
    }

    /**
     * Sets whether phases draw progress bars on standard error (default true).
     *
     * @param v whether to show progress
     * @return this builder
     */
    public Builder progress(boolean v) {
      progress = v;
      return this;
    }

    /**
     * Validates every setting and builds the trainer.
     *
     * @return the trainer
     * @throws IllegalArgumentException listing every problem found
     */
    public SelfIterativeTrainer build() {
      List<String> problems = new ArrayList<>(errors);
      if (policy == null) {
        problems.add("policy is required: call policy(CausalLm)");
      }
      if (tokenizer == null) {
        problems.add("tokenizer is required: call tokenizer(TextTokenizer)");
      }
      if (trainTasks == null || trainTasks.size() == 0) {
        problems.add("trainTasks is required and must hold at least one task");
      }
      if (workDir == null) {
        problems.add("workDir is required: call workDir(Path)");
      } else if (Files.exists(workDir) && !Files.isDirectory(workDir)) {
        problems.add("workDir " + workDir + " exists and is not a directory");
      }
      if (template == null || verifier == null || sampling == null || simulator == null || aggregation == null
          || pairSelector == null || training == null || prmTraining == null || mode == null) {
        problems.add("template, verifier, sampling, simulator, aggregation, pairSelector, training, prmTraining and "
            + "mode must not be null");
      }
      if (iterations < 1) {
        problems.add("iterations must be at least 1, got " + iterations);
      }
      if (startingEvaluation != null) {
        if (!startingEvaluation.keySet().equals(evalSets.keySet())) {
          problems.add("startingEvaluation must hold exactly the evaluation sets " + evalSets.keySet() + ", got "
              + startingEvaluation.keySet());
        } else {
          evalSets.forEach((name, set) -> {
            EvalResult r = startingEvaluation.get(name);
            if (r == null || r.n() != set.size() || !name.equals(r.name())) {
              problems.add("startingEvaluation of '" + name + "' must be named so and count its " + set.size()
                  + " tasks, got " + r);
            }
          });
        }
      }
      if (questionsPerIteration < 0) {
        problems.add("questionsPerIteration must be >= 0 (0: all), got " + questionsPerIteration);
      }
      if (maxSimulatedSamples < 1) {
        problems.add("maxSimulatedSamples must be at least 1, got " + maxSimulatedSamples);
      }
      if (!(prmValidationFraction >= 0 && prmValidationFraction <= 0.9)) {
        problems.add("prmValidationFraction must be in [0, 0.9], got " + prmValidationFraction);
      }
      if (aggregationName == null || aggregationName.isBlank()) {
        problems.add("the aggregation needs a name");
      }
      if (sampling != null && !(sampling.temperature() > 0)) {
        problems.add("sampling temperature must be above 0 (self-sampling needs diverse rationales), got "
            + sampling.temperature());
      }
      if (mode != FeedbackMode.PROCESS && rewardSource != RewardSource.LEARNED) {
        problems.add("rewardModel(...) and monteCarloRewards(...) apply to FeedbackMode.PROCESS only; the mode is "
            + mode);
      }
      int anchorsPerStep = training == null ? 0 : training.anchorsPerStep();
      long goldAnchors = anchorTasks == null ? 0
          : anchorTasks.tasks().stream().filter(t -> !t.goldSteps().isEmpty()).count();
      if (anchorsPerStep > 0 && goldAnchors == 0) {
        problems.add("training.anchorsPerStep is " + anchorsPerStep + " but no anchor task has gold steps: call "
            + "anchorTasks(TaskSet) with labelled tasks");
      } else if (anchorsPerStep == 0 && anchorTasks != null) {
        problems.add("anchorTasks(" + anchorTasks.name() + ") is set but training.anchorsPerStep is 0: set it "
            + "positive, or leave the anchor tasks out");
      }
      if (policy != null && tokenizer != null) {
        if (tokenizer.vocabSize() > policy.vocabSize()) {
          problems.add("the tokenizer has " + tokenizer.vocabSize() + " ids but the policy only "
              + policy.vocabSize());
        }
        if (simulatorModel != null && tokenizer.vocabSize() > simulatorModel.vocabSize()) {
          problems.add("the tokenizer has " + tokenizer.vocabSize() + " ids but the simulator model only "
              + simulatorModel.vocabSize());
        }
        if (template != null && trainTasks != null) {
          checkPrompts("trainTasks", trainTasks, problems);
          evalSets.forEach((name, set) -> checkPrompts("evaluation set '" + name + "'", set, problems));
        }
      }
      if (!problems.isEmpty()) {
        throw new IllegalArgumentException("invalid SelfIterativeTrainer settings:\n  - "
            + String.join("\n  - ", problems));
      }
      return new SelfIterativeTrainer(this);
    }

    private void checkPrompts(String what, TaskSet set, List<String> problems) {
      SequenceEncoder enc = new SequenceEncoder(tokenizer, template, Math.max(2, policy.maxLength()));
      for (int i = 0; i < set.size(); i++) {
        ReasoningTask t = set.get(i);
        int n = enc.encodePrompt(template.format(t.prompt())).length;
        if (n >= policy.maxLength()) {
          problems.add(what + " (" + set.name() + "), task " + i + " '" + t.id() + "': the prompt has " + n
              + " tokens and leaves no room for a rationale below the policy's maxLength " + policy.maxLength());
          return;
        }
      }
    }
  }
}
