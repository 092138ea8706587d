package io.github.sipf4j.prm.report;

import static io.github.sipf4j.prm.report.Svg.esc;
import static io.github.sipf4j.prm.report.Svg.number;
import static io.github.sipf4j.prm.report.Svg.value;

import com.google.common.base.Preconditions;
import io.github.sipf4j.orpo.util.AtomicFiles;
import io.github.sipf4j.prm.iterate.EvalResult;
import io.github.sipf4j.prm.iterate.SelfIterativeTrainer;
import io.github.sipf4j.prm.iterate.phase.LocalArtefactStore;
import io.github.sipf4j.prm.iterate.phase.SelectPhase;
import io.github.sipf4j.prm.process.StepMetrics;
import java.io.IOException;
import java.nio.file.Path;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.function.Function;

/**
 * Writes the report of a {@link io.github.sipf4j.prm.iterate.SelfIterativeTrainer} run directory: one
 * self-contained {@code report.html} (styles, a few lines of script and every chart inline, nothing fetched), small
 * and quick to write because it shows a bounded sample of the run's rationales. It holds
 * <ul>
 *   <li>one accuracy curve per evaluation set over the iterations (row 0: the starting policy), with the 95% Wilson
 *       interval each evaluation recorded;</li>
 *   <li>the wall time of every phase, set against the estimate of the run's {@link RunPlan} ({@code plan.json})
 *       when the directory holds one;</li>
 *   <li>per iteration: samples and their verified share, simulated samples, new and accumulated pairs, the trained
 *       PRM's held-out step accuracy, F1 on wrong steps and AUROC, and the policy's training steps and loss;</li>
 *   <li>per iteration, a browsable sample of rationales ({@link #DEFAULT_RATIONALES_PER_ITERATION} by default,
 *       chosen deterministically: simulated ones first, correct and incorrect in turn) with every step coloured by
 *       its reward-model score or Monte-Carlo share, and chosen/rejected pairs side by side with the steps that
 *       differ marked.</li>
 * </ul>
 * A run in progress gives a report of what is finished so far; a file that cannot be read is named in the report and
 * the rest is shown. All text from the run (rationales are model output) is escaped.
 *
 * <pre>{@code
 * Path file = HtmlReport.withDefaults().write(Path.of("runs/sipf"));   // runs/sipf/report.html
 * }</pre>
 *
 * <p>{@link io.github.sipf4j.prm.iterate.SelfIterativeTrainer} rewrites the report after every phase
 * ({@link HtmlReportListener}) unless its builder's {@code htmlReport(false)} turns it off. Instances are immutable.
 */
public final class HtmlReport {

  /** The report's file name in the run directory. */
  public static final String FILE = "report.html";

  /** How many rationales of each iteration the report shows by default. */
  public static final int DEFAULT_RATIONALES_PER_ITERATION = 20;

  /** How many chosen/rejected pairs of each iteration the report shows by default. */
  public static final int DEFAULT_PAIRS_PER_ITERATION = 8;

  /** The longest step text shown; longer steps are cut with a note of how much was left out. */
  static final int MAX_STEP_CHARS = 600;

  /** The most steps of one rationale shown. */
  static final int MAX_STEPS = 40;

  private final int rationalesPerIteration;
  private final int pairsPerIteration;

  private HtmlReport(int rationalesPerIteration, int pairsPerIteration) {
    Preconditions.checkArgument(rationalesPerIteration >= 0, "rationalesPerIteration must be >= 0, got %s",
        rationalesPerIteration);
    Preconditions.checkArgument(pairsPerIteration >= 0, "pairsPerIteration must be >= 0, got %s",
        pairsPerIteration);
    this.rationalesPerIteration = rationalesPerIteration;
    this.pairsPerIteration = pairsPerIteration;
  }

  /**
   * Returns a report with the defaults: {@link #DEFAULT_RATIONALES_PER_ITERATION} rationales and
   * {@link #DEFAULT_PAIRS_PER_ITERATION} pairs per iteration.
   *
   * @return the report
   */
  public static HtmlReport withDefaults() {
    return new HtmlReport(DEFAULT_RATIONALES_PER_ITERATION, DEFAULT_PAIRS_PER_ITERATION);
  }

  /**
   * Returns a copy that shows another number of rationales per iteration.
   *
   * @param n the rationales per iteration, at least 0
   * @return the new report
   */
  public HtmlReport rationalesPerIteration(int n) {
    return new HtmlReport(n, pairsPerIteration);
  }

  /**
   * Returns a copy that shows another number of pairs per iteration.
   *
   * @param n the pairs per iteration, at least 0
   * @return the new report
   */
  public HtmlReport pairsPerIteration(int n) {
    return new HtmlReport(rationalesPerIteration, n);
  }

  /**
   * Writes {@value #FILE} into a run directory, replacing an earlier one atomically (a reader never sees half a
   * file).
   *
   * @param runDir the run directory
   * @return the file written
   * @throws IOException if the directory cannot be listed or the file cannot be written
   */
  public Path write(Path runDir) throws IOException {
    return write(runDir, new HashMap<>(), null);
  }

