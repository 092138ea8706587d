package io.github.sipf4j.prm.rollout;

import io.github.sipf4j.prm.verify.Verdict;
import java.io.Serializable;

/**
 * The verdict on one sample, as a {@link VerifyJob} returns it and {@code verdicts.jsonl} stores it (same order as
 * the samples).
 *
 * @param correct whether the final answer is correct
 * @param extracted the answer the verifier read, or null
 * @param reason why, in a few words
 */
public record VerdictRecord(boolean correct, String extracted, String reason) implements Serializable {

  private static final long serialVersionUID = 1L;

  /**
   * Copies a verdict.
   *
   * @param v the verdict
   * @return the record
   */
  public static VerdictRecord of(Verdict v) {
    return new VerdictRecord(v.correct(), v.extracted(), v.reason());
  }
}
