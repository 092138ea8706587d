package io.github.sipf4j.orpo.model.hf;

import ai.djl.ndarray.NDArray;
import io.github.sipf4j.orpo.model.PreallocatedKvCache;

/**
 * What every layer of one forward pass shares.
 *
 * @param rope the rotary embedding
 * @param cos cosines of the positions' angles, (batch, 1, time, headDim) in the model's type
 * @param sin sines of the positions' angles, (batch, 1, time, headDim) in the model's type
 * @param bias float32 (batch, 1, time, keys) additive attention bias (padding and causality)
 * @param cache the cache the keys and values go into, or null for a full pass
 * @param training whether dropout applies
 */
record LayerInputs(Rope rope, NDArray cos, NDArray sin, NDArray bias, PreallocatedKvCache cache, boolean training) {

  /** Applies dropout with probability {@code p} while training; the identity otherwise. */
  NDArray dropout(NDArray x, double p) {
    return training && p > 0 ? x.getNDArrayInternal().dropout(x, (float) p, true).singletonOrThrow() : x;
  }
}
