package io.github.sipf4j.prm.process;

import com.google.common.base.Preconditions;

/**
 * Reduces the step scores of one rationale (probabilities that each step is correct) to one reward.
 *
 * <pre>{@code
 * double reward = Aggregation.mean().aggregate(new double[] {0.9, 0.6, 0.8}); // 0.7667
 * Aggregation geometric = s -> Math.exp(Arrays.stream(s).map(Math::log).average().orElseThrow());
 * }</pre>
 */
@FunctionalInterface
public interface Aggregation {

  /**
   * Reduces step scores to one reward.
   *
   * @param stepScores the scores of the steps, in order; at least one
   * @return the reward
   */
  double aggregate(double[] stepScores);

  /**
   * Returns the mean \( \frac{1}{n}\sum_i s_i \), SIPF's reward and sipf4j's default.
   *
   * @return the aggregation
   */
  static Aggregation mean() {
    return s -> {
      check(s);
      double sum = 0;
      for (double v : s) {
        sum += v;
      }
      return sum / s.length;
    };
  }

  /**
   * Returns the minimum \( \min_i s_i \) (Math-Shepherd: a rationale is as good as its weakest step).
   *
   * @return the aggregation
   */
  static Aggregation min() {
    return s -> {
      check(s);
      double m = Double.POSITIVE_INFINITY;
      for (double v : s) {
        m = Math.min(m, v);
      }
      return m;
    };
  }

  /**
   * Returns the product \( \prod_i s_i \) (Lightman et al. 2023: the probability that every step is correct).
   *
   * @return the aggregation
   */
  static Aggregation product() {
    return s -> {
      check(s);
      double p = 1;
      for (double v : s) {
        p *= v;
      }
      return p;
    };
  }

  /**
   * Returns the last step's score \( s_n \).
   *
   * @return the aggregation
   */
  static Aggregation last() {
    return s -> {
      check(s);
      return s[s.length - 1];
    };
  }

  /**
   * Returns a built-in aggregation by name.
   *
   * @param name {@code mean}, {@code min}, {@code product} or {@code last}, case-insensitive
   * @return the aggregation
   * @throws IllegalArgumentException naming the built-in aggregations
   */
  static Aggregation named(String name) {
    Preconditions.checkNotNull(name, "name");
    return switch (name.toLowerCase(java.util.Locale.ROOT)) {
      case "mean" -> mean();
      case "min" -> min();
      case "product" -> product();
      case "last" -> last();
      default -> throw new IllegalArgumentException("unknown aggregation '" + name
          + "'; built-in aggregations: mean, min, product, last");
    };
  }

  private static void check(double[] s) {
    Preconditions.checkNotNull(s, "stepScores");
    Preconditions.checkArgument(s.length > 0, "cannot aggregate the scores of a rationale with no steps");
  }
}
