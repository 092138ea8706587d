package io.github.sipf4j.prm.iterate;

import ai.djl.Device;
import io.github.sipf4j.orpo.model.CausalLm;
import io.github.sipf4j.orpo.model.DecoderConfig;
import io.github.sipf4j.orpo.model.DecoderLm;
import io.github.sipf4j.orpo.model.PositionEncoding;
import io.github.sipf4j.orpo.sample.SamplingConfig;
import io.github.sipf4j.orpo.text.TextTokenizer;
import io.github.sipf4j.orpo.train.OptimizerConfig;
import io.github.sipf4j.prm.process.PrmTrainerConfig;
import io.github.sipf4j.prm.process.SimulatorConfig;
import io.github.sipf4j.prm.synthetic.SyntheticSplit;
import io.github.sipf4j.prm.synthetic.SyntheticTaskGenerator;
import io.github.sipf4j.prm.task.ReasoningTask;
import io.github.sipf4j.prm.task.TaskSet;
import io.github.sipf4j.prm.verify.OutcomeVerifier;
import io.github.sipf4j.prm.verify.Verdict;
import java.util.ArrayList;
import java.util.List;

/**
 * The tiny run the loop's tests share: six synthetic questions (half with gold rationales), four evaluation tasks,
 * three samples per question, K = 2, one epoch of everything, and a verifier that calls an output correct when its
 * string hash is even (a random model is rarely right, so this gives about half correct samples, which exercises
 * pairs, simulation and the PRM).
 */
final class TinyRun {

  /** Correct when the stripped output's string hash is even. */
  static final OutcomeVerifier COIN = (task, out) -> {
    int h = out.strip().hashCode();
    return new Verdict((h & 1) == 0, Integer.toString(h), "even hash");
  };

  static final TextTokenizer TOKENIZER = TextTokenizer.characterLevel();
  static final TaskSet TRAIN = trainTasks();
  static final TaskSet EVAL = SyntheticTaskGenerator.generate(SyntheticSplit.VALIDATION, 4, 5);

  private TinyRun() {}

  private static TaskSet trainTasks() {
    List<ReasoningTask> tasks = new ArrayList<>();
    TaskSet gen = SyntheticTaskGenerator.generate(SyntheticSplit.IN_DOMAIN, 6, 3);
    for (int i = 0; i < gen.size(); i++) {
      ReasoningTask t = gen.get(i);
      // Half the questions keep their gold rationale, half have an answer only.
      tasks.add(i % 2 == 0 ? t : new ReasoningTask(t.id(), t.prompt(), t.answer(), List.of(), t.kind(), t.choices(),
          t.tests(), t.metadata()));
    }
    return new TaskSet("tiny-train", tasks);
  }

  /** A fresh one-layer decoder, always initialised the same. */
  static DecoderLm newDecoder() {
    return newDecoder(11);
  }

  /** A fresh one-layer decoder initialised from a seed. */
  static DecoderLm newDecoder(long seed) {
    return DecoderLm.create(DecoderConfig.builder().vocabSize(TOKENIZER.vocabSize()).dModel(16).layers(1).heads(2)
        .maxLength(256).positions(PositionEncoding.ROTARY).build(), Device.cpu(), seed);
  }

  /** The tiny run's settings for a policy, a work directory and a mode, with the {@link #COIN} verifier. */
  static SelfIterativeTrainer.Builder builder(CausalLm lm, java.nio.file.Path dir, FeedbackMode mode) {
    return SelfIterativeTrainer.builder().policy(lm).tokenizer(TOKENIZER).trainTasks(TRAIN).verifier(COIN).mode(mode)
        .sampling(SamplingConfig.builder().temperature(1f).samplesPerPrompt(3).maxNewTokens(12).batchSize(64)
            .build())
        .simulator(SimulatorConfig.builder().rolloutsPerStep(2).sampling(SamplingConfig.builder().temperature(1f)
            .maxNewTokens(8).batchSize(64).seed(3).build()).build())
        .prmTraining(PrmTrainerConfig.builder().epochs(1).batchSize(4).microBatchSize(4)
            .optimizer(OptimizerConfig.builder().learningRate(1e-3f).build()).build())
        .prmValidationFraction(0.34)
        .training(PolicyTrainingConfig.builder().batchSize(4).epochs(1).learningRate(1e-3f).checkpointEverySteps(1)
            .build())
        .iterations(2).workDir(dir).evalSet("val", EVAL).progress(false).seed(5);
  }
}
