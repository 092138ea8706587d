package io.github.sipf4j.prm.iterate;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ai.djl.Device;
import io.github.sipf4j.orpo.data.PreferenceJsonl;
import io.github.sipf4j.orpo.model.CausalLms;
import io.github.sipf4j.orpo.model.DecoderLm;
import io.github.sipf4j.prm.process.PairSelector;
import io.github.sipf4j.prm.process.PairSelectorConfig;
import io.github.sipf4j.prm.process.ProcessRewardModel;
import io.github.sipf4j.prm.task.ReasoningTask;
import io.github.sipf4j.prm.task.TaskSet;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.function.Consumer;
import java.util.stream.Stream;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.EnumSource;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * The loop on a tiny random model: every phase writes its artefacts, a crash in any phase resumes to the same result
 * as an uninterrupted run, and invalid settings fail at {@code build()}.
 *
 * <p>A random model rarely answers correctly, so these tests use {@link TinyRun}'s verifier, which calls an output
 * correct when it has an even string hash: about half the samples pass, which exercises pairs, simulation and the PRM
 * without a trained model.
 */
class SelfIterativeTrainerTest {

  private static final TaskSet train = TinyRun.TRAIN;
  private static final TaskSet eval = TinyRun.EVAL;

  private static Path initialWeights;

  @TempDir static Path shared;

  @BeforeAll
  static void setUp() throws IOException {
    try (DecoderLm lm = TinyRun.newDecoder()) {
      initialWeights = shared.resolve("initial");
      lm.save(initialWeights);
    }
  }

  private static DecoderLm loadInitial() throws IOException {
    return (DecoderLm) CausalLms.load(initialWeights, Device.cpu());
  }

  private static SelfIterativeTrainer.Builder tiny(DecoderLm lm, Path dir, FeedbackMode mode) {
    return TinyRun.builder(lm, dir, mode);
  }

  static Stream<Arguments> modes() {
    return Stream.of(Arguments.of(FeedbackMode.PROCESS, "learned"), Arguments.of(FeedbackMode.PROCESS, "mc"),
        Arguments.of(FeedbackMode.PROCESS, "custom"), Arguments.of(FeedbackMode.OUTCOME, ""),
        Arguments.of(FeedbackMode.RFT, ""));
  }

