package io.github.sipf4j.examples.cli;

import io.github.sipf4j.examples.quickstart.Preset;
import io.github.sipf4j.examples.quickstart.Quickstart;
import io.github.sipf4j.examples.quickstart.QuickstartReport;
import io.github.sipf4j.prm.iterate.phase.RolloutShards;
import io.github.sipf4j.prm.rollout.RolloutEngine;
import io.github.sipf4j.prm.report.HtmlReport;
import java.io.PrintWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/**
 * {@code sipf4j quickstart}: the whole method on the embedded default (SFT warm start, SIPF iterations, evaluation
 * in and out of domain), writing {@code report.json}, {@code metrics.csv}, {@code curves.png} and the run's
 * {@code report.html}.
 */
@Command(
    name = "quickstart",
    mixinStandardHelpOptions = true,
    description = {"Runs SIPF end to end on the built-in DecoderLm and the synthetic multi-step arithmetic task: an "
        + "SFT warm start on gold rationales, SIPF iterations on questions without rationales, and evaluation on an "
        + "in-domain test split and two out-of-domain splits (unseen wording, longer chains).",
        "Writes report.json, metrics.csv, curves.png and the run's report.html to --out and prints a table. "
            + "Re-running with the same --out resumes where a previous run stopped."})
public final class QuickstartCommand implements Callable<Integer> {
  @Spec CommandSpec spec;

  @Option(names = "--preset", defaultValue = "default",
      description = "tiny (seconds), default (about 7 minutes on 2 idle cores), experiment or distractors (the "
          + "reasoning regime) (default: ${DEFAULT-VALUE}).")
  String preset;

  @Option(names = "--out", defaultValue = "sipf4j-quickstart",
      description = "The output directory (default: ${DEFAULT-VALUE}).")
  Path out;

  @Option(names = "--seed", defaultValue = "1", description = "The seed of data, models and sampling "
      + "(default: ${DEFAULT-VALUE}).")
  long seed;

  @Option(names = "--method", defaultValue = "sipf",
      description = "sipf, outcome, rft or sft (default: ${DEFAULT-VALUE}).")
  String method;

  @Option(names = "--warm-model", description = "Start from this saved model instead of training the warm start.")
  Path warmModel;

  @Mixin PresetOverrides overrides = new PresetOverrides();

  @Mixin RolloutEngineOptions rollouts = new RolloutEngineOptions();

  @Option(names = "--no-progress", description = "Do not draw progress bars.")
  boolean noProgress;

  /** Creates the command; picocli fills in the options. */
  public QuickstartCommand() {}

  /**
   * Runs the quickstart.
   *
   * @return 0 on success, 2 for a bad option
   * @throws Exception when training or writing fails
   */
  @Override
  public Integer call() throws Exception {
    PrintWriter o = spec.commandLine().getOut();
    Preset p;
    Quickstart.Method m;
    RolloutShards shards;
    try {
      p = overrides.apply(Preset.named(preset));
      m = Quickstart.Method.parse(method);
      shards = rollouts.shards();
    } catch (IllegalArgumentException e) {
      spec.commandLine().getErr().println(e.getMessage());
      return 2;
    }
    if (Files.exists(out) && !Files.isDirectory(out)) {
      spec.commandLine().getErr().println("--out " + out + ": exists and is not a directory");
      return 2;
    }
    if (warmModel != null && !Files.isDirectory(warmModel)) {
      spec.commandLine().getErr().println("--warm-model " + warmModel + ": no such directory");
      return 2;
    }
    RolloutEngine engine;
    try {
      engine = rollouts.open();
    } catch (IllegalArgumentException e) {
      spec.commandLine().getErr().println(e.getMessage());
      return 2;
    }
    try (engine) {
      return run(o, p, m, new Quickstart.Rollouts(engine, shards));
    }
  }

  private int run(PrintWriter o, Preset p, Quickstart.Method m, Quickstart.Rollouts engine) throws Exception {
    long t0 = System.nanoTime();
    Files.createDirectories(out);
    o.println("sipf4j quickstart: " + m.key() + ", preset " + p + ", seed " + seed + ", output " + out);
    o.flush();
    Quickstart.Splits splits = overrides.evaluating(Quickstart.splits(p, seed));
    Quickstart.WarmStart warm;
    if (warmModel != null) {
      warm = Quickstart.WarmStart.external(warmModel.toString());
    } else {
      o.println("1/2 SFT warm start: " + p.goldExamples() + " gold rationales, " + (p.warmEvalEvery() > 0
          ? "at most " + p.warmSteps() + " steps, the best of evaluations every " + p.warmEvalEvery() + " steps"
          : p.warmSteps() + " steps"));
      o.flush();
      warm = Quickstart.warmStart(p, seed, splits, out.resolve("warm-start"), !noProgress);
      o.printf(java.util.Locale.ROOT, "    done in %.0f s (%d steps, final loss %.3f%s)%n", warm.seconds(), warm.steps(),
          warm.lastLoss(), warm.bestStep() >= 0 ? String.format(java.util.Locale.ROOT,
              "; kept step %d, development accuracy %.1f%%", warm.bestStep(), 100 * warm.devAccuracy()) : "");
    }
    o.println("2/2 " + m.key().toUpperCase(java.util.Locale.ROOT) + ": " + p.iterations() + " iterations of "
        + p.questionsPerIteration() + " questions x " + p.samplesPerQuestion() + " samples");
    o.flush();
    Path runDir = out.resolve("run-" + m.key());
    Quickstart.MethodResult r = Quickstart.runMethod(m, p, seed, splits, Path.of(warm.modelDir()), runDir,
        !noProgress, engine);
    double wall = (System.nanoTime() - t0) / 1e9;
    Map<String, Object> report = QuickstartReport.build(p, seed, wall, warm, r);
    Files.writeString(out.resolve("report.json"), io.github.sipf4j.examples.quickstart.QuickstartReport.toJson(report));
    QuickstartReport.copyMetrics(runDir, out);
    QuickstartReport.drawCurves(out.resolve("curves.png"), r);
    o.println();
    QuickstartReport.printTable(o, r);
    o.printf(java.util.Locale.ROOT, "%nWall time %.0f s. Wrote %s, %s, %s; final model in %s%n", wall,
        out.resolve("report.json"), out.resolve("metrics.csv"), out.resolve("curves.png"), r.finalModelDir());
    Path page = runDir.resolve(HtmlReport.FILE);
    if (Files.exists(page)) {
      o.println("The run's page, with its rationales: " + page);
    }
    o.flush();
    return 0;
  }
}
