package io.github.sipf4j.prm.rollout;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ai.djl.Device;
import io.github.sipf4j.orpo.model.DecoderConfig;
import io.github.sipf4j.orpo.model.DecoderLm;
import io.github.sipf4j.orpo.model.PositionEncoding;
import io.github.sipf4j.orpo.sample.SamplingConfig;
import io.github.sipf4j.orpo.text.PromptTemplate;
import io.github.sipf4j.orpo.text.TextTokenizer;
import io.github.sipf4j.prm.process.SimulatorConfig;
import io.github.sipf4j.prm.process.StepSplitter;
import io.github.sipf4j.prm.synthetic.SyntheticSplit;
import io.github.sipf4j.prm.synthetic.SyntheticTaskGenerator;
import io.github.sipf4j.prm.task.ReasoningTask;
import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collections;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * The rollout jobs on a saved tiny policy: random streams keyed by task id, sample index and step (a task's samples
 * and labels do not change when the tasks are reordered or sharded otherwise), jobs that travel as JSON, and the
 * self-contained partition entry point giving what the engine gives.
 */
class RolloutJobsTest {

  private static final VerifierSpec COIN = VerifierSpec.of("test-even-hash");
  private static final SamplingConfig SAMPLING = SamplingConfig.builder().temperature(1f).samplesPerPrompt(3)
      .maxNewTokens(12).batchSize(64).build();

  @TempDir static Path shared;
  private static TextTokenizer tok;
  private static PolicyRef policy;
  private static List<ReasoningTask> tasks;

  @BeforeAll
  static void savePolicy() throws IOException {
    tok = TextTokenizer.characterLevel();
    try (DecoderLm lm = DecoderLm.create(DecoderConfig.builder().vocabSize(tok.vocabSize()).dModel(16).layers(1)
        .heads(2).maxLength(256).positions(PositionEncoding.ROTARY).build(), Device.cpu(), 3)) {
      lm.save(shared.resolve("policy"));
      tok.save(shared.resolve("policy"));
    }
    policy = PolicyRef.of(shared.resolve("policy"), DecoderLm.TYPE, tok);
    tasks = SyntheticTaskGenerator.generate(SyntheticSplit.IN_DOMAIN, 7, 11).tasks();
  }

  @AfterAll
  static void close() {
    tok.close();
  }

  private static List<SampleRecord> run(RolloutJob<SampleRecord> job) throws IOException {
    try (RolloutEngine engine = new LocalRolloutEngine(Device.cpu(), 1)) {
      return engine.run(job);
    }
  }

  @Test
  void samplesAreKeyedByTaskNotByPosition() throws IOException {
    List<SampleRecord> inOrder = run(new SampleJob(policy, PromptTemplate.DEFAULT, tasks, SAMPLING, 99, 7));
    List<ReasoningTask> reversed = new ArrayList<>(tasks);
    Collections.reverse(reversed);
    List<SampleRecord> backwards = run(new SampleJob(policy, PromptTemplate.DEFAULT, reversed, SAMPLING, 99, 1));
    Map<String, SampleRecord> byKey = new HashMap<>();
    backwards.forEach(r -> byKey.put(r.task() + "#" + r.sample(), r));
    assertEquals(inOrder.size(), byKey.size());
    for (SampleRecord r : inOrder) {
      SampleRecord other = byKey.get(r.task() + "#" + r.sample());
      assertEquals(r.text(), other.text(), "sample " + r.sample() + " of " + r.task());
      assertEquals(r.meanLogProb(), other.meanLogProb(), 1e-5);
      assertEquals(tasks.size() - 1 - r.question(), other.question());
    }
    List<SampleRecord> otherSeed = run(new SampleJob(policy, PromptTemplate.DEFAULT, tasks, SAMPLING, 100, 7));
    assertTrue(Stream.iterate(0, i -> i + 1).limit(inOrder.size())
        .anyMatch(i -> !inOrder.get(i).text().equals(otherSeed.get(i).text())), "the seed matters");
  }

