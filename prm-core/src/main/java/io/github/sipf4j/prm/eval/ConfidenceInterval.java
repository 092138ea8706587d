package io.github.sipf4j.prm.eval;

import java.util.Objects;

/**
 * A point estimate with a two-sided confidence interval.
 *
 * @param estimate the point estimate
 * @param lower the lower bound
 * @param upper the upper bound
 * @param level the confidence level, such as 0.95
 * @param method how the interval was computed, such as {@code wilson} or {@code bootstrap(2000, seed 1)}
 */
public record ConfidenceInterval(double estimate, double lower, double upper, double level, String method) {

  /**
   * Validates the parts.
   *
   * @param estimate the estimate
   * @param lower the lower bound
   * @param upper the upper bound
   * @param level the level in (0, 1)
   * @param method the method's name
   */
  public ConfidenceInterval {
    Objects.requireNonNull(method, "method");
    if (!(level > 0 && level < 1)) {
      throw new IllegalArgumentException("level must be in (0, 1): " + level);
    }
  }
}
