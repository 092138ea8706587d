package io.github.sipf4j.orpo.model.hf;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.NDScope;
import ai.djl.ndarray.types.DataType;
import io.github.sipf4j.orpo.util.Scalars;
import java.util.HashMap;
import java.util.Map;

/**
 * The scalar operands of a model's forward pass (epsilons, scales, activation constants), each made once per value
 * and type under the model's manager with engine-owned storage, so that autograd may keep them (see {@link
 * Scalars}).
 */
final class Constants {

  private final NDManager manager;
  private final Map<String, NDArray> cache = new HashMap<>();

  Constants(NDManager manager) {
    this.manager = manager;
  }

  /** Returns the 0-dimensional array holding {@code value} in {@code type}. */
  synchronized NDArray of(double value, DataType type) {
    return cache.computeIfAbsent(Double.doubleToLongBits(value) + "/" + type, k -> {
      NDArray a = Scalars.of(manager, value, type);
      NDScope.unregister(a);
      return a;
    });
  }
}
