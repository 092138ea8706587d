package io.github.sipf4j.orpo.loss;

import static org.junit.jupiter.api.Assertions.assertEquals;

import ai.djl.engine.Engine;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.training.GradientCollector;
import java.util.function.Function;

/** Gradient checks against central finite differences, shared by the loss tests of every package. */
public final class GradientCheck {

  private GradientCheck() {}

  /**
   * Compares the autograd gradient of the scalar f(x) with central finite differences, in float64.
   *
   * @param m the manager for the perturbed inputs
   * @param x0 the point, float64
   * @param f the scalar function
   * @param what names the case in a failure
   */
  public static void check(NDManager m, NDArray x0, Function<NDArray, NDArray> f, String what) {
    NDArray x = x0.duplicate();
    x.setRequiresGradient(true);
    double[] analytic;
    try (GradientCollector gc = Engine.getInstance().newGradientCollector()) {
      gc.backward(f.apply(x));
      analytic = x.getGradient().toDoubleArray();
    }
    double[] base = x0.toDoubleArray();
    double h = 1e-6;
    for (int i = 0; i < base.length; i++) {
      double[] plus = base.clone();
      double[] minus = base.clone();
      plus[i] += h;
      minus[i] -= h;
      double fp = f.apply(m.create(plus, x0.getShape())).getDouble();
      double fm = f.apply(m.create(minus, x0.getShape())).getDouble();
      double numeric = (fp - fm) / (2 * h);
      assertEquals(numeric, analytic[i], 1e-6 + 1e-5 * Math.abs(numeric), what + " element " + i);
    }
  }
}
