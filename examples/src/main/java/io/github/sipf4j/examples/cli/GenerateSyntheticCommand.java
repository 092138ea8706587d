package io.github.sipf4j.examples.cli;

import io.github.sipf4j.prm.data.Gsm8kWriter;
import io.github.sipf4j.prm.synthetic.SyntheticRegime;
import io.github.sipf4j.prm.task.TaskSet;
import java.nio.file.Path;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;
import picocli.CommandLine.Model.CommandSpec;

/** {@code sipf4j generate-synthetic}: writes one split of the synthetic task as GSM8K JSONL. */
@Command(
    name = "generate-synthetic",
    mixinStandardHelpOptions = true,
    description = "Writes a split of the synthetic arithmetic task as GSM8K JSONL ({question, answer: steps + #### X}).")
public final class GenerateSyntheticCommand implements Callable<Integer> {
  @Spec CommandSpec spec;

  @Option(names = "--split", required = true, description = "A split of the regime: in-domain, validation, and "
      + "ood-wording or ood-length (arithmetic), ood-distractors or ood-length (distractors).")
  String split;

  @Option(names = "--regime", defaultValue = "arithmetic",
      description = "arithmetic (the original task) or distractors (the reasoning regime) (default: ${DEFAULT-VALUE}).")
  String regime;

  @Option(names = "--count", required = true, description = "How many tasks to write.")
  int count;

  @Option(names = "--seed", defaultValue = "1", description = "The seed (default: ${DEFAULT-VALUE}).")
  long seed;

  @Option(names = "--out", required = true, description = "The JSONL file to write.")
  Path out;

  /** Creates the command; picocli fills in the options. */
  public GenerateSyntheticCommand() {}

  /**
   * Generates and writes the split.
   *
   * @return 0 on success, 2 for a bad option
   * @throws Exception when the file cannot be written
   */
  @Override
  public Integer call() throws Exception {
    SyntheticRegime r;
    try {
      r = SyntheticRegime.fromName(regime);
      r.config(split);
    } catch (IllegalArgumentException e) {
      spec.commandLine().getErr().println(e.getMessage());
      return 2;
    }
    if (count < 0) {
      spec.commandLine().getErr().println("--count must be >= 0");
      return 2;
    }
    TaskSet tasks = r.generate(split, count, seed);
    Gsm8kWriter.write(tasks.tasks(), out);
    spec.commandLine().getOut().println("wrote " + tasks.size() + " tasks of split " + tasks.name() + " of the "
        + r.key() + " regime (seed " + seed + ") to " + out);
    spec.commandLine().getOut().flush();
    return 0;
  }
}
