package io.github.sipf4j.examples.cli;

import io.github.sipf4j.examples.quickstart.Curves;
import io.github.sipf4j.examples.quickstart.Preset;
import io.github.sipf4j.examples.quickstart.Quickstart;
import io.github.sipf4j.examples.quickstart.QuickstartReport;
import io.github.sipf4j.prm.iterate.EvalResult;
import io.github.sipf4j.prm.iterate.phase.RolloutShards;
import io.github.sipf4j.prm.rollout.RolloutEngine;
import io.github.sipf4j.prm.synthetic.StepAudit;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/**
 * {@code sipf4j experiment}: the paper's comparison in miniature. For every seed one SFT warm start, then every method
 * from it; writes per-seed reports, {@code experiment.json}, {@code results.md} (mean ± standard deviation over the
 * seeds, per iteration) and one PNG per split. Resumable like the quickstart.
 */
@Command(
    name = "experiment",
    mixinStandardHelpOptions = true,
    description = "Runs SFT, RFT, outcome-feedback ORPO and SIPF from the same warm start for several seeds and "
        + "reports mean and standard deviation of in-domain and out-of-domain accuracy per iteration.")
public final class ExperimentCommand implements Callable<Integer> {
  @Spec CommandSpec spec;

  @Option(names = "--preset", defaultValue = "experiment", description = "The preset (default: ${DEFAULT-VALUE}).")
  String preset;

  @Option(names = "--seeds", defaultValue = "1,2,3", split = ",", description = "Seeds (default: ${DEFAULT-VALUE}).")
  List<Long> seeds;

  @Option(names = "--methods", defaultValue = "sft,rft,outcome,sipf", split = ",",
      description = "Methods, in order (default: ${DEFAULT-VALUE}).")
  List<String> methods;

  @Option(names = "--out", defaultValue = "sipf4j-experiment", description = "Output directory (default: "
      + "${DEFAULT-VALUE}).")
  Path out;

  @Mixin PresetOverrides overrides = new PresetOverrides();

  @Mixin RolloutEngineOptions rollouts = new RolloutEngineOptions();

  @Option(names = "--no-progress", description = "Do not draw progress bars.")
  boolean noProgress;

  /** Creates the command; picocli fills in the options. */
  public ExperimentCommand() {}

  /**
   * Runs the experiment.
   *
   * @return 0 on success, 2 for a bad option
   * @throws Exception when training or writing fails
   */
  @Override
  public Integer call() throws Exception {
    PrintWriter o = spec.commandLine().getOut();
    Preset p;
    List<Quickstart.Method> ms = new ArrayList<>();
    RolloutEngine engine;
    RolloutShards shards;
    try {
      p = overrides.apply(Preset.named(preset));
      for (String m : methods) {
        ms.add(Quickstart.Method.parse(m));
      }
      shards = rollouts.shards();
      engine = rollouts.open();
    } catch (IllegalArgumentException e) {
      spec.commandLine().getErr().println(e.getMessage());
      return 2;
    }
    try (engine) {
      return run(o, p, ms, new Quickstart.Rollouts(engine, shards));
    }
  }

  private int run(PrintWriter o, Preset p, List<Quickstart.Method> ms, Quickstart.Rollouts rollouts)
      throws Exception {
    Map<Quickstart.Method, List<Quickstart.MethodResult>> results = new LinkedHashMap<>();
    Map<String, Object> json = new LinkedHashMap<>();
    json.put("preset", p.toString());
    Map<String, Object> perSeed = new LinkedHashMap<>();
    for (long seed : seeds) {
      Path dir = out.resolve("seed-" + seed);
      Quickstart.Splits splits = overrides.evaluating(Quickstart.splits(p, seed));
      o.println("seed " + seed + ": warm start");
      o.flush();
      Quickstart.WarmStart warm = Quickstart.warmStart(p, seed, splits, dir.resolve("warm-start"), !noProgress);
      Map<String, Object> seedJson = new LinkedHashMap<>();
      seedJson.put("warm_start_seconds", warm.seconds());
      for (Quickstart.Method m : ms) {
        o.println("seed " + seed + ": " + m.key());
        o.flush();
        Quickstart.MethodResult r = Quickstart.runMethod(m, p, seed, splits, Path.of(warm.modelDir()),
            dir.resolve(m.key()), !noProgress, rollouts);
        results.computeIfAbsent(m, x -> new ArrayList<>()).add(r);
        seedJson.put(m.key(), QuickstartReport.build(p, seed, r.seconds(), warm, r));
        QuickstartReport.printTable(o, r);
      }
      perSeed.put(Long.toString(seed), seedJson);
    }
    json.put("seeds", perSeed);
    Files.createDirectories(out);
    Files.writeString(out.resolve("experiment.json"), QuickstartReport.toJson(json));
    String table = summaryTable(p, results);
    Files.writeString(out.resolve("results.md"), table);
    for (String split : splitsOf(results)) {
      List<Curves.Series> series = new ArrayList<>();
      results.forEach((m, rs) -> {
        double[][] ms2 = meanStd(rs, split);
        series.add(new Curves.Series(m.key(), ms2[0], ms2[1]));
      });
      Curves.draw(out.resolve("experiment-" + split + ".png"), split + " accuracy, mean ± std over " + seeds.size()
          + " seeds", series);
    }
    o.println();
    o.print(table);
    o.flush();
    return 0;
  }

