package io.github.sipf4j.orpo.model;

import ai.djl.ndarray.NDArray;

/**
 * What an {@link AdaptableLm} calls after each of its {@linkplain AdaptableLm#projections() projections}: it receives
 * the projection's input and the frozen projection's output and returns the output the model continues with, such
 * as the output plus a low-rank update (LoRA, see {@code io.github.sipf4j.orpo.lora.LoraModel}).
 */
@FunctionalInterface
public interface ProjectionHook {

  /**
   * Returns the output the model continues with.
   *
   * @param projection the projection's index in {@link AdaptableLm#projections()}
   * @param input the projection's input, (..., in), in the model's type
   * @param output the projection's own output \( x W^\top + b \), (..., out), in the model's type
   * @return an array shaped and typed like {@code output} (or {@code output} itself)
   */
  NDArray apply(int projection, NDArray input, NDArray output);
}
