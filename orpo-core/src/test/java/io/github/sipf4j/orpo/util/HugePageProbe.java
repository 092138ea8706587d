package io.github.sipf4j.orpo.util;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * Run by {@link HugePageTuningTest} in a fresh JVM: applies {@link HugePageTuning} (on with {@code -Dsipf4j.thp=true}),
 * then fills a 64 MiB float32 tensor and prints {@code status=... hugeKb=N}: the status and the anonymous huge-page
 * memory of the process ({@code AnonHugePages} of {@code /proc/self/smaps_rollup}) while the tensor is alive.
 */
public final class HugePageProbe {

  private HugePageProbe() {}

  /**
   * Runs the probe.
   *
   * @param args none
   * @throws IOException if the process's memory summary cannot be read
   */
  public static void main(String[] args) throws IOException {
    String status = HugePageTuning.apply();
    try (NDManager m = NDManager.newBaseManager()) {
      NDArray big = m.ones(new Shape(16L << 20));
      NDArray doubled = big.mul(2f); // a second, freshly allocated 64 MiB tensor, written by libtorch
      float check = doubled.getFloat(12345);
      long kb = 0;
      for (String line : Files.readAllLines(Path.of("/proc/self/smaps_rollup"), StandardCharsets.UTF_8)) {
        if (line.startsWith("AnonHugePages:")) {
          kb = Long.parseLong(line.replaceAll("[^0-9]", ""));
        }
      }
      System.out.println("status=" + status.replace(' ', '_') + " hugeKb=" + kb + " check=" + check);
    }
  }
}
