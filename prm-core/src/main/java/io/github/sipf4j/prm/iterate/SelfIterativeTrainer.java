package io.github.sipf4j.prm.iterate;

import io.github.sipf4j.orpo.lora.LoraModel;
import io.github.sipf4j.orpo.model.CausalLms;
import io.github.sipf4j.orpo.text.TextTokenizer;
import io.github.sipf4j.orpo.util.MetricsFile;
import io.github.sipf4j.prm.iterate.phase.AdapterBase;
import io.github.sipf4j.prm.iterate.phase.ArtefactStore;
import io.github.sipf4j.prm.iterate.phase.Artefacts;
import io.github.sipf4j.prm.iterate.phase.EvaluatePhase;
import io.github.sipf4j.prm.iterate.phase.IterationScope;
import io.github.sipf4j.prm.iterate.phase.LiveRollouts;
import io.github.sipf4j.prm.iterate.phase.LocalArtefactStore;
import io.github.sipf4j.prm.iterate.phase.LoopContext;
import io.github.sipf4j.prm.iterate.phase.LoopPhase;
import io.github.sipf4j.prm.iterate.phase.LoopPlan;
import io.github.sipf4j.prm.iterate.phase.PhaseOutcome;
import io.github.sipf4j.prm.iterate.phase.PhaseRunner;
import io.github.sipf4j.prm.iterate.phase.PolicyState;
import io.github.sipf4j.prm.iterate.phase.PolicyUpdate;
import io.github.sipf4j.prm.iterate.phase.RewardSource;
import io.github.sipf4j.prm.iterate.phase.SamplePhase;
import io.github.sipf4j.prm.iterate.phase.ScorePhase;
import io.github.sipf4j.prm.iterate.phase.SelectPhase;
import io.github.sipf4j.prm.iterate.phase.SimulatePhase;
import io.github.sipf4j.prm.iterate.phase.TrainPolicyPhase;
import io.github.sipf4j.prm.iterate.phase.TrainPrmPhase;
import io.github.sipf4j.prm.iterate.phase.TrainingSetBuilder;
import io.github.sipf4j.prm.iterate.phase.VerifyPhase;
import io.github.sipf4j.prm.report.HtmlReport;
import io.github.sipf4j.prm.report.HtmlReportListener;
import io.github.sipf4j.prm.rollout.LocalRolloutEngine;
import io.github.sipf4j.prm.rollout.PolicyRef;
import io.github.sipf4j.prm.rollout.RolloutEngine;
import io.github.sipf4j.prm.rollout.VerifierSpecs;
import io.github.sipf4j.prm.task.ReasoningTask;
import io.github.sipf4j.prm.verify.OutcomeVerifier;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.EnumMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Runs SIPF (Chen, Wang, Zhang, COLING 2025) end to end: every iteration samples rationales from the policy, verifies
 * their final answers, labels steps by Monte-Carlo inference simulation, trains a process reward model on the labels,
 * scores every step, selects chosen/rejected pairs, adds them to the pairs of earlier iterations
 * (\( D_{k+1} = D_k \cup \text{new} \)), trains the policy with ORPO and evaluates it. The outcome-only ablation
 * (SIOF) and rejection-sampling fine-tuning (RFT) run through the same loop ({@link FeedbackMode}).
 *
 * <p>This class is the loop; each phase is a class of {@link io.github.sipf4j.prm.iterate.phase} ({@link SamplePhase},
 * {@link VerifyPhase}, {@link SimulatePhase}, {@link TrainPrmPhase}, {@link ScorePhase}, {@link SelectPhase},
 * {@link TrainPolicyPhase}, {@link EvaluatePhase}), and the mode and reward source become the strategies of a
 * {@link LoopPlan} that decide which phases run. Sampling, verification, simulation and evaluation go through a
 * {@link RolloutEngine} (in this process by default; see {@link Builder#rolloutEngine}).
 *
 * <p>Every phase writes its output to {@code workDir/iteration-NN/} and then a marker {@code phases/<phase>.json}
 * holding its summary ({@link PhaseRunner}); later phases read their inputs from those artefacts. {@link #run()} on an
 * existing work directory skips every phase whose marker exists, so a run killed at any moment loses at most the
 * phase in flight (and the policy training phase resumes from its last checkpoint). The starting policy is saved once
 * to {@code initial-policy/}, every iteration's policy to {@code iteration-NN/policy/} (model and tokenizer, loadable
 * with {@link CausalLms#load} and {@link TextTokenizer#fromFile}), each through the model's own {@code save} and its
 * model kind; a {@link LoraModel} policy is saved as its PEFT adapter folder, naming its frozen base, which the run
 * saves at most once ({@link AdapterBase}). The run's settings are kept in {@code run.json}; resuming with different
 * settings fails (the number of iterations may grow). {@code metrics.csv} and {@code metrics.jsonl} hold one row per
 * iteration (row 0: the starting policy's evaluation). {@code report.html} shows the run as it stands, rewritten
 * after every phase ({@link HtmlReport}; {@link Builder#htmlReport(boolean)} turns it off).
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

  /** The directory, inside the work directory, holding the starting policy. */
  public static final String INITIAL_POLICY_DIR = "initial-policy";

  /** The directory, inside an iteration's folder, holding the policy it trained. */
  public static final String POLICY_DIR = Artefacts.POLICY_DIR;

  /** The directory, inside the work directory, holding a separate simulator model, saved once. */
  public static final String SIMULATOR_DIR = "simulator-model";

  /** How many iterations run by default. */
  public static final int DEFAULT_ITERATIONS = 2;

  /** How many rationales are sampled per question by default (the calibration's setting). */
  public static final int DEFAULT_SAMPLES_PER_QUESTION = 4;

  /** The most samples whose steps are simulated per iteration to train the default PRM. */
  public static final int DEFAULT_MAX_SIMULATED_SAMPLES = 1000;

  /** The share of simulated questions held out to validate the trained PRM. */
  public static final double DEFAULT_PRM_VALIDATION_FRACTION = 0.2;

  private final LoopSettings s;
  private final ArtefactStore store;
  private final PolicyState policy;
  private final LoopPlan plan;

  private SelfIterativeTrainer(LoopSettings settings) {
    this.s = settings;
    this.store = new LocalArtefactStore(settings.workDir());
    this.policy = new PolicyState(settings.policy(), settings.tokenizer(), settings.policyKind(),
        settings.extraKinds());
    this.plan = plan();
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
    return plan.phases(!s.evalSets().isEmpty());
  }

  /**
   * Returns the folder of one iteration.
   *
   * @param iteration the iteration, from 1 (0: the baseline evaluation)
   * @return {@code workDir/iteration-NN}, or {@code workDir/baseline} for 0
   */
  public Path iterationDir(int iteration) {
    return s.workDir().resolve(iterationFolder(iteration));
  }

  /**
   * Runs (or resumes) every iteration.
   *
   * @return the baseline evaluation and one report per iteration
   * @throws IOException if the work directory cannot be read or written
   * @throws IllegalStateException if the work directory holds a run with other settings
   */
  public SelfIterativeResult run() throws IOException {
    Files.createDirectories(s.workDir());
    RunSettingsFile.check(store, RunSettingsFile.of(s));
    OutcomeVerifier verifier = s.verifier() != null ? s.verifier() : VerifierSpecs.create(s.verifierSpec());
    try {
      if (s.policy() instanceof LoraModel lora) {
        AdapterBase.prepare(store, lora);
      }
      PolicyRef initial = saveOnce(policy, INITIAL_POLICY_DIR);
      PolicyRef simulator = s.simulatorModel() == null ? null : saveOnce(new PolicyState(s.simulatorModel(),
          s.tokenizer(), s.simulatorKind(), s.extraKinds()), SIMULATOR_DIR);
      RolloutEngine engine = s.engine() != null ? s.engine()
          : new LocalRolloutEngine(new LiveRollouts(policy, verifier, s.simulatorModel(), simulator), 1, s.progress());
      LoopContext context = new LoopContext(store, engine, policy, s.template(), s.verifierSpec(), s.shards(),
          s.seed(), s.progress());
      return loop(context, initial, simulator);
    } finally {
      if (s.verifier() == null) {
        VerifierSpecs.release(verifier);
      }
    }
  }

  private SelfIterativeResult loop(LoopContext context, PolicyRef initial, PolicyRef simulator) throws IOException {
    List<SelfIterativeListener> listeners = new ArrayList<>(s.listeners());
    if (s.htmlReport()) {
      HtmlReportListener report = new HtmlReportListener(s.workDir(), HtmlReport.withDefaults());
      report.write();
      listeners.add(report);
    }
    PhaseRunner runner = new PhaseRunner(store, listeners);
    List<LoopPhase<?>> phases = iterationPhases(context, simulator);
    Map<String, EvalResult> baseline = Map.of();
    List<Map<String, Object>> rows = new ArrayList<>();
    if (!s.evalSets().isEmpty()) {
      IterationScope scope = new IterationScope(store, 0, iterationFolder(0), null, List.of(), initial);
      PhaseOutcome<EvaluatePhase.Summary> done = runner.run(scope, s.startingEvaluation() == null
          ? EvaluatePhase.decoding(context, s.evalSets(), s.sampling())
          : EvaluatePhase.handedOver(context, s.startingEvaluation()));
      baseline = done.summary().results();
      rows.add(new IterationReport(0, s.mode(), baseline, 0, 0, 0, 0, 0, 0, 0, 0, 0, Double.NaN, Double.NaN, 0,
          Double.NaN, Map.of(Phase.EVALUATE.key(), done.seconds())).toRow());
    }
    List<IterationReport> reports = new ArrayList<>();
    PolicyRef start = initial;
    for (int k = 1; k <= s.iterations(); k++) {
      IterationScope scope = new IterationScope(store, k, iterationFolder(k), k == 1 ? null : iterationFolder(k - 1),
          questionsFor(k), start);
      IterationReport report = runIteration(runner, phases, scope);
      reports.add(report);
      rows.add(report.toRow());
      writeMetrics(rows);
      for (SelfIterativeListener l : listeners) {
        l.onIterationEnd(report);
      }
      start = policy.ref(store, scope.name(POLICY_DIR));
    }
    policy.restore(start);
    return new SelfIterativeResult(baseline, reports, iterationDir(s.iterations()).resolve(POLICY_DIR), s.workDir());
  }

  private IterationReport runIteration(PhaseRunner runner, List<LoopPhase<?>> phases, IterationScope scope)
      throws IOException {
    Map<Phase, PhaseOutcome<?>> done = new EnumMap<>(Phase.class);
    for (LoopPhase<?> p : phases) {
      done.put(p.phase(), runner.run(scope, p));
    }
    IterationReport report = report(scope.iteration(), done);
    store.writeJson(scope.name("report.json"), report);
    LOG.info("iteration {}: {}", scope.iteration(), report.toRow());
    return report;
  }

  /** The strategies of the feedback mode and reward source. */
  private LoopPlan plan() {
    PolicyTrainingConfig t = s.training();
    if (s.mode() == FeedbackMode.RFT) {
      return new LoopPlan(null, TrainingSetBuilder.sftExamples(s.template(), s.useGoldRationales(), s.accumulate()),
          PolicyUpdate.sft(t.nllScope()));
    }
    RewardSource rewards = s.mode() == FeedbackMode.OUTCOME ? RewardSource.outcome() : switch (s.rewardSource()) {
      case CUSTOM -> RewardSource.custom(s.customRewardModel());
      case MONTE_CARLO -> RewardSource.monteCarlo(s.softLabels(), s.useGoldRationales());
      case LEARNED -> RewardSource.learnedPrm(policy, s.maxSimulatedSamples());
    };
    return new LoopPlan(rewards, TrainingSetBuilder.preferencePairs(s.template(), s.pairSelector(),
        s.useGoldRationales(), s.accumulate()), PolicyUpdate.orpo(t.lambda(), t.nllScope()));
  }

  /** One phase object per phase of the plan, in order. */
  private List<LoopPhase<?>> iterationPhases(LoopContext context, PolicyRef simulator) {
    List<LoopPhase<?>> out = new ArrayList<>();
    for (Phase p : phases()) {
      out.add(switch (p) {
        case SAMPLE -> new SamplePhase(context, s.sampling());
        case VERIFY -> new VerifyPhase(context);
        case SIMULATE -> new SimulatePhase(context, s.simulator(), simulator, plan.rewards());
        case TRAIN_PRM -> new TrainPrmPhase(context, s.prmTraining(), s.prmValidationFraction(), s.softLabels(),
            s.prmAdapters());
        case SCORE -> new ScorePhase(plan.rewards(), s.aggregation());
        case SELECT -> new SelectPhase(plan.trainingSet());
        case TRAIN_POLICY -> new TrainPolicyPhase(context, plan.update(), s.training(), s.anchorTasks());
        case EVALUATE -> EvaluatePhase.decoding(context, s.evalSets(), s.sampling());
      });
    }
    return out;
  }

  /** Saves a model once: a complete folder from an earlier run is kept as it is. */
  private PolicyRef saveOnce(PolicyState model, String name) throws IOException {
    return PolicyState.isSaved(store, name) ? model.ref(store, name) : model.save(store, name);
  }

  private IterationReport report(int k, Map<Phase, PhaseOutcome<?>> done) {
    Map<String, Double> seconds = new LinkedHashMap<>();
    done.forEach((phase, o) -> seconds.put(phase.key(), o.seconds()));
    SamplePhase.Summary sample = summary(done, Phase.SAMPLE, SamplePhase.Summary.class);
    VerifyPhase.Summary verify = summary(done, Phase.VERIFY, VerifyPhase.Summary.class);
    SimulatePhase.Summary sim = summary(done, Phase.SIMULATE, SimulatePhase.Summary.class);
    TrainPrmPhase.Summary prm = summary(done, Phase.TRAIN_PRM, TrainPrmPhase.Summary.class);
    SelectPhase.Summary select = summary(done, Phase.SELECT, SelectPhase.Summary.class);
    TrainPolicyPhase.Summary train = summary(done, Phase.TRAIN_POLICY, TrainPolicyPhase.Summary.class);
    EvaluatePhase.Summary eval = summary(done, Phase.EVALUATE, EvaluatePhase.Summary.class);
    boolean prmTrained = prm != null && prm.trained();
    return new IterationReport(k, s.mode(), eval == null ? Map.of() : eval.results(), sample.questions(),
        sample.samples(), verify.correct(), sim == null ? 0 : sim.simulated(), sim == null ? 0 : sim.flawedCorrect(),
        select.fresh(), select.total(), select.correctRejected(), select.goldChosen(),
        prmTrained ? prm.stepAccuracy() : Double.NaN, prmTrained ? prm.auroc() : Double.NaN, train.steps(),
        train.loss(), seconds);
  }

  private static <S> S summary(Map<Phase, PhaseOutcome<?>> done, Phase phase, Class<S> type) {
    PhaseOutcome<?> o = done.get(phase);
    return o == null ? null : type.cast(o.summary());
  }

  private void writeMetrics(List<Map<String, Object>> rows) throws IOException {
    MetricsFile m = MetricsFile.create(s.workDir(), "metrics");
    try {
      rows.forEach(m::write);
    } finally {
      m.close();
    }
  }

  /** All training questions, or iteration {@code k}'s window of a seeded shuffle of them. */
  private List<ReasoningTask> questionsFor(int k) {
    List<ReasoningTask> all = s.trainTasks().tasks();
    int n = s.questionsPerIteration();
    if (n == 0 || n >= all.size()) {
      return all;
    }
    List<ReasoningTask> order = s.trainTasks().shuffled(s.seed()).tasks();
    List<ReasoningTask> out = new ArrayList<>(n);
    long start = (long) (k - 1) * n;
    for (int i = 0; i < n; i++) {
      out.add(order.get((int) ((start + i) % order.size())));
    }
    return out;
  }

  /**
   * Returns the folder, inside the work directory, of an iteration's files and phase markers.
   *
   * @param iteration the iteration, 0 for the starting policy's evaluation
   * @return {@code baseline} for iteration 0, {@code iteration-NN} after
   */
  public static String iterationFolder(int iteration) {
    return iteration == 0 ? "baseline" : String.format(Locale.ROOT, "iteration-%02d", iteration);
  }

  /**
   * Builds a {@link SelfIterativeTrainer}. Required: {@link #policy}, {@link #tokenizer}, {@link #trainTasks} and
   * {@link #workDir}. Every other setting has a default, named at its setter.
   */
  public static final class Builder extends LoopBuilder {

    private Builder() {}

    /**
     * Validates every setting and builds the trainer. Besides the settings themselves it checks, before any work,
     * that the policy keeps {@link io.github.sipf4j.orpo.model.CausalLm}'s contract on a small left-padded batch
     * (logits of shape (batch, time, vocab), float32) and that it saves and reloads to the same parameters through
     * its model kind (the same for a simulator model): every phase and every resumed run depend on both.
     *
     * @return the trainer
     * @throws IllegalArgumentException listing every problem found
     */
    public SelfIterativeTrainer build() {
      return new SelfIterativeTrainer(settings());
    }
  }
}
