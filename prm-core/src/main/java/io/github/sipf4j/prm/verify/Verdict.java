package io.github.sipf4j.prm.verify;

import java.util.Objects;

/**
 * The outcome of checking one model output against one task.
 *
 * @param correct whether the output is a correct solution
 * @param extracted the answer found in the output (a number, word, letter or the code that ran), or empty when none
 *     was found
 * @param reason a short explanation for logs and reports, such as "expected 72, got 70"
 */
public record Verdict(boolean correct, String extracted, String reason) {

  /**
   * Validates the parts.
   *
   * @param correct whether the output is correct
   * @param extracted the extracted answer
   * @param reason the explanation
   */
  public Verdict {
    Objects.requireNonNull(extracted, "extracted");
    Objects.requireNonNull(reason, "reason");
  }

  /**
   * A correct verdict.
   *
   * @param extracted the extracted answer
   * @param reason the explanation
   * @return the verdict
   */
  public static Verdict correct(String extracted, String reason) {
    return new Verdict(true, extracted, reason);
  }

  /**
   * An incorrect verdict.
   *
   * @param extracted the extracted answer, empty when none was found
   * @param reason the explanation
   * @return the verdict
   */
  public static Verdict incorrect(String extracted, String reason) {
    return new Verdict(false, extracted, reason);
  }
}
