package io.github.sipf4j.benchmarks;

import java.util.Arrays;
import java.util.List;

/**
 * Median, minimum and maximum of repeated timings.
 *
 * @param median the median
 * @param min the minimum
 * @param max the maximum
 */
public record Stats(double median, double min, double max) {

  /**
   * Summarises samples.
   *
   * @param samples the timings, at least one
   * @return the statistics
   */
  public static Stats of(List<Double> samples) {
    double[] s = samples.stream().mapToDouble(Double::doubleValue).sorted().toArray();
    int n = s.length;
    double median = n % 2 == 1 ? s[n / 2] : (s[n / 2 - 1] + s[n / 2]) / 2;
    return new Stats(median, s[0], s[n - 1]);
  }

  @Override
  public String toString() {
    return String.format(java.util.Locale.ROOT, "%.1f (%.1f–%.1f)", median, min, max);
  }

  static double[] sorted(double[] a) {
    double[] c = a.clone();
    Arrays.sort(c);
    return c;
  }
}
