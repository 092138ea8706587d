package io.github.sipf4j.examples.run;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.github.sipf4j.orpo.loss.OrpoLoss;
import io.github.sipf4j.prm.iterate.PolicyTrainingConfig;
import io.github.sipf4j.prm.iterate.SelfIterativeTrainer;
import io.github.sipf4j.prm.iterate.phase.RolloutShards;
import io.github.sipf4j.prm.process.PairSelectorConfig;
import io.github.sipf4j.prm.process.SimulatorConfig;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Reading and checking run files: every problem with key path and line, defaults, overrides, the example files. */
class RunFilesTest {

  @TempDir Path dir;

  private static final String MINIMAL = """
      output: out
      model:
        embedded: true
      warm_start:
        tasks: {kind: synthetic, count: 8}
      tasks:
        - kind: synthetic
      """;

  private RunSettings parse(String yaml, String... overrides) {
    return RunFiles.parse(yaml, "run.yaml", List.of(overrides), dir);
  }

  private RunFileException fails(String yaml, String... overrides) {
    return assertThrows(RunFileException.class, () -> parse(yaml, overrides));
  }

  @Test
  void threeBadKeysAreAllListedWithPathAndLine() {
    RunFileException e = fails(MINIMAL + """
        orpo:
          lamda: 0.2
          learning_rate: -1
        sampling:
          temprature: 0.7
        """);
    List<String> lines = e.problems().stream().map(RunProblem::toString).toList();
    assertEquals(List.of(
        "line 9: orpo.lamda: unknown key (did you mean 'lambda'?)",
        "line 10: orpo.learning_rate: must be > 0, got -1",
        "line 12: sampling.temprature: unknown key (did you mean 'temperature'?)"), lines);
    assertTrue(e.getMessage().startsWith("run.yaml: 3 problems"), e.getMessage());
  }

  @Test
  void typesChoicesAndSectionsAreChecked() {
    RunFileException e = fails("""
        output: out
        device: tpu
        iterations: two
        mode: proces
        model: {path: nowhere}
        tasks:
          - kind: gsm8k
          - {kind: gsm8k, file: missing.jsonl, split: ood-length}
        sampling: 4
        lambda: 0.3
        """);
    String m = e.getMessage();
    assertTrue(m.contains("line 3: iterations: must be a whole number, got 'two'"), m);
    assertTrue(m.contains("line 4: mode: must be one of process, outcome, rft, got 'proces' (did you mean "
        + "'process'?)"), m);
    assertTrue(m.contains("line 9: sampling: must be a section of settings"), m);
    assertTrue(m.contains("line 10: lambda: unknown key (did you mean 'orpo.lambda'?)"), m);
    // the checks of values together run once every value has its type
    RunFileException e2 = fails("""
        output: out
        device: tpu
        model: {path: nowhere}
        tasks:
          - kind: gsm8k
          - {kind: gsm8k, file: missing.jsonl, split: ood-length}
        rollout: {engine: spark}
        """);
    String m2 = e2.getMessage();
    assertTrue(m2.contains("line 2: device: must be cpu, gpu or gpu:N, got 'tpu'"), m2);
    assertTrue(m2.contains("line 3: model.path: no such folder"), m2);
    assertTrue(m2.contains("tasks[0].file: required for kind gsm8k"), m2);
    assertTrue(m2.contains("line 6: tasks[1].file: no such file"), m2);
    assertTrue(m2.contains("line 6: tasks[1].split: applies to kind synthetic only"), m2);
    assertTrue(m2.contains("line 7: rollout.engine: no rollout engine named 'spark' on the class path (found: "), m2);
    assertTrue(m2.contains("comes with io.github.sipf4j:sipf4j-spark"), m2);
  }

  @Test
  void bfloat16IsRefusedWithItsReasonAndLoraNeedsAModelFolder() {
    RunFileException e = fails(MINIMAL + """
        lora: {r: 16}
        """, "model.dtype=bfloat16");
    String m = e.getMessage();
    assertTrue(m.contains("model.dtype: bfloat16 is not available: DJL 0.36's PyTorch engine cannot make bfloat16 "
        + "arrays"), m);
    assertTrue(m.contains("line 8: lora: " + RunFiles.LORA_NEEDS_FOLDER), m);
  }

