package io.github.sipf4j.prm.report;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.github.sipf4j.orpo.data.DataFormatException;
import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class RunPlanTest {

  @Test
  void readsThePlanFormatAndWritesItBack(@TempDir Path dir) throws IOException {
    try (InputStream in = RunPlanTest.class.getResourceAsStream("/report/plan.json")) {
      Files.write(dir.resolve("plan.json"), in.readAllBytes());
    }
    RunPlan plan = RunPlan.read(dir).orElseThrow();
    assertEquals(2, plan.iterations());
    assertEquals("simulate", plan.dominantPhase());
    assertEquals(18, plan.phases().size());
    assertEquals(1_220_000, plan.totalGeneratedTokens());
    assertEquals(new PhaseEstimate(1, "simulate", 45.0, 400_000, 900_000_000), plan.estimate(1, "simulate")
        .orElseThrow());
    assertTrue(plan.estimate(3, "simulate").isEmpty());
    Path other = dir.resolve("other");
    plan.write(other);
    assertEquals(plan, RunPlan.read(other).orElseThrow());
    assertTrue(Files.readString(other.resolve("plan.json")).contains("\"peak_memory_bytes\": 900000000"));
  }

  @Test
  void aMissingPlanIsEmptyAndABadOneNamesTheField(@TempDir Path dir) throws IOException {
    assertTrue(RunPlan.read(dir).isEmpty());
    Files.writeString(dir.resolve("plan.json"), "{\"version\": 2, \"phases\": []}");
    DataFormatException e = assertThrows(DataFormatException.class, () -> RunPlan.read(dir));
    assertTrue(e.getMessage().contains("version"), e.getMessage());
    new RunPlan(1, "t", "cpu", "m", 1, List.of(new PhaseEstimate(1, "sample", -1, 0, 0)), 0, 0, "sample")
        .write(dir);
    e = assertThrows(DataFormatException.class, () -> RunPlan.read(dir));
    assertTrue(e.getMessage().contains("phases[0]"), e.getMessage());
  }
}
