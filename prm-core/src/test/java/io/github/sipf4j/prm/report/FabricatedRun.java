package io.github.sipf4j.prm.report;

import com.google.gson.Gson;
import com.google.gson.GsonBuilder;
import com.google.gson.JsonObject;
import io.github.sipf4j.orpo.data.PreferenceJsonl;
import io.github.sipf4j.orpo.data.PreferencePair;
import io.github.sipf4j.prm.iterate.EvalResult;
import io.github.sipf4j.prm.iterate.phase.EvaluatePhase;
import io.github.sipf4j.prm.iterate.phase.LocalArtefactStore;
import io.github.sipf4j.prm.iterate.phase.SamplePhase;
import io.github.sipf4j.prm.iterate.phase.ScorePhase;
import io.github.sipf4j.prm.iterate.phase.ScoreRecord;
import io.github.sipf4j.prm.iterate.phase.SelectPhase;
import io.github.sipf4j.prm.iterate.phase.SelectedRecord;
import io.github.sipf4j.prm.iterate.phase.SimulatePhase;
import io.github.sipf4j.prm.iterate.phase.TrainPolicyPhase;
import io.github.sipf4j.prm.iterate.phase.TrainPrmPhase;
import io.github.sipf4j.prm.iterate.phase.VerifyPhase;
import io.github.sipf4j.prm.rollout.LabelRecord;
import io.github.sipf4j.prm.rollout.PredictionRecord;
import io.github.sipf4j.prm.rollout.SampleRecord;
import io.github.sipf4j.prm.rollout.VerdictRecord;
import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Writes a small run directory the way the loop's phases do, through their own record classes: the baseline and
 * iteration 1 finished on two evaluation sets, iteration 2 stopped after {@code verify} (a run in progress). One
 * rationale of iteration 1 carries a {@code <script>} tag, as model output may.
 */
final class FabricatedRun {

  static final String SCRIPT_STEP = "<script>alert('step')</script> 3+4=7\n";

  private static final Gson GSON = new GsonBuilder().serializeSpecialFloatingPointValues().create();

  private FabricatedRun() {}

  /**
   * Writes the run.
   *
   * @param dir the run directory
   * @param samplesPerIteration the samples of each iteration (10 questions)
   * @param withPlan whether to copy the test plan.json in
   */
  static void write(Path dir, int samplesPerIteration, boolean withPlan) throws IOException {
    LocalArtefactStore store = new LocalArtefactStore(dir);
    Map<String, String> settings = new LinkedHashMap<>();
    settings.put("mode", "PROCESS");
    settings.put("reward_source", "LEARNED");
    settings.put("samples_per_question", "4");
    store.writeJson("run.json", settings);
    if (withPlan) {
      try (InputStream in = FabricatedRun.class.getResourceAsStream("/report/plan.json")) {
        Files.write(dir.resolve(RunPlan.FILE), in.readAllBytes());
      }
    }
    evaluate(store, "baseline", 40, 12, 3.5);
    // Iteration 1: every phase.
    iteration(store, "iteration-01", samplesPerIteration, true);
    evaluate(store, "iteration-01", 40, 17, 20.5);
    store.writeJson("iteration-01/report.json", Map.of("iteration", 1));
    // Iteration 2: sampled and verified only.
    iteration(store, "iteration-02", samplesPerIteration, false);
  }

  private static void evaluate(LocalArtefactStore store, String folder, int n, int correct, double seconds)
      throws IOException {
    Map<String, EvalResult> results = new LinkedHashMap<>();
    results.put("in-domain", EvalResult.of("in-domain", correct, n));
    results.put("ood", EvalResult.of("ood", correct / 2, n));
    for (String set : results.keySet()) {
      List<PredictionRecord> p = new ArrayList<>();
      for (int i = 0; i < n; i++) {
        p.add(new PredictionRecord(set + "-" + i, "1+1=2\nThe answer is 2.", "2", i < correct));
      }
      store.writeLines(folder + "/eval-" + set + ".jsonl", p);
    }
    store.writeJson(folder + "/" + EvaluatePhase.EVAL_FILE, results);
    marker(store, folder, "evaluate", new EvaluatePhase.Summary(results, null), seconds);
  }

