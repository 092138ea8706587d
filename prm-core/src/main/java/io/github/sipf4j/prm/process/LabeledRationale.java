package io.github.sipf4j.prm.process;

import com.google.common.base.Preconditions;
import java.util.List;

/**
 * A rationale with a correctness label per step, the training data of a {@link DecoderPrm} and the record of TRL's
 * stepwise-supervision format ({@link StepwiseJsonl}).
 *
 * @param prompt the question
 * @param steps the steps, at least one
 * @param labels one label per step in [0, 1]: 1 (correct) or 0 (wrong) for hard labels, the probability of being
 *     correct for soft labels (e.g. the share of Monte-Carlo completions from the step that reach a correct answer)
 */
public record LabeledRationale(String prompt, List<String> steps, double[] labels) {

  /**
   * Validates the record and copies the steps and labels.
   *
   * @param prompt the {@code prompt} component (see the record)
   * @param steps the {@code steps} component (see the record)
   * @param labels the {@code labels} component (see the record)
   */
  public LabeledRationale {
    Preconditions.checkNotNull(prompt, "prompt");
    Preconditions.checkNotNull(steps, "steps");
    Preconditions.checkNotNull(labels, "labels");
    Preconditions.checkArgument(!steps.isEmpty(), "a labelled rationale needs at least one step");
    Preconditions.checkArgument(steps.size() == labels.length, "%s steps but %s labels", steps.size(),
        labels.length);
    for (int i = 0; i < labels.length; i++) {
      Preconditions.checkArgument(labels[i] >= 0 && labels[i] <= 1, "label %s is %s, outside [0, 1]", (Integer) i,
          (Double) labels[i]);
    }
    steps = List.copyOf(steps);
    labels = labels.clone();
  }

  /**
   * Returns a copy of the labels.
   *
   * @return the labels
   */
  @Override
  public double[] labels() {
    return labels.clone();
  }

  /**
   * Returns one label without copying.
   *
   * @param step the 0-based step
   * @return its label
   */
  public double label(int step) {
    return labels[step];
  }

  /**
   * Tells whether every label is exactly 0 or 1.
   *
   * @return true for hard labels
   */
  public boolean hasHardLabels() {
    for (double l : labels) {
      if (l != 0 && l != 1) {
        return false;
      }
    }
    return true;
  }
}
