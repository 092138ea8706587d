package io.github.sipf4j.prm.iterate;

/**
 * Observes a {@link SelfIterativeTrainer} run. Every method has an empty default; listeners run on the training
 * thread, and an exception thrown by one stops the run (everything finished so far stays on disk and a later
 * {@code run()} resumes).
 */
public interface SelfIterativeListener {

  /**
   * Called before the baseline evaluation (iteration 0) or a phase of an iteration starts running.
   *
   * @param iteration the iteration, from 1 (0 for the baseline evaluation)
   * @param phase the phase
   */
  default void onPhaseStart(int iteration, Phase phase) {}

  /**
   * Called when a phase has finished and its output is on disk, or was found there on resume.
   *
   * @param iteration the iteration, from 1 (0 for the baseline evaluation)
   * @param phase the phase
   * @param seconds the phase's wall time (as recorded when it ran)
   * @param resumed true when the phase's output was found on disk and it was not run again
   */
  default void onPhaseEnd(int iteration, Phase phase, double seconds, boolean resumed) {}

  /**
   * Called after every iteration with its report.
   *
   * @param report the report
   */
  default void onIterationEnd(IterationReport report) {}
}
