package io.github.sipf4j.spark;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.github.sipf4j.orpo.sample.SamplingConfig;
import io.github.sipf4j.orpo.text.PromptTemplate;
import io.github.sipf4j.prm.rollout.PolicyRef;
import io.github.sipf4j.prm.rollout.RolloutEngine;
import io.github.sipf4j.prm.rollout.RolloutEngineFactory;
import io.github.sipf4j.prm.rollout.SampleJob;
import io.github.sipf4j.prm.rollout.VerifierSpec;
import java.io.IOException;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.apache.spark.sql.SparkSession;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The Spark engine on a {@code local[2,2]} master (two task threads, a task may fail once and is retried), started
 * inside the test: the tiny run gives the files of the local engine byte for byte with 1 and 3 partitions and with a
 * task that fails in its first attempt; executors load each policy once; a policy directory executors cannot read
 * fails the job with a message naming it.
 */
@Tag("slow")
class SparkRolloutEngineTest {

  private static SparkSession spark;

  @TempDir
  static Path dir;

  private static Map<String, byte[]> local;

  @BeforeAll
  static void start() throws IOException {
    spark = session();
    local = TinyRun.artefacts(TinyRun.run(dir.resolve("local"), null, VerifierSpec.of(EvenHashVerifierFactory.KIND)));
  }

  private static SparkSession session() {
    return SparkSession.builder().master("local[2,2]").appName("sipf4j-test").config("spark.ui.enabled", "false")
        .config("spark.driver.host", "127.0.0.1").config("spark.driver.bindAddress", "127.0.0.1").getOrCreate();
  }

  @AfterAll
  static void stop() {
    if (spark != null) {
      spark.stop();
    }
  }

  @Test
  void onePartitionGivesTheFilesOfTheLocalEngine() throws IOException {
    assertSameFiles(1, VerifierSpec.of(EvenHashVerifierFactory.KIND), "spark-1");
  }

  @Test
  void threePartitionsGiveTheFilesOfTheLocalEngineAndLoadEachPolicyOncePerTaskSlot() throws IOException {
    SparkRolloutStats stats = assertSameFiles(3, VerifierSpec.of(EvenHashVerifierFactory.KIND), "spark-3");
    // Three policies (the initial one and two trained ones), each loaded at most once per concurrent task slot.
    assertTrue(stats.policyLoads() >= 3 && stats.policyLoads() <= 3 * 2, stats.toString());
    assertTrue(stats.tasks() > stats.policyLoads() * 2, "loaded copies were reused: " + stats);
  }

  @Test
  void aTaskThatFailsItsFirstAttemptIsRetriedAndChangesNothing() throws IOException {
    int before = EvenHashVerifierFactory.INJECTED.get();
    assertSameFiles(3, VerifierSpec.of(EvenHashVerifierFactory.KIND, Map.of("fail-first-attempt", "true")),
        "spark-faults");
    assertTrue(EvenHashVerifierFactory.INJECTED.get() > before, "faults were injected");
  }

  @Test
  void aPolicyDirectoryExecutorsCannotReadFailsWithItsPath() {
    Path missing = dir.resolve("nowhere/iteration-01/policy");
    SampleJob job = new SampleJob(new PolicyRef(missing.toString(), "decoder", 1, 2, 0), PromptTemplate.DEFAULT,
        TinyRun.TRAIN.tasks(), SamplingConfig.builder().maxNewTokens(4).build(), 1, 2);
    try (SparkRolloutEngine engine = SparkRolloutEngine.builder().session(spark).partitions(2).build()) {
      IOException e = assertThrows(IOException.class, () -> engine.run(job));
      assertTrue(e.getMessage().contains(missing.toString()) && e.getMessage().contains("cannot be read on executor"),
          e.getMessage());
      assertTrue(e.getMessage().startsWith("rollout job 'sample' failed on Spark: "), e.getMessage());
    }
  }

  @Test
  void theFactoryUsesTheRunningSessionAndLeavesItRunning() {
    try (RolloutEngine engine = RolloutEngineFactory.create("spark", Map.of("partitions", "3", "device", "cpu"))) {
      SparkRolloutEngine e = (SparkRolloutEngine) engine;
      assertEquals(3, e.partitions());
      assertEquals(ExecutorDevice.CPU, e.device());
    }
    assertFalse(spark.sparkContext().isStopped(), "the application's session still runs");
    IllegalArgumentException bad = assertThrows(IllegalArgumentException.class,
        () -> RolloutEngineFactory.create("spark", Map.of("partitons", "3")));
    assertTrue(bad.getMessage().contains("unknown setting 'partitons'"), bad.getMessage());
    bad = assertThrows(IllegalArgumentException.class, () -> RolloutEngineFactory.create("spark",
        Map.of("device", "tpu")));
    assertTrue(bad.getMessage().contains("device must be auto, cpu or gpu"), bad.getMessage());
  }

  @Test
  void theFactoryWithoutAMasterOrSessionSaysWhatToSet() {
    spark.stop();
    try {
      IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
          () -> RolloutEngineFactory.create("spark", Map.of()));
      assertTrue(e.getMessage().contains("needs a Spark master: set 'master'"), e.getMessage());
    } finally {
      spark = session();
    }
  }

  @Test
  void aTaskWithoutAGpuRefusesTheGpuPolicy() {
    IllegalStateException e = assertThrows(IllegalStateException.class, () -> ExecutorDevice.GPU.resolve(null));
    assertTrue(e.getMessage().contains("spark.task.resource.gpu.amount"), e.getMessage());
    assertEquals(ai.djl.Device.cpu(), ExecutorDevice.AUTO.resolve(null));
  }

  private static SparkRolloutStats assertSameFiles(int partitions, VerifierSpec verifier, String name)
      throws IOException {
    SparkRolloutStats stats;
    Path out = dir.resolve(name);
    try (SparkRolloutEngine engine = SparkRolloutEngine.builder().session(spark).partitions(partitions).build()) {
      TinyRun.run(out, engine, verifier);
      stats = engine.stats();
    }
    Map<String, byte[]> got = TinyRun.artefacts(out);
    assertEquals(local.keySet(), got.keySet());
    for (String required : List.of("baseline/eval-val.jsonl", "baseline/eval.json", "iteration-01/samples.jsonl",
        "iteration-01/verdicts.jsonl", "iteration-01/labels.jsonl", "iteration-02/samples.jsonl",
        "iteration-02/verdicts.jsonl", "iteration-02/labels.jsonl", "iteration-02/eval-val.jsonl",
        "iteration-02/eval.json")) {
      assertTrue(local.containsKey(required), required + " in " + local.keySet());
    }
    local.forEach((f, bytes) -> assertArrayEquals(bytes, got.get(f), name + ": " + f));
    assertTrue(stats.jobs() > 0, stats.toString());
    return stats;
  }
}
