package io.github.sipf4j.prm.verify;

import io.github.sipf4j.prm.task.ReasoningTask;
import java.util.Locale;
import java.util.Optional;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Checks the option letter (A to D) named by an output: "The answer is (B)", "answer: B", "(B)" or a bare "B".
 * When the output states an option's text instead of its letter, that option counts. Obtain one with {@link
 * OutcomeVerifier#multipleChoice()}.
 */
public final class MultipleChoiceVerifier implements OutcomeVerifier {
  private static final Pattern MARKED =
      Pattern.compile("(?i)answer\\s*(?:is|:)?\\s*:?\\s*\\(?\\s*([A-D])\\s*\\)?(?![A-Za-z])");
  private static final Pattern BARE = Pattern.compile("^\\s*\\(?([A-D])(?:[).:]|\\s|$)");

  /** Creates the verifier. */
  public MultipleChoiceVerifier() {}

  /**
   * Extracts the option letter an output names.
   *
   * @param output the model output
   * @param task the task, whose choices let an option's text stand for its letter; may be {@code null}
   * @return the upper-case letter, or empty when none is found
   */
  public static Optional<String> extractLetter(String output, ReasoningTask task) {
    Matcher m = MARKED.matcher(output);
    String last = null;
    while (m.find()) {
      last = m.group(1);
    }
    if (last == null) {
      Matcher b = BARE.matcher(output.strip());
      if (b.find()) {
        last = b.group(1);
      }
    }
    if (last == null && task != null) {
      Optional<String> phrase = Answers.extractFinal(output, false);
      String said = Answers.normalizeText(phrase.orElse(output));
      for (int i = 0; i < task.choices().size(); i++) {
        if (Answers.normalizeText(task.choices().get(i)).equals(said)) {
          last = String.valueOf((char) ('A' + i));
        }
      }
    }
    return Optional.ofNullable(last).map(s -> s.toUpperCase(Locale.ROOT));
  }

  @Override
  public Verdict verify(ReasoningTask task, String output) {
    Optional<String> letter = extractLetter(output, task);
    if (letter.isEmpty()) {
      return Verdict.incorrect("", "no option letter found");
    }
    String expected = task.answer().strip().toUpperCase(Locale.ROOT);
    return letter.get().equals(expected)
        ? Verdict.correct(letter.get(), "matches " + expected)
        : Verdict.incorrect(letter.get(), "expected " + expected + ", got " + letter.get());
  }
}
