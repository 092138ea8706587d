package io.github.sipf4j.examples.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ai.djl.Device;
import com.google.gson.JsonArray;
import com.google.gson.JsonObject;
import com.google.gson.JsonParser;
import io.github.sipf4j.examples.run.RunPlan;
import io.github.sipf4j.examples.run.RunFiles;
import io.github.sipf4j.examples.run.RunPlanner;
import io.github.sipf4j.examples.run.RunSettings;
import io.github.sipf4j.examples.run.RunSetup;
import io.github.sipf4j.orpo.model.DecoderConfig;
import io.github.sipf4j.orpo.model.DecoderLm;
import io.github.sipf4j.orpo.text.TextTokenizer;
import io.github.sipf4j.orpo.util.MallocTuning;
import io.github.sipf4j.prm.report.PhaseEstimate;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** {@code sipf4j plan} and {@code sipf4j run} on a tiny run file: a tiny saved model, synthetic tasks, one iteration. */
class RunCommandTest {
  @TempDir Path dir;
  private StringWriter out = new StringWriter();
  private StringWriter err = new StringWriter();

  private int run(String... args) {
    CliRun r = CliRun.of(args);
    out = r.out;
    err = r.err;
    return r.exitCode;
  }

  /** A tiny saved DecoderLm with its character-level tokenizer, and a run file of one tiny iteration on it. */
  private Path tinyRunFile() throws Exception {
    Path model = dir.resolve("tiny-model");
    try (TextTokenizer tok = TextTokenizer.characterLevel();
        DecoderLm lm = DecoderLm.create(DecoderConfig.builder().vocabSize(tok.vocabSize()).dModel(16).layers(1)
            .heads(2).maxLength(192).build(), Device.cpu(), 3)) {
      lm.save(model);
      tok.save(model);
    }
    String yaml = """
        output: %s
        iterations: 1
        progress: false
        model:
          path: %s
        warm_start:
          tasks: {kind: synthetic, count: 16, seed: 4}
          steps: 2
          batch_size: 4
        tasks:
          - {kind: synthetic, count: 6, seed: 5}
        eval:
          - {kind: synthetic, split: ood-wording, count: 4, seed: 6}
        sampling: {samples_per_question: 2, max_new_tokens: 16, batch_size: 8}
        simulation: {rollouts_per_step: 1, max_new_tokens: 16, batch_size: 16}
        prm: {rewards: monte_carlo}
        orpo: {max_steps: 2, batch_size: 2}
        """.formatted(dir.resolve("run"), model);
    return Files.writeString(dir.resolve("tiny.yaml"), yaml);
  }

  @Test
  void planPrintsAnEstimateAndWritesPlanJson() throws Exception {
    Path file = tinyRunFile();
    assertEquals(0, run("plan", "--config", file.toString(), "--set", "sampling.batch_size=4"), err.toString());
    String o = out.toString();
    assertTrue(o.contains("| 1 | simulate |"), o);
    assertTrue(o.contains("dominates"), o);
    assertEquals(!MallocTuning.heapOnly(), o.contains("GLIBC_TUNABLES=" + MallocTuning.HEAP_ONLY),
        "a CPU plan without one heap advises it: " + o);
    assertFalse(o.contains("MiB of logits"), "a character model's logits are far below 32 MiB: " + o);
    JsonObject plan = JsonParser.parseString(Files.readString(dir.resolve("run").resolve(RunPlan.FILE)))
        .getAsJsonObject();
    assertEquals(1, plan.get("version").getAsInt());
    assertEquals("cpu", plan.get("device").getAsString());
    assertEquals(1, plan.get("iterations").getAsInt());
    JsonObject basis = plan.getAsJsonObject("basis");
    assertTrue(basis.get(RunPlanner.LOGITS_MIB).getAsDouble() > 0, basis.toString());
    assertEquals(MallocTuning.heapOnly(), basis.get(RunPlanner.ONE_HEAP).getAsBoolean());
    JsonArray phases = plan.getAsJsonArray("phases");
    Set<String> keys = new HashSet<>();
    double sum = 0;
    for (var p : phases) {
      JsonObject row = p.getAsJsonObject();
      keys.add(row.get("iteration").getAsInt() + ":" + row.get("phase").getAsString());
      double s = row.get("seconds").getAsDouble();
      assertTrue(s >= 0 && Double.isFinite(s), row.toString());
      assertTrue(row.has("generated_tokens") && row.has("peak_memory_bytes"), row.toString());
      sum += s;
    }
    assertTrue(keys.containsAll(List.of("0:warm_start", "0:evaluate", "1:sample", "1:verify", "1:simulate",
        "1:score", "1:select", "1:train_policy", "1:evaluate")), keys.toString());
    assertEquals(sum, plan.get("total_seconds").getAsDouble(), 1e-6);
    assertTrue(plan.get("total_generated_tokens").getAsLong() > 0);
    assertTrue(keys.stream().anyMatch(k -> k.endsWith(":" + plan.get("dominant_phase").getAsString())));
  }

