package io.github.sipf4j.examples.cli;


import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.google.gson.JsonArray;
import com.google.gson.JsonObject;
import com.google.gson.JsonParser;
import io.github.sipf4j.examples.quickstart.Preset;
import java.io.StringWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The quickstart, evaluate and experiment commands end to end on the tiny preset. */
class QuickstartCommandTest {
  @TempDir Path dir;
  private StringWriter out = new StringWriter();
  private StringWriter err = new StringWriter();

  private int run(String... args) {
    CliRun r = CliRun.of(args);
    out = r.out;
    err = r.err;
    return r.exitCode;
  }

  private static final byte[] PNG_MAGIC = {(byte) 0x89, 'P', 'N', 'G'};

  @Test
  @Tag("slow")
  void quickstartWritesReportMetricsCurvesAndAModelThatEvaluateLoads() throws Exception {
    Path q = dir.resolve("qs");
    assertEquals(0, run("quickstart", "--preset", "tiny", "--out", q.toString(), "--no-progress"), err.toString());
    assertTrue(out.toString().contains("| iteration | in-domain | ood-wording | ood-length |"), out.toString());
    JsonObject report = JsonParser.parseString(Files.readString(q.resolve("report.json"))).getAsJsonObject();
    assertEquals("tiny", report.get("preset").getAsString());
    assertEquals(1, report.get("seed").getAsLong());
    assertTrue(report.get("wall_seconds").getAsDouble() > 0);
    JsonObject baseline = report.getAsJsonObject("baseline");
    assertEquals("sft", baseline.get("method").getAsString());
    for (String k : List.of("in_domain", "ood", "ood_length")) {
      double a = baseline.get(k).getAsDouble();
      assertTrue(a >= 0 && a <= 1, k + " = " + a);
    }
    JsonArray its = report.getAsJsonArray("iterations");
    assertEquals(1, its.size());
    JsonObject it = its.get(0).getAsJsonObject();
    assertEquals(1, it.get("iteration").getAsInt());
    for (String k : List.of("in_domain", "ood", "pairs", "sound_chosen", "prm_step_accuracy", "seconds")) {
      assertTrue(it.has(k), k + " in " + it);
    }
    for (String phase : List.of("sample", "verify", "simulate", "train_prm", "score", "select", "train_policy",
        "evaluate")) {
      assertTrue(it.getAsJsonObject("seconds").has(phase), phase);
    }
    assertEquals(it.get("in_domain").getAsDouble(), report.getAsJsonObject("final").get("in_domain").getAsDouble());
    Path model = Path.of(report.get("model_dir").getAsString());
    assertTrue(Files.exists(model.resolve("tokenizer.json")));
    assertTrue(Files.readAllLines(q.resolve("metrics.csv")).size() >= 3, "header, baseline, iteration 1");
    byte[] png = Files.readAllBytes(q.resolve("curves.png"));
    assertArrayEquals(PNG_MAGIC, Arrays.copyOf(png, 4));
    // The loop's page of the run, written through the builder's default htmlReport(true).
    String page = Files.readString(q.resolve("run-sipf/report.html"));
    for (String set : List.of("validation", "in-domain", "ood-wording", "ood-length")) {
      assertTrue(page.contains("<svg id=\"accuracy-" + set + "\""), set);
    }
    assertTrue(out.toString().contains("run-sipf/report.html"), out.toString());

    // A second run on the same directory resumes: nothing is trained again and the report is the same.
    String first = it.toString();
    assertEquals(0, run("quickstart", "--preset", "tiny", "--out", q.toString(), "--no-progress"), err.toString());
    JsonObject again = JsonParser.parseString(Files.readString(q.resolve("report.json"))).getAsJsonObject();
    assertEquals(first, again.getAsJsonArray("iterations").get(0).toString());

    Path tasks = dir.resolve("fresh.jsonl");
    assertEquals(0, run("generate-synthetic", "--split", "ood-wording", "--count", "12", "--seed", "9", "--out",
        tasks.toString()), err.toString());
    assertEquals(0, run("evaluate", "--model", model.toString(), "--tasks", tasks.toString(), "--max-new-tokens",
        "64"), err.toString());
    JsonObject ev = JsonParser.parseString(out.toString()).getAsJsonObject();
    assertEquals(12, ev.get("n").getAsInt());
    double acc = ev.get("accuracy").getAsDouble();
    assertTrue(acc >= 0 && acc <= 1);
    JsonObject ci = ev.getAsJsonObject("ci");
    assertTrue(ci.get("lower").getAsDouble() <= acc && acc <= ci.get("upper").getAsDouble());
  }

