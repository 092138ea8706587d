package io.github.sipf4j.prm.iterate;

import com.google.common.base.Preconditions;
import io.github.sipf4j.prm.eval.ConfidenceInterval;
import io.github.sipf4j.prm.eval.Intervals;

/**
 * Greedy accuracy of a policy on one evaluation set.
 *
 * @param name the set's name
 * @param n how many tasks were evaluated
 * @param correct how many were answered correctly
 * @param accuracy {@code correct / n}, a fraction in [0, 1]
 * @param lower the lower bound of the 95% Wilson interval
 * @param upper the upper bound of the 95% Wilson interval
 */
public record EvalResult(String name, int n, int correct, double accuracy, double lower, double upper) {

  /**
   * Validates the counts.
   *
   * @param name the {@code name} component (see the record)
   * @param n the {@code n} component (see the record)
   * @param correct the {@code correct} component (see the record)
   * @param accuracy the {@code accuracy} component (see the record)
   * @param lower the {@code lower} component (see the record)
   * @param upper the {@code upper} component (see the record)
   */
  public EvalResult {
    Preconditions.checkArgument(n > 0 && correct >= 0 && correct <= n, "bad counts %s of %s", correct, n);
  }

  /**
   * Computes the accuracy and its Wilson interval.
   *
   * @param name the set's name
   * @param correct tasks answered correctly
   * @param n tasks evaluated, at least one
   * @return the result
   */
  public static EvalResult of(String name, int correct, int n) {
    ConfidenceInterval ci = Intervals.accuracy(correct, n);
    return new EvalResult(name, n, correct, (double) correct / n, ci.lower(), ci.upper());
  }
}
