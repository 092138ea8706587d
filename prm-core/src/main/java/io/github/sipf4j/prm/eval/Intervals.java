package io.github.sipf4j.prm.eval;

import java.util.Arrays;
import java.util.SplittableRandom;

/**
 * Confidence intervals: the Wilson score interval for a proportion (accuracy) and a seeded percentile bootstrap
 * for the mean of per-task values (pass@k).
 *
 * <p>Why these: the Wilson interval keeps its coverage near 0 and 1 and for small samples, where the normal
 * approximation does not; pass@k of a task is not a 0/1 outcome when {@code n > k}, so its mean over tasks gets a
 * bootstrap over tasks, which treats the tasks as the sampled unit (as the benchmark does) and is reproducible by
 * its seed.
 */
public final class Intervals {
  /** The default confidence level: 0.95. */
  public static final double DEFAULT_LEVEL = 0.95;

  /** The default number of bootstrap resamples: 2,000. */
  public static final int DEFAULT_RESAMPLES = 2000;

  private Intervals() {}

  /**
   * The Wilson score interval of a proportion:
   * \( \frac{\hat p + z^2/2n \pm z\sqrt{\hat p(1-\hat p)/n + z^2/4n^2}}{1 + z^2/n} \).
   *
   * @param successes the number of successes
   * @param trials the number of trials, at least 1
   * @param level the confidence level in (0, 1)
   * @return the proportion with its interval, method {@code wilson}
   */
  public static ConfidenceInterval wilson(long successes, long trials, double level) {
    if (trials < 1 || successes < 0 || successes > trials) {
      throw new IllegalArgumentException("need 0 <= successes <= trials, trials >= 1");
    }
    double z = normalQuantile(0.5 + level / 2);
    double n = trials;
    double p = successes / n;
    double z2 = z * z;
    double centre = (p + z2 / (2 * n)) / (1 + z2 / n);
    double half = z * Math.sqrt(p * (1 - p) / n + z2 / (4 * n * n)) / (1 + z2 / n);
    return new ConfidenceInterval(p, Math.max(0, centre - half), Math.min(1, centre + half), level, "wilson");
  }

  /**
   * Accuracy with its 95% Wilson interval.
   *
   * @param correct the number of correct answers
   * @param total the number of answers, at least 1
   * @return the accuracy with its interval
   */
  public static ConfidenceInterval accuracy(long correct, long total) {
    return wilson(correct, total, DEFAULT_LEVEL);
  }

  /**
   * A percentile bootstrap interval of the mean: the values are resampled with replacement {@code resamples}
   * times and the interval is cut at the {@code (1-level)/2} and {@code (1+level)/2} quantiles of the means.
   *
   * @param values the per-unit values, at least one
   * @param resamples the number of resamples, at least 1
   * @param seed the seed of the resampling
   * @param level the confidence level in (0, 1)
   * @return the mean with its interval, method {@code bootstrap(resamples, seed S)}
   */
  public static ConfidenceInterval bootstrapMean(double[] values, int resamples, long seed, double level) {
    if (values.length == 0 || resamples < 1) {
      throw new IllegalArgumentException("need at least one value and one resample");
    }
    double mean = Arrays.stream(values).average().orElseThrow();
    SplittableRandom random = new SplittableRandom(seed);
    double[] means = new double[resamples];
    for (int b = 0; b < resamples; b++) {
      double sum = 0;
      for (int i = 0; i < values.length; i++) {
        sum += values[random.nextInt(values.length)];
      }
      means[b] = sum / values.length;
    }
    Arrays.sort(means);
    double lo = quantile(means, (1 - level) / 2);
    double hi = quantile(means, (1 + level) / 2);
    return new ConfidenceInterval(mean, lo, hi, level, "bootstrap(" + resamples + ", seed " + seed + ")");
  }

  private static double quantile(double[] sorted, double q) {
    double pos = q * (sorted.length - 1);
    int i = (int) Math.floor(pos);
    int j = Math.min(sorted.length - 1, i + 1);
    return sorted[i] + (pos - i) * (sorted[j] - sorted[i]);
  }

  /**
   * The standard normal quantile, by Acklam's rational approximation (relative error below 1.2e-9).
   *
   * @param p a probability in (0, 1)
   * @return {@code z} with {@code P(Z <= z) = p}
   */
  public static double normalQuantile(double p) {
    if (!(p > 0 && p < 1)) {
      throw new IllegalArgumentException("p must be in (0, 1): " + p);
    }
    double[] a = {-3.969683028665376e+01, 2.209460984245205e+02, -2.759285104469687e+02, 1.383577518672690e+02,
        -3.066479806614716e+01, 2.506628277459239e+00};
    double[] b = {-5.447609879822406e+01, 1.615858368580409e+02, -1.556989798598866e+02, 6.680131188771972e+01,
        -1.328068155288572e+01};
    double[] c = {-7.784894002430293e-03, -3.223964580411365e-01, -2.400758277161838e+00, -2.549732539343734e+00,
        4.374664141464968e+00, 2.938163982698783e+00};
    double[] d = {7.784695709041462e-03, 3.224671290700398e-01, 2.445134137142996e+00, 3.754408661907416e+00};
    double low = 0.02425;
    if (p < low) {
      double q = Math.sqrt(-2 * Math.log(p));
      return (((((c[0] * q + c[1]) * q + c[2]) * q + c[3]) * q + c[4]) * q + c[5])
          / ((((d[0] * q + d[1]) * q + d[2]) * q + d[3]) * q + 1);
    }
    if (p > 1 - low) {
      return -normalQuantile(1 - p);
    }
    double q = p - 0.5;
    double r = q * q;
    return (((((a[0] * r + a[1]) * r + a[2]) * r + a[3]) * r + a[4]) * r + a[5]) * q
        / (((((b[0] * r + b[1]) * r + b[2]) * r + b[3]) * r + b[4]) * r + 1);
  }
}