  @Test
  void aPlanMadeBeforeTheWarmStartIsRevisedWithTheWarmStartedPolicy() throws Exception {
    Path file = tinyRunFile();
    Path runDir = dir.resolve("run");
    assertEquals(0, run("plan", "--config", file.toString()), err.toString());
    assertFalse(out.toString().contains("probing"), "nothing to probe before the warm start: " + out);
    String before = Files.readString(runDir.resolve(RunPlan.FILE));
    JsonObject oldBasis = JsonParser.parseString(before).getAsJsonObject().getAsJsonObject("basis");
    assertFalse(oldBasis.get("rollouts_probed").getAsBoolean());
    assertTrue(oldBasis.getAsJsonObject("costs").get("orpo_seconds_per_pair").getAsDouble() > 0, before);
    RunSettings s = RunFiles.read(file, List.of(), dir);
    StringWriter log = new StringWriter();
    try (RunSetup.OpenModel m = RunSetup.warmStart(s, RunSetup.openModel(s))) {
      RunPlan revised = RunPlanner.revise(s, m, new PrintWriter(log)).orElseThrow();
      assertEquals(Boolean.TRUE, revised.basis().get("rollouts_probed"));
      double share = ((Number) revised.basis().get("simulated_share")).doubleValue();
      assertTrue(share >= 0 && share <= 1, revised.basis().toString());
      assertTrue(log.toString().contains("probing the starting policy"), log.toString());
      assertEquals(before, Files.readString(runDir.resolve(RunPlanner.PLAN_BEFORE_WARM_START)));
      JsonObject newBasis = JsonParser.parseString(Files.readString(runDir.resolve(RunPlan.FILE))).getAsJsonObject()
          .getAsJsonObject("basis");
      assertTrue(newBasis.get("rollouts_probed").getAsBoolean());
      assertEquals(oldBasis.get("costs"), newBasis.get("costs"), "the measured costs stay");
      assertEquals(oldBasis.get(RunPlanner.ONE_HEAP), newBasis.get(RunPlanner.ONE_HEAP));
      assertTrue(RunPlanner.revise(s, m, new PrintWriter(log)).isEmpty(), "a probed plan is not revised again");
    }
    // a plan made once the warm start is done probes the warm-started policy at once
    assertEquals(0, run("plan", "--config", file.toString()), err.toString());
    assertTrue(out.toString().contains("probing the starting policy"), out.toString());
  }

