package io.github.sipf4j.orpo.util;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;

/**
 * Scalar operands for arithmetic that autograd records.
 *
 * <p>Why not {@code x.mul(2f)}: on DJL's PyTorch engine an operation with a {@link Number} operand creates a temporary
 * 0-dimensional array whose storage is a Java direct buffer (no copy), runs the operation and closes the temporary.
 * When {@code x} requires a gradient, autograd keeps that operand for the backward pass ({@code mul}, {@code div},
 * {@code maximum} and {@code minimum} read it there), but nothing on the Java side keeps the buffer alive any more: a
 * garbage collection between the forward and the backward pass frees it, and the backward pass multiplies the
 * gradients by whatever the memory then holds (we saw gradient norms of 1e31 to 1e35 and NaN at one reproducible step
 * of an SFT run, depending on when the collector ran). The arrays made here own their storage in the native library,
 * so they stay valid for as long as the graph holds them.
 */
public final class Scalars {

  private Scalars() {}

  /**
   * Returns a 0-dimensional array holding {@code value}, with the data type, device and manager of {@code like},
   * whose storage belongs to the engine (safe to keep in an autograd graph).
   *
   * @param like the array the scalar will be combined with
   * @param value the value
   * @return the scalar, attached to {@code like}'s manager
   */
  public static NDArray of(NDArray like, double value) {
    return of(like.getManager(), value, like.getDataType());
  }

  /**
   * Returns a 0-dimensional array holding {@code value} on {@code manager}'s device, whose storage belongs to the
   * engine; for a constant made once and reused by every forward pass.
   *
   * @param manager the manager that owns the result
   * @param value the value
   * @param type the data type
   * @return the scalar
   */
  public static NDArray of(NDManager manager, double value, DataType type) {
    try (NDArray wrapped = manager.create(value)) {
      // A real conversion or copy: the result is allocated by the engine, not a view of the Java buffer. (toType to
      // the array's own type returns the same storage even with copy = true: PyTorch's `to` does not copy.)
      return type == wrapped.getDataType() ? wrapped.duplicate() : wrapped.toType(type, false);
    }
  }
}
