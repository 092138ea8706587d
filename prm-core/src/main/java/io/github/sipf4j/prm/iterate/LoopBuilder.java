package io.github.sipf4j.prm.iterate;

import com.google.common.base.Preconditions;
import io.github.sipf4j.orpo.lora.LoraConfig;
import io.github.sipf4j.orpo.lora.LoraKind;
import io.github.sipf4j.orpo.lora.LoraModel;
import io.github.sipf4j.orpo.model.CausalLm;
import io.github.sipf4j.orpo.model.CausalLmKind;
import io.github.sipf4j.orpo.model.CausalLms;
import io.github.sipf4j.orpo.sample.SamplingConfig;
import io.github.sipf4j.orpo.text.PromptTemplate;
import io.github.sipf4j.orpo.text.SequenceEncoder;
import io.github.sipf4j.orpo.text.TextTokenizer;
import io.github.sipf4j.prm.iterate.phase.RolloutShards;
import io.github.sipf4j.prm.process.Aggregation;
import io.github.sipf4j.prm.process.PairSelector;
import io.github.sipf4j.prm.process.PrmTrainerConfig;
import io.github.sipf4j.prm.process.ProcessRewardModel;
import io.github.sipf4j.prm.process.SimulatorConfig;
import io.github.sipf4j.prm.rollout.LocalRolloutEngine;
import io.github.sipf4j.prm.rollout.RolloutEngine;
import io.github.sipf4j.prm.rollout.VerifierSpec;
import io.github.sipf4j.prm.task.ReasoningTask;
import io.github.sipf4j.prm.task.TaskSet;
import io.github.sipf4j.prm.verify.OutcomeVerifier;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collections;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.regex.Pattern;

/**
 * The settings of a {@link SelfIterativeTrainer} and their validation: every setter of
 * {@link SelfIterativeTrainer.Builder}, each with its default. Required: {@link #policy}, {@link #tokenizer},
 * {@link #trainTasks} and {@link #workDir}.
 */
abstract class LoopBuilder {

  private static final Pattern SAFE_NAME = Pattern.compile("[A-Za-z0-9._-]+");

  private CausalLm policy;
  private TextTokenizer tokenizer;
  private CausalLmKind policyKind;
  private PromptTemplate template = PromptTemplate.DEFAULT;
  private TaskSet trainTasks;
  private OutcomeVerifier verifier;
  private VerifierSpec verifierSpec = VerifierSpec.forTaskKind();
  private SamplingConfig sampling = SamplingConfig.builder().temperature(1f).samplesPerPrompt(
      SelfIterativeTrainer.DEFAULT_SAMPLES_PER_QUESTION).maxNewTokens(256).batchSize(128).seed(1).build();
  private int questionsPerIteration = 0;
  private FeedbackMode mode = FeedbackMode.PROCESS;
  private CausalLm simulatorModel;
  private CausalLmKind simulatorKind;
  private SimulatorConfig simulator = SimulatorConfig.builder().build();
  private int maxSimulatedSamples = SelfIterativeTrainer.DEFAULT_MAX_SIMULATED_SAMPLES;
  private RewardSourceKind rewardSource = RewardSourceKind.LEARNED;
  private ProcessRewardModel customRewardModel;
  private boolean softLabels = false;
  private PrmTrainerConfig prmTraining = PrmTrainerConfig.builder().epochs(3).batchSize(16).build();
  private double prmValidationFraction = SelfIterativeTrainer.DEFAULT_PRM_VALIDATION_FRACTION;
  private LoraConfig prmAdapters;
  private Aggregation aggregation = Aggregation.mean();
  private String aggregationName = "mean";
  private PairSelector pairSelector = PairSelector.withDefaults();
  private boolean useGoldRationales = true;
  private TaskSet anchorTasks;
  private boolean accumulate = true;
  private PolicyTrainingConfig training = PolicyTrainingConfig.builder().build();
  private int iterations = SelfIterativeTrainer.DEFAULT_ITERATIONS;
  private Path workDir;
  private final List<SelfIterativeListener> listeners = new ArrayList<>();
  private final Map<String, TaskSet> evalSets = new LinkedHashMap<>();
  private Map<String, EvalResult> startingEvaluation;
  private long seed = 42;
  private boolean progress = true;
  private boolean htmlReport = true;
  private RolloutEngine rolloutEngine;
  private RolloutShards shards = RolloutShards.DEFAULT;
  private final List<String> errors = new ArrayList<>();

