package io.github.sipf4j.orpo.util;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.index.NDIndex;
import com.google.common.base.Preconditions;

/**
 * In-place writes into existing arrays that copy the data into the array's own storage.
 *
 * <p>Why not {@code NDArray.set(Buffer)}: on DJL's PyTorch engine it makes the tensor's storage the Java direct
 * buffer's memory without copying, kept alive only by the Java wrapper that received the call. When the tensor lives
 * longer than that wrapper (a gradient reached through a temporary {@code getGradient()} wrapper, a parameter
 * referenced from elsewhere) the garbage collector frees the buffer under it and later writes corrupt the native heap
 * (a crash in libc hundreds of steps later). These methods use an indexed put ({@code tensor[...] = value}), which
 * copies.
 */
public final class InPlace {

  private InPlace() {}

  /**
   * Copies {@code source} into {@code target}, converting type and device as needed.
   *
   * @param target the array to overwrite; keeps its storage
   * @param source the values, of the same shape
   */
  public static void copy(NDArray target, NDArray source) {
    Preconditions.checkArgument(target.getShape().equals(source.getShape()), "cannot copy %s into %s",
        source.getShape(), target.getShape());
    Preconditions.checkArgument(target.getShape().dimension() > 0, "cannot write a 0-dimensional array in place");
    try (NDArray converted = source.toType(target.getDataType(), true).toDevice(target.getDevice(), true)) {
      target.set(new NDIndex().addAllDim(), converted);
    }
  }

  /**
   * Sets every element to exactly zero, clearing NaN and infinities too (arithmetic would keep a NaN: NaN·0 = NaN).
   *
   * @param target the array to clear; keeps its storage
   */
  public static void zero(NDArray target) {
    Preconditions.checkArgument(target.getShape().dimension() > 0, "cannot write a 0-dimensional array in place");
    target.set(new NDIndex().addAllDim(), 0);
  }
}
