package io.github.sipf4j.prm.rollout;

import io.github.sipf4j.prm.process.StepLabels;
import java.io.Serializable;

/**
 * The Monte-Carlo labels of one sample's steps, as a {@link SimulateJob} returns them and {@code labels.jsonl} stores
 * them (see {@link StepLabels} for the meaning of each array).
 *
 * @param sample the sample's line in {@code samples.jsonl}, from 0
 * @param soft per step, the share of correct completions
 * @param hard per step, whether the share exceeds δ
 * @param rollouts per step, the completions sampled (0 when not simulated)
 * @param correct per step, the completions verified correct
 * @param outcomeCorrect whether the sample's own final answer is correct
 * @param firstWrongStep the first step whose hard label is false, or -1
 */
public record LabelRecord(int sample, double[] soft, boolean[] hard, int[] rollouts, int[] correct,
    boolean outcomeCorrect, int firstWrongStep) implements Serializable {

  private static final long serialVersionUID = 1L;

  /**
   * Copies the labels of one sample.
   *
   * @param sample the sample's line in {@code samples.jsonl}
   * @param l the labels
   * @return the record
   */
  public static LabelRecord of(int sample, StepLabels l) {
    return new LabelRecord(sample, l.soft(), l.hard(), l.rollouts(), l.correct(), l.outcomeCorrect(),
        l.firstWrongStep());
  }

  /**
   * Returns the labels as numbers: the soft shares, or the hard labels as 0/1.
   *
   * @param useSoft whether to return the soft labels
   * @return one label per step in [0, 1]
   */
  public double[] labels(boolean useSoft) {
    return new StepLabels(soft, hard, rollouts, correct, outcomeCorrect, firstWrongStep).labels(useSoft);
  }

  /**
   * Tells whether the sample reached a correct answer through a step labelled wrong before its last one.
   *
   * @return true for a correct-but-flawed sample
   */
  public boolean flawedCorrect() {
    return outcomeCorrect && firstWrongStep >= 0 && firstWrongStep < soft.length - 1;
  }

  /**
   * Returns the step prefixes whose completions were sampled.
   *
   * @return the number of steps with rollouts
   */
  public int simulatedPrefixes() {
    int n = 0;
    for (int r : rollouts) {
      n += r > 0 ? 1 : 0;
    }
    return n;
  }

  /**
   * Returns the completions sampled for this sample.
   *
   * @return the sum of {@link #rollouts()}
   */
  public long completions() {
    long n = 0;
    for (int r : rollouts) {
      n += r;
    }
    return n;
  }
}
