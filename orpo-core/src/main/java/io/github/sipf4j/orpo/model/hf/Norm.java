package io.github.sipf4j.orpo.model.hf;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import ai.djl.nn.Parameter;
import io.github.sipf4j.orpo.util.Casts;

/** A normalisation over the last axis of (batch, time, hidden) activations. */
interface Norm {

  NDArray apply(NDArray x);

  /**
   * Llama's RMSNorm: computed in float32, cast back to the input's type, then scaled:
   * \( w \cdot \mathrm{cast}(x / \sqrt{\overline{x^2} + \epsilon}) \).
   */
  static Norm rms(Parameter weight, double eps, Constants k) {
    NDArray e = k.of(eps, DataType.FLOAT32);
    return x -> {
      NDArray n = normalised(x, e);
      return Casts.to(n, x.getDataType()).mul(weight.getArray());
    };
  }

  /** Gemma's RMSNorm: scaled in float32 by \( 1 + w \), then cast: \( \mathrm{cast}(x / \mathrm{rms}(x) \cdot (1 + w)) \). */
  static Norm gemmaRms(Parameter weight, double eps, Constants k) {
    NDArray e = k.of(eps, DataType.FLOAT32);
    NDArray one = k.of(1, DataType.FLOAT32);
    return x -> {
      NDArray w = weight.getArray();
      NDArray scale = Casts.to(w, DataType.FLOAT32).add(one);
      NDArray n = normalised(x, e).mul(scale);
      return Casts.to(n, x.getDataType());
    };
  }

  /** LayerNorm with weight and bias, in the input's type (PyTorch accumulates in float32 internally). */
  static Norm layerNorm(Parameter weight, Parameter bias, double eps) {
    return x -> x.getNDArrayInternal().layerNorm(x, new Shape(x.getShape().get(x.getShape().dimension() - 1)),
        weight.getArray(), bias.getArray(), (float) eps).singletonOrThrow();
  }

  private static NDArray normalised(NDArray x, NDArray eps) {
    NDArray h = Casts.to(x, DataType.FLOAT32);
    NDArray variance = h.square().mean(new int[] {-1}, true);
    return h.div(variance.add(eps).sqrt());
  }
}