  /**
   * Records the wall time of a phase that a program ran outside the loop, such as an SFT warm start before iteration
   * 0, where the report finds it: beside the loop's own phase markers ({@code baseline/phases/<phase>.json} for
   * iteration 0, {@code iteration-NN/phases/<phase>.json} after), so that the phase times and the plan comparison
   * count it as measured. The loop's own phases are refused: the loop records those.
   *
   * <pre>{@code
   * HtmlReport.recordPhaseTime(workDir, 0, "warm_start", 154.9);   // before SelfIterativeTrainer.run()
   * }</pre>
   *
   * @param runDir the run directory
   * @param iteration the iteration the phase belongs to, 0 for before the first
   * @param phase the phase's key, as in {@code plan.json}: letters, digits and underscores
   * @param seconds its wall time, finite and not negative
   * @return the file written
   * @throws IOException if it cannot be written
   */
  public static Path recordPhaseTime(Path runDir, int iteration, String phase, double seconds) throws IOException {
    Preconditions.checkArgument(iteration >= 0, "iteration must be at least 0, got %s", iteration);
    Preconditions.checkArgument(phase != null && phase.matches("[A-Za-z0-9_]+"),
        "phase must be letters, digits and underscores, got %s", phase);
    Preconditions.checkArgument(java.util.stream.Stream.of(io.github.sipf4j.prm.iterate.Phase.values())
        .noneMatch(p -> p.key().equals(phase)), "%s is a phase of the loop, which records its own time", phase);
    Preconditions.checkArgument(Double.isFinite(seconds) && seconds >= 0,
        "seconds must be finite and not negative, got %s", seconds);
    Path file = runDir.resolve(SelfIterativeTrainer.iterationFolder(iteration)).resolve("phases")
        .resolve(phase + ".json");
    java.nio.file.Files.createDirectories(file.getParent());
    AtomicFiles.writeString(file, String.format(Locale.ROOT, "{\"seconds\": %s}%n", seconds));
    return file;
  }

  /**
   * Renders the report of a run directory without writing it.
   *
   * @param runDir the run directory
   * @return the HTML page
   * @throws IOException if the directory cannot be listed
   */
  public String render(Path runDir) throws IOException {
    return render(read(runDir, new HashMap<>()), null);
  }

  /**
   * Writes the report, reusing (and adding to) snapshots of finished iterations; {@code running} names the phase
   * running now, or is null.
   */
  Path write(Path runDir, Map<String, IterationSnapshot> finished, String running) throws IOException {
    String html = render(read(runDir, finished), running);
    Path file = runDir.resolve(FILE);
    AtomicFiles.writeString(file, html);
    return file;
  }

  private RunSnapshot read(Path runDir, Map<String, IterationSnapshot> finished) throws IOException {
    return RunSnapshot.read(runDir, new IterationReader(new LocalArtefactStore(runDir), rationalesPerIteration,
        pairsPerIteration), finished);
  }

  private static final String[] PALETTE = {"#2563eb", "#dc2626", "#16a34a", "#9333ea", "#ea580c", "#0891b2"};