  @ParameterizedTest(name = "{0} {1}")
  @MethodSource("modes")
  void everyPhaseWritesItsArtefacts(FeedbackMode mode, String source, @TempDir Path dir) throws IOException {
    try (DecoderLm lm = loadInitial()) {
      SelfIterativeTrainer.Builder b = tiny(lm, dir, mode);
      if (source.equals("mc")) {
        b.monteCarloRewards(true);
      } else if (source.equals("custom")) {
        b.rewardModel(inputs -> inputs.stream().map(in -> {
          double[] s = new double[in.steps().size()];
          for (int i = 0; i < s.length; i++) {
            s[i] = in.steps().get(i).length() % 3 == 0 ? 0.1 : 0.9;
          }
          return s;
        }).toList());
      }
      SelfIterativeTrainer trainer = b.build();
      SelfIterativeResult result = trainer.run();
      assertEquals(2, result.iterations().size());
      assertEquals(Map.of("val", result.baseline().get("val")), result.baseline());
      for (int k = 1; k <= 2; k++) {
        Path it = trainer.iterationDir(k);
        for (Phase p : trainer.phases()) {
          assertTrue(Files.exists(it.resolve("phases").resolve(p.key() + ".json")), p + " marker in " + it);
        }
        assertTrue(Files.size(it.resolve("samples.jsonl")) > 0);
        assertEquals(Files.readAllLines(it.resolve("samples.jsonl")).size(),
            Files.readAllLines(it.resolve("verdicts.jsonl")).size());
        assertEquals(trainer.phases().contains(Phase.SIMULATE), Files.exists(it.resolve("labels.jsonl")));
        assertEquals(trainer.phases().contains(Phase.TRAIN_PRM), Files.exists(it.resolve("prm/prm.json")));
        assertEquals(mode != FeedbackMode.RFT, Files.exists(it.resolve("scores.jsonl")));
        assertTrue(Files.exists(it.resolve("dataset.jsonl")));
        assertTrue(Files.exists(it.resolve("policy/model.safetensors")));
        assertTrue(Files.exists(it.resolve("policy/tokenizer.json")));
        assertTrue(Files.exists(it.resolve("eval.json")));
        assertTrue(Files.exists(it.resolve("eval-val.jsonl")));
        assertTrue(Files.exists(it.resolve("report.json")));
        IterationReport r = result.iterations().get(k - 1);
        assertEquals(6, r.questions());
        assertEquals(18, r.samples());
        assertTrue(r.newExamples() > 0, "some training data was selected in iteration " + k);
        assertTrue(r.policySteps() > 0);
        assertTrue(r.seconds().keySet().containsAll(trainer.phases().stream().map(Phase::key).toList()));
      }
      if (mode != FeedbackMode.RFT) {
        int first = PreferenceJsonl.read(trainer.iterationDir(1).resolve("dataset.jsonl")).size();
        int second = PreferenceJsonl.read(trainer.iterationDir(2).resolve("dataset.jsonl")).size();
        assertTrue(second >= first, "pairs accumulate: " + first + " then " + second);
        assertTrue(result.iterations().get(0).goldChosen() > 0, "gold rationales are chosen");
      }
      assertEquals(4, Files.readAllLines(dir.resolve("metrics.csv")).size(), "header + baseline + 2 iterations");
      assertEquals(3, Files.readAllLines(dir.resolve("metrics.jsonl")).size());
      assertEquals(result.finalPolicyDir(), trainer.iterationDir(2).resolve("policy"));
      try (DecoderLm reloaded = (DecoderLm) CausalLms.load(result.finalPolicyDir(), Device.cpu())) {
        assertEquals(lm.vocabSize(), reloaded.vocabSize());
      }
    }
  }

  /** A crash at the start of a phase of iteration 2 (or 1 for the PRM), then a resume, ends as an uninterrupted run. */
  @ParameterizedTest
  @EnumSource(Phase.class)
  void resumesAfterACrashInEveryPhase(Phase crashAt, @TempDir Path dir) throws IOException {
    Path reference = dir.resolve("reference");
    SelfIterativeResult expected;
    try (DecoderLm lm = loadInitial()) {
      expected = tiny(lm, reference, FeedbackMode.PROCESS).build().run();
    }
    Path crashed = dir.resolve("crashed");
    int crashIteration = 2;
    List<String> started = new ArrayList<>();
    try (DecoderLm lm = loadInitial()) {
      SelfIterativeTrainer t = tiny(lm, crashed, FeedbackMode.PROCESS).listener(onStart((k, p) -> {
        if (k == crashIteration && p == crashAt) {
          throw new IllegalStateException("simulated crash");
        }
      })).build();
      assertThrows(IllegalStateException.class, t::run);
    }
    List<String> resumed = new ArrayList<>();
    SelfIterativeResult actual;
    // A fresh policy object, as after a restart: the trainer must restore the weights it needs from disk.
    try (DecoderLm lm = loadInitial()) {
      SelfIterativeTrainer t = tiny(lm, crashed, FeedbackMode.PROCESS).listener(new SelfIterativeListener() {
        @Override
        public void onPhaseStart(int iteration, Phase phase) {
          started.add(iteration + ":" + phase);
        }

        @Override
        public void onPhaseEnd(int iteration, Phase phase, double seconds, boolean wasResumed) {
          if (wasResumed) {
            resumed.add(iteration + ":" + phase);
          }
        }
      }).build();
      actual = t.run();
      List<Phase> phases = t.phases();
      int at = phases.indexOf(crashAt);
      for (Phase p : phases) {
        boolean before = phases.indexOf(p) < at;
        assertEquals(before, resumed.contains(crashIteration + ":" + p), p + " resumed?");
        assertEquals(!before, started.contains(crashIteration + ":" + p), p + " run again?");
        assertTrue(resumed.contains("1:" + p), "iteration 1 is finished: " + p);
      }
    }
    for (int k = 0; k < 2; k++) {
      assertEquals(expected.iterations().get(k).evaluations(), actual.iterations().get(k).evaluations());
      assertEquals(expected.iterations().get(k).newExamples(), actual.iterations().get(k).newExamples());
      assertEquals(expected.iterations().get(k).correctSamples(), actual.iterations().get(k).correctSamples());
    }
    for (String f : List.of("samples.jsonl", "labels.jsonl", "scores.jsonl", "dataset.jsonl")) {
      assertEquals(Files.readString(reference.resolve("iteration-02").resolve(f)),
          Files.readString(crashed.resolve("iteration-02").resolve(f)), f);
    }
    assertArrayEquals(Files.readAllBytes(reference.resolve("iteration-02/policy/model.safetensors")),
        Files.readAllBytes(crashed.resolve("iteration-02/policy/model.safetensors")), "final weights");
  }

