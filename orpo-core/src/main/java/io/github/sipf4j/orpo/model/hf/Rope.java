package io.github.sipf4j.orpo.model.hf;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.NDScope;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;

/**
 * Rotate-half rotary position embeddings over the first {@code rotaryDim} dimensions of each head:
 * \( x \cos\phi + \mathrm{rotate\_half}(x) \sin\phi \), Hugging Face's formula. The angles \( \phi = p f \) are
 * computed in float32 from the positions and cast to the model's type, as Hugging Face does. {@code rotate_half} is a
 * product with a fixed signed permutation matrix \( R \) (one call instead of a split, two negations and a concat; the
 * product is exact because every column of \( R \) has one non-zero entry of magnitude 1). The dimensions past
 * {@code rotaryDim} (Phi's partial rotary embedding) get \( \cos = 1 \), \( \sin = 0 \) and a zero column in \( R \),
 * which leaves them unchanged, bit for bit.
 */
final class Rope {

  private final NDArray frequencies;
  private final NDArray rotation;

  /**
   * Makes the tables under the model's manager.
   *
   * @param manager the model's manager
   * @param inverseFrequencies the rotated half's inverse frequencies (rotaryDim / 2)
   * @param headDim the head width
   * @param dtype the model's type
   */
  Rope(NDManager manager, float[] inverseFrequencies, int headDim, DataType dtype) {
    int half = inverseFrequencies.length;
    float[] full = new float[headDim];
    float[] r = new float[headDim * headDim];
    for (int i = 0; i < half; i++) {
      full[i] = inverseFrequencies[i];
      full[half + i] = inverseFrequencies[i];
      r[(half + i) * headDim + i] = -1f; // output i (first half) = -x[half + i]
      r[i * headDim + half + i] = 1f; // output half + i = x[i]
    }
    this.frequencies = owned(manager, full, new Shape(headDim), DataType.FLOAT32);
    this.rotation = owned(manager, r, new Shape(headDim, headDim), dtype);
  }

  /**
   * An array whose storage the engine owns: {@code manager.create(float[])} wraps a Java buffer that the garbage
   * collector frees with its wrapper, and {@code toType} to the same type returns that very storage (PyTorch's
   * {@code to} does not copy), so the values are cloned or converted explicitly.
   */
  private static NDArray owned(NDManager manager, float[] values, Shape shape, DataType dtype) {
    try (NDArray host = manager.create(values, shape)) {
      NDArray out = dtype == DataType.FLOAT32 ? host.duplicate() : host.toType(dtype, false);
      NDScope.unregister(out);
      return out;
    }
  }

  /** Returns cos and sin of the angles of int64 (batch, time) positions, each (batch, 1, time, headDim). */
  NDArray[] angles(NDArray positions, DataType dtype) {
    NDArray phi = positions.toType(DataType.FLOAT32, false).expandDims(2).mul(frequencies);
    NDArray cos = phi.cos();
    NDArray sin = phi.sin();
    if (dtype != DataType.FLOAT32) {
      cos = cos.toType(dtype, false);
      sin = sin.toType(dtype, false);
    }
    return new NDArray[] {cos.expandDims(1), sin.expandDims(1)};
  }

  /** Rotates (batch, heads, time, headDim) queries or keys. */
  NDArray apply(NDArray x, NDArray cos, NDArray sin) {
    return x.mul(cos).add(x.matMul(rotation).mul(sin));
  }
}
