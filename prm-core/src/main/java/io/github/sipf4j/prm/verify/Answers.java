package io.github.sipf4j.prm.verify;

import java.math.BigDecimal;
import java.util.Locale;
import java.util.Optional;
import java.util.OptionalDouble;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Extraction and normalisation of final answers in model outputs, shared by the verifiers and the loaders.
 *
 * <p>The final answer of a text is, in this order of preference: the text after the last {@code ####}; the text
 * after the last "the answer is" (also "final answer is", "answer:"), up to the end of its line; the content of the
 * last {@code \boxed{...}}; and, only when asked for, the last number anywhere in the text.
 *
 * <p>Numbers are normalised by dropping {@code $}, {@code %}, thousands separators ({@code 1,234}), a trailing
 * period and a trailing {@code .0}; fractions {@code 3/4} and negatives (also with the Unicode minus sign) are
 * understood.
 */
public final class Answers {
  private static final Pattern HASHES = Pattern.compile("####\\s*([^\\n]*)");
  private static final Pattern ANSWER_IS =
      Pattern.compile(
          "(?i)(?:the\\s+)?(?:final\\s+)?answer\\s*(?:is|:|=)\\s*:?\\s*([^\\n]*)");
  private static final Pattern BOXED = Pattern.compile("\\\\boxed\\{([^{}]*)\\}");
  /** A number: optional sign and dollar, digits with optional thousands groups, decimals, optional fraction. */
  private static final Pattern NUMBER =
      Pattern.compile(
          "(?<![\\w.])-?\\$?(?:\\d{1,3}(?:,\\d{3})+|\\d+)(?:\\.\\d+)?(?:\\s*/\\s*\\d+(?:\\.\\d+)?)?|(?<![\\w.])-?\\.\\d+");

  private Answers() {}

  /**
   * Extracts the final answer phrase of a text.
   *
   * @param text the model output
   * @param lastNumberFallback whether to fall back to the last number in the text when no answer marker is found
   * @return the answer phrase, trimmed, or empty when none is found
   */
  public static Optional<String> extractFinal(String text, boolean lastNumberFallback) {
    String t = text.replace('\u2212', '-');
    String found = lastGroup(HASHES, t);
    if (found == null) {
      found = lastGroup(ANSWER_IS, t);
    }
    if (found == null) {
      found = lastGroup(BOXED, t);
    }
    if (found != null) {
      found = found.strip();
      Matcher boxed = BOXED.matcher(found);
      if (boxed.find()) {
        found = boxed.group(1).strip();
      }
      if (!found.isEmpty()) {
        return Optional.of(found);
      }
    }
    if (lastNumberFallback) {
      String last = null;
      Matcher m = NUMBER.matcher(t);
      while (m.find()) {
        last = m.group();
      }
      return Optional.ofNullable(last);
    }
    return Optional.empty();
  }

  /**
   * Finds the first number in a phrase, such as {@code 18} in "18 dollars." or {@code -3/4} in "about -3/4".
   *
   * @param phrase the phrase
   * @return the number's text as written, or empty when there is none
   */
  public static Optional<String> firstNumber(String phrase) {
    Matcher m = NUMBER.matcher(phrase.replace('\u2212', '-'));
    return m.find() ? Optional.of(m.group()) : Optional.empty();
  }

  /**
   * Parses a phrase that is exactly one number, after normalisation: {@code "$1,234.00"}, {@code "-5."}, {@code
   * "3/4"}, {@code "50%"} all parse; {@code "5 apples"} does not.
   *
   * @param phrase the phrase
   * @return the value, or empty when the phrase is not a single number
   */
  public static OptionalDouble parseNumber(String phrase) {
    String s = phrase.strip().replace('\u2212', '-');
    while (s.endsWith(".") || s.endsWith("%")) {
      s = s.substring(0, s.length() - 1).strip();
    }
    boolean negative = false;
    if (s.startsWith("-")) {
      negative = true;
      s = s.substring(1).strip();
    }
    if (s.startsWith("$")) {
      s = s.substring(1).strip();
    }
    if (s.startsWith("-") && !negative) {
      negative = true;
      s = s.substring(1).strip();
    }
    if (s.isEmpty()) {
      return OptionalDouble.empty();
    }
    int slash = s.indexOf('/');
    try {
      double value;
      if (slash >= 0) {
        double num = plain(s.substring(0, slash).strip());
        double den = plain(s.substring(slash + 1).strip());
        if (den == 0) {
          return OptionalDouble.empty();
        }
        value = num / den;
      } else {
        value = plain(s);
      }
      return OptionalDouble.of(negative ? -value : value);
    } catch (NumberFormatException e) {
      return OptionalDouble.empty();
    }
  }

  /**
   * Reads the numeric value of an answer phrase: the whole phrase when it is a number, else its first number.
   *
   * @param phrase an answer phrase such as "18 dollars"
   * @return the value, or empty when the phrase holds no number
   */
  public static OptionalDouble numericValue(String phrase) {
    OptionalDouble whole = parseNumber(phrase);
    if (whole.isPresent()) {
      return whole;
    }
    return firstNumber(phrase).map(Answers::parseNumber).orElse(OptionalDouble.empty());
  }

  /**
   * Writes a number in the canonical form used for reference answers: no exponent, no trailing zeros, no
   * trailing {@code .0} ({@code 12.0} becomes {@code 12}, {@code 0.750} becomes {@code 0.75}).
   *
   * @param value a finite number
   * @return its canonical text
   */
  public static String canonical(double value) {
    if (!Double.isFinite(value)) {
      throw new IllegalArgumentException("not finite: " + value);
    }
    if (value == 0) {
      return "0";
    }
    return BigDecimal.valueOf(value).stripTrailingZeros().toPlainString();
  }

  /**
   * Normalises a word answer for comparison: lower case, surrounding punctuation, quotes and markup removed,
   * inner whitespace collapsed ({@code " **Yes.** "} becomes {@code "yes"}).
   *
   * @param phrase the phrase
   * @return the normalised phrase
   */
  public static String normalizeText(String phrase) {
    String s = phrase.strip().toLowerCase(Locale.ROOT).replaceAll("\\s+", " ");
    s = s.replaceAll("^[\\p{Punct}\\s]+", "").replaceAll("[\\p{Punct}\\s]+$", "");
    return s;
  }

  private static double plain(String s) {
    if (!s.matches("(?:\\d{1,3}(?:,\\d{3})+|\\d*)(?:\\.\\d+)?") || s.isEmpty() || s.equals(".")) {
      throw new NumberFormatException(s);
    }
    return Double.parseDouble(s.replace(",", ""));
  }

  private static String lastGroup(Pattern p, String text) {
    Matcher m = p.matcher(text);
    String last = null;
    while (m.find()) {
      last = m.group(1);
    }
    return last;
  }
}