  /**
   * The reasoning regime end to end on a toy budget: an early-stopped warm start, the exact-label method, reports
   * keyed by the regime's splits (with {@code ood} the primary out-of-domain split) and the validation audit.
   */
  @Test
  @Tag("slow")
  void quickstartOnTheDistractorRegimeWithEarlyStoppingAndExactLabels() throws Exception {
    Path q = dir.resolve("story");
    assertEquals(0, run("quickstart", "--preset", "tiny", "--regime", "distractors", "--warm-eval-every", "10",
        "--patience", "1", "--pretrain", "32", "--pretrain-steps", "6", "--method", "sipf-exact", "--out",
        q.toString(), "--no-progress"), err.toString());
    assertTrue(Files.exists(q.resolve("warm-start/pretrain/sft-model/tokenizer.json")));
    assertTrue(out.toString().contains("| iteration | in-domain | ood-distractors | ood-length | validation |"),
        out.toString());
    JsonObject report = JsonParser.parseString(Files.readString(q.resolve("report.json"))).getAsJsonObject();
    assertEquals("distractors", report.get("regime").getAsString());
    assertEquals("sipf-exact", report.get("method").getAsString());
    assertTrue(report.get("warm_start_best_step").getAsLong() > 0);
    assertTrue(report.getAsJsonArray("warm_start_dev_evaluations").size() >= 1);
    JsonObject baseline = report.getAsJsonObject("baseline");
    assertEquals(baseline.get("ood").getAsDouble(), baseline.get("ood_distractors").getAsDouble());
    assertTrue(baseline.has("ood_length") && baseline.has("validation"), baseline.toString());
    JsonObject audit = baseline.getAsJsonObject("validation_steps");
    assertEquals(16, audit.get("rationales").getAsInt(), "one greedy answer per validation task");
    JsonObject it = report.getAsJsonArray("iterations").get(0).getAsJsonObject();
    assertTrue(it.has("validation_steps"), it.toString());
    assertFalse(it.getAsJsonObject("seconds").has("simulate"), "exact labels need no simulation");

    // Tuning evaluates only the validation split.
    Path v = dir.resolve("validation-only");
    assertEquals(0, run("quickstart", "--preset", "tiny", "--regime", "distractors", "--eval-splits", "validation",
        "--warm-model", report.get("model_dir").getAsString(), "--method", "outcome", "--out", v.toString(),
        "--no-progress"), err.toString());
    assertTrue(Files.exists(v.resolve("run-outcome/iteration-01/eval-validation.jsonl")));
    assertFalse(Files.exists(v.resolve("run-outcome/iteration-01/eval-in-domain.jsonl")));
    assertEquals(2, run("quickstart", "--preset", "tiny", "--regime", "distractors", "--eval-splits", "ood-wording",
        "--out", v.toString()));
    assertTrue(err.toString().contains("unknown evaluation split 'ood-wording' for the distractors regime"),
        err.toString());
  }

  @Test
  void evaluateRejectsBadInputWithAClearMessage() throws Exception {
    assertEquals(2, run("evaluate", "--model", dir.resolve("nope").toString(), "--tasks", "x.jsonl"));
    assertTrue(err.toString().contains("not a saved policy directory"), err.toString());
    assertEquals(2, run("quickstart", "--preset", "huge", "--out", dir.toString()));
    assertTrue(err.toString().contains("unknown preset 'huge'"), err.toString());
    assertEquals(2, run("quickstart", "--method", "dpo", "--out", dir.toString()));
    assertTrue(err.toString().contains("unknown method 'dpo'"), err.toString());
    assertEquals(2, run("quickstart", "--preset", "tiny", "--gold", "10", "--gold-replay", "11", "--samples", "0",
        "--lambda", "-1", "--out", dir.toString()));
    for (String m : List.of("gold replay must be in 0..10 (the gold examples), got 11",
        "samples per question must be positive, got 0", "lambda must be >= 0 and finite, got -1.0")) {
      assertTrue(err.toString().contains(m), err.toString());
    }
    assertEquals(2, run("experiment", "--preset", "tiny", "--lr", "0", "--out", dir.toString()));
    assertTrue(err.toString().contains("learning rates must be positive and finite"), err.toString());
    assertFalse(Files.exists(dir.resolve("seed-1")), "nothing is started for bad settings");
  }