  private static void iteration(LocalArtefactStore store, String folder, int n, boolean all) throws IOException {
    List<SampleRecord> samples = new ArrayList<>();
    List<VerdictRecord> verdicts = new ArrayList<>();
    for (int i = 0; i < n; i++) {
      String text = (i == 3 ? SCRIPT_STEP : "3+4=7\n") + "7*" + i + "=" + (7 * i) + "\nThe answer is " + (7 * i)
          + ".";
      samples.add(new SampleRecord(i / 4, "task-" + (i / 4), i % 4, text, 20, -0.5, "EOS"));
      verdicts.add(new VerdictRecord(i % 3 == 0, Integer.toString(7 * i), "numeric"));
    }
    store.writeLines(folder + "/samples.jsonl", samples);
    marker(store, folder, "sample", new SamplePhase.Summary((n + 3) / 4, n, 20L * n), 15.2);
    store.writeLines(folder + "/verdicts.jsonl", verdicts);
    int correct = (int) verdicts.stream().filter(VerdictRecord::correct).count();
    marker(store, folder, "verify", new VerifyPhase.Summary(correct, n), 0.4);
    if (!all) {
      return;
    }
    List<LabelRecord> labels = new ArrayList<>();
    List<ScoreRecord> scores = new ArrayList<>();
    for (int i = 0; i < n; i++) {
      if (i % 2 == 0) {
        labels.add(new LabelRecord(i, new double[] {1, 0.25, 0}, new boolean[] {true, true, false},
            new int[] {4, 4, 4}, new int[] {4, 1, 0}, i % 3 == 0, 2));
      }
      scores.add(new ScoreRecord(i, new double[] {0.9, 0.4, 0.1 + 0.01 * i}, (1.4 + 0.01 * i) / 3));
    }
    store.writeLines(folder + "/labels.jsonl", labels);
    marker(store, folder, "simulate", new SimulatePhase.Summary(labels.size(), 1, 12L * labels.size(),
        3L * labels.size()), 48.0);
    store.writeJson(folder + "/prm-metrics.json", Map.of("steps", 30, "wrong_steps", 10, "accuracy", 0.8,
        "precision_wrong", 0.7, "recall_wrong", 0.6, "f1_wrong", 0.646, "auroc", 0.83));
    marker(store, folder, "train_prm", new TrainPrmPhase.Summary(true, 8, 2, 6, 0, 0.69, 0.41, 0.8, 0.83), 11.0);
    store.writeLines(folder + "/scores.jsonl", scores);
    marker(store, folder, "score", new ScorePhase.Summary(n, 0), 1.8);
    List<PreferencePair> pairs = List.of(
        new PreferencePair("Q: 3+4*0?\nA:\n", samples.get(0).text(), samples.get(1).text()),
        new PreferencePair("Q: 7*3?\nA:\n", "3+4=7\n7*3=21\nThe answer is 21.", samples.get(3).text()));
    List<SelectedRecord> info = List.of(new SelectedRecord("task-0", 0.47, 0.46, false, false),
        new SelectedRecord("task-0", 1.0, 0.47, true, true));
    store.writeText(folder + "/pairs.jsonl", w -> PreferenceJsonl.write(w, pairs));
    store.writeLines(folder + "/pairs-info.jsonl", info);
    marker(store, folder, "select", new SelectPhase.Summary(2, 2, 2, 1, 1), 0.1);
    marker(store, folder, "train_policy", new TrainPolicyPhase.Summary(2, 10, 0, 1.25, Map.of("loss", 1.25f)),
        22.0);
  }

  private static void marker(LocalArtefactStore store, String folder, String phase, Object summary,
      double seconds) throws IOException {
    JsonObject json = GSON.toJsonTree(summary).getAsJsonObject();
    json.addProperty("seconds", seconds);
    store.writeJson(folder + "/phases/" + phase + ".json", json);
  }
}