  @Test
  void rolloutSettingsAndShardsAreReadAndChecked() {
    RunSettings local = parse(MINIMAL);
    assertNull(RunSetup.rolloutEngine(local), "local without settings: the loop's own engine");
    assertEquals(RolloutShards.DEFAULT, RunSetup.rolloutShards(local));
    RunSettings counting = parse(MINIMAL + """
        rollout: {engine: counting, shard_rationales: 64}
        """);
    assertEquals(new RolloutShards(RolloutShards.DISTRIBUTED.tasks(), 64), RunSetup.rolloutShards(counting));
    RunFileException e = fails(MINIMAL + """
        rollout:
          engine: counting
          settings: [partitions=2, master]
        """);
    assertTrue(e.getMessage().contains("line 10: rollout.settings[1]: must be KEY=VALUE, got 'master'"),
        e.getMessage());
    e = fails(MINIMAL + """
        rollout: {engine: counting, shard_tasks: 0}
        """);
    assertTrue(e.getMessage().contains("line 8: rollout.shard_tasks: must be >= 1"), e.getMessage());
  }

  /** Micro-batches and length grouping reach every trainer; a micro-batch larger than its batch is refused. */
  @Test
  void microBatchesAndLengthGroupingReachTheTrainers() {
    RunSettings defaults = parse(MINIMAL);
    assertEquals(16, RunSetup.training(defaults).microBatchSize());
    assertFalse(RunSetup.training(defaults).groupByLength());
    assertEquals(8, RunSetup.prmTraining(defaults).microBatchSize(), "the PRM trainer's default");
    assertEquals(16, RunSetup.warmStartConfig(defaults, null).microBatchSize());
    RunSettings s = parse(MINIMAL + """
        orpo: {batch_size: 32, micro_batch_size: 4, group_by_length: true}
        prm: {batch_size: 4, group_by_length: true}
        """);
    assertEquals(4, RunSetup.training(s).microBatchSize());
    assertTrue(RunSetup.training(s).groupByLength());
    assertEquals(4, RunSetup.prmTraining(s).microBatchSize(), "at most the batch when not written");
    assertTrue(RunSetup.prmTraining(s).groupByLength());
    assertEquals(32, RunPlanner.batching(s).build().batchSize());
    assertEquals(4, RunPlanner.batching(s).build().microBatchSize());
    assertTrue(RunPlanner.batching(s).build().groupByLength());
    RunFileException e = fails(MINIMAL + """
        orpo:
          batch_size: 8
          micro_batch_size: 16
        """);
    assertTrue(e.getMessage().contains("line 10: orpo.micro_batch_size: must be at most orpo.batch_size (8), got 16"),
        e.getMessage());
    e = fails(MINIMAL + "prm: {micro_batch_size: 0}\n");
    assertTrue(e.getMessage().contains("line 8: prm.micro_batch_size: must be >= 1"), e.getMessage());
  }

  /** The PRM's own adapters need the policy's adapters and a learned PRM, and reach the loop's settings. */
  @Test
  void prmAdaptersAreReadAndChecked() {
    RunSettings s = RunFiles.parse(MINIMAL + """
        lora: {r: 64}
        prm:
          lora: {r: 16, alpha: 32}
        """, "run.yaml", List.of(), dir, false);
    assertEquals(16, RunSetup.loraConfig(s, "prm.lora").r());
    assertEquals(32.0, RunSetup.loraConfig(s, "prm.lora").loraAlpha());
    assertEquals(64, RunSetup.loraConfig(s).r());
    RunFileException e = fails(MINIMAL + """
        prm:
          lora: {r: 16}
        """);
    assertTrue(e.getMessage().contains("line 9: prm.lora: the PRM's adapters sit on the policy's frozen base: add a "
        + "lora section"), e.getMessage());
    e = fails(MINIMAL + """
        mode: outcome
        prm:
          lora: {r: 16}
        """);
    assertTrue(e.getMessage().contains("prm.lora: applies to a learned PRM (mode: process, prm.rewards: learned); "
        + "the mode is outcome"), e.getMessage());
  }

  @Test
  void syntaxErrorsNameTheirLine() {
    RunFileException e = fails("output: out\nmodel: {embedded: true\ntasks: []\n");
    assertEquals(1, e.problems().size());
    assertTrue(e.problems().get(0).message().startsWith("not valid YAML"), e.getMessage());
    assertTrue(e.problems().get(0).line() > 0, e.getMessage());
    RunFileException dup = fails(MINIMAL + "seed: 1\nseed: 2\n");
    assertTrue(dup.getMessage().contains("line 9: seed: given twice (first on line 8)"), dup.getMessage());
  }