  /** Renders a snapshot; {@code running} names the phase running now, or is null when none is known to run. */
  static String render(RunSnapshot run, String running) {
    StringBuilder b = new StringBuilder(64 * 1024);
    String name = run.dir().toAbsolutePath().normalize().getFileName() == null ? run.dir().toString()
        : run.dir().toAbsolutePath().normalize().getFileName().toString();
    b.append("<!DOCTYPE html>\n<html lang=\"en\"><head><meta charset=\"utf-8\">")
        .append("<meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">")
        .append("<title>sipf4j run: ").append(esc(name)).append("</title><style>").append(CSS)
        .append("</style></head><body>\n");
    RunForecast forecast = forecast(run);
    header(b, run, name, running, forecast);
    if (!run.problems().isEmpty()) {
      b.append("<div class=\"problems\"><b>Files that could not be read</b> (the rest of the report is shown):<ul>");
      run.problems().forEach(p -> b.append("<li>").append(esc(p)).append("</li>"));
      b.append("</ul></div>\n");
    }
    accuracy(b, run);
    phaseTimes(b, run, forecast);
    trainingData(b, run);
    rationales(b, run);
    pairs(b, run);
    settings(b, run);
    b.append("<script>").append(SCRIPT).append("</script>\n</body></html>\n");
    return b.toString();
  }

  private static void header(StringBuilder b, RunSnapshot run, String name, String running,
      RunForecast forecast) {
    List<IterationSnapshot> its = run.iterations();
    long finished = its.stream().filter(i -> i.iteration() > 0 && i.complete()).count();
    IterationSnapshot last = its.isEmpty() ? null : its.get(its.size() - 1);
    String status;
    if (running != null) {
      status = running;
    } else if (last == null) {
      status = "not started";
    } else if (!last.complete()) {
      List<String> done = new ArrayList<>(last.seconds().keySet());
      status = label(last) + " unfinished, " + (done.isEmpty() ? "no phase finished yet"
          : "last finished phase " + done.get(done.size() - 1));
    } else if (last.iteration() == 0) {
      status = "starting policy evaluated";
    } else if (run.plan() != null && finished >= run.plan().iterations()) {
      status = "finished: " + finished + " of " + run.plan().iterations() + " planned iterations";
    } else {
      status = label(last) + " finished";
    }
    b.append("<header><h1>sipf4j run <span class=\"name\">").append(esc(name)).append("</span></h1><p>");
    b.append("<span class=\"badge\">").append(esc(status)).append("</span> ");
    b.append(finished).append(finished == 1 ? " iteration" : " iterations").append(" finished");
    String mode = run.settings().get("mode");
    if (mode != null) {
      b.append(" · mode ").append(esc(mode.toLowerCase(Locale.ROOT)));
    }
    if (mode == null || mode.equals("PROCESS")) {
      String source = run.settings().get("reward_source");
      if (source != null) {
        b.append(" · step rewards: ").append(esc(rewardName(run.settings())));
      }
    }
    double total = its.stream().flatMap(i -> i.seconds().values().stream()).mapToDouble(Double::doubleValue).sum();
    b.append(" · ").append(duration(total)).append(" of phase time");
    if (forecast != null && forecast.remainingSeconds() > 0 && forecast.measuredSeconds() > 0) {
      b.append(" · about ").append(duration(forecast.remainingSeconds())).append(" left")
          .append(forecast.revised() ? " (the plan revised by the measured phase times)" : " (by the plan)");
    }
    b.append(" · written ").append(esc(Instant.now().truncatedTo(ChronoUnit.SECONDS).toString())).append("</p>");
    Map<String, List<EvalResult>> curves = curves(run);
    if (!curves.isEmpty()) {
      b.append("<div class=\"cards\">");
      curves.forEach((set, rs) -> {
        EvalResult first = rs.stream().filter(r -> r != null).findFirst().orElse(null);
        EvalResult now = null;
        for (EvalResult r : rs) {
          now = r == null ? now : r;
        }
        b.append("<div class=\"card\"><div class=\"k\">").append(esc(set)).append("</div><div class=\"v\">")
            .append(value(now.accuracy(), true)).append("</div><div class=\"s\">95% ")
            .append(value(now.lower(), true)).append("–").append(value(now.upper(), true)).append(", ")
            .append(now.correct()).append("/").append(now.n());
        if (first != now) {
          double d = 100 * (now.accuracy() - first.accuracy());
          b.append("<br>").append(String.format(Locale.ROOT, "%+.1f", d)).append(" points since ")
              .append(value(first.accuracy(), true));
        }
        b.append("</div></div>");
      });
      b.append("</div>");
    }
    b.append("</header>\n");
  }

  /** The run's plan revised by its measured phase times, or null without a plan. */
  private static RunForecast forecast(RunSnapshot run) {
    if (run.plan() == null) {
      return null;
    }
    Map<Integer, Map<String, Double>> measured = new LinkedHashMap<>();
    run.iterations().forEach(i -> measured.put(i.iteration(), i.seconds()));
    return RunForecast.of(run.plan(), measured);
  }

  /** Accuracy per evaluation set and iteration; null where an iteration has no evaluation of the set yet. */
  private static Map<String, List<EvalResult>> curves(RunSnapshot run) {
    Map<String, List<EvalResult>> out = new LinkedHashMap<>();
    for (IterationSnapshot it : run.iterations()) {
      it.evaluations().keySet().forEach(set -> out.putIfAbsent(set, new ArrayList<>()));
    }
    for (IterationSnapshot it : run.iterations()) {
      out.forEach((set, list) -> list.add(it.evaluations().get(set)));
    }
    return out;
  }

  private static void accuracy(StringBuilder b, RunSnapshot run) {
    b.append("<section><h2>Accuracy</h2>");
    Map<String, List<EvalResult>> curves = curves(run);
    if (curves.isEmpty()) {
      b.append("<p class=\"note\">No evaluation has finished yet.</p></section>\n");
      return;
    }
    b.append("<p class=\"note\">Greedy accuracy on each evaluation set after every iteration (0: the starting "
        + "policy), with the 95% Wilson interval recorded by the evaluation.</p><div class=\"charts\">");
    List<String> x = run.iterations().stream().map(i -> Integer.toString(i.iteration())).toList();
    int c = 0;
    for (Map.Entry<String, List<EvalResult>> e : curves.entrySet()) {
      List<EvalResult> rs = e.getValue();
      double[] v = new double[rs.size()];
      double[] lo = new double[rs.size()];
      double[] hi = new double[rs.size()];
      String[] hints = new String[rs.size()];
      for (int i = 0; i < rs.size(); i++) {
        EvalResult r = rs.get(i);
        v[i] = r == null ? Double.NaN : r.accuracy();
        lo[i] = r == null ? Double.NaN : r.lower();
        hi[i] = r == null ? Double.NaN : r.upper();
        hints[i] = r == null ? null : String.format(Locale.ROOT, "iteration %s: %s (95%% %s–%s, %d of %d)", x.get(i),
            value(r.accuracy(), true), value(r.lower(), true), value(r.upper(), true), r.correct(), r.n());
      }
      b.append(Svg.lines("accuracy-" + e.getKey(), e.getKey() + ": accuracy by iteration", x,
          List.of(new Svg.Series(e.getKey(), PALETTE[c++ % PALETTE.length], v, lo, hi, hints)), true, 0.1));
    }
    b.append("</div></section>\n");
  }

  private static void phaseTimes(StringBuilder b, RunSnapshot run, RunForecast forecast) {
    b.append("<section><h2>Phase times</h2>");
    RunPlan plan = run.plan();
    Set<String> phases = new LinkedHashSet<>();
    run.iterations().forEach(i -> phases.addAll(i.seconds().keySet()));
    if (plan != null) {
      plan.phases().forEach(p -> phases.add(p.phase()));
    }
    if (phases.isEmpty()) {
      b.append("<p class=\"note\">No phase has finished yet.</p></section>\n");
      return;
    }
    List<String> keys = new ArrayList<>(ordered(phases));
    List<String> labels = new ArrayList<>(keys);
    double[] measured = new double[keys.size()];
    double[] estimated = new double[keys.size()];
    for (int k = 0; k < keys.size(); k++) {
      String key = keys.get(k);
      double m = 0;
      double e = 0;
      boolean any = false;
      boolean anyEstimate = false;
      for (IterationSnapshot it : run.iterations()) {
        Double s = it.seconds().get(key);
        if (s != null) {
          any = true;
          m += s;
          if (plan != null) {
            var est = plan.estimate(it.iteration(), key);
            if (est.isPresent()) {
              anyEstimate = true;
              e += est.get().seconds();
            }
          }
        }
      }
      if (!any && plan != null) {
        // Not measured in this directory yet (or run elsewhere, like a warm start): the plan's whole estimate.
        e = plan.phases().stream().filter(p -> p.phase().equals(key)).mapToDouble(PhaseEstimate::seconds).sum();
        anyEstimate = true;
        labels.set(k, key + " (not run)");
      }
      measured[k] = any ? m : Double.NaN;
      estimated[k] = anyEstimate ? e : Double.NaN;
    }
    if (plan == null) {
      b.append("<p class=\"note\">Wall time of each phase, summed over the iterations finished so far. This run "
          + "directory holds no <code>plan.json</code>, so there are no estimates to compare with.</p>");
      b.append(Svg.bars("phase-times", "seconds per phase, all iterations", labels,
          List.of(Svg.Series.of("measured", PALETTE[0], measured)), " s", false));
    } else {
      double measuredTotal = 0;
      double estimateSame = 0;
      for (IterationSnapshot it : run.iterations()) {
        for (Map.Entry<String, Double> s : it.seconds().entrySet()) {
          var est = plan.estimate(it.iteration(), s.getKey());
          if (est.isPresent()) {
            measuredTotal += s.getValue();
            estimateSame += est.get().seconds();
          }
        }
      }
      b.append("<p class=\"note\">Wall time of each phase against the plan made ")
          .append(esc(String.valueOf(plan.created()))).append(" for ").append(esc(String.valueOf(plan.model())))
          .append(" on ").append(esc(String.valueOf(plan.device()))).append(": ")
          .append(duration(plan.totalSeconds())).append(" for ").append(plan.iterations())
          .append(" iterations, ").append(number(plan.totalGeneratedTokens())).append(" generated tokens, ")
          .append("dominated by <b>").append(esc(String.valueOf(plan.dominantPhase()))).append("</b>. ");
      if (estimateSame > 0) {
        b.append("The phases finished so far took ").append(duration(measuredTotal)).append(" against ")
            .append(duration(estimateSame)).append(" estimated (measured / estimated = ")
            .append(String.format(Locale.ROOT, "%.2f", measuredTotal / estimateSame)).append(").");
      }
      if (forecast.remainingSeconds() > 0 && forecast.revised()) {
        b.append(" Scaling each phase still to run by how the same phase went in its latest iteration, the "
            + "planned run takes about ").append(duration(forecast.totalSeconds())).append(", ")
            .append(duration(forecast.remainingSeconds())).append(" of it still to come.");
      }
      b.append(" Bars sum the iterations where the phase has finished; a phase not run yet shows its whole "
          + "estimate.</p>");
      b.append(Svg.bars("phase-times", "seconds per phase: estimate against measured", labels,
          List.of(Svg.Series.of("estimate", "#9ca3af", estimated), Svg.Series.of("measured", PALETTE[0], measured)),
          " s", false));
    }
    phaseTable(b, run, keys);
    b.append("</section>\n");
  }

  private static void phaseTable(StringBuilder b, RunSnapshot run, List<String> keys) {
    RunPlan plan = run.plan();
    b.append("<details><summary>Seconds per iteration and phase</summary><table><tr><th>iteration</th>");
    keys.forEach(k -> b.append("<th>").append(esc(k)).append("</th>"));
    b.append("<th>total</th></tr>");
    for (IterationSnapshot it : run.iterations()) {
      b.append("<tr><td>").append(esc(label(it))).append("</td>");
      double total = 0;
      for (String k : keys) {
        Double s = it.seconds().get(k);
        total += s == null ? 0 : s;
        b.append("<td>").append(s == null ? "" : number(s));
        if (plan != null) {
          plan.estimate(it.iteration(), k).ifPresent(e -> b.append(" <span class=\"est\">/ ")
              .append(number(e.seconds())).append("</span>"));
        }
        b.append("</td>");
      }
      b.append("<td>").append(number(total)).append("</td></tr>");
    }
    b.append("</table>");
    if (plan != null) {
      b.append("<p class=\"note\">measured <span class=\"est\">/ estimated</span> seconds</p>");
    }
    b.append("</details>");
  }

  private static List<String> ordered(Set<String> phases) {
    List<String> known = java.util.Arrays.stream(io.github.sipf4j.prm.iterate.Phase.values())
        .map(io.github.sipf4j.prm.iterate.Phase::key).toList();
    List<String> out = new ArrayList<>();
    phases.stream().filter(p -> !known.contains(p)).sorted().forEach(out::add);
    known.stream().filter(phases::contains).forEach(out::add);
    return out;
  }

  private static void trainingData(StringBuilder b, RunSnapshot run) {
    List<IterationSnapshot> its = run.iterations().stream().filter(i -> i.iteration() > 0).toList();
    b.append("<section><h2>Samples, pairs and the PRM</h2>");
    if (its.isEmpty()) {
      b.append("<p class=\"note\">No iteration has started yet.</p></section>\n");
      return;
    }
    List<String> cats = its.stream().map(HtmlReport::label).toList();
    boolean pairs = its.stream().anyMatch(i -> i.select() != null);
    b.append("<div class=\"charts\">");
    if (pairs) {
      boolean rft = "RFT".equals(run.settings().get("mode"));
      b.append(Svg.bars("pairs", rft ? "supervised examples per iteration" : "pairs per iteration", cats, List.of(
          Svg.Series.of("new", "#f59e0b", values(its, i -> i.select() == null ? null : (double) i.select().fresh())),
          Svg.Series.of("accumulated", PALETTE[0],
              values(its, i -> i.select() == null ? null : (double) i.select().total()))), "", true));
    }
    boolean prm = its.stream().anyMatch(i -> i.prm() != null && i.prm().trained());
    if (prm) {
      double[] acc = values(its, i -> i.prmMetrics() == null ? null : i.prmMetrics().accuracy());
      double[] auroc = values(its, i -> i.prmMetrics() == null ? null : i.prmMetrics().auroc());
      double[] f1 = values(its, i -> i.prmMetrics() == null ? null : i.prmMetrics().f1());
      if (java.util.stream.DoubleStream.of(acc).anyMatch(Double::isFinite)
          || java.util.stream.DoubleStream.of(auroc).anyMatch(Double::isFinite)) {
        b.append(Svg.lines("prm", "PRM on held-out steps", its.stream().map(i -> Integer.toString(i.iteration()))
            .toList(), List.of(Svg.Series.of("step accuracy", "#16a34a", acc), Svg.Series.of("AUROC", "#9333ea",
            auroc), Svg.Series.of("F1 wrong steps", "#dc2626", f1)), false, 1.0));
      }
    }
    b.append("</div>");
    b.append("<table><tr><th>iteration</th><th>samples</th><th>correct</th><th>simulated</th>"
        + "<th>flawed correct</th><th>new</th><th>accumulated</th><th>gold chosen</th><th>correct rejected</th>"
        + "<th>PRM steps</th><th>PRM step acc.</th><th>F1 wrong</th><th>AUROC</th><th>policy steps</th>"
        + "<th>policy loss</th></tr>");
    for (IterationSnapshot it : its) {
      SelectPhase.Summary s = it.select();
      StepMetrics m = it.prmMetrics();
      b.append("<tr><td>").append(esc(label(it))).append("</td>");
      cell(b, it.sample() == null ? null : number(it.sample().samples()));
      cell(b, it.verify() == null || it.verify().samples() == 0 ? null
          : value((double) it.verify().correct() / it.verify().samples(), true));
      cell(b, it.simulate() == null ? null : number(it.simulate().simulated()));
      cell(b, it.simulate() == null ? null : number(it.simulate().flawedCorrect()));
      cell(b, s == null ? null : number(s.fresh()));
      cell(b, s == null ? null : number(s.total()));
      cell(b, s == null ? null : number(s.goldChosen()));
      cell(b, s == null ? null : number(s.correctRejected()));
      cell(b, it.prm() == null ? null : it.prm().trained() ? number(it.prm().steps()) : "not trained");
      cell(b, m == null ? null : value(m.accuracy(), true));
      cell(b, m == null ? null : number(m.f1()));
      cell(b, m == null ? null : number(m.auroc()));
      cell(b, it.train() == null ? null : number(it.train().steps()));
      cell(b, it.train() == null ? null : number(it.train().loss()));
      b.append("</tr>");
    }
    b.append("</table><p class=\"note\">Empty cells: the phase has not finished, or this run's mode does not run it. "
        + "Flawed correct: correct answers reached through a step the simulation labelled wrong. Correct rejected: "
        + "new pairs whose rejected rationale has a correct final answer (process feedback at work).</p>"
        + "</section>\n");
  }

  private static double[] values(List<IterationSnapshot> its, Function<IterationSnapshot, Double> f) {
    double[] out = new double[its.size()];
    for (int i = 0; i < out.length; i++) {
      Double v = f.apply(its.get(i));
      out[i] = v == null ? Double.NaN : v;
    }
    return out;
  }

  private static void cell(StringBuilder b, String text) {
    b.append("<td>").append(text == null ? "" : esc(text)).append("</td>");
  }

  private static void rationales(StringBuilder b, RunSnapshot run) {
    List<IterationSnapshot> its = run.iterations().stream().filter(i -> !i.rationales().isEmpty()).toList();
    b.append("<section><h2>Rationales</h2>");
    if (its.isEmpty()) {
      b.append("<p class=\"note\">No rationale has been sampled yet.</p></section>\n");
      return;
    }
    String reward = rewardName(run.settings());
    b.append("<p class=\"note\">A deterministic sample of each iteration's rationales (simulated ones first, correct "
        + "and incorrect in turn). Each step is coloured by its ").append(esc(reward))
        .append(" score, or by its Monte-Carlo share where it was not scored; <b>MC c/K</b>: c of the K completions "
            + "from the end of this step reached the right answer (– where the simulation stopped early).</p>");
    legend(b, reward);
    int open = its.size() - 1;
    for (int k = its.size() - 1; k >= 0; k--) {
      if (its.get(k).rationales().stream().anyMatch(r -> r.soft() != null || r.scores() != null)) {
        open = k;
        break;
      }
    }
    for (int k = 0; k < its.size(); k++) {
      IterationSnapshot it = its.get(k);
      b.append("<details class=\"iteration\"").append(k == open ? " open" : "").append("><summary>")
          .append(esc(label(it))).append(": ").append(it.rationales().size()).append(" rationales");
      if (it.sample() != null) {
        b.append(" of ").append(number(it.sample().samples()));
      }
      b.append("</summary><div class=\"list\">");
      for (RationaleView r : it.rationales()) {
        rationale(b, r, reward);
      }
      b.append("</div></details>");
    }
    b.append("</section>\n");
  }

  private static void legend(StringBuilder b, String reward) {
    b.append("<div class=\"legend\"><span>0</span><span class=\"scale\"></span><span>1</span> <span class=\"ex\" "
        + "style=\"background:").append(colour(0.05)).append("\">likely wrong</span><span class=\"ex\" "
        + "style=\"background:").append(colour(0.5)).append("\">unsure</span><span class=\"ex\" style=\"background:")
        .append(colour(0.95)).append("\">likely right</span><span class=\"ex none\">no label or score</span> "
            + "<span class=\"chip\">MC c/K</span> <span class=\"chip\">").append(esc(shortReward(reward)))
        .append(" 0.00–1.00</span> <span class=\"ex diff\">step not in the other rationale</span></div>");
  }

  private static void rationale(StringBuilder b, RationaleView r, String reward) {
    b.append("<div class=\"rationale\"><div class=\"head\"><b>").append(esc(r.task())).append("</b> · sample ")
        .append(r.sample());
    if (r.correct() != null) {
      b.append(r.correct() ? " · <span class=\"ok\">correct</span>" : " · <span class=\"bad\">incorrect</span>");
      if (r.extracted() != null) {
        b.append(" (answer ").append(esc(cut(r.extracted(), 80))).append(")");
      }
    }
    if (r.reward() != null) {
      b.append(" · reward ").append(number(r.reward()));
    }
    b.append("</div>");
    if (r.prompt() != null) {
      b.append("<pre class=\"prompt\">").append(esc(cut(r.prompt(), 2 * MAX_STEP_CHARS))).append("</pre>");
    }
    steps(b, r.steps(), r.scores(), r.soft(), r.rollouts(), null, reward);
    b.append("</div>");
  }

  private static void steps(StringBuilder b, List<String> steps, double[] scores, double[] soft, int[] rollouts,
      boolean[] differs, String reward) {
    b.append("<ol class=\"steps\">");
    int shown = Math.min(steps.size(), MAX_STEPS);
    for (int i = 0; i < shown; i++) {
      double score = scores != null && i < scores.length ? scores[i] : Double.NaN;
      double share = soft != null && i < soft.length && rollouts != null && i < rollouts.length && rollouts[i] > 0
          ? soft[i] : Double.NaN;
      double shade = Double.isFinite(score) ? score : share;
      b.append("<li class=\"step").append(differs != null && differs[i] ? " diff" : "").append("\"");
      if (Double.isFinite(shade)) {
        b.append(" style=\"background:").append(colour(shade)).append("\"");
      }
      b.append(">");
      if (soft != null && i < soft.length) {
        b.append("<span class=\"chip\">MC ").append(Double.isFinite(share)
            ? Math.round(share * rollouts[i]) + "/" + rollouts[i] : "–").append("</span>");
      }
      if (Double.isFinite(score)) {
        b.append("<span class=\"chip\">").append(esc(shortReward(reward))).append(" ")
            .append(String.format(Locale.ROOT, "%.2f", score)).append("</span>");
      }
      b.append("<span class=\"text\">").append(esc(cut(steps.get(i).stripTrailing(), MAX_STEP_CHARS)))
          .append("</span></li>");
    }
    b.append("</ol>");
    if (steps.size() > shown) {
      b.append("<p class=\"note\">").append(steps.size() - shown).append(" more steps not shown</p>");
    }
  }

  private static void pairs(StringBuilder b, RunSnapshot run) {
    List<IterationSnapshot> its = run.iterations().stream().filter(i -> !i.pairs().isEmpty()).toList();
    if (its.isEmpty()) {
      return;
    }
    String reward = rewardName(run.settings());
    b.append("<section><h2>Chosen against rejected</h2><p class=\"note\">A deterministic sample of each iteration's "
        + "new pairs (rejected rationales with a correct answer first). Where the two share steps, the steps that "
        + "the other side does not have are marked.</p>");
    for (int k = 0; k < its.size(); k++) {
      IterationSnapshot it = its.get(k);
      b.append("<details class=\"iteration\"").append(k == its.size() - 1 ? " open" : "").append("><summary>")
          .append(esc(label(it))).append(": ").append(it.pairs().size()).append(" pairs");
      if (it.select() != null) {
        b.append(" of ").append(number(it.select().fresh())).append(" new");
      }
      b.append("</summary>");
      for (PairView p : it.pairs()) {
        b.append("<div class=\"pair\"><div class=\"head\"><b>").append(esc(p.task())).append("</b></div>");
        b.append("<pre class=\"prompt\">").append(esc(cut(p.prompt(), 2 * MAX_STEP_CHARS))).append("</pre>");
        // Marks help only where the two share steps; two rationales with nothing in common are shown plainly.
        boolean shared = !allTrue(p.chosenDiffers()) || !allTrue(p.rejectedDiffers());
        if (!shared) {
          b.append("<p class=\"note\">The two rationales have no step in common.</p>");
        }
        b.append("<div class=\"sides\"><div class=\"side\"><div class=\"head\"><span class=\"ok\">chosen</span> · "
            + "reward ").append(number(p.chosenReward())).append(p.goldChosen() ? " · gold rationale" : "")
            .append("</div>");
        steps(b, p.chosen(), p.chosenScores(), null, null, shared ? p.chosenDiffers() : null, reward);
        b.append("</div><div class=\"side\"><div class=\"head\"><span class=\"bad\">rejected</span> · reward ")
            .append(number(p.rejectedReward())).append(p.rejectedCorrect() ? " · correct answer" : " · wrong answer")
            .append("</div>");
        steps(b, p.rejected(), p.rejectedScores(), null, null, shared ? p.rejectedDiffers() : null, reward);
        b.append("</div></div></div>");
      }
      b.append("</details>");
    }
    b.append("</section>\n");
  }

  private static boolean allTrue(boolean[] v) {
    for (boolean x : v) {
      if (!x) {
        return false;
      }
    }
    return true;
  }

  private static void settings(StringBuilder b, RunSnapshot run) {
    if (run.settings().isEmpty()) {
      return;
    }
    b.append("<section><details><summary>Run settings (run.json)</summary><table>");
    run.settings().forEach((k, v) -> b.append("<tr><th>").append(esc(k)).append("</th><td>")
        .append(esc(cut(v, 400))).append("</td></tr>"));
    b.append("</table></details></section>\n");
  }

  private static String rewardName(Map<String, String> settings) {
    if ("OUTCOME".equals(settings.get("mode"))) {
      return "outcome reward";
    }
    String source = settings.get("reward_source");
    return source == null ? "reward" : switch (source) {
      case "LEARNED" -> "PRM";
      case "MONTE_CARLO" -> "Monte-Carlo reward";
      case "CUSTOM" -> "reward model";
      default -> source.toLowerCase(Locale.ROOT);
    };
  }

  private static String shortReward(String reward) {
    return switch (reward) {
      case "PRM" -> "PRM";
      case "Monte-Carlo reward" -> "MC reward";
      case "reward model" -> "RM";
      default -> "score";
    };
  }

  private static String label(IterationSnapshot it) {
    return it.iteration() == 0 ? "start" : "iteration " + it.iteration();
  }

  /** Red (0) through yellow to green (1), light enough to read text on. */
  static String colour(double v) {
    double c = Math.max(0, Math.min(1, v));
    return String.format(Locale.ROOT, "hsl(%.0f,75%%,84%%)", 120 * c);
  }

  private static String cut(String s, int max) {
    return s.length() <= max ? s : s.substring(0, max) + " … (" + (s.length() - max) + " more characters)";
  }

  private static String duration(double seconds) {
    if (!Double.isFinite(seconds)) {
      return "–";
    }
    if (seconds < 120) {
      return String.format(Locale.ROOT, "%.0f s", seconds);
    }
    if (seconds < 7200) {
      return String.format(Locale.ROOT, "%.1f min", seconds / 60);
    }
    return String.format(Locale.ROOT, "%.1f h", seconds / 3600);
  }

  private static final String CSS = String.join("", """
      body{font:14px/1.45 system-ui,-apple-system,"Segoe UI",Roboto,sans-serif;color:#1f2937;margin:0 auto;\
      max-width:1320px;padding:16px 24px;background:#fafafa}
      h1{font-size:22px;margin:4px 0}h1 .name{color:#2563eb}h2{font-size:18px;margin:0 0 6px;border-bottom:1px \
      solid #e5e7eb;padding-bottom:4px}
      section{background:#fff;border:1px solid #e5e7eb;border-radius:8px;padding:12px 16px;margin:14px 0}
      .note{color:#6b7280;font-size:13px;margin:4px 0 8px}.badge{background:#eef2ff;color:#3730a3;border-radius:10px;\
      padding:1px 8px;font-weight:600}
      .cards{display:flex;flex-wrap:wrap;gap:10px;margin:10px 0}.card{background:#fff;border:1px solid #e5e7eb;\
      border-radius:8px;padding:8px 14px;min-width:150px}.card .k{color:#6b7280;font-size:12px}.card .v{font-size:24px;\
      font-weight:700}.card .s{color:#6b7280;font-size:12px}
      .charts{display:flex;flex-wrap:wrap;gap:12px;align-items:flex-start}
      svg.chart{background:#fff;max-width:100%;height:auto}
      svg .title{font-weight:600;font-size:13px;fill:#374151}svg .tick,svg .legend,svg .cat{font-size:11px;fill:#4b5563}
      svg .val{font-size:10px;fill:#374151}svg .grid{stroke:#e5e7eb}svg .line{stroke-width:2}svg .band{opacity:.13}
      svg .ci{stroke-width:1.5;fill:none;opacity:.7}
      table{border-collapse:collapse;font-size:13px;margin:6px 0}th,td{border-bottom:1px solid #e5e7eb;\
      padding:3px 8px;text-align:right}th{background:#f9fafb;font-weight:600}
      td:first-child,th:first-child{text-align:left;white-space:nowrap}
      .est{color:#9ca3af}details{margin:6px 0}summary{cursor:pointer;font-weight:600}
      .problems{background:#fef2f2;border:1px solid #fecaca;border-radius:8px;padding:8px 14px;margin:10px 0}
      .legend{display:flex;flex-wrap:wrap;align-items:center;gap:6px;font-size:12px;margin:6px 0 10px}
      .legend .scale{display:inline-block;width:120px;height:12px;border-radius:3px;background:linear-gradient(90deg,\
      hsl(0,75%,84%),hsl(60,75%,84%),hsl(120,75%,84%))}.legend .ex{padding:1px 6px;border-radius:3px}
      .legend .none{background:#f3f4f6}
      .list{display:grid;grid-template-columns:repeat(auto-fill,minmax(520px,1fr));gap:0 10px}
      .rationale,.pair{border:1px solid #e5e7eb;border-radius:6px;padding:6px 10px;margin:8px 0;background:#fff}
      .head{font-size:13px;margin-bottom:4px}.ok{color:#15803d;font-weight:600}.bad{color:#b91c1c;font-weight:600}
      pre.prompt{background:#f3f4f6;margin:4px 0;padding:4px 8px;border-radius:4px;white-space:pre-wrap;\
      font-size:12px;max-height:8em;overflow:auto}
      ol.steps{margin:2px 0;padding-left:28px;font-family:ui-monospace,Menlo,Consolas,monospace;font-size:12.5px}
      li.step{background:#f3f4f6;margin:2px 0;padding:1px 6px;border-radius:3px;border-left:4px solid transparent}
      li.step .text{white-space:pre-wrap;word-break:break-word}.diff,li.step.diff{border-left:4px solid #1f2937;\
      font-weight:600}li.step.diff::after{content:" \\2260";color:#1f2937}
      .chip{display:inline-block;font:11px system-ui,sans-serif;background:rgba(255,255,255,.75);border:1px solid \
      #d1d5db;border-radius:8px;padding:0 5px;margin-right:6px;color:#374151}
      .sides{display:grid;grid-template-columns:1fr 1fr;gap:10px}.side{min-width:0}
      """.lines().toList());

  /** Marks the page when every chart holds data, for checks that render it (scripts/check_report.sh). */
  private static final String SCRIPT = "(function(){var c=document.querySelectorAll('svg.chart'),e=[];"
      + "for(var i=0;i<c.length;i++){if(!c[i].querySelector('.datum'))e.push(c[i].id);}"
      + "document.body.setAttribute('data-report-check',e.length?'empty:'+e.join(','):'ok:'+c.length);})();";
}
