package io.github.sipf4j.orpo.data;

import com.google.common.base.Preconditions;

/**
 * One preference example in TRL's explicit-prompt format: the prompt text (already formatted) and two responses.
 *
 * @param prompt the prompt
 * @param chosen the preferred response
 * @param rejected the dispreferred response
 */
public record PreferencePair(String prompt, String chosen, String rejected) {

  /**
   * Validates that no field is null.
   *
   * @param prompt the {@code prompt} component (see the record)
   * @param chosen the {@code chosen} component (see the record)
   * @param rejected the {@code rejected} component (see the record)
   */
  public PreferencePair {
    Preconditions.checkNotNull(prompt, "prompt");
    Preconditions.checkNotNull(chosen, "chosen");
    Preconditions.checkNotNull(rejected, "rejected");
  }
}
