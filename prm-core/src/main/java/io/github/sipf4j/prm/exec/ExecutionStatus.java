package io.github.sipf4j.prm.exec;

/** How a run of a {@link PythonProgram} ended. */
public enum ExecutionStatus {
  /** The program loaded and every check ran without raising. */
  PASSED,
  /** The program loaded but a check raised, usually an {@code AssertionError}; the result names the first one. */
  FAILED,
  /** The program ran past the wall-clock timeout or its CPU-time limit and was killed with all its children. */
  TIMED_OUT,
  /**
   * The program could not run to the checks: a syntax error, an exception while loading, a {@code MemoryError},
   * a kill by a resource limit (memory, file size) or an exit before the harness finished.
   */
  CRASHED
}
