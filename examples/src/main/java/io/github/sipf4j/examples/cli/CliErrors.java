package io.github.sipf4j.examples.cli;

import java.io.IOException;
import java.io.PrintWriter;
import java.io.UncheckedIOException;
import java.nio.file.AccessDeniedException;
import java.nio.file.DirectoryNotEmptyException;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.FileSystemException;
import java.nio.file.NoSuchFileException;
import java.nio.file.NotDirectoryException;
import java.util.List;
import picocli.CommandLine;
import picocli.CommandLine.Model.CommandSpec;

/**
 * How the command line reports a mistake: one line on standard error naming the command and what went wrong, and a
 * non-zero exit status, never a stack trace. A bad or unknown option, parameter or command exits with
 * {@value #USAGE}; a failure while the command runs (a missing file, a folder that is a file, an invalid run file)
 * exits with {@value #FAILURE}. {@code -Dsipf4j.stacktrace=true} adds the stack trace, for bug reports.
 */
final class CliErrors {

  /** The exit status of a command-line usage mistake (picocli's convention). */
  static final int USAGE = 2;

  /** The exit status of a command that failed while running. */
  static final int FAILURE = 1;

  /** The system property that adds stack traces to error reports. */
  static final String STACKTRACE_PROPERTY = "sipf4j.stacktrace";

  private CliErrors() {}

  /**
   * Installs both handlers on a command line (they apply to its sub-commands too).
   *
   * @param cli the command line
   * @return the same command line
   */
  static CommandLine install(CommandLine cli) {
    cli.setParameterExceptionHandler(CliErrors::onParameterException);
    cli.setExecutionExceptionHandler(CliErrors::onExecutionException);
    return cli;
  }

  private static int onParameterException(CommandLine.ParameterException e, String[] args) {
    CommandLine cmd = e.getCommandLine();
    PrintWriter err = cmd.getErr();
    String name = cmd.getCommandSpec().qualifiedName();
    if (e instanceof CommandLine.UnmatchedArgumentException u && !u.getUnmatched().isEmpty()
        && cmd.getCommandSpec().subcommands().size() > 0 && !u.getUnmatched().get(0).startsWith("-")) {
      List<String> commands = cmd.getCommandSpec().subcommands().keySet().stream().sorted().toList();
      err.println(name + ": unknown command '" + u.getUnmatched().get(0) + "'; commands: "
          + String.join(", ", commands) + " (see '" + name + " --help')");
    } else {
      err.println(name + ": " + e.getMessage() + " (see '" + name + " --help')");
    }
    trace(err, e);
    err.flush();
    return USAGE;
  }

  private static int onExecutionException(Exception e, CommandLine cmd, CommandLine.ParseResult parsed) {
    PrintWriter err = cmd.getErr();
    CommandSpec spec = cmd.getCommandSpec();
    err.println(spec.qualifiedName() + ": " + describe(e));
    trace(err, e);
    err.flush();
    return FAILURE;
  }

  /**
   * Says in one line what an exception means to a user: file-system errors name the file and the problem in words
   * (Java's own messages are often just the path); everything else gives its message, or its type when it has none.
   *
   * @param e the exception
   * @return one line
   */
  static String describe(Throwable e) {
    Throwable t = e instanceof UncheckedIOException && e.getCause() != null ? e.getCause() : e;
    if (t instanceof FileSystemException f) {
      String file = f.getFile();
      String what;
      if (t instanceof NoSuchFileException) {
        what = "no such file or directory";
      } else if (t instanceof FileAlreadyExistsException) {
        what = "already exists (and is not a directory where one was needed)";
      } else if (t instanceof NotDirectoryException) {
        what = "not a directory";
      } else if (t instanceof AccessDeniedException) {
        what = "permission denied";
      } else if (t instanceof DirectoryNotEmptyException) {
        what = "directory not empty";
      } else {
        what = f.getReason() == null ? t.getClass().getSimpleName() : f.getReason();
      }
      return (file == null ? "" : file + ": ") + what
          + (f.getOtherFile() == null ? "" : " (and " + f.getOtherFile() + ")");
    }
    String m = t.getMessage();
    if (m == null || m.isBlank()) {
      return t.getClass().getSimpleName() + (t.getCause() == null ? "" : ": " + describe(t.getCause()));
    }
    if (t instanceof IOException && !(t.getClass() == IOException.class)) {
      return t.getClass().getSimpleName() + ": " + oneLine(m);
    }
    return oneLine(m);
  }

  /** Keeps a multi-line message (a list of problems) as it is, but drops trailing blank lines. */
  private static String oneLine(String m) {
    return m.stripTrailing();
  }

  private static void trace(PrintWriter err, Throwable e) {
    if (Boolean.getBoolean(STACKTRACE_PROPERTY)) {
      e.printStackTrace(err);
    }
  }
}