  LoopBuilder() {}

  private SelfIterativeTrainer.Builder self() {
    return (SelfIterativeTrainer.Builder) this;
  }

  /**
   * Sets the policy to improve (required). Its weights change in place; the trainer never closes it.
   *
   * <p>A {@link LoraModel} trains its adapters alone, over its frozen base: every policy the run saves
   * ({@code initial-policy/}, {@code iteration-NN/policy/}) is then a PEFT adapter folder whose {@code
   * base_model_name_or_path} names the base's folder (the base's own, or {@code base-model/} in the work directory
   * for a base made in memory, saved once; see {@link io.github.sipf4j.prm.iterate.phase.AdapterBase}), trainer
   * checkpoints hold the adapters alone, and saved policies and the process reward model's backbone are loaded as
   * adapters onto the one base in memory ({@link LoraKind#onBase}): the PRM trains a copy of the iteration's
   * starting adapters and its head, and the base stays bit-identical throughout. A resumed run checks that its base
   * has the parameters the run started with.
   *
   * @param v the policy
   * @return this builder
   */
  public SelfIterativeTrainer.Builder policy(CausalLm v) {
    policy = v;
    return self();
  }

  /**
   * Hands over the model kind that loads the folders the policy saves, when that kind is not registered with
   * {@link CausalLms} through {@code META-INF/services} (default: the registered kind that recognises them). The
   * run reloads saved policies with it in every phase that needs one (the PRM's backbone, a resumed iteration), so
   * {@code build()} checks that it reloads the policy's parameters exactly. A rollout engine in another process
   * finds kinds by name among its registered ones only.
   *
   * @param v the kind, or null
   * @return this builder
   */
  public SelfIterativeTrainer.Builder policyKind(CausalLmKind v) {
    policyKind = v;
    return self();
  }

  /**
   * Sets the policy's tokenizer (required); it is saved beside every policy the run writes.
   *
   * @param v the tokenizer
   * @return this builder
   */
  public SelfIterativeTrainer.Builder tokenizer(TextTokenizer v) {
    tokenizer = v;
    return self();
  }

  /**
   * Sets the prompt template (default {@link PromptTemplate#DEFAULT}, {@code "Q: {question}\nA:\n"}).
   *
   * @param v the template
   * @return this builder
   */
  public SelfIterativeTrainer.Builder template(PromptTemplate v) {
    template = v;
    return self();
  }

  /**
   * Sets the training questions (required): questions with verifiable answers; tasks that also carry gold steps
   * contribute their gold rationale as a candidate (see {@link #useGoldRationales}).
   *
   * @param v the tasks
   * @return this builder
   */
  public SelfIterativeTrainer.Builder trainTasks(TaskSet v) {
    trainTasks = v;
    return self();
  }

  /**
   * Sets the verifier of final answers as an object (default: {@link VerifierSpec#forTaskKind()}, which is
   * {@link OutcomeVerifier#forTaskKind()}). A verifier given as an object runs only with the default, in-process
   * rollout engine; describe it with {@link #verifier(VerifierSpec)} to run rollouts elsewhere. The trainer does not
   * close it.
   *
   * @param v the verifier
   * @return this builder
   */
  public SelfIterativeTrainer.Builder verifier(OutcomeVerifier v) {
    verifier = v;
    verifierSpec = null;
    return self();
  }

