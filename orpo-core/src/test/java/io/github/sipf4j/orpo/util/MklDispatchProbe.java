package io.github.sipf4j.orpo.util;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import java.util.Arrays;
import java.util.Locale;
import java.util.stream.Collectors;

/**
 * Run by {@link MklDispatchTest} in a fresh JVM: applies the shim (after loading libtorch when the argument is
 * {@code late}), multiplies two seeded 192×256 and 256×160 float32 matrices through libtorch, and prints one line
 * {@code state=... branch=... product=v1,v2,...} (a fixed sample of the product's entries).
 */
public final class MklDispatchProbe {

  private MklDispatchProbe() {}

  /**
   * Runs the probe.
   *
   * @param args {@code first} or {@code late}
   */
  public static void main(String[] args) {
    boolean late = args.length > 0 && args[0].equals("late");
    NDManager early = late ? NDManager.newBaseManager() : null; // loads libtorch before the shim
    MklDispatch.Status status = MklDispatch.apply();
    try (NDManager m = early != null ? early : NDManager.newBaseManager()) {
      java.util.Random r = new java.util.Random(7);
      float[] a = new float[192 * 256];
      float[] b = new float[256 * 160];
      for (int i = 0; i < a.length; i++) {
        a[i] = (float) r.nextGaussian();
      }
      for (int i = 0; i < b.length; i++) {
        b[i] = (float) r.nextGaussian();
      }
      NDArray x = m.create(a, new Shape(192, 256));
      NDArray y = m.create(b, new Shape(256, 160));
      float[] c = x.matMul(y).toType(DataType.FLOAT32, false).toFloatArray();
      String sample = Arrays.stream(new int[] {0, 1, 161, 5000, 17777, 30719})
          .mapToObj(i -> String.format(Locale.ROOT, "%.6f", c[i])).collect(Collectors.joining(","));
      System.out.println("state=" + status.state() + " branch=" + MklDispatch.mklBranch() + " product=" + sample);
    }
  }
}
