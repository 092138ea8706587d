package io.github.sipf4j.prm.process;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.github.sipf4j.orpo.text.TextTokenizer;
import java.util.List;
import java.util.Random;
import java.util.stream.LongStream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

class StepSplitterTest {

  static TextTokenizer tok;

  @BeforeAll
  static void setUp() {
    tok = TextTokenizer.characterLevel();
  }

  @AfterAll
  static void tearDown() {
    tok.close();
  }

  static LongStream seeds() {
    return LongStream.range(0, 200);
  }

  /** A random rationale: lines of arithmetic, blank and whitespace-only lines, LF or CRLF, final newline or not. */
  static String randomText(long seed) {
    Random r = new Random(seed);
    String[] pieces = {"3+4=7", "x = 2", "  return a + b", "", " ", "\t", "12*3=36", "def f(a, b):"};
    StringBuilder b = new StringBuilder();
    int lines = r.nextInt(8);
    for (int i = 0; i < lines; i++) {
      b.append(pieces[r.nextInt(pieces.length)]);
      if (i < lines - 1 || r.nextBoolean()) {
        b.append(r.nextInt(4) == 0 ? "\r\n" : "\n");
      }
    }
    return b.toString();
  }

  @ParameterizedTest(name = "seed {0}")
  @MethodSource("seeds")
  void newlinesIsLosslessWithOneStepPerLine(long seed) {
    String text = randomText(seed);
    List<String> steps = StepSplitter.newlines().split(text);
    assertEquals(text, StepSplitter.join(steps), "seed " + seed);
    for (int i = 0; i < steps.size(); i++) {
      String s = steps.get(i);
      assertFalse(s.isEmpty(), "seed " + seed);
      assertEquals(i < steps.size() - 1 || text.endsWith("\n") ? 1 : 0, s.chars().filter(c -> c == '\n').count(),
          "seed " + seed + " step " + i);
      assertTrue(i == steps.size() - 1 || s.endsWith("\n"), "seed " + seed);
    }
    assertEquals(text.lines().count(), steps.size(), "seed " + seed);
  }

  @ParameterizedTest(name = "seed {0}")
  @MethodSource("seeds")
  void nonEmptyLinesIsLosslessWithNoBlankStep(long seed) {
    String text = randomText(seed);
    List<String> steps = StepSplitter.nonEmptyLines().split(text);
    assertEquals(text, StepSplitter.join(steps), "seed " + seed);
    long contentLines = text.lines().filter(l -> !l.isBlank()).count();
    if (text.isEmpty()) {
      assertTrue(steps.isEmpty(), "seed " + seed);
    } else if (contentLines == 0) {
      assertEquals(List.of(text), steps, "seed " + seed);
    } else {
      assertEquals(contentLines, steps.size(), "seed " + seed);
      steps.forEach(s -> assertFalse(s.isBlank(), "seed " + seed + ": blank step " + s));
    }
  }

  @ParameterizedTest(name = "seed {0}")
  @MethodSource("seeds")
  void spansOfTheCharacterTokenizerEqualEncodingTheWholeText(long seed) {
    String text = randomText(seed).replace("\t", " ").replace("\r", "");
    List<String> steps = StepSplitter.newlines().split(text);
    long[] prompt = {tok.bosId(), 5, 6};
    StepSpans s = StepSpans.encode(tok, prompt, steps);
    long[] whole = tok.encode(text);
    assertEquals(prompt.length + whole.length, s.length(), "seed " + seed);
    for (int i = 0; i < whole.length; i++) {
      assertEquals(whole[i], s.ids()[prompt.length + i], "seed " + seed);
    }
    for (int i = 0; i < steps.size(); i++) {
      assertEquals(steps.get(i).length(), s.ends()[i] - s.starts()[i], "seed " + seed);
      assertEquals(tok.encode(steps.get(i).substring(steps.get(i).length() - 1))[0], s.ids()[s.lastToken(i)]);
    }
  }

  @Test
  void handMadeCases() {
    assertEquals(List.of("a\n", "\n", "b"), StepSplitter.newlines().split("a\n\nb"));
    assertEquals(List.of("a\r\n", "b\r\n"), StepSplitter.newlines().split("a\r\nb\r\n"));
    assertEquals(List.of(), StepSplitter.newlines().split(""));
    assertEquals(List.of("\n  \ndef f():\n\n", "  return 1\n"),
        StepSplitter.nonEmptyLines().split("\n  \ndef f():\n\n  return 1\n"));
    assertEquals(List.of("\n\n"), StepSplitter.nonEmptyLines().split("\n\n"));
  }

  @Test
  void spansHandMade() {
    StepSpans s = StepSpans.encode(tok, new long[] {1, 9}, List.of("1+1=2\n", "2*3=6"));
    assertArrayEquals(new int[] {2, 8}, s.starts());
    assertArrayEquals(new int[] {8, 13}, s.ends());
    assertEquals(7, s.lastToken(0));
    assertEquals(12, s.lastToken(1));
    assertEquals(2, s.stepCount());
    assertThrows(IllegalArgumentException.class, () -> StepSpans.encode(tok, new long[] {1}, List.of("a", "")));
  }

  @Test
  void customSplittersAreCheckedForLosslessness() {
    StepSplitter sentences = StepSplitter.of(t -> List.of(t.split("(?<=\\. )")));
    assertEquals(List.of("One. ", "Two. ", "Three."), sentences.split("One. Two. Three."));
    StepSplitter lossy = StepSplitter.of(t -> List.of(t.split("\n")));
    IllegalStateException e = assertThrows(IllegalStateException.class, () -> lossy.split("a\nb\n"));
    assertTrue(e.getMessage().contains("offset 1"), e.getMessage());
    StepSplitter shortOne = StepSplitter.of(t -> List.of(t.substring(0, 1)));
    assertTrue(assertThrows(IllegalStateException.class, () -> shortOne.split("ab")).getMessage()
        .contains("cover 1 of 2"));
    StepSplitter empty = StepSplitter.of(t -> List.of("", t));
    assertTrue(assertThrows(IllegalStateException.class, () -> empty.split("ab")).getMessage().contains("empty"));
    assertThrows(IllegalStateException.class, () -> StepSplitter.of(t -> null).split("x"));
  }
}