  @Test
  void resumingWithOtherSettingsFailsAndMoreIterationsContinue(@TempDir Path dir) throws IOException {
    try (DecoderLm lm = loadInitial()) {
      tiny(lm, dir, FeedbackMode.OUTCOME).iterations(1).build().run();
      IllegalStateException e = assertThrows(IllegalStateException.class,
          () -> tiny(lm, dir, FeedbackMode.OUTCOME).iterations(1).seed(6).build().run());
      assertTrue(e.getMessage().contains("seed: 5 -> 6"), e.getMessage());
      List<String> ran = new ArrayList<>();
      SelfIterativeResult r = tiny(lm, dir, FeedbackMode.OUTCOME).iterations(2)
          .listener(onStart((k, p) -> ran.add(k + ":" + p))).build().run();
      assertEquals(2, r.iterations().size());
      assertTrue(ran.stream().allMatch(s -> s.startsWith("2:")), "only iteration 2 ran: " + ran);
    }
  }

  @Test
  void aRunWrittenBeforeASettingExistedResumesWithItsOldBehaviour(@TempDir Path dir) throws IOException {
    try (DecoderLm lm = loadInitial()) {
      tiny(lm, dir, FeedbackMode.OUTCOME).iterations(1).build().run();
      Path runJson = dir.resolve("run.json");
      String json = Files.readString(runJson);
      assertTrue(json.contains("\"prefer_flawed_rejected\": \"false\""), json);
      assertTrue(json.contains("\"anchors_per_step\": \"0\""), json);
      Files.writeString(runJson, json.replaceAll("\\s*\"prefer_flawed_rejected\": \"false\",", "")
          .replaceAll("\\s*\"anchor_tasks\": \"none\",", "").replaceAll("\\s*\"anchors_per_step\": \"0\",", "")
          .replaceAll("\\s*\"anchor_weight\": \"1.0\",", "")
          .replaceAll("\\s*\"min_chosen_reward\": \"0.0\",", "")
          .replaceAll("\\s*\"group_by_length\": \"false\",", ""));
      assertFalse(Files.readString(runJson).contains("group_by_length"));
      assertFalse(Files.readString(runJson).contains("min_chosen_reward"));
      assertFalse(Files.readString(runJson).contains("prefer_flawed_rejected"));
      assertFalse(Files.readString(runJson).contains("anchor"));
      assertEquals(2, tiny(lm, dir, FeedbackMode.OUTCOME).iterations(2).build().run().iterations().size());
      IllegalStateException e = assertThrows(IllegalStateException.class, () -> tiny(lm, dir, FeedbackMode.OUTCOME)
          .iterations(2).pairSelector(new PairSelector(PairSelectorConfig.builder().preferFlawedRejected(true)
              .build())).build().run());
      assertTrue(e.getMessage().contains("prefer_flawed_rejected: false -> true"), e.getMessage());
    }
  }

