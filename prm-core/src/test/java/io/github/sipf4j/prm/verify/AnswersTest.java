package io.github.sipf4j.prm.verify;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.github.sipf4j.prm.task.ReasoningTask;
import java.util.List;
import java.util.Optional;
import java.util.OptionalDouble;
import java.util.Random;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.ValueSource;
import org.junit.jupiter.api.Test;

class AnswersTest {

  @ParameterizedTest(name = "[{index}] {0} -> {1}")
  @CsvSource(
      delimiter = '|',
      nullValues = "NONE",
      value = {
        "The answer is 72 | 72",
        "3*4=12\\nThe answer is 12 | 12",
        "The answer is 1,234. | 1,234.",
        "#### 1,234 | 1,234",
        "The answer is 5\\n#### 7 | 7",
        "blah\\nThe final answer is $18. | $18.",
        "Answer: -3 | -3",
        "the answer is: 3/4 | 3/4",
        "We get \\boxed{42} so | 42",
        "The answer is \\boxed{7}. | 7",
        "The answer is Ann | Ann",
        "The answer is yes. | yes.",
        "I think 12 and then 13 | NONE",
        "The answer is 4\\nThe answer is 5 | 5",
        "The answer is \u22125 | -5",
      })
  void extractsTheFinalAnswerPhrase(String text, String expected) {
    Optional<String> got = Answers.extractFinal(text.replace("\\n", "\n"), false);
    assertEquals(Optional.ofNullable(expected), got);
  }

  @ParameterizedTest
  @CsvSource(
      delimiter = '|',
      value = {"I think 12 and then 13 | 13", "It costs $1,200.50 in all. | $1,200.50", "x=-4 and y=-7 | -7"})
  void lastNumberFallback(String text, String expected) {
    assertEquals(Optional.of(expected), Answers.extractFinal(text, true));
  }

  @ParameterizedTest(name = "[{index}] {0} = {1}")
  @CsvSource(
      delimiter = '|',
      value = {
        "72 | 72", "1,234 | 1234", "$1,234.00 | 1234", "12.0 | 12", "-5 | -5", "5. | 5", "3/4 | 0.75", "-3/4 | -0.75",
        "$-2 | -2", "-$2 | -2", "50% | 50", ".5 | 0.5", "\u22127 | -7", "1,000,000 | 1000000", " 18 | 18"
      })
  void parsesNumbers(String text, double expected) {
    OptionalDouble v = Answers.parseNumber(text);
    assertTrue(v.isPresent(), text);
    assertEquals(expected, v.getAsDouble(), 1e-12, text);
  }

  @ParameterizedTest
  @ValueSource(strings = {"", "abc", "5 apples", "1,23", "3/0", "1.2.3", "--5", "$", "12,34,567", "0x10"})
  void rejectsNonNumbers(String text) {
    assertFalse(Answers.parseNumber(text).isPresent(), text);
  }

  @ParameterizedTest
  @CsvSource(delimiter = '|', value = {"12.0 | 12", "0.750 | 0.75", "-3 | -3", "0 | 0", "1234567 | 1234567", "0.1 | 0.1"})
  void canonicalForm(double value, String expected) {
    assertEquals(expected, Answers.canonical(value));
  }

  private static final ReasoningTask NUM = ReasoningTask.numeric("t", "q", "1234", List.of());
  private static final ReasoningTask WORD = ReasoningTask.numeric("t", "q", "Ann", List.of());
  private static final ReasoningTask YES = ReasoningTask.numeric("t", "q", "yes", List.of());
  private static final ReasoningTask FRACTION = ReasoningTask.numeric("t", "q", "0.75", List.of());

