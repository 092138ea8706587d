package io.github.sipf4j.orpo.train;

import ai.djl.ndarray.NDManager;

/**
 * Computes the loss of one micro-batch with gradients recorded. Implementations create every array from {@code
 * manager} (a step-scoped sub-manager of the model's manager), so that nothing outlives the step.
 *
 * @param <B> the micro-batch type
 */
@FunctionalInterface
public interface MicroBatchObjective<B> {

  /**
   * Runs the forward pass and the loss of one micro-batch.
   *
   * @param batch the micro-batch
   * @param manager the manager for this micro-batch's arrays
   * @return the loss and metrics
   */
  LossTerms compute(B batch, NDManager manager);
}
