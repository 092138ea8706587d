package io.github.sipf4j.orpo.model.hf;

import ai.djl.ndarray.NDArray;
import ai.djl.nn.Parameter;
import io.github.sipf4j.orpo.model.LinearProjection;
import io.github.sipf4j.orpo.model.ProjectionHook;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.function.Function;

/**
 * The dense projections of one {@link HfCausalLm} (what its family's layers build with {@link #linear}) and the hook
 * they call after each product.
 */
final class Projections {

  private final Function<String, Parameter> params;
  private final List<LinearProjection> list = new ArrayList<>();
  private ProjectionHook hook;

  Projections(Function<String, Parameter> params) {
    this.params = params;
  }

  /** Registers the projection {@code module} ({@code module.weight}, and {@code module.bias} when it has one). */
  Linear linear(String module, boolean bias) {
    Parameter w = params.apply(module + ".weight");
    Parameter b = bias ? params.apply(module + ".bias") : null;
    list.add(new LinearProjection(module, w, b));
    return new Linear(w, b, this, list.size() - 1);
  }

  List<LinearProjection> list() {
    return Collections.unmodifiableList(list);
  }

  void setHook(ProjectionHook hook) {
    this.hook = hook;
  }

  NDArray hook(int index, NDArray x, NDArray y) {
    return hook == null ? y : hook.apply(index, x, y);
  }
}
