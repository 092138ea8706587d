package io.github.sipf4j.prm.iterate;

/** Which feedback turns the policy's own samples into training data, one per method of the paper's comparison. */
public enum FeedbackMode {
  /**
   * SIPF: steps are scored by a process reward model (trained on Monte-Carlo labels, the labels themselves, or a
   * model of your own), rationales by the aggregated step scores, and chosen/rejected pairs train the policy with
   * ORPO.
   */
  PROCESS,
  /**
   * The paper's outcome-only ablation (SIOF): a rationale scores 1 when its final answer is verified correct and 0
   * otherwise, and the resulting pairs train the policy with ORPO. No simulation, no reward model.
   */
  OUTCOME,
  /**
   * Rejection-sampling fine-tuning: supervised fine-tuning on the policy's own verified-correct samples (and the gold
   * rationales of tasks that have them). No pairs, no reward model.
   */
  RFT
}
