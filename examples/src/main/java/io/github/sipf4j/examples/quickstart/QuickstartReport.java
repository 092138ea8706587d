package io.github.sipf4j.examples.quickstart;

import io.github.sipf4j.prm.iterate.EvalResult;
import io.github.sipf4j.prm.iterate.IterationReport;
import io.github.sipf4j.prm.synthetic.StepAudit;
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
    out.put("regime", preset.regime().key());
    out.put("warm_start_seconds", warm.seconds());
    out.put("warm_start_loss", num(warm.lastLoss()));
    out.put("warm_start_steps", warm.steps());
    if (warm.bestStep() >= 0) {
      out.put("warm_start_best_step", warm.bestStep());
      out.put("warm_start_dev_accuracy", num(warm.devAccuracy()));
      out.put("warm_start_dev_evaluations", warm.devEvaluations());
    }
    String primary = preset.regime().primaryOutOfDomain();
    Map<String, Object> baseline = new LinkedHashMap<>();
    baseline.put("method", "sft");
    putAccuracies(baseline, r.baseline(), primary);
    putAudit(baseline, audit(r, 0));
    out.put("baseline", baseline);
    List<Object> its = new ArrayList<>();
    for (int i = 0; i < r.iterations().size(); i++) {
      IterationReport it = r.iterations().get(i);
      Map<String, Object> m = new LinkedHashMap<>();
      m.put("iteration", it.iteration());
      putAccuracies(m, it.evaluations(), primary);
      putAudit(m, audit(r, i + 1));
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
        .evaluations(), primary);
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

  /**
   * Accuracy per split under the split's name with underscores ({@code in_domain}, {@code ood_length}, ...), and
   * {@code ood} for the regime's primary out-of-domain split; null for a split that was not evaluated.
   */
  private static void putAccuracies(Map<String, Object> m, Map<String, EvalResult> evals, String primaryOod) {
    m.put("in_domain", acc(evals, Quickstart.IN_DOMAIN));
    m.put("ood", acc(evals, primaryOod));
    for (String split : new java.util.TreeSet<>(evals.keySet())) {
      String key = split.replace('-', '_');
      if (!m.containsKey(key)) {
        m.put(key, acc(evals, split));
      }
    }
    m.putIfAbsent("validation", acc(evals, Quickstart.VALIDATION));
  }

  /**
   * Returns the step checker's audit of one row's validation answers.
   *
   * @param r the result
   * @param row 0 for the starting policy, else the iteration
   * @return the audit, or null where there is none
   */
  public static StepAudit audit(Quickstart.MethodResult r, int row) {
    return r.validationAudit() == null || row >= r.validationAudit().size() ? null : r.validationAudit().get(row);
  }

  /** The step checker's audit of the greedy validation answers, when there is one. */
  private static void putAudit(Map<String, Object> m, StepAudit a) {
    if (a == null) {
      return;
    }
    Map<String, Object> v = new LinkedHashMap<>();
    v.put("arithmetic_accuracy", num(a.arithmeticAccuracy()));
    v.put("sound_share", num(a.soundShare()));
    v.put("rationales", a.rationales());
    v.put("steps", a.steps());
    Map<String, Integer> first = new LinkedHashMap<>();
    a.firstErrors().forEach((k, n) -> first.put(k.name().toLowerCase(Locale.ROOT), n));
    v.put("first_errors", first);
    m.put("validation_steps", v);
  }

  /**
   * Returns the splits of a result in table order: in-domain, the out-of-domain splits, validation last.
   *
   * @param r the result
   * @return the split names
   */
  public static List<String> tableSplits(Quickstart.MethodResult r) {
    List<String> out = new ArrayList<>();
    if (r.splits().contains(Quickstart.IN_DOMAIN)) {
      out.add(Quickstart.IN_DOMAIN);
    }
    for (String s : r.splits()) {
      if (!s.equals(Quickstart.IN_DOMAIN) && !s.equals(Quickstart.VALIDATION)) {
        out.add(s);
      }
    }
    if (r.splits().contains(Quickstart.VALIDATION)) {
      out.add(Quickstart.VALIDATION);
    }
    return out;
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
    for (String split : tableSplits(r)) {
      if (split.equals(Quickstart.VALIDATION)) {
        continue;
      }
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
    List<String> splits = tableSplits(r);
    printHeader(out, List.of("iteration"), splits, List.of("pairs (new/total)", "sample acc", "sound chosen",
        "val. arithmetic", "PRM step acc", "seconds"));
    StringBuilder row = new StringBuilder("| 0 (SFT) |");
    for (String split : splits) {
      row.append(' ').append(pct(r.baseline(), split)).append(" |");
    }
    out.println(row + " | | | " + arithmetic(audit(r, 0)) + " | | |");
    for (int i = 0; i < r.iterations().size(); i++) {
      IterationReport it = r.iterations().get(i);
      double sound = r.soundChosen().get(i);
      row = new StringBuilder("| " + it.iteration() + " |");
      for (String split : splits) {
        row.append(' ').append(pct(it.evaluations(), split)).append(" |");
      }
      out.printf(Locale.ROOT, "%s %d/%d | %s | %s | %s | %s | %.0f |%n", row, it.newExamples(), it.totalExamples(),
          Double.isNaN(it.sampleAccuracy()) ? "" : String.format(Locale.ROOT, "%.1f%%", 100 * it.sampleAccuracy()),
          Double.isNaN(sound) ? "" : String.format(Locale.ROOT, "%.0f%%", 100 * sound), arithmetic(audit(r, i + 1)),
          Double.isNaN(it.prmStepAccuracy()) ? "n/a" : String.format(Locale.ROOT, "%.3f", it.prmStepAccuracy()),
          it.totalSeconds());
    }
    out.flush();
  }

  /**
   * Prints a Markdown table's header: the leading columns (left-aligned), one column per split and the trailing
   * columns (right-aligned).
   *
   * @param out where to print
   * @param leading the first columns
   * @param splits the split columns
   * @param trailing the last columns
   */
  public static void printHeader(PrintWriter out, List<String> leading, List<String> splits, List<String> trailing) {
    StringBuilder head = new StringBuilder("|");
    StringBuilder rule = new StringBuilder("|");
    for (int i = 0; i < leading.size(); i++) {
      head.append(' ').append(leading.get(i)).append(" |");
      rule.append(i == 0 ? "---|" : "---:|");
    }
    for (String c : splits) {
      head.append(' ').append(c).append(" |");
      rule.append("---:|");
    }
    for (String c : trailing) {
      head.append(' ').append(c).append(" |");
      rule.append("---:|");
    }
    out.println(head);
    out.println(rule);
  }

  private static String arithmetic(StepAudit a) {
    return a == null || Double.isNaN(a.arithmeticAccuracy()) ? ""
        : String.format(Locale.ROOT, "%.1f%%", 100 * a.arithmeticAccuracy());
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