  @Test
  @Tag("slow")
  void aTinyRunFileRunsEndToEndAndResumes() throws Exception {
    Path file = tinyRunFile();
    Path runDir = dir.resolve("run");
    // A plan of two iterations in the output directory: after iteration 1 the run says what is left of it.
    List<PhaseEstimate> planned = new java.util.ArrayList<>(List.of(new PhaseEstimate(0, "warm_start", 5, 0, -1),
        new PhaseEstimate(0, "evaluate", 1, 0, -1)));
    for (int it = 1; it <= 2; it++) {
      for (String phase : List.of("sample", "verify", "simulate", "score", "select", "train_policy", "evaluate")) {
        planned.add(new PhaseEstimate(it, phase, 1, 0, -1));
      }
    }
    RunPlanner.write(new RunPlan(1, "2026-12-02T00:00:00Z", "cpu", "tiny", 2, planned, 19, 0, "sample",
        java.util.Map.of()), runDir);
    assertEquals(0, run("run", "--config", file.toString()), err.toString());
    assertTrue(out.toString().contains("| iteration | ood-wording |"), out.toString());
    assertTrue(out.toString().matches("(?s).*Iteration 1 done: about \\d+ s left; the planned run takes about "
        + "\\d+ s \\(planned 19 s\\), each phase left scaled by how it went in its latest iteration\\..*"),
        out.toString());
    assertTrue(Files.exists(runDir.resolve("run-config.yaml")));
    assertTrue(Files.readString(runDir.resolve("run-config.yaml")).contains("lambda: 0.1"));
    assertTrue(Files.exists(runDir.resolve("warm-start/warm-start.json")));
    assertFalse(Files.exists(runDir.resolve(RunPlanner.PLAN_BEFORE_WARM_START)),
        "a plan without costs stays as it was");
    // the report sets the warm start, timed outside the loop, against the plan
    assertTrue(Files.exists(runDir.resolve("baseline/phases/warm_start.json")));
    String report = Files.readString(runDir.resolve("report.html"));
    assertTrue(report.contains("warm_start, measured:") && !report.contains("warm_start (not run)"), report);
    assertTrue(Files.exists(runDir.resolve("iteration-01/policy")));
    assertTrue(Files.exists(runDir.resolve("iteration-01/phases/train_policy.json")));
    assertEquals(3, Files.readAllLines(runDir.resolve("metrics.csv")).size()); // header, starting policy, iteration 1
    // the same command again resumes: nothing runs, the same table comes back
    String first = out.toString().lines().filter(l -> l.startsWith("| 1 |")).findFirst().orElseThrow();
    assertEquals(0, run("run", "--config", file.toString()), err.toString());
    assertTrue(out.toString().contains(first), out.toString());
    // other settings in the same output directory are refused before any work
    assertEquals(1, run("run", "--config", file.toString(), "--set", "orpo.lambda=0.5"));
    assertTrue(err.toString().contains("orpo.lambda: 0.1 -> 0.5"), err.toString());
    // plan on a finished run shows the measured times beside the estimate
    assertEquals(0, run("plan", "--config", file.toString()), err.toString());
    assertTrue(out.toString().contains("measured / expected"), out.toString());
    assertTrue(out.toString().contains("Phases run so far:"), out.toString());
    // and --compare reads that plan back without measuring
    assertEquals(0, run("plan", "--config", file.toString(), "--compare"), err.toString());
    assertTrue(out.toString().contains("| 1 | train_policy |"), out.toString());
    assertTrue(!out.toString().contains("measuring"), out.toString());
  }

  @Test
  void theRunFilesRolloutEngineRunsEveryRolloutJobAndIsClosed() throws Exception {
    Path file = tinyRunFile();
    Files.writeString(file, Files.readString(file) + """
        rollout:
          engine: counting
          settings: [partitions=2]
          shard_tasks: 4
        """);
    CountingRolloutEngineFactory.reset();
    assertEquals(0, run("run", "--config", file.toString()), err.toString());
    assertEquals(List.of(java.util.Map.of("partitions", "2")), CountingRolloutEngineFactory.CREATED);
    assertEquals(List.of(true), CountingRolloutEngineFactory.CLOSED);
    // evaluations of the starting and the trained policy, sampling, verification and simulation all went through it
    Set<String> jobs = new HashSet<>(CountingRolloutEngineFactory.JOBS);
    assertTrue(jobs.size() >= 3, "jobs run: " + CountingRolloutEngineFactory.JOBS);
    // 6 training tasks in shards of at most 4 tasks: the sampling job has two shards
    assertTrue(CountingRolloutEngineFactory.SHARDS.contains(2), "shards: " + CountingRolloutEngineFactory.SHARDS);
    assertTrue(out.toString().contains("| iteration | ood-wording |"), out.toString());
    // the plan says that its rollout times are one worker's
    assertEquals(0, run("plan", "--config", file.toString()), err.toString());
    assertTrue(out.toString().contains("Rollouts run on the 'counting' engine"), out.toString());
  }

  @Test
  void anEngineThatRefusesItsSettingsFailsBeforeAnyWork() throws Exception {
    Path file = tinyRunFile();
    Files.writeString(file, Files.readString(file) + """
        rollout: {engine: counting, settings: [fail=1]}
        """);
    assertEquals(1, run("run", "--config", file.toString()));
    assertTrue(err.toString().contains("rollout.settings: rollout engine 'counting': unknown setting 'fail'"),
        err.toString());
    assertTrue(!Files.exists(dir.resolve("run/warm-start")), "no work was started");
  }
}
