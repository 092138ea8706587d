package io.github.sipf4j.prm.process;

import com.google.common.base.Preconditions;
import java.util.Arrays;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * How well step scores (probabilities that each step is correct) match step labels, on held-out steps.
 *
 * <p>A label counts as "correct" when it exceeds 0.5 (for a soft Monte-Carlo label: most completions from the step
 * succeed) and as "wrong" otherwise. A step is predicted correct when its score is at least the threshold
 * (0.5 unless given). Precision, recall and F1 are those of the <em>wrong</em> class, because flagging wrong steps
 * is what process feedback is for (the correct class dominates most data sets, where its F1 says little):
 * \( P = \frac{TP}{TP + FP} \), \( R = \frac{TP}{TP + FN} \), \( F_1 = \frac{2\,TP}{2\,TP + FP + FN} \), with a
 * true positive being a wrong step predicted wrong. Undefined values are NaN: precision when no step is predicted
 * wrong, recall when no step is wrong, F1 when both happen (\( TP + FP + FN = 0 \)).
 *
 * <p>AUROC is rank-based (the Mann-Whitney statistic): the probability that a random correct step scores higher
 * than a random wrong one, ties counting one half, computed with average ranks; NaN when either class is absent.
 * It does not depend on the threshold, and it is the same for "correct scored by \( p \)" and "wrong scored by
 * \( 1 - p \)".
 *
 * @param steps the number of steps evaluated
 * @param wrongSteps how many of them are labelled wrong
 * @param accuracy the share of steps whose prediction matches the label
 * @param precision precision of the wrong class
 * @param recall recall of the wrong class
 * @param f1 F1 of the wrong class
 * @param auroc the area under the ROC curve of the scores against the labels
 */
public record StepMetrics(
    int steps, int wrongSteps, double accuracy, double precision, double recall, double f1, double auroc) {

  /** The default decision threshold on the score. */
  public static final double DEFAULT_THRESHOLD = 0.5;

  /**
   * Computes the metrics at the default threshold.
   *
   * @param scores the predicted probabilities of being correct, one per step
   * @param labels the labels in [0, 1], one per step
   * @return the metrics
   */
  public static StepMetrics compute(double[] scores, double[] labels) {
    return compute(scores, labels, DEFAULT_THRESHOLD);
  }

  /**
   * Computes the metrics.
   *
   * @param scores the predicted probabilities of being correct, one per step, none NaN
   * @param labels the labels in [0, 1], one per step
   * @param threshold a step is predicted correct when its score is at least this
   * @return the metrics
   */
  public static StepMetrics compute(double[] scores, double[] labels, double threshold) {
    Preconditions.checkArgument(scores.length == labels.length, "%s scores but %s labels", scores.length,
        labels.length);
    Preconditions.checkArgument(scores.length > 0, "no steps to evaluate");
    int tp = 0;
    int fp = 0;
    int fn = 0;
    int agree = 0;
    int wrong = 0;
    for (int i = 0; i < scores.length; i++) {
      Preconditions.checkArgument(!Double.isNaN(scores[i]), "score %s is NaN", i);
      boolean isWrong = !isCorrect(labels[i]);
      boolean predictedWrong = scores[i] < threshold;
      wrong += isWrong ? 1 : 0;
      agree += isWrong == predictedWrong ? 1 : 0;
      if (isWrong && predictedWrong) {
        tp++;
      } else if (predictedWrong) {
        fp++;
      } else if (isWrong) {
        fn++;
      }
    }
    double precision = tp + fp == 0 ? Double.NaN : (double) tp / (tp + fp);
    double recall = tp + fn == 0 ? Double.NaN : (double) tp / (tp + fn);
    double f1 = tp + fp + fn == 0 ? Double.NaN : 2.0 * tp / (2.0 * tp + fp + fn);
    return new StepMetrics(scores.length, wrong, (double) agree / scores.length, precision, recall, f1,
        auroc(scores, labels));
  }

  /**
   * Tells whether a label counts as correct.
   *
   * @param label a label in [0, 1]
   * @return {@code label > 0.5}
   */
  public static boolean isCorrect(double label) {
    return label > 0.5;
  }

  /**
   * Computes the rank-based AUROC of scores against hard labels ({@link #isCorrect}):
   * \( \mathrm{AUC} = \frac{R_+ - n_+(n_+ + 1)/2}{n_+ n_-} \), where \( R_+ \) is the sum of the (average, for ties)
   * ranks of the correct steps' scores.
   *
   * @param scores the scores
   * @param labels the labels
   * @return the AUROC, or NaN when one class is absent
   */
  public static double auroc(double[] scores, double[] labels) {
    Preconditions.checkArgument(scores.length == labels.length, "%s scores but %s labels", scores.length,
        labels.length);
    int n = scores.length;
    Integer[] order = new Integer[n];
    for (int i = 0; i < n; i++) {
      order[i] = i;
    }
    Arrays.sort(order, Comparator.comparingDouble(i -> scores[i]));
    double positiveRankSum = 0;
    long positives = 0;
    int i = 0;
    while (i < n) {
      int j = i;
      while (j + 1 < n && scores[order[j + 1]] == scores[order[i]]) {
        j++;
      }
      double averageRank = (i + j) / 2.0 + 1;
      for (int k = i; k <= j; k++) {
        if (isCorrect(labels[order[k]])) {
          positiveRankSum += averageRank;
          positives++;
        }
      }
      i = j + 1;
    }
    long negatives = n - positives;
    if (positives == 0 || negatives == 0) {
      return Double.NaN;
    }
    return (positiveRankSum - positives * (positives + 1) / 2.0) / ((double) positives * negatives);
  }

  /**
   * Returns the metrics under stable names, for metrics files and logs.
   *
   * @param prefix put before every name, e.g. {@code "eval/"}
   * @return the values by name
   */
  public Map<String, Object> toMap(String prefix) {
    Map<String, Object> m = new LinkedHashMap<>();
    m.put(prefix + "steps", steps);
    m.put(prefix + "wrong_steps", wrongSteps);
    m.put(prefix + "accuracy", accuracy);
    m.put(prefix + "precision_wrong", precision);
    m.put(prefix + "recall_wrong", recall);
    m.put(prefix + "f1_wrong", f1);
    m.put(prefix + "auroc", auroc);
    return m;
  }

  /**
   * Reads metrics back from a row written with {@link #toMap} and no prefix (a line of a metrics file, or a PRM's
   * {@code prm-metrics.json}); a missing or null rate reads as NaN.
   *
   * @param row the row
   * @return the metrics
   */
  public static StepMetrics fromJson(com.google.gson.JsonObject row) {
    return new StepMetrics(row.get("steps").getAsInt(), row.get("wrong_steps").getAsInt(),
        number(row, "accuracy"), number(row, "precision_wrong"), number(row, "recall_wrong"), number(row, "f1_wrong"),
        number(row, "auroc"));
  }

  private static double number(com.google.gson.JsonObject row, String key) {
    com.google.gson.JsonElement e = row.get(key);
    return e == null || e.isJsonNull() ? Double.NaN : e.getAsDouble();
  }
}
