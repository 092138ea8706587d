package io.github.sipf4j.examples.cli;

import io.github.sipf4j.examples.run.RunPlanner;
import io.github.sipf4j.examples.run.RunSettings;
import io.github.sipf4j.examples.run.RunSetup;
import io.github.sipf4j.orpo.util.AtomicFiles;
import io.github.sipf4j.prm.iterate.EvalResult;
import io.github.sipf4j.prm.iterate.IterationReport;
import io.github.sipf4j.prm.iterate.Phase;
import io.github.sipf4j.prm.iterate.SelfIterativeListener;
import io.github.sipf4j.prm.iterate.SelfIterativeResult;
import io.github.sipf4j.prm.iterate.SelfIterativeTrainer;
import io.github.sipf4j.prm.report.RunForecast;
import io.github.sipf4j.prm.report.RunPlan;
import io.github.sipf4j.prm.rollout.RolloutEngine;
import io.github.sipf4j.prm.task.TaskSet;
import java.io.IOException;
import java.io.PrintWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.Callable;
import org.snakeyaml.engine.v2.api.Load;
import org.snakeyaml.engine.v2.api.LoadSettings;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Spec;

/**
 * {@code sipf4j run --config run.yaml}: the whole method from a run file, resumable. The file is checked first (every
 * problem listed with its key path and line); the resolved settings, defaults included, go to {@code
 * run-config.yaml} in the output directory, and re-running the same command continues where it stopped.
 */
@Command(
    name = "run",
    mixinStandardHelpOptions = true,
    description = {"Runs SIPF as a run file describes it: the model (a Hugging Face folder, a saved sipf4j model or "
        + "the embedded DecoderLm), an optional SFT warm start, training tasks and evaluation sets, sampling, "
        + "simulation, PRM, pairs, ORPO and iterations. Every setting not written takes its documented default "
        + "(examples/run-files/reference.yaml).",
        "The file is checked before any work; the resolved settings go to run-config.yaml in the output directory. "
            + "Re-running the same command resumes; a larger iteration count continues a finished run."})
public final class RunCommand implements Callable<Integer> {
  @Spec CommandSpec spec;

  @Mixin RunFileOptions runFile = new RunFileOptions();

  /** Creates the command; picocli fills in the options. */
  public RunCommand() {}

  /**
   * Checks the run file, then runs or resumes the run.
   *
   * @return 0 on success
   * @throws Exception when the run file is invalid or the run fails (reported in one line by the command line)
   */
  @Override
  public Integer call() throws Exception {
    PrintWriter o = spec.commandLine().getOut();
    RunSettings s = runFile.read();
    Path out = RunSetup.output(s);
    checkSameRun(out, s);
    TaskSet train = RunSetup.trainTasks(s);
    Map<String, TaskSet> eval = RunSetup.evalSets(s);
    Files.createDirectories(out);
    AtomicFiles.writeString(out.resolve(RunSetup.CONFIG_FILE), s.toYaml());
    o.printf(Locale.ROOT, "sipf4j run: %s, %d training tasks, %d evaluation sets, %d iterations, output %s%n",
        s.getBool("model.embedded") ? "embedded DecoderLm" : s.getString("model.path"), train.size(), eval.size(),
        s.getInt("iterations"), out);
    o.flush();
    SelfIterativeResult r;
    long t0 = System.nanoTime();
    if (s.section("warm_start") != null) {
      o.println("SFT warm start: " + s.getInt("warm_start.steps") + " steps");
      o.flush();
    }
    try (RolloutEngine engine = RunSetup.rolloutEngine(s);
        RunSetup.OpenModel model = RunSetup.warmStart(s, RunSetup.openModel(s))) {
      if (s.section("warm_start") != null) {
        revisePlan(o, s, model);
      }
      SelfIterativeTrainer.Builder b = RunSetup.trainer(s, model, train, eval);
      if (engine != null) {
        b.rolloutEngine(engine);
      }
      forecastListener(o, out).ifPresent(b::listener);
      r = b.build().run();
    }
    printSummary(o, r, eval.keySet());
    o.printf(Locale.ROOT, "%nWall time %.0f s. Metrics in %s, final policy in %s%n", (System.nanoTime() - t0) / 1e9,
        out.resolve("metrics.csv"), r.finalPolicyDir());
    o.flush();
    return 0;
  }

  /**
   * Once the warm start has run, replaces the rollouts of the output directory's plan (upper bounds until then) by a
   * probe of the warm-started policy ({@link RunPlanner#revise}); a plan that cannot be revised is said in one line
   * and the run goes on.
   */
  private static void revisePlan(PrintWriter o, RunSettings s, RunSetup.OpenModel model) {
    try {
      Optional<RunPlan> before = RunPlan.read(RunSetup.output(s));
      Optional<io.github.sipf4j.examples.run.RunPlan> revised = RunPlanner.revise(s, model, o);
      if (before.isPresent() && revised.isPresent()) {
        o.printf(Locale.ROOT, "Plan revised with the warm-started policy's rollouts: the run takes about %s (planned "
            + "%s before the warm start).%n", RunPlanner.duration(revised.get().totalSeconds()),
            RunPlanner.duration(before.get().totalSeconds()));
      }
    } catch (IOException | RuntimeException e) {
      o.println("Plan not revised: " + e.getMessage());
    }
    o.flush();
  }