  @Test
  void labelsAreKeyedByTaskSampleAndStep() throws IOException {
    List<SampleRecord> samples = run(new SampleJob(policy, PromptTemplate.DEFAULT, tasks, SAMPLING, 5, 7));
    List<SimulationItem> items = new ArrayList<>();
    StepSplitter splitter = StepSplitter.newlines();
    for (int i = 0; i < samples.size(); i++) {
      List<String> steps = splitter.split(samples.get(i).text());
      if (!steps.isEmpty()) {
        items.add(new SimulationItem(i, samples.get(i).question(), samples.get(i).sample(), steps));
      }
    }
    SimulatorConfig sim = SimulatorConfig.builder().rolloutsPerStep(3).earlyStop(false)
        .sampling(SamplingConfig.builder().temperature(1f).maxNewTokens(8).batchSize(64).build()).build();
    List<LabelRecord> whole;
    List<LabelRecord> reversedSmallShards;
    try (RolloutEngine engine = new LocalRolloutEngine(Device.cpu(), 1)) {
      whole = engine.run(new SimulateJob(policy, COIN, PromptTemplate.DEFAULT, tasks, items, sim, 8, 1000));
      List<SimulationItem> reversed = new ArrayList<>(items);
      Collections.reverse(reversed);
      reversedSmallShards = engine.run(new SimulateJob(policy, COIN, PromptTemplate.DEFAULT, tasks, reversed, sim, 8,
          2));
    }
    Map<Integer, LabelRecord> bySample = new HashMap<>();
    reversedSmallShards.forEach(l -> bySample.put(l.sample(), l));
    assertTrue(whole.stream().anyMatch(l -> l.simulatedPrefixes() > 0), "something was simulated");
    for (LabelRecord l : whole) {
      assertArrayEquals(l.correct(), bySample.get(l.sample()).correct(), "sample " + l.sample());
      assertArrayEquals(l.rollouts(), bySample.get(l.sample()).rollouts(), "sample " + l.sample());
    }
  }

  static Stream<Arguments> jobs() {
    List<SampleRecord> samples = List.of(new SampleRecord(0, tasks.get(0).id(), 0, "2+2=4\nThe answer is 4\n", 20,
        -1.5, "EOS"), new SampleRecord(1, tasks.get(1).id(), 0, "x", 1, Double.NaN, "LENGTH"));
    return Stream.of(
        Arguments.of(new SampleJob(policy, PromptTemplate.DEFAULT, tasks, SAMPLING, 1, 3), 0, 3),
        Arguments.of(new VerifyJob(COIN, tasks, samples, 1), 1, 2),
        Arguments.of(new SimulateJob(policy, COIN, PromptTemplate.DEFAULT, tasks, List.of(new SimulationItem(0, 0, 0,
            List.of("2+2=4\n", "The answer is 4\n"))), SimulatorConfig.builder().rolloutsPerStep(2).build(), 4, 1), 0,
            1),
        Arguments.of(new EvaluateJob(policy, COIN, "val", PromptTemplate.DEFAULT, tasks, SAMPLING, 2), 1, 4));
  }

  @ParameterizedTest
  @MethodSource("jobs")
  void aJobTravelsAsJsonAndAPartitionRunsFromItAlone(RolloutJob<?> job, int from, int to) throws IOException {
    RolloutJob<?> again = RolloutJobs.fromJson(RolloutJobs.toJson(job));
    assertEquals(job, again);
    assertEquals(RolloutJobs.toJson(job), RolloutJobs.toJson(again));
    List<?> all;
    try (RolloutEngine engine = new LocalRolloutEngine(Device.cpu(), 2)) {
      all = engine.run(job);
    }
    List<?> part = RolloutPartition.run(again, from, to, Device.cpu(), List.of());
    int start = 0;
    for (int s = 0; s < from; s++) {
      start += (int) job.shardUnits(s);
    }
    com.google.gson.Gson gson = new com.google.gson.GsonBuilder().serializeSpecialFloatingPointValues().create();
    assertEquals(gson.toJson(all.subList(start, start + part.size())), gson.toJson(part));
  }

  @Test
  void partitionsAreContiguousAndCoverEveryShard() {
    for (int shards = 0; shards <= 9; shards++) {
      for (int p = 1; p <= 4; p++) {
        List<int[]> ranges = RolloutPartition.split(shards, p);
        assertEquals(Math.min(shards, p), ranges.size());
        int next = 0;
        for (int[] r : ranges) {
          assertEquals(next, r[0]);
          assertTrue(r[1] > r[0]);
          next = r[1];
        }
        assertEquals(shards, next);
      }
    }
    assertThrows(IllegalArgumentException.class, () -> RolloutPartition.split(3, 0));
  }

  @Test
  void aJobWithoutAVerifierSpecificationCannotRunAway() {
    IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> RolloutPartition.run(
        new EvaluateJob(policy, null, "val", PromptTemplate.DEFAULT, tasks, SAMPLING, 2), 0, 1, Device.cpu(),
        List.of()));
    assertTrue(e.getMessage().contains("names no verifier specification"), e.getMessage());
    IOException unknown = assertThrows(IOException.class, () -> new PolicyRef(policy.directory(), "no-such-kind", 0,
        1, 2).load(Device.cpu(), List.of()));
    assertTrue(unknown.getMessage().contains("no model kind named 'no-such-kind'"), unknown.getMessage());
    assertTrue(unknown.getMessage().contains("decoder"), unknown.getMessage());
  }
}
