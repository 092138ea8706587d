package io.github.sipf4j.examples.cli;

import io.github.sipf4j.examples.run.RunPlan;
import io.github.sipf4j.examples.run.RunPlanner;
import io.github.sipf4j.examples.run.RunSettings;
import io.github.sipf4j.examples.run.RunSetup;
import io.github.sipf4j.prm.report.PhaseEstimate;
import io.github.sipf4j.prm.report.RunForecast;
import java.io.IOException;
import java.io.PrintWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
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
 * {@code sipf4j plan --config run.yaml}: what a run will cost, measured on its own model and device before it runs.
 * Prints the expected time, generated tokens and peak memory of every phase and in total, says which phase
 * dominates, and writes {@code plan.json} into the run's output directory. Where the output directory already holds
 * finished phases, it prints their measured times beside the estimate.
 */
@Command(
    name = "plan",
    mixinStandardHelpOptions = true,
    description = {"Estimates the cost of a run file before it runs: loads the model on the run's device, measures "
        + "a few decoding steps (at the configured batch and at an eighth of it), SFT and ORPO optimizer steps and "
        + "answer checks, probes what the starting policy samples, answers and simulates on a few of the run's "
        + "questions, and multiplies out every phase of every iteration.",
        "Before a warm start has run, the rollouts are upper bounds (as long as the gold rationales, every step "
            + "prefix simulated); `sipf4j run` revises plan.json once the warm start is done.",
        "Prints time, generated tokens and peak memory per phase and in total, and what dominates; writes plan.json "
            + "into the run's output directory. Phases already run there are shown measured beside the estimate."})
public final class PlanCommand implements Callable<Integer> {
  @Spec CommandSpec spec;

  @Mixin RunFileOptions runFile = new RunFileOptions();

  @Option(names = "--compare", description = "Measure nothing: print the output directory's plan.json beside the "
      + "measured times of the phases run so far.")
  boolean compare;

  /** Creates the command; picocli fills in the options. */
  public PlanCommand() {}

  /**
   * Measures, prints and writes the plan.
   *
   * @return 0 on success
   * @throws Exception when the run file is invalid or the model cannot be loaded
   */
  @Override
  public Integer call() throws Exception {
    PrintWriter o = spec.commandLine().getOut();
    RunSettings s = runFile.read();
    Path out = RunSetup.output(s);
    if (compare) {
      Path file = out.resolve(RunPlan.FILE);
      if (!Files.exists(file)) {
        throw new IllegalArgumentException(file + ": no plan yet; run plan without --compare first");
      }
      print(o, new com.google.gson.Gson().fromJson(Files.readString(file), RunPlan.class), out,
          s.getString("rollout.engine"));
      o.flush();
      return 0;
    }
    o.println("sipf4j plan: " + runFile.config + " on " + s.getString("device"));
    o.flush();
    RunPlan plan = RunPlanner.plan(s, o);
    print(o, plan, out, s.getString("rollout.engine"));
    Path f = RunPlanner.write(plan, out);
    o.println("Wrote " + f);
    o.flush();
    return 0;
  }

  private static void print(PrintWriter o, RunPlan plan, Path out, String engine) throws IOException {
    o.println();
    o.println("Measured: " + plan.basis());
    o.println();
    boolean anyMeasured = false;
    List<Double> measured = new ArrayList<>();
    for (PhaseEstimate p : plan.phases()) {
      Double m = RunSetup.measuredSeconds(out, p.iteration(), p.phase());
      measured.add(m);
      anyMeasured |= m != null;
    }
    RunForecast forecast = null;
    if (anyMeasured) {
      Map<Integer, Map<String, Double>> byIteration = new HashMap<>();
      for (int i = 0; i < measured.size(); i++) {
        if (measured.get(i) != null) {
          PhaseEstimate p = plan.phases().get(i);
          byIteration.computeIfAbsent(p.iteration(), k -> new HashMap<>()).put(p.phase(), measured.get(i));
        }
      }
      forecast = RunForecast.of(plan.toReportPlan(), byIteration);
    }
    o.println("| iteration | phase | expected | generated tokens | peak memory |"
        + (anyMeasured ? " measured | measured / expected | forecast |" : ""));
    o.println("|---:|---|---:|---:|---:|" + (anyMeasured ? "---:|---:|---:|" : ""));
    for (int i = 0; i < plan.phases().size(); i++) {
      PhaseEstimate p = plan.phases().get(i);
      String row = String.format(Locale.ROOT, "| %d | %s | %.1f s | %,d | %s |", p.iteration(), p.phase(),
          p.seconds(), p.generatedTokens(), p.peakMemoryBytes() < 0 ? "" : mib(p.peakMemoryBytes()));
      if (forecast != null) {
        Double m = measured.get(i);
        RunForecast.Row f = forecast.rows().get(i);
        row += m == null ? " | |" : String.format(Locale.ROOT, " %.1f s | %s |", m,
            p.seconds() > 0 ? String.format(Locale.ROOT, "%.2f", m / p.seconds()) : "");
        row += f.source() == RunForecast.Source.REVISED || f.source() == RunForecast.Source.PLANNED
            ? String.format(Locale.ROOT, " %.1f s |", f.seconds()) : " |";
      }
      o.println(row);
    }
    o.println();
    double dominant = plan.phases().stream().filter(p -> p.phase().equals(plan.dominantPhase()))
        .mapToDouble(PhaseEstimate::seconds).sum();
    o.printf(Locale.ROOT, "Total: %s expected, %,d generated tokens; %s dominates (%.0f%% of the time).%n",
        RunPlanner.duration(plan.totalSeconds()), plan.totalGeneratedTokens(), plan.dominantPhase(),
        plan.totalSeconds() > 0 ? 100 * dominant / plan.totalSeconds() : 0);
    RunPlanner.mallocAdvice(plan.device(), plan.basis()).ifPresent(o::println);
    if (!"local".equals(engine)) {
      o.println("Rollouts run on the '" + engine + "' engine: sampling, verification, simulation and evaluation are "
          + "timed here as if on one worker like this machine; divide them by the workers that run at once.");
    }
    if (anyMeasured) {
      double est = 0;
      double got = 0;
      for (int i = 0; i < measured.size(); i++) {
        if (measured.get(i) != null) {
          est += plan.phases().get(i).seconds();
          got += measured.get(i);
        }
      }
      o.printf(Locale.ROOT, "Phases run so far: %.1f s measured against %.1f s expected (%.2f).%n", got, est,
          est > 0 ? got / est : Double.NaN);
      if (forecast.remainingSeconds() > 0) {
        o.printf(Locale.ROOT, "Forecast: about %s left, %s for the whole planned run; each phase left is its "
            + "estimate scaled by how the same phase went in its latest iteration.%n",
            RunPlanner.duration(forecast.remainingSeconds()), RunPlanner.duration(forecast.totalSeconds()));
      }
    }
  }

  private static String mib(long bytes) {
    return String.format(Locale.ROOT, "%,d MiB", bytes >> 20);
  }
}
