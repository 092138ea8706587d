package io.github.sipf4j.orpo.util;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.index.NDIndex;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;

/**
 * Type conversions that autograd records.
 *
 * <p>Why not {@code x.toType(type, false)}: DJL 0.36's PyTorch engine converts under {@code torch::NoGradGuard}, so
 * the result has no gradient path back to {@code x}: a loss computed after a float16-to-float32 conversion (float32
 * logits of a float16 model, float32 attention scores) has no gradient at all, and the backward pass fails with
 * "element 0 of tensors does not require grad". These conversions copy into a new array of the target type through an
 * indexed put (PyTorch's {@code copy_}, which autograd differentiates: the gradient flows back converted to the
 * source's type). They cost what {@code toType} costs: one allocation and one conversion pass.
 */
public final class Casts {

  private Casts() {}

  /**
   * Returns {@code x} in {@code type}, with a gradient path back to {@code x} when it has one.
   *
   * @param x the array
   * @param type the target type
   * @return {@code x} itself when it already has that type, else a new array on {@code x}'s manager
   */
  public static NDArray to(NDArray x, DataType type) {
    if (x.getDataType() == type) {
      return x;
    }
    if (x.getShape().dimension() == 0) {
      return to(x.reshape(1), type).reshape(new Shape());
    }
    NDArray out = x.getManager().create(x.getShape(), type, x.getDevice());
    out.set(new NDIndex().addAllDim(), x);
    return out;
  }
}
