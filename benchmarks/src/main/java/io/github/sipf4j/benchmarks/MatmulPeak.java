package io.github.sipf4j.benchmarks;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;

/** Measures this machine's float32 matrix-multiply peak through DJL (the same libtorch the models use). */
public final class MatmulPeak {

  private MatmulPeak() {}

  /**
   * Returns the best GFLOP/s of square float32 matrix products, \( 2n^3 / t \), over n = 256..2048.
   *
   * @param repeats timed products per size (the best is kept)
   * @return the peak in GFLOP/s
   */
  public static double gflops(int repeats) {
    double best = 0;
    try (NDManager m = NDManager.newBaseManager()) {
      for (int n : new int[] {256, 512, 1024, 2048}) {
        try (NDManager s = m.newSubManager()) {
          NDArray a = s.randomNormal(0, 1, new Shape(n, n), DataType.FLOAT32);
          NDArray b = s.randomNormal(0, 1, new Shape(n, n), DataType.FLOAT32);
          a.matMul(b).close(); // warm-up
          for (int r = 0; r < repeats; r++) {
            long t0 = System.nanoTime();
            NDArray c = a.matMul(b);
            c.getFloat(0, 0); // wait for the result
            double s2 = (System.nanoTime() - t0) / 1e9;
            c.close();
            best = Math.max(best, 2.0 * n * n * n / s2 / 1e9);
          }
        }
      }
    }
    return best;
  }
}
