package io.github.sipf4j.orpo.train;

import java.util.Map;

/**
 * Receives a trainer's progress. Every method has an empty default, so a listener implements what it needs.
 * {@link DjlListeners} adapts DJL's own {@code TrainingListener}s to this interface.
 */
public interface TrainerListener {

  /**
   * Called once before the first step (also when resuming).
   *
   * @param firstStep the index of the first step this run will take
   * @param totalSteps the number of steps of the whole run
   */
  default void onTrainingBegin(long firstStep, long totalSteps) {}

  /**
   * Called after every optimizer step.
   *
   * @param epoch the 0-based epoch of the step
   * @param result the step's outcome
   */
  default void onStep(int epoch, StepResult result) {}

  /**
   * Called with the last micro-batch of each step while its arrays are still alive.
   *
   * @param terms the loss terms of that micro-batch
   */
  default void onMicroBatch(LossTerms terms) {}

  /**
   * Asked after every step but the last (after {@link #onStep}): returning true ends training after that step, as
   * early stopping does. The step's checkpoint is written first (with a work directory), and the summary then
   * counts the steps taken. The default never stops.
   *
   * @param stepsDone the steps finished so far, resumed ones included
   * @return whether to stop now
   */
  default boolean stopRequested(long stepsDone) {
    return false;
  }

  /**
   * Called after the last step of an epoch.
   *
   * @param epoch the 0-based epoch
   * @param means the epoch's mean metrics
   */
  default void onEpochEnd(int epoch, Map<String, Float> means) {}

  /**
   * Called once after the last step.
   *
   * @param summary the run's summary
   */
  default void onTrainingEnd(TrainingSummary summary) {}
}
