package io.github.sipf4j.orpo.model.hf;

import ai.djl.ndarray.NDArray;
import ai.djl.nn.Parameter;

/**
 * A dense layer in PyTorch's {@code nn.Linear} layout: \( y = x W^\top + b \), weight (out, in), optional bias (out).
 *
 * @param weight the weight
 * @param bias the bias, or null
 */
record Linear(Parameter weight, Parameter bias) {

  NDArray apply(NDArray x) {
    return x.getNDArrayInternal().linear(x, weight.getArray(), bias == null ? null : bias.getArray())
        .singletonOrThrow();
  }
}