  /**
   * Sets the verifier of final answers as data (default {@link VerifierSpec#forTaskKind()}): built with
   * {@link io.github.sipf4j.prm.rollout.VerifierSpecs#create} in this process for the run, and wherever a
   * {@link #rolloutEngine rollout engine} runs rollouts.
   *
   * @param v the verifier's specification
   * @return this builder
   */
  public SelfIterativeTrainer.Builder verifier(VerifierSpec v) {
    verifierSpec = v;
    verifier = null;
    return self();
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
  public SelfIterativeTrainer.Builder sampling(SamplingConfig v) {
    sampling = v;
    return self();
  }

  /**
   * Sets N, the rationales sampled per question, keeping the other sampling settings.
   *
   * @param v N, at least 1
   * @return this builder
   */
  public SelfIterativeTrainer.Builder samplesPerQuestion(int v) {
    if (v < 1) {
      errors.add("samplesPerQuestion must be at least 1, got " + v);
      return self();
    }
    sampling = sampling.toBuilder().samplesPerPrompt(v).build();
    return self();
  }

  /**
   * Sets the sampling temperature, keeping the other sampling settings (default 1).
   *
   * @param v the temperature, above 0
   * @return this builder
   */
  public SelfIterativeTrainer.Builder temperature(float v) {
    if (!(v > 0) || !Float.isFinite(v)) {
      errors.add("temperature must be finite and above 0 (self-sampling needs diverse rationales), got " + v);
      return self();
    }
    sampling = sampling.toBuilder().temperature(v).build();
    return self();
  }

  /**
   * Sets how many training questions each iteration samples (default 0: all of them). With fewer, iteration
   * {@code k} takes the next window of a seeded shuffle of the tasks, wrapping around.
   *
   * @param v questions per iteration, 0 for all
   * @return this builder
   */
  public SelfIterativeTrainer.Builder questionsPerIteration(int v) {
    questionsPerIteration = v;
    return self();
  }

  /**
   * Sets the feedback mode (default {@link FeedbackMode#PROCESS}, SIPF).
   *
   * @param v the mode
   * @return this builder
   */
  public SelfIterativeTrainer.Builder mode(FeedbackMode v) {
    mode = v;
    return self();
  }

  /**
   * Sets the model that completes step prefixes in the simulation (default: the policy of the iteration). It must
   * share the policy's tokenizer; the trainer does not close it. It is saved once to {@code simulator-model/} so that
   * rollouts can load it anywhere, and {@code build()} checks that it reloads (see {@link #simulatorKind}).
   *
   * @param v the simulator model
   * @return this builder
   */
  public SelfIterativeTrainer.Builder simulatorModel(CausalLm v) {
    simulatorModel = v;
    return self();
  }

  /**
   * Hands over the model kind that loads the folders the simulator model saves, when that kind is not registered
   * with {@link CausalLms} (default: found among the registered kinds).
   *
   * @param v the kind, or null
   * @return this builder
   */
  public SelfIterativeTrainer.Builder simulatorKind(CausalLmKind v) {
    simulatorKind = v;
    return self();
  }

  /**
   * Sets the Monte-Carlo simulation (default {@link SimulatorConfig#builder()}: K = 4 completions per step
   * prefix, δ = 0, early stop, temperature 1). Its sampling seed is replaced by one derived from the run's seed
   * and the iteration.
   *
   * @param v the simulator settings
   * @return this builder
   */
  public SelfIterativeTrainer.Builder simulator(SimulatorConfig v) {
    simulator = v;
    return self();
  }

  /**
   * Caps the samples simulated per iteration to train the default PRM (default
   * {@value SelfIterativeTrainer#DEFAULT_MAX_SIMULATED_SAMPLES}, a seeded random subset). With
   * {@link #monteCarloRewards} every sample of a question that can form a pair is simulated instead.
   *
   * @param v the cap, at least 1
   * @return this builder
   */
  public SelfIterativeTrainer.Builder maxSimulatedSamples(int v) {
    maxSimulatedSamples = v;
    return self();
  }

  /**
   * Scores steps with a reward model of your own instead of a trained {@code DecoderPrm}; no simulation runs.
   * Only for {@link FeedbackMode#PROCESS}.
   *
   * @param v the reward model (the trainer does not close it)
   * @return this builder
   */
  public SelfIterativeTrainer.Builder rewardModel(ProcessRewardModel v) {
    customRewardModel = v;
    rewardSource = v == null ? RewardSourceKind.LEARNED : RewardSourceKind.CUSTOM;
    return self();
  }

  /**
   * Scores steps by the Monte-Carlo labels themselves instead of a PRM trained on them (no PRM phase). Only for
   * {@link FeedbackMode#PROCESS}.
   *
   * @param soft true for the share of correct completions, false for the hard 0/1 labels
   * @return this builder
   */
  public SelfIterativeTrainer.Builder monteCarloRewards(boolean soft) {
    rewardSource = RewardSourceKind.MONTE_CARLO;
    customRewardModel = null;
    softLabels = soft;
    return self();
  }

  /**
   * Trains the default PRM on soft labels (the share of correct completions) instead of hard ones (default: hard,
   * SIPF's).
   *
   * @param v whether to use soft labels
   * @return this builder
   */
  public SelfIterativeTrainer.Builder softLabels(boolean v) {
    softLabels = v;
    return self();
  }

  /**
   * Sets how the default {@code DecoderPrm} is trained each iteration (default: 3 epochs, batch 16, the
   * {@link PrmTrainerConfig} defaults otherwise). Its seed, work directory and progress bar are replaced.
   *
   * @param v the PRM training settings
   * @return this builder
   */
  public SelfIterativeTrainer.Builder prmTraining(PrmTrainerConfig v) {
    prmTraining = v;
    return self();
  }

  /**
   * Gives the learned process reward model adapters of its own (the paper's PRM trains a rank-16 adapter while its
   * policy trains rank 256): each iteration's PRM is then fresh adapters of these settings on the policy's frozen
   * base, with the head, instead of a copy of the iteration's starting policy adapters. Needs a policy that trains
   * LoRA adapters ({@link LoraModel}) and a learned PRM ({@link FeedbackMode#PROCESS} with the default reward
   * source); the PRM folder is then a PEFT adapter folder naming the same base. Null (the default) for a copy of the
   * policy.
   *
   * @param v the PRM's adapter settings, or null
   * @return this builder
   */
  public SelfIterativeTrainer.Builder prmAdapters(LoraConfig v) {
    prmAdapters = v;
    return self();
  }

  /**
   * Sets the share of simulated questions held out to validate the PRM (default
   * {@value SelfIterativeTrainer#DEFAULT_PRM_VALIDATION_FRACTION}; none with fewer than 5 questions).
   *
   * @param v a fraction in [0, 0.9]
   * @return this builder
   */
  public SelfIterativeTrainer.Builder prmValidationFraction(double v) {
    prmValidationFraction = v;
    return self();
  }

  /**
   * Sets how step scores become a rationale's reward (default {@link Aggregation#mean()}, SIPF's).
   *
   * @param name a short name for the run's settings, such as {@code min}
   * @param v the aggregation
   * @return this builder
   */
  public SelfIterativeTrainer.Builder aggregation(String name, Aggregation v) {
    aggregationName = name;
    aggregation = v;
    return self();
  }

  /**
   * Sets the pair selector (default {@link PairSelector#withDefaults()}: margin 0.1, at most 2 pairs per
   * question).
   *
   * @param v the selector
   * @return this builder
   */
  public SelfIterativeTrainer.Builder pairSelector(PairSelector v) {
    pairSelector = v;
    return self();
  }

  /**
   * Sets whether tasks with gold steps add their gold rationale as a perfect candidate (reward 1, correct): it
   * becomes the preferred chosen rationale of pairs (and an SFT example for RFT). Default true; tasks without gold
   * steps are unaffected.
   *
   * @param v whether to use gold rationales
   * @return this builder
   */
  public SelfIterativeTrainer.Builder useGoldRationales(boolean v) {
    useGoldRationales = v;
    return self();
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
  public SelfIterativeTrainer.Builder anchorTasks(TaskSet v) {
    anchorTasks = v;
    return self();
  }

  /**
   * Sets whether each iteration trains on the pairs of all iterations so far (\( D_{k+1} = D_k \cup \text{new}
   * \), default true) or on its own pairs only.
   *
   * @param v whether to accumulate
   * @return this builder
   */
  public SelfIterativeTrainer.Builder accumulate(boolean v) {
    accumulate = v;
    return self();
  }

  /**
   * Sets how the policy is trained each iteration (default {@link PolicyTrainingConfig#builder()}: λ = 0.1,
   * learning rate 1e-4, one epoch, batch 16).
   *
   * @param v the training settings
   * @return this builder
   */
  public SelfIterativeTrainer.Builder training(PolicyTrainingConfig v) {
    training = v;
    return self();
  }

  /**
   * Sets the number of iterations (default {@value SelfIterativeTrainer#DEFAULT_ITERATIONS}). A finished run
   * resumed with more iterations continues from its last policy.
   *
   * @param v iterations, at least 1
   * @return this builder
   */
  public SelfIterativeTrainer.Builder iterations(int v) {
    iterations = v;
    return self();
  }

  /**
   * Sets the working directory (required): every phase's output, the policies and the metrics go there.
   *
   * @param v the directory, created when missing
   * @return this builder
   */
  public SelfIterativeTrainer.Builder workDir(Path v) {
    workDir = v;
    return self();
  }

  /**
   * Adds a listener.
   *
   * @param v the listener
   * @return this builder
   */
  public SelfIterativeTrainer.Builder listener(SelfIterativeListener v) {
    listeners.add(Preconditions.checkNotNull(v, "listener"));
    return self();
  }

  /**
   * Adds an evaluation set: the starting policy and the policy after every iteration are evaluated on it greedily.
   *
   * @param name a name made of letters, digits, dots, dashes and underscores, unique in the run
   * @param v the tasks, at least one
   * @return this builder
   */
  public SelfIterativeTrainer.Builder evalSet(String name, TaskSet v) {
    if (name == null || !SAFE_NAME.matcher(name).matches()) {
      errors.add("evaluation set name must match " + SAFE_NAME.pattern() + ", got '" + name + "'");
    } else if (evalSets.containsKey(name)) {
      errors.add("evaluation set '" + name + "' was added twice");
    } else if (v == null || v.size() == 0) {
      errors.add("evaluation set '" + name + "' is empty");
    } else {
      evalSets.put(name, v);
    }
    return self();
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
  public SelfIterativeTrainer.Builder startingEvaluation(Map<String, EvalResult> v) {
    startingEvaluation = v == null ? null : new LinkedHashMap<>(v);
    return self();
  }

  /**
   * Sets the seed of sampling, simulation, PRM and policy training (default 42).
   *
   * @param v the seed
   * @return this builder
   */
  public SelfIterativeTrainer.Builder seed(long v) {
    seed = v;
    return self();
  }

  /**
   * Sets who runs sampling, verification, Monte-Carlo simulation and greedy evaluation (default: a
   * {@link LocalRolloutEngine} in this process over the policy in memory). The engine receives every rollout as a
   * {@link io.github.sipf4j.prm.rollout.RolloutJob} naming a saved policy and a {@link VerifierSpec}, so the
   * verifier must be given with {@link #verifier(VerifierSpec)}; the run's files do not depend on the engine. The
   * trainer does not close it.
   *
   * @param v the engine, or null for the default
   * @return this builder
   */
  public SelfIterativeTrainer.Builder rolloutEngine(RolloutEngine v) {
    rolloutEngine = v;
    return self();
  }

  /**
   * Sets how rollout jobs are cut into shards (default {@link RolloutShards#DEFAULT}: 1,024 tasks, 4,096 rationales). A
   * shard is computed the same way wherever it runs, so records do not depend on the engine or its partitions; the
   * shard sizes decide which tasks are batched together, and so can move floating-point results in the last bits.
   * The default keeps one process's batches full; an engine that spreads jobs over W workers wants at least W shards
   * per job.
   *
   * @param v the shard sizes
   * @return this builder
   */
  public SelfIterativeTrainer.Builder rolloutShards(RolloutShards v) {
    shards = v;
    return self();
  }

  /**
   * Sets whether phases draw progress bars on standard error (default true).
   *
   * @param v whether to show progress
   * @return this builder
   */
  public SelfIterativeTrainer.Builder progress(boolean v) {
    progress = v;
    return self();
  }

  /**
   * Sets whether the run keeps a {@code report.html} in its work directory (default true): one self-contained page
   * ({@link io.github.sipf4j.prm.report.HtmlReport}) with the accuracy curves and their intervals, the phase times
   * (against {@code plan.json} when the directory holds one), pairs and PRM metrics per iteration, and a sample of
   * rationales with every step coloured by its label and score. It is rewritten after every phase and iteration; a
   * report that cannot be written is logged and never fails the run.
   *
   * @param v whether to write the report
   * @return this builder
   */
  public SelfIterativeTrainer.Builder htmlReport(boolean v) {
    htmlReport = v;
    return self();
  }

  /**
   * Validates every setting, checks the policy (and the simulator model) against {@code CausalLm}'s contract and
   * that they save and reload, and freezes the settings.
   *
   * @return the settings
   * @throws IllegalArgumentException listing every problem found
   */
  LoopSettings settings() {
    List<String> problems = new ArrayList<>(errors);
    if (policy == null) {
      problems.add("policy is required: call policy(CausalLm)");
    }
    if (tokenizer == null) {
      problems.add("tokenizer is required: call tokenizer(TextTokenizer)");
    }
    if (trainTasks == null || trainTasks.size() == 0) {
      problems.add("trainTasks is required and must hold at least one task");
    } else {
      checkUniqueIds(problems);
    }
    if (workDir == null) {
      problems.add("workDir is required: call workDir(Path)");
    } else if (Files.exists(workDir) && !Files.isDirectory(workDir)) {
      problems.add("workDir " + workDir + " exists and is not a directory");
    }
    if (template == null || (verifier == null && verifierSpec == null) || sampling == null || simulator == null
        || aggregation == null || pairSelector == null || training == null || prmTraining == null || mode == null
        || shards == null) {
      problems.add("template, verifier, sampling, simulator, aggregation, pairSelector, training, prmTraining, "
          + "rolloutShards and mode must not be null");
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
    if (mode != FeedbackMode.PROCESS && rewardSource != RewardSourceKind.LEARNED) {
      problems.add("rewardModel(...) and monteCarloRewards(...) apply to FeedbackMode.PROCESS only; the mode is "
          + mode);
    }
    if (rolloutEngine != null && verifierSpec == null) {
      problems.add("rolloutEngine(...) runs rollouts from specifications, but the verifier was given as an object: "
          + "describe it with verifier(VerifierSpec) (a kind of your own through a VerifierFactory)");
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
    CausalLmKind policyLoads = null;
    CausalLmKind simulatorLoads = null;
    CausalLmKind policyGiven = policyKind;
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
      Path near = workDir == null ? null : workDir.toAbsolutePath().getParent();
      if (prmAdapters != null && !(policy instanceof LoraModel)) {
        problems.add("prmAdapters puts the process reward model's adapters on the policy's frozen base: the policy "
            + "must train LoRA adapters (a LoraModel), not " + policy.getClass().getSimpleName());
      }
      if (prmAdapters != null && (mode != FeedbackMode.PROCESS || rewardSource != RewardSourceKind.LEARNED)) {
        problems.add("prmAdapters applies to a learned process reward model (mode PROCESS, reward source LEARNED); "
            + "this run has mode " + mode + " and reward source " + rewardSource);
      }
      if (policy instanceof LoraModel lora) {
        if (lora.isMerged()) {
          problems.add("the policy's LoRA adapters are merged into its base: unmerge them before training");
        }
        if (policyGiven == null) {
          policyGiven = LoraKind.onBase(lora.base());
        }
      }
      String forward = PolicyCheck.forwardProblem("the policy", policy, tokenizer.bosId(), tokenizer.padId());
      if (forward != null) {
        problems.add(forward);
      } else {
        policyLoads = PolicyCheck.reloadKind("the policy", policy, policyGiven, near, problems);
      }
      if (simulatorModel != null) {
        String sim = PolicyCheck.forwardProblem("the simulator model", simulatorModel, tokenizer.bosId(),
            tokenizer.padId());
        if (sim != null) {
          problems.add(sim);
        } else {
          simulatorLoads = PolicyCheck.reloadKind("the simulator model", simulatorModel, simulatorKind, near,
              problems);
        }
      }
    }
    if (!problems.isEmpty()) {
      throw new IllegalArgumentException("invalid SelfIterativeTrainer settings:\n  - "
          + String.join("\n  - ", problems));
    }
    List<CausalLmKind> extraKinds = new ArrayList<>();
    for (CausalLmKind k : new CausalLmKind[] {policyGiven, simulatorKind}) {
      if (k != null && extraKinds.stream().noneMatch(e -> e.name().equals(k.name()))) {
        extraKinds.add(k);
      }
    }
    return new LoopSettings(policy, tokenizer, policyLoads, List.copyOf(extraKinds), template, trainTasks, verifier,
        verifierSpec, sampling, questionsPerIteration, mode, simulatorModel, simulatorLoads, simulator,
        maxSimulatedSamples, rewardSource, customRewardModel, softLabels, prmTraining, prmAdapters,
        prmValidationFraction,
        aggregation, aggregationName, pairSelector, useGoldRationales, anchorTasks, accumulate, training, iterations,
        workDir, List.copyOf(listeners), Collections.unmodifiableMap(new LinkedHashMap<>(evalSets)),
        startingEvaluation == null ? null : Collections.unmodifiableMap(new LinkedHashMap<>(startingEvaluation)),
        seed, progress, htmlReport, rolloutEngine, shards);
  }

  /** Task ids key the random streams of sampling and simulation: two tasks with one id would draw the same. */
  private void checkUniqueIds(List<String> problems) {
    Map<String, Integer> first = new HashMap<>();
    for (int i = 0; i < trainTasks.size(); i++) {
      Integer earlier = first.putIfAbsent(trainTasks.get(i).id(), i);
      if (earlier != null) {
        problems.add("trainTasks (" + trainTasks.name() + ") holds task id '" + trainTasks.get(i).id()
            + "' at positions " + earlier + " and " + i + ": ids key the random streams of sampling and simulation "
            + "and must be unique");
        return;
      }
    }
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