  @Test
  void defaultsAreTheLibrarysDefaults() {
    RunSettings s = parse(MINIMAL);
    PolicyTrainingConfig t = PolicyTrainingConfig.builder().build();
    assertEquals(OrpoLoss.DEFAULT_LAMBDA, (float) s.getDouble("orpo.lambda"), 0);
    assertEquals(t.optimizer().learningRate(), (float) s.getDouble("orpo.learning_rate"), 0);
    assertEquals(t.batchSize(), s.getInt("orpo.batch_size"));
    assertEquals(t.epochs(), s.getInt("orpo.epochs"));
    assertEquals(t.maxSteps(), s.getLong("orpo.max_steps"));
    assertEquals(t.optimizer().warmupSteps(), s.getInt("orpo.warmup_steps"));
    assertEquals(t.optimizer().weightDecay(), (float) s.getDouble("orpo.weight_decay"), 0);
    assertEquals(t.optimizer().maxGradNorm(), (float) s.getDouble("orpo.max_grad_norm"), 0);
    SimulatorConfig sim = SimulatorConfig.builder().build();
    assertEquals(sim.rolloutsPerStep(), s.getInt("simulation.rollouts_per_step"));
    assertEquals(sim.delta(), s.getDouble("simulation.delta"));
    assertEquals(sim.earlyStop(), s.getBool("simulation.early_stop"));
    assertEquals(sim.sampling().maxNewTokens(), s.getInt("simulation.max_new_tokens"));
    assertEquals(sim.sampling().batchSize(), s.getInt("simulation.batch_size"));
    PairSelectorConfig pairs = PairSelectorConfig.builder().build();
    assertEquals(pairs.margin(), s.getDouble("pairs.margin"));
    assertEquals(pairs.maxPairsPerQuestion(), s.getInt("pairs.max_per_question"));
    assertEquals(SelfIterativeTrainer.DEFAULT_ITERATIONS, s.getInt("iterations"));
    assertEquals(SelfIterativeTrainer.DEFAULT_SAMPLES_PER_QUESTION, s.getInt("sampling.samples_per_question"));
    assertEquals(SelfIterativeTrainer.DEFAULT_MAX_SIMULATED_SAMPLES, s.getInt("simulation.max_samples"));
    assertEquals(42L, s.getLong("seed"));
    assertEquals("local", s.getString("rollout.engine"));
    assertNull(s.section("lora"));
    assertEquals(8, s.getInt("warm_start.tasks.count"));
  }

  @Test
  void overridesReplaceAddAndAreChecked() throws Exception {
    RunSettings s = parse(MINIMAL, "orpo.lambda=0.25", "tasks.0.count=50", "eval.0.kind=synthetic",
        "eval[0].split=ood-wording", "sampling.top_p=0.9");
    assertEquals(0.25, s.getDouble("orpo.lambda"));
    assertEquals(50, ((Number) s.list("tasks").get(0).get("count")).intValue());
    assertEquals("ood-wording", s.list("eval").get(0).get("name"));
    assertEquals(0.9, s.getDouble("sampling.top_p"));
    RunFileException e = fails(MINIMAL, "orpo.lambda=-2", "nonsense");
    assertTrue(e.getMessage().contains("orpo.lambda: must be >= 0, got -2"), e.getMessage());
    assertTrue(e.getMessage().contains("--set nonsense: expected key.path=value"), e.getMessage());
    // the resolved settings read back as the same settings
    RunSettings again = RunFiles.parse(s.toYaml(), "run-config.yaml", List.of(), dir);
    assertEquals(s.tree(), again.tree());
  }

  @Test
  void referenceDocumentsEveryKeyWithItsDefault() throws Exception {
    Path ref = runFiles().resolve("reference.yaml");
    Map<String, Object> tree = RunFiles.parse(Files.readString(ref), "reference.yaml", List.of(), dir, false)
        .tree();
    List<String> wrong = new ArrayList<>();
    compare(RunSchema.root(), tree, "", wrong);
    assertTrue(wrong.isEmpty(), "reference.yaml differs from the schema's defaults: " + wrong);
  }

