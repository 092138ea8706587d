package io.github.sipf4j.spark;

import ai.djl.Device;
import io.github.sipf4j.orpo.model.DecoderConfig;
import io.github.sipf4j.orpo.model.DecoderLm;
import io.github.sipf4j.orpo.model.PositionEncoding;
import io.github.sipf4j.orpo.sample.SamplingConfig;
import io.github.sipf4j.orpo.text.TextTokenizer;
import io.github.sipf4j.orpo.train.OptimizerConfig;
import io.github.sipf4j.prm.iterate.FeedbackMode;
import io.github.sipf4j.prm.iterate.PolicyTrainingConfig;
import io.github.sipf4j.prm.iterate.SelfIterativeTrainer;
import io.github.sipf4j.prm.iterate.phase.RolloutShards;
import io.github.sipf4j.prm.process.PrmTrainerConfig;
import io.github.sipf4j.prm.process.SimulatorConfig;
import io.github.sipf4j.prm.rollout.RolloutEngine;
import io.github.sipf4j.prm.rollout.VerifierSpec;
import io.github.sipf4j.prm.synthetic.SyntheticSplit;
import io.github.sipf4j.prm.synthetic.SyntheticTaskGenerator;
import io.github.sipf4j.prm.task.TaskSet;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.stream.Stream;

/**
 * A tiny self-iterative run (the one of prm-core's partition test): six synthetic questions, four evaluation tasks,
 * three samples per question, K = 2, two iterations, a one-layer decoder, and the {@link EvenHashVerifierFactory}
 * verifier; rollout shards of 2 tasks and 5 rationales, so every job spans several shards.
 */
final class TinyRun {

  static final TextTokenizer TOKENIZER = TextTokenizer.characterLevel();
  static final TaskSet TRAIN = SyntheticTaskGenerator.generate(SyntheticSplit.IN_DOMAIN, 6, 3);
  static final TaskSet EVAL = SyntheticTaskGenerator.generate(SyntheticSplit.VALIDATION, 4, 5);
  static final RolloutShards SHARDS = new RolloutShards(2, 5);

  private TinyRun() {}

  /**
   * Runs the tiny loop into a directory.
   *
   * @param dir the work directory
   * @param engine the rollout engine, or null for the default one
   * @param verifier the verifier's specification
   * @return the directory
   */
  static Path run(Path dir, RolloutEngine engine, VerifierSpec verifier) throws IOException {
    try (DecoderLm lm = DecoderLm.create(DecoderConfig.builder().vocabSize(TOKENIZER.vocabSize()).dModel(16)
        .layers(1).heads(2).maxLength(256).positions(PositionEncoding.ROTARY).build(), Device.cpu(), 11)) {
      SelfIterativeTrainer.Builder b = SelfIterativeTrainer.builder().policy(lm).tokenizer(TOKENIZER)
          .trainTasks(TRAIN).verifier(verifier).mode(FeedbackMode.PROCESS)
          .sampling(SamplingConfig.builder().temperature(1f).samplesPerPrompt(3).maxNewTokens(12).batchSize(64)
              .build())
          .simulator(SimulatorConfig.builder().rolloutsPerStep(2).sampling(SamplingConfig.builder().temperature(1f)
              .maxNewTokens(8).batchSize(64).seed(3).build()).build())
          .prmTraining(PrmTrainerConfig.builder().epochs(1).batchSize(4).microBatchSize(4)
              .optimizer(OptimizerConfig.builder().learningRate(1e-3f).build()).build())
          .prmValidationFraction(0.34)
          .training(PolicyTrainingConfig.builder().batchSize(4).epochs(1).learningRate(1e-3f).build())
          .iterations(2).workDir(dir).evalSet("val", EVAL).progress(false).seed(5).rolloutShards(SHARDS);
      if (engine != null) {
        b.rolloutEngine(engine);
      }
      b.build().run();
    }
    return dir;
  }

  /**
   * Reads the rollout artefacts of a run: every JSON-lines file but the metrics, and every {@code eval.json}.
   *
   * @param dir the work directory
   * @return the files' bytes by path relative to the directory
   */
  static Map<String, byte[]> artefacts(Path dir) throws IOException {
    Map<String, byte[]> out = new TreeMap<>();
    List<Path> files = new ArrayList<>();
    try (Stream<Path> s = Files.walk(dir)) {
      s.filter(Files::isRegularFile).forEach(files::add);
    }
    for (Path f : files) {
      String name = dir.relativize(f).toString();
      if (name.endsWith(".jsonl") && !name.contains("metrics") || name.endsWith("eval.json")) {
        out.put(name, Files.readAllBytes(f));
      }
    }
    return out;
  }
}