  @ParameterizedTest(name = "[{index}] {0}: {1} -> {2}")
  @CsvSource(
      delimiter = '|',
      value = {
        "NUM | The answer is 1,234. | true",
        "NUM | The answer is $1234.00 | true",
        "NUM | #### 1234 | true",
        "NUM | The answer is 1234 dollars | true",
        "NUM | The answer is 1233 | false",
        "NUM | 1234 | false",
        "NUM | The answer is Ann | false",
        "WORD | The answer is Ann | true",
        "WORD | The answer is ann. | true",
        "WORD | The answer is Bob | false",
        "YES | The answer is Yes. | true",
        "YES | The answer is no | false",
        "YES | the answer is **yes** | true",
        "FRACTION | The answer is 3/4 | true",
        "FRACTION | The answer is 0.7500001 | true",
        "FRACTION | The answer is 0.76 | false",
      })
  void numericVerifier(String task, String output, boolean correct) {
    ReasoningTask t = switch (task) {
      case "NUM" -> NUM;
      case "WORD" -> WORD;
      case "YES" -> YES;
      default -> FRACTION;
    };
    Verdict v = OutcomeVerifier.numeric().verify(t, output);
    assertEquals(correct, v.correct(), v.toString());
  }

  @Test
  void verdictNamesWhatItExtracted() {
    Verdict v = OutcomeVerifier.numeric().verify(NUM, "12*100=1200\nThe answer is 1,200");
    assertFalse(v.correct());
    assertEquals("1200", v.extracted());
    assertEquals("expected 1234, got 1200", v.reason());
    Verdict none = OutcomeVerifier.numeric().verify(NUM, "I am not sure");
    assertEquals("", none.extracted());
    assertTrue(OutcomeVerifier.numeric(NumericAnswerConfig.builder().lastNumberFallback(true).build())
        .verify(NUM, "so 1234").correct());
  }

  private static final ReasoningTask MC =
      ReasoningTask.multipleChoice("m", "q", "B", List.of("$22", "$24", "$31", "$35"));

  @ParameterizedTest(name = "[{index}] {0} -> {1}")
  @CsvSource(
      delimiter = '|',
      value = {
        "The answer is (B) | true", "The answer is B. | true", "B | true", "(B) | true", "B) $24 | true",
        "answer: b | true", "The answer is (C) | false", "A | false", "The answer is $24 | true", "Because | false",
        "I pick (A) but the answer is B | true"
      })
  void multipleChoice(String output, boolean correct) {
    Verdict v = OutcomeVerifier.multipleChoice().verify(MC, output);
    assertEquals(correct, v.correct(), v.toString());
  }

  @Test
  void forTaskKindDispatches() {
    assertTrue(OutcomeVerifier.forTaskKind().verify(MC, "The answer is (B)").correct());
    assertTrue(OutcomeVerifier.forTaskKind().verify(WORD, "The answer is Ann").correct());
    OutcomeVerifier custom = (task, out) -> out.equals(task.answer()) ? Verdict.correct(out, "same") : Verdict.incorrect(out, "no");
    assertEquals(List.of(true, false), custom.verifyAll(WORD, List.of("Ann", "Bob")).stream().map(Verdict::correct).toList());
  }

  /** Property: any integer written with separators, dollars or a trailing ".0" or period verifies as itself. */
  @ParameterizedTest(name = "seed {0}")
  @ValueSource(longs = {1, 2, 3, 4, 5, 6, 7, 8})
  void formattedIntegersRoundTrip(long seed) {
    Random r = new Random(seed);
    for (int i = 0; i < 200; i++) {
      long n = (long) (r.nextGaussian() * Math.pow(10, r.nextInt(8)));
      String body = r.nextBoolean() ? String.format("%,d", Math.abs(n)) : Long.toString(Math.abs(n));
      String written = (n < 0 ? "-" : "") + (r.nextBoolean() ? "$" : "") + body + (r.nextBoolean() ? ".0" : "")
          + (r.nextBoolean() ? "." : "");
      ReasoningTask t = ReasoningTask.numeric("p", "q", Long.toString(n), List.of());
      Verdict v = OutcomeVerifier.numeric().verify(t, "steps\nThe answer is " + written);
      assertTrue(v.correct(), "seed " + seed + ": " + written + " -> " + v);
    }
  }
}
