package io.github.sipf4j.examples.cli;

import io.github.sipf4j.orpo.util.CpuTuning;
import io.github.sipf4j.orpo.util.HeapOnlyRelaunch;
import java.io.IOException;
import java.io.InputStream;
import java.util.OptionalInt;
import java.util.Properties;
import picocli.CommandLine;
import picocli.CommandLine.Command;

/**
 * The {@code sipf4j} command line. Each sub-command is one class in this package; {@link #commandLine()} wires
 * them together so that tests can run the command line in-process. A mistake (an unknown command or option, a missing
 * file, an invalid run file) prints one line and exits with a non-zero status ({@link CliErrors}).
 */
@Command(
    name = "sipf4j",
    mixinStandardHelpOptions = true,
    versionProvider = Sipf4jCli.VersionProvider.class,
    description = "Self-iterative process feedback (SIPF) for small language models on Deep Java Library.",
    subcommands = {
      CommandLine.HelpCommand.class,
      EvaluateCodeCommand.class,
      GenerateSyntheticCommand.class,
      QuickstartCommand.class,
      EvaluateCommand.class,
      ExperimentCommand.class,
      LogprobsCommand.class,
      GenerateCommand.class,
      RunCommand.class,
      PlanCommand.class
    })
public final class Sipf4jCli implements Runnable {

  @CommandLine.Spec CommandLine.Model.CommandSpec spec;

  /** Prints the usage message when no sub-command is given. */
  @Override
  public void run() {
    spec.commandLine().usage(spec.commandLine().getOut());
  }

  /**
   * Builds the command line with every sub-command registered.
   *
   * @return a ready-to-execute picocli command line
   */
  public static CommandLine commandLine() {
    return CliErrors.install(new CommandLine(new Sipf4jCli()));
  }

  /**
   * Runs the command line and exits with its status.
   *
   * @param args the command-line arguments
   */
  public static void main(String[] args) {
    // On glibc Linux, run again with one malloc heap unless the environment has it (-Dsipf4j.malloc.relaunch=false
    // stays here): CPU training steps then reuse their memory instead of page-faulting it in (HeapOnlyRelaunch).
    OptionalInt child = HeapOnlyRelaunch.relaunchIfNeeded();
    if (child.isPresent()) {
      System.exit(child.getAsInt());
    }
    offlineByDefault();
    // This process is ours: MKL's AVX-512 kernels on AMD CPUs (before any DJL call) and malloc thresholds that keep
    // freed tensor memory for reuse. The library itself never changes process-wide settings.
    CpuTuning.apply();
    System.exit(commandLine().execute(args));
  }

  /**
   * Keeps DJL from touching the network: no model-zoo or engine downloads ({@code ai.djl.offline}) and no usage
   * ping ({@code OPT_OUT_TRACKING}), unless the user set these properties explicitly.
   */
  static void offlineByDefault() {
    if (System.getProperty("ai.djl.offline") == null) {
      System.setProperty("ai.djl.offline", "true");
    }
    if (System.getProperty("OPT_OUT_TRACKING") == null) {
      System.setProperty("OPT_OUT_TRACKING", "true");
    }
  }

  /** Reads the version that Maven filtered into {@code sipf4j-version.properties}. */
  static final class VersionProvider implements CommandLine.IVersionProvider {
    @Override
    public String[] getVersion() throws IOException {
      Properties p = new Properties();
      try (InputStream in = Sipf4jCli.class.getResourceAsStream("/sipf4j-version.properties")) {
        if (in != null) {
          p.load(in);
        }
      }
      return new String[] {"sipf4j " + p.getProperty("version", "unknown")};
    }
  }
}
