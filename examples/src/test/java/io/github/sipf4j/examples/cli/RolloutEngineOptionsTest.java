package io.github.sipf4j.examples.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.github.sipf4j.prm.iterate.phase.RolloutShards;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import picocli.CommandLine;

/** The rollout-engine options: what they hand the engine factory, and the messages for what cannot run. */
class RolloutEngineOptionsTest {

  @TempDir Path dir;

  private static RolloutEngineOptions parse(String... args) {
    RolloutEngineOptions o = new RolloutEngineOptions();
    new CommandLine(o).parseArgs(args);
    return o;
  }

  @Test
  void sparkOptionsBecomeFactorySettings() {
    RolloutEngineOptions o = parse("--rollout-engine", "spark", "--spark-master", "local[2]", "--rollout-partitions",
        "4", "--rollout-device", "gpu", "--spark-conf", "spark.task.resource.gpu.amount=1");
    assertFalse(o.local());
    assertEquals(Map.of("master", "local[2]", "partitions", "4", "device", "gpu", "spark.task.resource.gpu.amount",
        "1"), o.settings());
    assertEquals(RolloutShards.DISTRIBUTED, o.shards());
    assertEquals(new RolloutShards(16, 64), parse("--rollout-engine", "spark", "--rollout-shards", "16,64").shards());
  }

  @Test
  void theLocalDefaultOpensNothingAndKeepsTheLibraryShards() {
    RolloutEngineOptions o = parse();
    assertTrue(o.local());
    assertNull(o.open());
    assertEquals(RolloutShards.DEFAULT, o.shards());
  }

  @Test
  void wrongCombinationsAreNamed() {
    IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
        () -> parse("--spark-master", "local[2]").settings());
    assertTrue(e.getMessage().contains("apply to --rollout-engine spark"), e.getMessage());
    e = assertThrows(IllegalArgumentException.class, () -> parse("--rollout-shards", "16").shards());
    assertTrue(e.getMessage().contains("two positive whole numbers TASKS,RATIONALES, got '16'"), e.getMessage());
    e = assertThrows(IllegalArgumentException.class,
        () -> parse("--rollout-engine", "spark", "--spark-conf", "executor.memory=4g").settings());
    assertTrue(e.getMessage().contains("--spark-conf takes spark.* keys"), e.getMessage());
  }

  @Test
  void sparkWithoutTheSparkModuleFailsBeforeAnyWork() {
    StringWriter err = new StringWriter();
    CommandLine cli = Sipf4jCli.commandLine();
    cli.setOut(new PrintWriter(new StringWriter()));
    cli.setErr(new PrintWriter(err));
    Path out = dir.resolve("q");
    assertEquals(2, cli.execute("quickstart", "--preset", "tiny", "--rollout-engine", "spark", "--spark-master",
        "local[2]", "--out", out.toString()));
    assertTrue(err.toString().contains("no rollout engine named 'spark'")
        && err.toString().contains("io.github.sipf4j:sipf4j-spark"), err.toString());
    assertFalse(Files.exists(out), "nothing was started");
  }
}
