package io.github.sipf4j.prm.verify;

import io.github.sipf4j.prm.task.ReasoningTask;
import java.util.Optional;
import java.util.OptionalDouble;

/**
 * Checks the final answer of an output against a task's reference answer: numerically when the reference is a
 * number, otherwise as a normalised word (yes/no, a name). Obtain one with {@link OutcomeVerifier#numeric()}.
 */
public final class NumericAnswerVerifier implements OutcomeVerifier {
  private final NumericAnswerConfig config;

  /**
   * Creates the verifier.
   *
   * @param config tolerances and extraction settings
   */
  public NumericAnswerVerifier(NumericAnswerConfig config) {
    this.config = config;
  }

  @Override
  public Verdict verify(ReasoningTask task, String output) {
    Optional<String> phrase = Answers.extractFinal(output, config.lastNumberFallback());
    if (phrase.isEmpty()) {
      return Verdict.incorrect("", "no final answer found");
    }
    String got = phrase.get();
    OptionalDouble reference = Answers.parseNumber(task.answer());
    if (reference.isPresent()) {
      OptionalDouble value = Answers.numericValue(got);
      if (value.isEmpty()) {
        return Verdict.incorrect(got, "expected the number " + task.answer() + ", got no number");
      }
      double a = reference.getAsDouble();
      double b = value.getAsDouble();
      double tol = Math.max(config.absTolerance(), config.relTolerance() * Math.max(Math.abs(a), Math.abs(b)));
      String shown = Answers.canonical(b);
      return Math.abs(a - b) <= tol
          ? Verdict.correct(shown, "matches " + task.answer())
          : Verdict.incorrect(shown, "expected " + task.answer() + ", got " + shown);
    }
    String expected = Answers.normalizeText(task.answer());
    String actual = Answers.normalizeText(got);
    return expected.equals(actual)
        ? Verdict.correct(actual, "matches " + task.answer())
        : Verdict.incorrect(actual, "expected " + task.answer() + ", got " + actual);
  }
}
