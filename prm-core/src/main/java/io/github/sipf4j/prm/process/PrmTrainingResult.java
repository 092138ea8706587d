package io.github.sipf4j.prm.process;

import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * What a {@link PrmTrainer} run did.
 *
 * @param steps the optimizer steps taken
 * @param skippedSteps steps whose update was skipped for a non-finite loss or gradient
 * @param skippedRationales training rationales left out because they exceed the backbone's maximum length
 * @param firstLoss the training loss (per-step cross-entropy) of the first step
 * @param lastLoss the training loss of the last step
 * @param validation the validation metrics at the end, or null without validation data
 * @param validationHistory the validation metrics by step (the step count when they were taken), in order
 * @param seconds the wall time of the run
 */
public record PrmTrainingResult(
    long steps,
    long skippedSteps,
    int skippedRationales,
    double firstLoss,
    double lastLoss,
    StepMetrics validation,
    Map<Long, StepMetrics> validationHistory,
    double seconds) {

  /**
   * Copies the history, keeping its order.
   *
   * @param steps the {@code steps} component (see the record)
   * @param skippedSteps the {@code skippedSteps} component (see the record)
   * @param skippedRationales the {@code skippedRationales} component (see the record)
   * @param firstLoss the {@code firstLoss} component (see the record)
   * @param lastLoss the {@code lastLoss} component (see the record)
   * @param validation the {@code validation} component (see the record)
   * @param validationHistory the {@code validationHistory} component (see the record)
   * @param seconds the {@code seconds} component (see the record)
   */
  public PrmTrainingResult {
    validationHistory = Collections.unmodifiableMap(new LinkedHashMap<>(validationHistory));
  }
}
