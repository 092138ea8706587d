package io.github.sipf4j.orpo.train;

import com.google.common.base.Preconditions;
import io.github.sipf4j.orpo.text.EncodedSequence;

/**
 * A preference pair, encoded: the same prompt continued by a chosen and a rejected response.
 *
 * @param chosen the preferred sequence
 * @param rejected the dispreferred sequence
 */
public record EncodedPair(EncodedSequence chosen, EncodedSequence rejected) {

  /**
   * Validates that both sequences have a prompt and a response.
   *
   * @param chosen the {@code chosen} component (see the record)
   * @param rejected the {@code rejected} component (see the record)
   */
  public EncodedPair {
    Preconditions.checkNotNull(chosen, "chosen");
    Preconditions.checkNotNull(rejected, "rejected");
  }

  /**
   * Returns what the pair pads a batch to: its chosen and rejected rows share one padded tensor, so the longer of the
   * two.
   *
   * @return the longer row's length in tokens
   */
  public int length() {
    return Math.max(chosen.length(), rejected.length());
  }
}
