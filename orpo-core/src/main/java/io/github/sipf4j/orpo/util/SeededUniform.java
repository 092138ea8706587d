package io.github.sipf4j.orpo.util;

import com.google.common.base.Preconditions;

/**
 * Uniformly distributed initial weights from the local random streams of {@link SeededNormal} (keyed by a seed, a
 * parameter name and a chunk index), so that they depend on nothing process-wide and on no other parameter.
 */
public final class SeededUniform {

  private SeededUniform() {}

  /**
   * Draws {@code count} values from \( \mathcal{U}(-b, b) \) for one parameter.
   *
   * @param seed the seed
   * @param name the parameter's name, which keys its streams
   * @param count the number of values
   * @param bound the bound \( b \), finite and non-negative
   * @return the values, in row-major order of the parameter
   */
  public static float[] sample(long seed, String name, int count, double bound) {
    Preconditions.checkArgument(bound >= 0 && Double.isFinite(bound), "bound must be finite and >= 0, got %s",
        bound);
    return SeededNormal.fill(seed, name, count, r -> (2 * r.nextDouble() - 1) * bound);
  }
}