  /** Mean and population standard deviation over seeds, per iteration (0 = warm start). */
  static double[][] meanStd(List<Quickstart.MethodResult> rs, String split) {
    int n = rs.stream().mapToInt(r -> r.iterations().size()).min().orElse(0) + 1;
    double[] mean = new double[n];
    double[] std = new double[n];
    for (int i = 0; i < n; i++) {
      double s = 0;
      double s2 = 0;
      for (Quickstart.MethodResult r : rs) {
        Map<String, EvalResult> e = i == 0 ? r.baseline() : r.iterations().get(i - 1).evaluations();
        double a = e.containsKey(split) ? e.get(split).accuracy() : Double.NaN;
        s += a;
        s2 += a * a;
      }
      mean[i] = s / rs.size();
      std[i] = Math.sqrt(Math.max(0, s2 / rs.size() - mean[i] * mean[i]));
    }
    return new double[][] {mean, std};
  }

  /** The evaluated splits in table order (in-domain, out-of-domain, validation), from the first result. */
  static List<String> splitsOf(Map<Quickstart.Method, List<Quickstart.MethodResult>> results) {
    return results.values().stream().flatMap(List::stream).findFirst().map(QuickstartReport::tableSplits)
        .orElse(List.of());
  }

  /**
   * Mean over seeds of the validation answers' arithmetic accuracy per row (0 = warm start), from the audits that
   * exist; row 0 also takes the audit of any other method of the same seeds (the warm start is shared).
   */
  static double[] meanArithmetic(List<Quickstart.MethodResult> rs,
      Map<Quickstart.Method, List<Quickstart.MethodResult>> all) {
    int n = rs.stream().mapToInt(r -> r.iterations().size()).min().orElse(0) + 1;
    double[] out = new double[n];
    for (int i = 0; i < n; i++) {
      final int row = i;
      List<StepAudit> found = new ArrayList<>();
      for (int s = 0; s < rs.size(); s++) {
        StepAudit a = QuickstartReport.audit(rs.get(s), row);
        if (a == null && row == 0) {
          for (List<Quickstart.MethodResult> other : all.values()) {
            if (a == null && s < other.size()) {
              a = QuickstartReport.audit(other.get(s), 0);
            }
          }
        }
        if (a != null) {
          found.add(a);
        }
      }
      out[i] = found.isEmpty() ? Double.NaN
          : found.stream().mapToDouble(StepAudit::arithmeticAccuracy).average().orElse(Double.NaN);
    }
    return out;
  }

  static String summaryTable(Preset p, Map<Quickstart.Method, List<Quickstart.MethodResult>> results) {
    StringWriter sw = new StringWriter();
    PrintWriter w = new PrintWriter(sw);
    List<String> splits = splitsOf(results);
    w.println("Preset: " + p);
    w.println();
    QuickstartReport.printHeader(w, List.of("method", "iteration"), splits, List.of("pairs/examples (new)",
        "sound chosen", "val. arithmetic", "seconds per iteration"));
    results.forEach((m, rs) -> {
      List<double[][]> columns = new ArrayList<>();
      for (String split : splits) {
        columns.add(meanStd(rs, split));
      }
      double[] arithmetic = meanArithmetic(rs, results);
      for (int i = 0; i < columns.get(0)[0].length; i++) {
        final int it = i;
        double pairs = i == 0 ? Double.NaN
            : rs.stream().mapToInt(r -> r.iterations().get(it - 1).newExamples()).average().orElse(Double.NaN);
        double sound = i == 0 ? Double.NaN
            : rs.stream().mapToDouble(r -> r.soundChosen().get(it - 1)).average().orElse(Double.NaN);
        double secs = i == 0 ? Double.NaN
            : rs.stream().mapToDouble(r -> r.iterations().get(it - 1).totalSeconds()).average().orElse(Double.NaN);
        StringBuilder row = new StringBuilder("| " + m.key() + " | " + (i == 0 ? "0 (warm start)" : i) + " |");
        for (double[][] c : columns) {
          row.append(' ').append(ms(c, i)).append(" |");
        }
        w.printf(Locale.ROOT, "%s %s | %s | %s | %s |%n", row,
            Double.isNaN(pairs) ? "" : String.format(Locale.ROOT, "%.0f", pairs),
            Double.isNaN(sound) ? "" : String.format(Locale.ROOT, "%.0f%%", 100 * sound),
            Double.isNaN(arithmetic[i]) ? "" : String.format(Locale.ROOT, "%.1f%%", 100 * arithmetic[i]),
            Double.isNaN(secs) ? "" : String.format(Locale.ROOT, "%.0f", secs));
      }
    });
    w.flush();
    return sw.toString();
  }

  private static String ms(double[][] v, int i) {
    return String.format(Locale.ROOT, "%.1f ± %.1f", 100 * v[0][i], 100 * v[1][i]);
  }
}
