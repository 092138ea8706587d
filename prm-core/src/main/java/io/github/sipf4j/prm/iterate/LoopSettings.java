package io.github.sipf4j.prm.iterate;

import io.github.sipf4j.orpo.lora.LoraConfig;
import io.github.sipf4j.orpo.model.CausalLm;
import io.github.sipf4j.orpo.model.CausalLmKind;
import io.github.sipf4j.orpo.sample.SamplingConfig;
import io.github.sipf4j.orpo.text.PromptTemplate;
import io.github.sipf4j.orpo.text.TextTokenizer;
import io.github.sipf4j.prm.iterate.phase.RolloutShards;
import io.github.sipf4j.prm.process.Aggregation;
import io.github.sipf4j.prm.process.PairSelector;
import io.github.sipf4j.prm.process.PrmTrainerConfig;
import io.github.sipf4j.prm.process.ProcessRewardModel;
import io.github.sipf4j.prm.process.SimulatorConfig;
import io.github.sipf4j.prm.rollout.RolloutEngine;
import io.github.sipf4j.prm.rollout.VerifierSpec;
import io.github.sipf4j.prm.task.TaskSet;
import io.github.sipf4j.prm.verify.OutcomeVerifier;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;

/**
 * The validated settings of a {@link SelfIterativeTrainer}, as its builder left them (see the builder's setters for
 * each one's meaning and default).
 */
record LoopSettings(
    CausalLm policy,
    TextTokenizer tokenizer,
    CausalLmKind policyKind,
    List<CausalLmKind> extraKinds,
    PromptTemplate template,
    TaskSet trainTasks,
    OutcomeVerifier verifier,
    VerifierSpec verifierSpec,
    SamplingConfig sampling,
    int questionsPerIteration,
    FeedbackMode mode,
    CausalLm simulatorModel,
    CausalLmKind simulatorKind,
    SimulatorConfig simulator,
    int maxSimulatedSamples,
    RewardSourceKind rewardSource,
    ProcessRewardModel customRewardModel,
    boolean softLabels,
    PrmTrainerConfig prmTraining,
    LoraConfig prmAdapters,
    double prmValidationFraction,
    Aggregation aggregation,
    String aggregationName,
    PairSelector pairSelector,
    boolean useGoldRationales,
    TaskSet anchorTasks,
    boolean accumulate,
    PolicyTrainingConfig training,
    int iterations,
    Path workDir,
    List<SelfIterativeListener> listeners,
    Map<String, TaskSet> evalSets,
    Map<String, EvalResult> startingEvaluation,
    long seed,
    boolean progress,
    boolean htmlReport,
    RolloutEngine engine,
    RolloutShards shards) {}
