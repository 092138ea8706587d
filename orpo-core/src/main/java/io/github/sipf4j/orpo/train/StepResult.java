package io.github.sipf4j.orpo.train;

import java.util.Map;

/**
 * The outcome of one optimizer step.
 *
 * @param step the 0-based step index
 * @param learningRate the learning rate used
 * @param gradNorm the global L2 norm of the gradient before clipping (NaN or infinite when the step was skipped for
 *     that reason)
 * @param skipped whether the update was skipped because the loss or the gradient was not finite
 * @param metrics the objective's metrics, averaged over the micro-batches weighted by their example counts
 * @param examples the number of examples in the step
 * @param tokens the number of real tokens read
 * @param millis the wall time of the step
 */
public record StepResult(
    long step,
    float learningRate,
    double gradNorm,
    boolean skipped,
    Map<String, Float> metrics,
    int examples,
    long tokens,
    double millis) {}
