package io.github.sipf4j.prm.process;

import com.google.common.base.Preconditions;
import java.util.ArrayList;
import java.util.List;
import java.util.function.Function;

/**
 * Splits a rationale into reasoning steps, losslessly: the steps are consecutive substrings of the text whose
 * concatenation ({@link #join}) is exactly the text, so every step keeps its terminating newline ({@code "\n"} or
 * {@code "\r\n"}) and a text without a final newline ends with a step without one. No step is empty; the empty text
 * has no steps.
 *
 * <pre>{@code
 * StepSplitter math = StepSplitter.newlines();
 * List<String> steps = math.split("3+4=7\n7*2=14\n"); // ["3+4=7\n", "7*2=14\n"]
 * String text = StepSplitter.join(steps);              // the original text
 * StepSplitter custom = StepSplitter.of(t -> List.of(t)); // the whole rationale as one step
 * }</pre>
 */
@FunctionalInterface
public interface StepSplitter {

  /**
   * Splits a rationale into steps.
   *
   * @param text the rationale
   * @return the steps, non-empty strings whose concatenation is {@code text}; empty for the empty text
   */
  List<String> split(String text);

  /**
   * Returns the splitter for math rationales: one step per line, each step ending with its newline (a blank line
   * is a step of its own).
   *
   * @return the splitter
   */
  static StepSplitter newlines() {
    return StepSplitter::lines;
  }

  /**
   * Returns the splitter for code: one step per line that holds more than whitespace; blank (whitespace-only) lines
   * are attached to the preceding step, or to the first non-blank step when they lead the text, so that no step is
   * blank. A text made only of blank lines is one step.
   *
   * @return the splitter
   */
  static StepSplitter nonEmptyLines() {
    return text -> {
      List<String> out = new ArrayList<>();
      StringBuilder leading = new StringBuilder();
      for (String line : lines(text)) {
        if (line.isBlank()) {
          if (out.isEmpty()) {
            leading.append(line);
          } else {
            out.set(out.size() - 1, out.get(out.size() - 1) + line);
          }
        } else {
          out.add(leading + line);
          leading.setLength(0);
        }
      }
      if (leading.length() > 0) {
        out.add(leading.toString());
      }
      return out;
    };
  }

  /**
   * Wraps a custom splitting function and checks every result: the function must return non-null, non-empty steps
   * whose concatenation is the input, otherwise {@link #split} fails with an {@link IllegalStateException} naming
   * the first offset where the steps and the text differ.
   *
   * @param function the splitting function
   * @return the checked splitter
   */
  static StepSplitter of(Function<String, List<String>> function) {
    Preconditions.checkNotNull(function, "function");
    return text -> {
      Preconditions.checkNotNull(text, "text");
      List<String> steps = function.apply(text);
      if (steps == null) {
        throw new IllegalStateException("the step splitter returned null");
      }
      int offset = 0;
      for (int i = 0; i < steps.size(); i++) {
        String s = steps.get(i);
        if (s == null || s.isEmpty()) {
          throw new IllegalStateException("the step splitter returned " + (s == null ? "a null" : "an empty")
              + " step at index " + i + "; steps must be non-empty substrings of the text");
        }
        if (!text.startsWith(s, offset)) {
          int at = offset;
          while (at - offset < s.length() && at < text.length() && text.charAt(at) == s.charAt(at - offset)) {
            at++;
          }
          throw new IllegalStateException("the step splitter is not lossless: step " + i + " differs from the text"
              + " at offset " + at + " (steps must concatenate to exactly the text, whitespace and newlines"
              + " included)");
        }
        offset += s.length();
      }
      if (offset != text.length()) {
        throw new IllegalStateException("the step splitter is not lossless: the steps cover " + offset + " of "
            + text.length() + " characters");
      }
      return List.copyOf(steps);
    };
  }

  /**
   * Concatenates steps back into the rationale.
   *
   * @param steps the steps
   * @return their concatenation
   */
  static String join(List<String> steps) {
    return String.join("", steps);
  }

  /**
   * Splits after every {@code '\n'}; the last piece is kept when it does not end with one.
   *
   * @param text the text
   * @return the lines with their terminators
   */
  private static List<String> lines(String text) {
    Preconditions.checkNotNull(text, "text");
    List<String> out = new ArrayList<>();
    int start = 0;
    for (int i = 0; i < text.length(); i++) {
      if (text.charAt(i) == '\n') {
        out.add(text.substring(start, i + 1));
        start = i + 1;
      }
    }
    if (start < text.length()) {
      out.add(text.substring(start));
    }
    return out;
  }
}
