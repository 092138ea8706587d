package io.github.sipf4j.prm.eval;

import java.util.List;

/**
 * The unbiased pass@k estimator of the HumanEval paper (Chen et al. 2021): for a task with {@code n} samples of
 * which {@code c} are correct, \( \text{pass@}k = 1 - \binom{n-c}{k} / \binom{n}{k} \), computed stably as \( 1 -
 * \prod_{i=n-c+1}^{n} (1 - k/i) \); the benchmark's pass@k is the mean over tasks.
 *
 * <pre>{@code
 * List<TaskCounts> counts = List.of(new TaskCounts("HumanEval/0", 10, 3), new TaskCounts("HumanEval/1", 10, 0));
 * double p1 = PassAtK.mean(counts, 1);                       // 0.15
 * ConfidenceInterval ci = PassAtK.withInterval(counts, 1, 1L); // bootstrap over tasks
 * }</pre>
 */
public final class PassAtK {
  private PassAtK() {}

  /**
   * Estimates pass@k for one task.
   *
   * @param n the number of samples, at least {@code k}
   * @param c the number of correct samples, in {@code [0, n]}
   * @param k the budget, at least 1
   * @return the probability that at least one of {@code k} samples drawn without replacement is correct
   */
  public static double estimate(int n, int c, int k) {
    if (k < 1 || n < k || c < 0 || c > n) {
      throw new IllegalArgumentException("need 1 <= k <= n and 0 <= c <= n: n=" + n + " c=" + c + " k=" + k);
    }
    if (n - c < k) {
      return 1.0;
    }
    double fail = 1.0;
    for (int i = n - c + 1; i <= n; i++) {
      fail *= 1.0 - (double) k / i;
    }
    return 1.0 - fail;
  }

  /**
   * Averages pass@k over tasks.
   *
   * @param counts the per-task counts, each with at least {@code k} samples
   * @param k the budget
   * @return the mean pass@k
   */
  public static double mean(List<TaskCounts> counts, int k) {
    double[] v = perTask(counts, k);
    return v.length == 0 ? Double.NaN : java.util.Arrays.stream(v).average().orElseThrow();
  }

  /**
   * Averages pass@k over tasks with a 95% interval: when every task has exactly one sample, pass@1 is a plain
   * proportion of tasks and gets the Wilson score interval (which, unlike the bootstrap, does not collapse to a
   * point at 0% or 100%); otherwise a percentile bootstrap over tasks ({@link Intervals#DEFAULT_RESAMPLES}
   * resamples, seeded).
   *
   * @param counts the per-task counts, each with at least {@code k} samples; not empty
   * @param k the budget
   * @param seed the seed of the bootstrap
   * @return the mean pass@k with its interval
   */
  public static ConfidenceInterval withInterval(List<TaskCounts> counts, int k, long seed) {
    if (!counts.isEmpty() && counts.stream().allMatch(t -> t.samples() == 1)) {
      long passed = counts.stream().filter(t -> t.correct() == 1).count();
      return Intervals.wilson(passed, counts.size(), Intervals.DEFAULT_LEVEL);
    }
    return Intervals.bootstrapMean(perTask(counts, k), Intervals.DEFAULT_RESAMPLES, seed, Intervals.DEFAULT_LEVEL);
  }

  /**
   * Tells whether every task has at least {@code k} samples, the condition for reporting pass@k.
   *
   * @param counts the per-task counts
   * @param k the budget
   * @return {@code true} when pass@k is defined for every task
   */
  public static boolean defined(List<TaskCounts> counts, int k) {
    return !counts.isEmpty() && counts.stream().allMatch(t -> t.samples() >= k);
  }

  private static double[] perTask(List<TaskCounts> counts, int k) {
    double[] v = new double[counts.size()];
    for (int i = 0; i < v.length; i++) {
      TaskCounts t = counts.get(i);
      v[i] = estimate(t.samples(), t.correct(), k);
    }
    return v;
  }
}
