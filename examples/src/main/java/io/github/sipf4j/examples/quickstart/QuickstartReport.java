package io.github.sipf4j.examples.quickstart;

import io.github.sipf4j.prm.iterate.EvalResult;
import io.github.sipf4j.prm.iterate.IterationReport;
import java.io.IOException;
import java.io.PrintWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * Writes the quickstart's {@code report.json}, {@code curves.png} and the printed table from a method's result.
 */
public final class QuickstartReport {

  private QuickstartReport() {}

  /**
   * Builds the report object ({@code report.json}'s content).
   *
   * @param preset the preset
   * @param seed the seed
   * @param wallSeconds the whole run's wall time
   * @param warm the warm start
   * @param r the method's result
   * @return the report as nested maps and lists
   */
  public static Map<String, Object> build(Preset preset, long seed, double wallSeconds, Quickstart.WarmStart warm,
      Quickstart.MethodResult r) {
    Map<String, Object> out = new LinkedHashMap<>();
    out.put("preset", preset.name());
    out.put("seed", seed);
    out.put("method", r.method().key());
    out.put("wall_seconds", wallSeconds);
    out.put("warm_start_seconds", warm.seconds());
    out.put("warm_start_loss", num(warm.lastLoss()));
    Map<String, Object> baseline = new LinkedHashMap<>();
    baseline.put("method", "sft");
    putAccuracies(baseline, r.baseline());
    out.put("baseline", baseline);
    List<Object> its = new ArrayList<>();
    for (int i = 0; i < r.iterations().size(); i++) {
      IterationReport it = r.iterations().get(i);
      Map<String, Object> m = new LinkedHashMap<>();
      m.put("iteration", it.iteration());
      putAccuracies(m, it.evaluations());
      m.put("pairs", it.newExamples());
      m.put("pairs_total", it.totalExamples());
      m.put("correct_rejected_pairs", it.correctRejected());
      m.put("gold_chosen_pairs", it.goldChosen());
      m.put("sample_accuracy", num(it.sampleAccuracy()));
      m.put("flawed_correct_samples", it.flawedCorrect());
      m.put("sound_chosen", num(r.soundChosen().get(i)));
      m.put("simulated_samples", it.simulated());
      m.put("prm_step_accuracy", num(it.prmStepAccuracy()));
      m.put("prm_auroc", num(it.prmAuroc()));
      m.put("policy_steps", it.policySteps());
      m.put("seconds", it.seconds());
      its.add(m);
    }
    out.put("iterations", its);
    Map<String, Object> fin = new LinkedHashMap<>();
    putAccuracies(fin, r.iterations().isEmpty() ? r.baseline() : r.iterations().get(r.iterations().size() - 1)
        .evaluations());
    out.put("final", fin);
    out.put("model_dir", r.finalModelDir().toAbsolutePath().toString());
    return out;
  }

  /**
   * Serialises a report as pretty JSON (unmeasured values are {@code null}).
   *
   * @param report the report
   * @return the JSON text with a final newline
   */
  public static String toJson(Map<String, Object> report) {
    return JSON.toJson(report) + "\n";
  }

  private static final com.google.gson.Gson JSON = new com.google.gson.GsonBuilder().setPrettyPrinting()
      .serializeNulls().disableHtmlEscaping().create();

  /** NaN (not measured) becomes JSON null. */
  private static Double num(double v) {
    return Double.isNaN(v) ? null : v;
  }

  private static void putAccuracies(Map<String, Object> m, Map<String, EvalResult> evals) {
    m.put("in_domain", acc(evals, Quickstart.IN_DOMAIN));
    m.put("ood", acc(evals, Quickstart.OOD));
    m.put("ood_length", acc(evals, Quickstart.OOD_LENGTH));
    m.put("validation", acc(evals, Quickstart.VALIDATION));
  }

  private static Double acc(Map<String, EvalResult> evals, String name) {
    EvalResult e = evals.get(name);
    return e == null ? null : e.accuracy();
  }

  /**
   * Draws accuracy by iteration for the in-domain and both out-of-domain splits.
   *
   * @param file the PNG file
   * @param r the method's result
   * @throws IOException if the file cannot be written
   */
  public static void drawCurves(Path file, Quickstart.MethodResult r) throws IOException {
    List<Curves.Series> series = new ArrayList<>();
    for (String split : List.of(Quickstart.IN_DOMAIN, Quickstart.OOD, Quickstart.OOD_LENGTH)) {
      double[] v = new double[r.iterations().size() + 1];
      double[] e = new double[v.length];
      for (int i = 0; i < v.length; i++) {
        EvalResult er = i == 0 ? r.baseline().get(split) : r.iterations().get(i - 1).evaluations().get(split);
        v[i] = er == null ? Double.NaN : er.accuracy();
        e[i] = er == null ? 0 : (er.upper() - er.lower()) / 2;
      }
      series.add(new Curves.Series(split, v, e));
    }
    Curves.draw(file, r.method().key().toUpperCase(Locale.ROOT) + " on the synthetic task (95% Wilson intervals)",
        series);
  }

  /**
   * Prints the per-iteration table.
   *
   * @param out where to print
   * @param r the method's result
   */
  public static void printTable(PrintWriter out, Quickstart.MethodResult r) {
    out.println("| iteration | in-domain | ood-wording | ood-length | pairs (new/total) | sample acc | sound chosen "
        + "| PRM step acc | seconds |");
    out.println("|---|---:|---:|---:|---:|---:|---:|---:|---:|");
    out.printf(Locale.ROOT, "| 0 (SFT) | %s | %s | %s | | | | | |%n", pct(r.baseline(), Quickstart.IN_DOMAIN),
        pct(r.baseline(), Quickstart.OOD), pct(r.baseline(), Quickstart.OOD_LENGTH));
    for (int i = 0; i < r.iterations().size(); i++) {
      IterationReport it = r.iterations().get(i);
      double sound = r.soundChosen().get(i);
      out.printf(Locale.ROOT, "| %d | %s | %s | %s | %d/%d | %s | %s | %s | %.0f |%n", it.iteration(),
          pct(it.evaluations(), Quickstart.IN_DOMAIN), pct(it.evaluations(), Quickstart.OOD),
          pct(it.evaluations(), Quickstart.OOD_LENGTH), it.newExamples(), it.totalExamples(),
          Double.isNaN(it.sampleAccuracy()) ? "" : String.format(Locale.ROOT, "%.1f%%", 100 * it.sampleAccuracy()),
          Double.isNaN(sound) ? "" : String.format(Locale.ROOT, "%.0f%%", 100 * sound),
          Double.isNaN(it.prmStepAccuracy()) ? "n/a" : String.format(Locale.ROOT, "%.3f", it.prmStepAccuracy()),
          it.totalSeconds());
    }
    out.flush();
  }

  private static String pct(Map<String, EvalResult> evals, String name) {
    EvalResult e = evals.get(name);
    return e == null ? "" : String.format(Locale.ROOT, "%.1f%%", 100 * e.accuracy());
  }

  /**
   * Copies the run's {@code metrics.csv} next to the report when it exists.
   *
   * @param runDir the run's work directory
   * @param out the quickstart's output directory
   * @throws IOException if copying fails
   */
  public static void copyMetrics(Path runDir, Path out) throws IOException {
    for (String f : List.of("metrics.csv", "metrics.jsonl")) {
      Path src = runDir.resolve(f);
      if (Files.exists(src)) {
        Files.copy(src, out.resolve(f), java.nio.file.StandardCopyOption.REPLACE_EXISTING);
      }
    }
  }
}
