package io.github.sipf4j.prm.process;

/**
 * The Monte-Carlo labels of one rationale's steps.
 *
 * <p>Step {@code j} (0-based) is judged from the prefix made of steps {@code 0..j}: {@code correct[j]} of
 * {@code rollouts[j]} completions sampled from that prefix reached a verified answer. The soft label is the share
 * \( c_j / K \); the hard label is \( c_j / K &gt; \delta \) (Math-Shepherd's "hard estimation"; SIPF uses
 * \( \delta = 0 \): any correct completion). The last step is the rationale itself, so its label is the verified
 * correctness of the rationale's own answer (no rollouts). Steps after the first wrong one that were not simulated
 * (early stop) inherit its labels and have {@code rollouts[j] = 0}.
 *
 * @param soft per step, the share of correct completions in [0, 1]
 * @param hard per step, whether the share exceeds δ
 * @param rollouts per step, the completions sampled (0 when not simulated)
 * @param correct per step, the completions verified correct
 * @param outcomeCorrect whether the rationale's own final answer is correct
 * @param firstWrongStep the first step whose hard label is false, or -1
 */
public record StepLabels(
    double[] soft, boolean[] hard, int[] rollouts, int[] correct, boolean outcomeCorrect, int firstWrongStep) {

  /**
   * Returns the labels as numbers: the soft shares, or the hard labels as 0/1.
   *
   * @param useSoft whether to return the soft labels
   * @return one label per step in [0, 1]
   */
  public double[] labels(boolean useSoft) {
    if (useSoft) {
      return soft.clone();
    }
    double[] out = new double[hard.length];
    for (int i = 0; i < hard.length; i++) {
      out[i] = hard[i] ? 1 : 0;
    }
    return out;
  }

  /**
   * Returns the number of steps.
   *
   * @return the step count
   */
  public int size() {
    return soft.length;
  }
}