  /**
   * After every iteration, prints how long the rest of the run should take: the output directory's plan (from
   * {@code sipf4j plan}) revised by the phase times measured so far ({@link RunForecast}). Nothing without a plan;
   * a plan that cannot be read is said once and the run goes on without a forecast.
   */
  private static Optional<SelfIterativeListener> forecastListener(PrintWriter o, Path out) throws IOException {
    Optional<RunPlan> plan;
    try {
      plan = RunPlan.read(out);
    } catch (IOException | RuntimeException e) {
      o.println("No forecast of the time left: " + e.getMessage());
      o.flush();
      return Optional.empty();
    }
    if (plan.isEmpty()) {
      return Optional.empty();
    }
    Map<Integer, Map<String, Double>> measured = new HashMap<>();
    Double warmStart = RunSetup.measuredSeconds(out, 0, RunSetup.WARM_START_PHASE);
    if (warmStart != null) {
      measured.computeIfAbsent(0, k -> new HashMap<>()).put(RunSetup.WARM_START_PHASE, warmStart);
    }
    return Optional.of(new SelfIterativeListener() {
      @Override
      public void onPhaseEnd(int iteration, Phase phase, double seconds, boolean resumed) {
        measured.computeIfAbsent(iteration, k -> new HashMap<>()).put(phase.key(), seconds);
      }

      @Override
      public void onIterationEnd(IterationReport report) {
        RunForecast f = RunForecast.of(plan.get(), measured);
        if (report.iteration() < plan.get().iterations() && f.remainingSeconds() > 0) {
          o.printf(Locale.ROOT, "Iteration %d done: about %s left; the planned run takes about %s (planned %s)%s.%n",
              report.iteration(), RunPlanner.duration(f.remainingSeconds()), RunPlanner.duration(f.totalSeconds()),
              RunPlanner.duration(plan.get().totalSeconds()),
              f.revised() ? ", each phase left scaled by how it went in its latest iteration" : "");
          o.flush();
        }
      }
    });
  }

  /**
   * Refuses to resume an output directory written with other settings (the iteration count and progress bars may
   * change), before anything is loaded.
   */
  private static void checkSameRun(Path out, RunSettings s) throws java.io.IOException {
    Path file = out.resolve(RunSetup.CONFIG_FILE);
    if (!Files.exists(file)) {
      return;
    }
    Object before = new Load(LoadSettings.builder().build()).loadFromString(Files.readString(file));
    Object now = new Load(LoadSettings.builder().build()).loadFromString(s.toYaml());
    List<String> diffs = new ArrayList<>();
    diff("", before, now, diffs);
    diffs.removeIf(d -> d.startsWith("iterations:") || d.startsWith("progress:"));
    if (!diffs.isEmpty()) {
      throw new IllegalArgumentException("output " + out + " holds a run with other settings (" + file + "): "
          + String.join("; ", diffs) + ". Use another output, or the same settings to resume");
    }
  }

  @SuppressWarnings("unchecked")
  private static void diff(String path, Object a, Object b, List<String> out) {
    if (a instanceof Map<?, ?> ma && b instanceof Map<?, ?> mb) {
      java.util.Set<Object> keys = new java.util.LinkedHashSet<>(ma.keySet());
      keys.addAll(mb.keySet());
      for (Object k : keys) {
        diff(path.isEmpty() ? k.toString() : path + "." + k, ((Map<Object, Object>) ma).get(k),
            ((Map<Object, Object>) mb).get(k), out);
      }
    } else if (a == null ? b != null : !a.equals(b)) {
      out.add(path + ": " + a + " -> " + b);
    }
  }

  private static void printSummary(PrintWriter o, SelfIterativeResult r, java.util.Set<String> sets) {
    StringBuilder head = new StringBuilder("| iteration |");
    StringBuilder rule = new StringBuilder("|---:|");
    for (String name : sets) {
      head.append(' ').append(name).append(" |");
      rule.append("---:|");
    }
    head.append(" pairs (new/total) | correct samples | seconds |");
    rule.append("---:|---:|---:|");
    o.println();
    o.println(head);
    o.println(rule);
    if (!r.baseline().isEmpty()) {
      StringBuilder row = new StringBuilder("| 0 |");
      for (String name : sets) {
        row.append(' ').append(pct(r.baseline().get(name))).append(" |");
      }
      o.println(row.append(" | | |"));
    }
    for (IterationReport it : r.iterations()) {
      StringBuilder row = new StringBuilder("| " + it.iteration() + " |");
      for (String name : sets) {
        row.append(' ').append(pct(it.evaluations().get(name))).append(" |");
      }
      row.append(String.format(Locale.ROOT, " %d/%d | %.1f%% | %.0f |", it.newExamples(), it.totalExamples(),
          100 * it.sampleAccuracy(), it.totalSeconds()));
      o.println(row);
    }
  }

  private static String pct(EvalResult e) {
    return e == null ? "" : String.format(Locale.ROOT, "%.1f%%", 100 * e.accuracy());
  }
}
