package io.github.sipf4j.orpo.train;

import java.util.List;
import java.util.Map;

/**
 * What a training run did.
 *
 * @param steps the number of steps of the run (all of them, resumed ones included; fewer than planned when a
 *     {@link TrainerListener#stopRequested(long) listener stopped it})
 * @param stepsThisRun the steps taken by this call (fewer than {@code steps} after a resume)
 * @param skippedSteps steps whose update was skipped because of non-finite values
 * @param firstMetrics the metrics of the first step taken by this call
 * @param lastMetrics the metrics of the last step
 * @param epochMeans the mean metrics of every epoch finished by this call
 * @param seconds the wall time of this call
 * @param tokens the real tokens read by this call
 */
public record TrainingSummary(
    long steps,
    long stepsThisRun,
    long skippedSteps,
    Map<String, Float> firstMetrics,
    Map<String, Float> lastMetrics,
    List<Map<String, Float>> epochMeans,
    double seconds,
    long tokens) {}
