package io.github.sipf4j.prm.exec;

import java.time.Duration;
import java.util.Objects;

/**
 * What one run of a {@link PythonProgram} produced.
 *
 * @param status how the run ended
 * @param message a one-line explanation: the first failing check and its error for {@link ExecutionStatus#FAILED},
 *     the error or the limit that was hit otherwise, empty for {@link ExecutionStatus#PASSED}
 * @param exitCode the exit code of the process, or -1 when it was killed on timeout
 * @param duration the wall-clock time of the run
 * @param stdout the captured standard output, truncated to {@link ExecutorConfig#maxCapturedChars()}
 * @param stderr the captured standard error, truncated to {@link ExecutorConfig#maxCapturedChars()}
 * @param sandboxed whether the run was isolated by bubblewrap
 */
public record ExecutionResult(
    ExecutionStatus status,
    String message,
    int exitCode,
    Duration duration,
    String stdout,
    String stderr,
    boolean sandboxed) {

  /**
   * Validates the parts.
   *
   * @param status how the run ended
   * @param message the explanation
   * @param exitCode the exit code
   * @param duration the wall-clock time
   * @param stdout the captured output
   * @param stderr the captured error output
   * @param sandboxed whether bubblewrap isolated the run
   */
  public ExecutionResult {
    Objects.requireNonNull(status, "status");
    Objects.requireNonNull(message, "message");
    Objects.requireNonNull(duration, "duration");
    Objects.requireNonNull(stdout, "stdout");
    Objects.requireNonNull(stderr, "stderr");
  }

  /**
   * Tells whether every check passed.
   *
   * @return {@code true} for {@link ExecutionStatus#PASSED}
   */
  public boolean passed() {
    return status == ExecutionStatus.PASSED;
  }
}