  @Test
  void aPresetNamesAMissingOrUnknownAggregation() {
    PresetOverrides o = new PresetOverrides();
    new picocli.CommandLine(o).parseArgs("--aggregation", "median");
    IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> o.apply(Preset.TINY));
    assertTrue(e.getMessage().contains("unknown aggregation 'median'"), e.getMessage());
    Preset t = Preset.TINY;
    e = assertThrows(IllegalArgumentException.class, () -> new Preset(t.name(), t.goldExamples(), t.warmSteps(),
        t.warmLr(), t.poolQuestions(), t.goldReplay(), t.questionsPerIteration(), t.samplesPerQuestion(),
        t.rolloutsPerStep(), t.maxSimulatedSamples(), t.monteCarloRewards(), t.prmEpochs(), t.iterations(), t.orpoLr(),
        t.lambda(), t.orpoMaxSteps(), t.sftSteps(), t.evalTasks(), t.maxNewTokens(), t.preferFlawedRejected(),
        t.anchorsPerStep(), t.softLabels(), null, t.minChosenReward(), t.checkerRewards(), t.regime(), t.warmEvalEvery(),
        t.warmPatience(), t.modelWidth(), t.modelLayers(), t.pretrainExamples(), t.pretrainSteps()));
    assertTrue(e.getMessage().contains("aggregation is required"), e.getMessage());
  }

  @Test
  void presetOverridesChangeOnlyTheGivenSettings() {
    PresetOverrides o = new PresetOverrides();
    new picocli.CommandLine(o).parseArgs("--gold", "50", "--warm-steps", "7", "--iterations", "3", "--lr", "2e-4",
        "--policy-steps", "9", "--sft-steps", "11", "--mc-rewards", "--gold-replay", "5", "--questions", "0",
        "--samples", "6", "--lambda", "0.25", "--flawed-first", "--rollouts", "8", "--anchors", "12", "--soft-labels", "--aggregation", "min",
        "--min-chosen", "0.75", "--checker-rewards");
    Preset t = Preset.TINY;
    Preset p = o.apply(t);
    assertEquals(new Preset(t.name(), 50, 7, t.warmLr(), t.poolQuestions(), 5, 0, 6, 8,
        t.maxSimulatedSamples(), true, t.prmEpochs(), 3, 2e-4f, 0.25f, 9, 11, t.evalTasks(), t.maxNewTokens(), true, 12, true,
        "min", 0.75, true, t.regime(), t.warmEvalEvery(), t.warmPatience(), t.modelWidth(), t.modelLayers(),
        t.pretrainExamples(), t.pretrainSteps()), p);
    PresetOverrides more = new PresetOverrides();
    new picocli.CommandLine(more).parseArgs("--regime", "distractors", "--pool", "77", "--warm-lr", "1e-3",
        "--warm-eval-every", "25", "--patience", "4", "--width", "128", "--layers", "6", "--pretrain", "40",
        "--pretrain-steps", "8");
    Preset m = more.apply(t);
    assertEquals(List.of(io.github.sipf4j.prm.synthetic.SyntheticRegime.DISTRACTORS, 77, 1e-3f, 25, 4, 128, 6, 40, 8),
        List.of(m.regime(), m.poolQuestions(), m.warmLr(), m.warmEvalEvery(), m.warmPatience(), m.modelWidth(),
            m.modelLayers(), m.pretrainExamples(), m.pretrainSteps()));
    assertEquals(t, new PresetOverrides().apply(t));
    PresetOverrides off = new PresetOverrides();
    new picocli.CommandLine(off).parseArgs("--mc-rewards=false");
    assertFalse(off.apply(Preset.DEFAULT).monteCarloRewards());
  }

  @Test
  @Tag("slow")
  void experimentReportsMeanAndStdOverSeedsForEveryMethod() throws Exception {
    Path e = dir.resolve("exp");
    assertEquals(0, run("experiment", "--preset", "tiny", "--seeds", "1,2", "--methods", "sft,rft,outcome,sipf",
        "--out", e.toString(), "--no-progress"), err.toString());
    String table = Files.readString(e.resolve("results.md"));
    for (String m : List.of("| sft |", "| rft |", "| outcome |", "| sipf |")) {
      assertTrue(table.contains(m), m + " in\n" + table);
    }
    assertTrue(table.contains(" ± "), table);
    JsonObject json = JsonParser.parseString(Files.readString(e.resolve("experiment.json"))).getAsJsonObject();
    assertEquals(2, json.getAsJsonObject("seeds").size());
    for (String split : List.of("in-domain", "ood-wording", "ood-length", "validation")) {
      byte[] png = Files.readAllBytes(e.resolve("experiment-" + split + ".png"));
      assertArrayEquals(PNG_MAGIC, Arrays.copyOf(png, 4));
    }
    // The warm start is shared by the methods of a seed.
    assertFalse(Files.exists(e.resolve("seed-1/sipf/warm-start")));
    assertTrue(Files.exists(e.resolve("seed-1/warm-start/sft-model.json")));
    // So is its evaluation: decoded by the first method (sft), handed over to the others.
    assertTrue(Files.exists(e.resolve("seed-1/warm-start-evaluation.json")));
    for (String m : List.of("rft", "outcome", "sipf")) {
      Path baseline = e.resolve("seed-1/" + m + "/baseline");
      assertTrue(Files.readString(baseline.resolve("phases/evaluate.json")).contains("\"reused\": true"), m);
      assertFalse(Files.exists(baseline.resolve("eval-in-domain.jsonl")), m);
    }
    JsonObject s1 = json.getAsJsonObject("seeds").getAsJsonObject("1");
    assertEquals(s1.getAsJsonObject("sft").getAsJsonObject("baseline").toString(),
        s1.getAsJsonObject("sipf").getAsJsonObject("baseline").toString());
  }
}
