package io.github.sipf4j.orpo.model.hf;

import ai.djl.ndarray.NDArray;
import ai.djl.nn.Parameter;

/**
 * A dense layer in PyTorch's {@code nn.Linear} layout: \( y = x W^\top + b \), weight (out, in), optional bias (out).
 * A projection registered with {@link Projections} passes its output through the model's projection hook.
 *
 * @param weight the weight
 * @param bias the bias, or null
 * @param projections the model's projections, or null for a layer no adapter attaches to (the output head)
 * @param index this layer's index among {@code projections}
 */
record Linear(Parameter weight, Parameter bias, Projections projections, int index) {

  /** A layer without a hook. */
  Linear(Parameter weight, Parameter bias) {
    this(weight, bias, null, -1);
  }

  NDArray apply(NDArray x) {
    NDArray y = x.getNDArrayInternal().linear(x, weight.getArray(), bias == null ? null : bias.getArray())
        .singletonOrThrow();
    return projections == null ? y : projections.hook(index, x, y);
  }
}