  /** Policy training grouped by length trains and records the setting, which a resumed run must keep. */
  @Test
  void policyTrainingGroupedByLengthIsRecordedAndKept(@TempDir Path dir) throws IOException {
    try (DecoderLm lm = loadInitial()) {
      PolicyTrainingConfig grouped = PolicyTrainingConfig.builder().batchSize(4).microBatchSize(2).epochs(1)
          .learningRate(1e-3f).groupByLength(true).build();
      assertTrue(grouped.groupByLength());
      assertEquals(grouped, grouped.toBuilder().build());
      SelfIterativeResult r = tiny(lm, dir, FeedbackMode.OUTCOME).iterations(1).training(grouped).build().run();
      assertTrue(r.last().policySteps() > 0);
      assertTrue(Files.readString(dir.resolve("run.json")).contains("\"group_by_length\": \"true\""));
      IllegalStateException e = assertThrows(IllegalStateException.class, () -> tiny(lm, dir, FeedbackMode.OUTCOME)
          .iterations(2).build().run());
      assertTrue(e.getMessage().contains("group_by_length: true -> false"), e.getMessage());
    }
  }

  /** Anchored runs (every mode trains the same way) read gold rationales at every policy step and record it. */
  @ParameterizedTest
  @EnumSource(value = FeedbackMode.class, names = {"OUTCOME", "RFT"})
  void anchorTasksJoinEveryPolicyStep(FeedbackMode mode, @TempDir Path dir) throws IOException {
    try (DecoderLm lm = loadInitial()) {
      SelfIterativeTrainer t = tiny(lm, dir, mode).iterations(1).anchorTasks(train)
          .training(PolicyTrainingConfig.builder().batchSize(4).epochs(1).learningRate(1e-3f).anchorsPerStep(3)
              .anchorWeight(0.5f).build()).build();
      SelfIterativeResult r = t.run();
      assertTrue(r.last().policySteps() > 0);
      List<String> rows = Files.readAllLines(t.iterationDir(1).resolve("train")
          .resolve((mode == FeedbackMode.RFT ? "sft" : "orpo") + "-metrics.csv"));
      List<String> header = List.of(rows.get(0).split(","));
      int col = header.indexOf("anchor_nll");
      assertTrue(col >= 0, "anchor_nll column in " + header);
      assertEquals(r.last().policySteps() + 1, rows.size());
      for (String row : rows.subList(1, rows.size())) {
        double v = Double.parseDouble(row.split(",")[col]);
        assertTrue(Double.isFinite(v) && v > 0, row);
      }
      String json = Files.readString(dir.resolve("run.json"));
      assertTrue(json.contains("\"anchor_tasks\": \"tiny-train (6)\""), json);
      assertTrue(json.contains("\"anchors_per_step\": \"3\""), json);
      assertTrue(json.contains("\"anchor_weight\": \"0.5\""), json);
      IllegalStateException e = assertThrows(IllegalStateException.class, () -> tiny(lm, dir, mode).iterations(2)
          .build().run());
      assertTrue(e.getMessage().contains("anchors_per_step: 3 -> 0"), e.getMessage());
    }
  }

  @Test
  void aHandedOverStartingEvaluationIsRecordedWithoutDecoding(@TempDir Path dir) throws IOException {
    try (DecoderLm lm = loadInitial(); DecoderLm fresh = loadInitial()) {
      SelfIterativeResult first = tiny(lm, dir.resolve("a"), FeedbackMode.OUTCOME).iterations(1).build().run();
      EvalResult given = first.baseline().get("val");
      SelfIterativeTrainer t = tiny(fresh, dir.resolve("b"), FeedbackMode.OUTCOME).iterations(1)
          .startingEvaluation(Map.of("val", given)).build();
      SelfIterativeResult second = t.run();
      assertEquals(given, second.baseline().get("val"));
      Path baseline = t.iterationDir(0);
      assertTrue(Files.readString(baseline.resolve("phases/evaluate.json")).contains("\"reused\": true"));
      assertFalse(Files.exists(baseline.resolve("eval-val.jsonl")), "nothing was decoded");
      // The iterations are unaffected: the same seed gives the same evaluation after iteration 1.
      assertEquals(first.last().evaluations(), second.last().evaluations());
    }
  }

