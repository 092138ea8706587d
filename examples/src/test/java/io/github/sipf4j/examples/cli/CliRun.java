package io.github.sipf4j.examples.cli;

import java.io.PrintWriter;
import java.io.StringWriter;
import picocli.CommandLine;

/** Runs the command line in-process and keeps what it printed. */
final class CliRun {
  final StringWriter out = new StringWriter();
  final StringWriter err = new StringWriter();
  final int exitCode;

  private CliRun(String... args) {
    CommandLine cli = Sipf4jCli.commandLine();
    cli.setOut(new PrintWriter(out, true));
    cli.setErr(new PrintWriter(err, true));
    exitCode = cli.execute(args);
  }

  /**
   * Runs the command line once.
   *
   * @param args the arguments
   * @return the run: exit code, standard output and standard error
   */
  static CliRun of(String... args) {
    return new CliRun(args);
  }
}
