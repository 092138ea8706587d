package io.github.sipf4j.prm.iterate;

import java.util.Locale;

/**
 * The phases of one iteration, in order. Each one writes its output to the iteration's folder and then a marker
 * {@code phases/<name>.json}; a phase whose marker exists is never run again.
 */
public enum Phase {
  /** Sample N rationales per question from the policy ({@code samples.jsonl}). */
  SAMPLE,
  /** Verify each sample's final answer ({@code verdicts.jsonl}). */
  VERIFY,
  /** Label the steps of samples by Monte-Carlo inference simulation ({@code labels.jsonl}). */
  SIMULATE,
  /** Train a fresh {@code DecoderPrm} on the labels ({@code prm/}, {@code prm-metrics.json}). */
  TRAIN_PRM,
  /** Score every step of every sample ({@code scores.jsonl}). */
  SCORE,
  /** Build this iteration's training data and accumulate it ({@code pairs.jsonl}, {@code dataset.jsonl}). */
  SELECT,
  /** Train the policy: ORPO on the pairs, or SFT for RFT ({@code policy/}, {@code train/}). */
  TRAIN_POLICY,
  /** Greedy accuracy on every evaluation set ({@code eval.json}). */
  EVALUATE;

  /**
   * Returns the name used in files and reports, such as {@code train_prm}.
   *
   * @return the lower-case name
   */
  public String key() {
    return name().toLowerCase(Locale.ROOT);
  }
}
