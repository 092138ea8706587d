package io.github.sipf4j.prm.task;

/**
 * Which kind of outcome check a task needs; {@code OutcomeVerifier.forTaskKind(...)} picks the verifier from it.
 */
public enum VerifierKind {
  /**
   * The final answer is extracted from the output and compared with the reference: numerically with a tolerance
   * when the reference is a number, otherwise as a normalized string (yes/no, names).
   */
  NUMERIC,
  /** The output names one option letter (A to D) that must equal the reference letter. */
  MULTIPLE_CHOICE,
  /** The output is Python code that must pass the task's {@link CodeTests} in the sandboxed executor. */
  PYTHON
}