  @Test
  void nonFiniteRewardScoresAreReportedAndLeftOut(@TempDir Path dir) throws IOException {
    ProcessRewardModel broken = inputs -> inputs.stream().map(in -> {
      double[] s = new double[in.steps().size()];
      java.util.Arrays.fill(s, Boolean.TRUE.equals(in.finalAnswerCorrect()) ? Double.NaN : 0.2);
      return s;
    }).toList();
    try (DecoderLm lm = loadInitial()) {
      SelfIterativeTrainer t = tiny(lm, dir, FeedbackMode.PROCESS).rewardModel(broken).useGoldRationales(false)
          .iterations(1).build();
      SelfIterativeResult r = t.run();
      // Every correct sample scored NaN, so no pair has a chosen rationale: nothing is trained on.
      assertEquals(0, r.last().newExamples());
      assertEquals(0, r.last().policySteps());
      String summary = Files.readString(t.iterationDir(1).resolve("phases/score.json"));
      assertFalse(summary.contains("\"unscored\": 0"), summary);
    }
  }

  static Stream<Arguments> invalidSettings() {
    return Stream.of(
        Arguments.of("no policy", (Consumer<SelfIterativeTrainer.Builder>) b -> b.policy(null), "policy is required"),
        Arguments.of("no tokenizer", (Consumer<SelfIterativeTrainer.Builder>) b -> b.tokenizer(null),
            "tokenizer is required"),
        Arguments.of("no tasks", (Consumer<SelfIterativeTrainer.Builder>) b -> b.trainTasks(null), "trainTasks"),
        Arguments.of("empty tasks", (Consumer<SelfIterativeTrainer.Builder>) b -> b.trainTasks(
            new TaskSet("empty", List.of())), "trainTasks"),
        Arguments.of("no workDir", (Consumer<SelfIterativeTrainer.Builder>) b -> b.workDir(null), "workDir"),
        Arguments.of("0 iterations", (Consumer<SelfIterativeTrainer.Builder>) b -> b.iterations(0), "iterations"),
        Arguments.of("0 samples", (Consumer<SelfIterativeTrainer.Builder>) b -> b.samplesPerQuestion(0),
            "samplesPerQuestion"),
        Arguments.of("greedy sampling", (Consumer<SelfIterativeTrainer.Builder>) b -> b.temperature(0f),
            "temperature"),
        Arguments.of("negative questions", (Consumer<SelfIterativeTrainer.Builder>) b -> b.questionsPerIteration(-1),
            "questionsPerIteration"),
        Arguments.of("0 simulated", (Consumer<SelfIterativeTrainer.Builder>) b -> b.maxSimulatedSamples(0),
            "maxSimulatedSamples"),
        Arguments.of("bad validation share", (Consumer<SelfIterativeTrainer.Builder>) b ->
            b.prmValidationFraction(1.5), "prmValidationFraction"),
        Arguments.of("reward model with outcome", (Consumer<SelfIterativeTrainer.Builder>) b ->
            b.mode(FeedbackMode.OUTCOME).monteCarloRewards(false), "FeedbackMode.PROCESS only"),
        Arguments.of("bad eval name", (Consumer<SelfIterativeTrainer.Builder>) b -> b.evalSet("a b", eval),
            "evaluation set name"),
        Arguments.of("duplicate eval", (Consumer<SelfIterativeTrainer.Builder>) b -> b.evalSet("val", eval),
            "added twice"),
        Arguments.of("starting evaluation of another set", (Consumer<SelfIterativeTrainer.Builder>) b ->
            b.startingEvaluation(Map.of("test", EvalResult.of("test", 1, 4))), "exactly the evaluation sets [val]"),
        Arguments.of("starting evaluation of another size", (Consumer<SelfIterativeTrainer.Builder>) b ->
            b.startingEvaluation(Map.of("val", EvalResult.of("val", 1, eval.size() + 1))),
            "must be named so and count its"),
        Arguments.of("prompt too long", (Consumer<SelfIterativeTrainer.Builder>) b -> b.trainTasks(new TaskSet(
            "long", List.of(ReasoningTask.numeric("long-1", "x".repeat(300), "1", List.of())))),
            "task 0 'long-1'"),
        Arguments.of("anchors without tasks", (Consumer<SelfIterativeTrainer.Builder>) b -> b.training(
            PolicyTrainingConfig.builder().anchorsPerStep(4).build()), "no anchor task has gold steps"),
        Arguments.of("anchor tasks without gold", (Consumer<SelfIterativeTrainer.Builder>) b -> b.training(
            PolicyTrainingConfig.builder().anchorsPerStep(4).build()).anchorTasks(new TaskSet("answers only",
            train.tasks().stream().filter(t -> t.goldSteps().isEmpty()).toList())), "no anchor task has gold steps"),
        Arguments.of("anchor tasks without a count", (Consumer<SelfIterativeTrainer.Builder>) b ->
            b.anchorTasks(train), "anchorsPerStep is 0"),
        Arguments.of("a task id twice", (Consumer<SelfIterativeTrainer.Builder>) b -> b.trainTasks(new TaskSet("twice",
            List.of(train.get(0), train.get(1), train.get(0)))), "task id '" + train.get(0).id() + "' at positions 0 "
            + "and 2: ids key the random streams"),
        Arguments.of("an engine elsewhere with a verifier object", (Consumer<SelfIterativeTrainer.Builder>) b ->
            b.rolloutEngine(new io.github.sipf4j.prm.rollout.LocalRolloutEngine(Device.cpu(), 1)),
            "describe it with verifier(VerifierSpec)"));
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("invalidSettings")
  void invalidSettingsFailAtBuild(String name, Consumer<SelfIterativeTrainer.Builder> change, String message,
      @TempDir Path dir) throws IOException {
    try (DecoderLm lm = loadInitial()) {
      SelfIterativeTrainer.Builder b = tiny(lm, dir, FeedbackMode.PROCESS);
      change.accept(b);
      IllegalArgumentException e = assertThrows(IllegalArgumentException.class, b::build);
      assertTrue(e.getMessage().contains(message), e.getMessage());
    }
  }

  @Test
  void invalidAnchorSettingsAreRefusedByTheTrainingConfig() {
    assertTrue(assertThrows(IllegalArgumentException.class, () -> PolicyTrainingConfig.builder().anchorsPerStep(-1)
        .build()).getMessage().contains("anchorsPerStep must be >= 0"));
    assertTrue(assertThrows(IllegalArgumentException.class, () -> PolicyTrainingConfig.builder().anchorWeight(0f)
        .build()).getMessage().contains("anchorWeight must be finite and > 0"));
    PolicyTrainingConfig c = PolicyTrainingConfig.builder().anchorsPerStep(8).anchorWeight(0.25f).build();
    assertEquals(c, c.toBuilder().build());
  }

  @Test
  void workDirThatIsAFileFails(@TempDir Path dir) throws IOException {
    Path file = Files.writeString(dir.resolve("f"), "x");
    try (DecoderLm lm = loadInitial()) {
      IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
          () -> tiny(lm, file, FeedbackMode.PROCESS).build());
      assertTrue(e.getMessage().contains("is not a directory"), e.getMessage());
    }
  }

  private interface PhaseStart {
    void accept(int iteration, Phase phase);
  }

  private static SelfIterativeListener onStart(PhaseStart f) {
    return new SelfIterativeListener() {
      @Override
      public void onPhaseStart(int iteration, Phase phase) {
        f.accept(iteration, phase);
      }
    };
  }
}