  @SuppressWarnings("unchecked")
  private static void compare(RunSchema.Section schema, Map<String, Object> values, String path,
      List<String> wrong) {
    schema.children().forEach((name, child) -> {
      String p = path.isEmpty() ? name : path + "." + name;
      Object v = values.get(name);
      if (child instanceof RunKey k) {
        if (k.defaultValue() != null && !k.defaultValue().equals(v)) {
          wrong.add(p + " = " + v + ", default " + k.defaultValue());
        }
      } else if (child instanceof RunSchema.Section s) {
        if (v == null) {
          wrong.add(p + " missing");
        } else {
          compare(s, (Map<String, Object>) v, p, wrong);
        }
      } else if (((List<Object>) v).isEmpty()) {
        wrong.add(p + " has no example item");
      }
    });
  }

  @Test
  void exampleRunFilesAreValid() throws Exception {
    Path shared = shared();
    Path llama = runFiles().getParent().getParent().resolve("orpo-core/src/test/resources/hf/llama");
    RunFiles.read(runFiles().resolve("quickstart.yaml"), List.of(), dir);
    String[] gsm8k = {"model.path=" + llama, "warm_start.tasks.file=" + shared.resolve("gsm8k/train.jsonl"),
        "tasks.0.file=" + shared.resolve("gsm8k/train.jsonl"),
        "eval.0.file=" + shared.resolve("gsm8k/test-sample50.jsonl")};
    String[] code = {"model.path=" + llama, "tasks.0.file=" + shared.resolve("mbpp/sanitized-mbpp.json"),
        "eval.0.file=" + shared.resolve("mbpp/sanitized-mbpp.json"),
        "eval.1.file=" + shared.resolve("humaneval/HumanEval-sample10.jsonl.gz")};
    for (Map.Entry<String, String[]> f : Map.of("gsm8k-lora.yaml", gsm8k, "mbpp-humaneval.yaml", code).entrySet()) {
      RunSettings s = RunFiles.read(runFiles().resolve(f.getKey()), List.of(f.getValue()), dir);
      assertEquals(256, s.getInt("lora.r"), f.getKey());
    }
    RunSettings paper = RunFiles.read(runFiles().resolve("gsm8k-lora.yaml"), List.of(gsm8k), dir);
    io.github.sipf4j.orpo.lora.LoraConfig lora = RunSetup.loraConfig(paper);
    assertEquals(256, lora.r());
    assertEquals(128, lora.loraAlpha(), 0);
    assertEquals(0.05, lora.loraDropout(), 1e-12);
  }

  /** A run file's lora section puts adapters on a Hugging Face folder: only they train. */
  @Test
  void loraSectionWrapsTheModelInAdapters() throws Exception {
    Path llama = runFiles().getParent().getParent().resolve("orpo-core/src/test/resources/hf/llama");
    RunSettings s = RunFiles.parse("""
        output: out
        model:
          path: %s
        lora: {r: 4, alpha: 8, target_modules: [q_proj, v_proj]}
        tasks:
          - kind: synthetic
        """.formatted(llama), "run.yaml", List.of(), dir, true);
    try (RunSetup.OpenModel m = RunSetup.openModel(s)) {
      io.github.sipf4j.orpo.lora.LoraModel adapted = assertInstanceOf(io.github.sipf4j.orpo.lora.LoraModel.class,
          m.model());
      assertEquals(4, adapted.config().r());
    }
  }

  @Test
  void theReadmesRunFileHasOnlyKnownKeysAndValidValues() throws Exception {
    String readme = Files.readString(runFiles().getParent().getParent().resolve("README.md"));
    int blocks = 0;
    for (int at = readme.indexOf("```yaml\n"); at >= 0; at = readme.indexOf("```yaml\n", at + 1)) {
      String yaml = readme.substring(at + 8, readme.indexOf("```", at + 8));
      RunFiles.parse(yaml, "README.md", List.of(), dir, false);
      blocks++;
    }
    assertTrue(blocks > 0, "the README shows a run file");
  }

  /** The examples/run-files folder (tests run in the examples module's folder). */
  static Path runFiles() {
    Path p = Path.of("run-files").toAbsolutePath();
    return Files.isDirectory(p) ? p : Path.of("examples/run-files").toAbsolutePath();
  }

  static Path shared() {
    String prop = System.getProperty("sipf4j.shared.dir");
    if (prop != null && Files.isDirectory(Path.of(prop, "datasets"))) {
      return Path.of(prop, "datasets");
    }
    for (Path p = Path.of("").toAbsolutePath(); p != null; p = p.getParent()) {
      if (Files.isDirectory(p.resolve("shared/datasets"))) {
        return p.resolve("shared/datasets");
      }
    }
    throw new IllegalStateException("shared/datasets not found");
  }
}
