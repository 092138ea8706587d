package io.github.sipf4j.prm.report;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;

import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

class StepDiffTest {

  @Test
  void marksTheStepsTheOtherRationaleLacks() {
    List<String> chosen = List.of("3+4=7\n", "7*2=14\n", "The answer is 14.");
    List<String> rejected = List.of("3+4=7\n", "7*2=15\n", "The answer is 14.");
    boolean[][] d = StepDiff.differing(chosen, rejected);
    assertArrayEquals(new boolean[] {false, true, false}, d[0]);
    assertArrayEquals(new boolean[] {false, true, false}, d[1]);
    assertArrayEquals(new boolean[] {true, true}, StepDiff.differing(List.of("a", "b"), List.of())[0]);
    d = StepDiff.differing(List.of("a\n", " b"), List.of("x", "a", "b"));
    assertArrayEquals(new boolean[] {false, false}, d[0]);
    assertArrayEquals(new boolean[] {true, false, false}, d[1]);
  }

  static Stream<Long> seeds() {
    return Stream.of(1L, 2L, 3L, 4L, 5L, 6L, 7L, 8L);
  }

  /** The unmarked steps of both sides are one common subsequence, and it is a longest one. */
  @ParameterizedTest
  @MethodSource("seeds")
  void theUnmarkedStepsFormALongestCommonSubsequence(long seed) {
    Random r = new Random(seed);
    List<String> a = random(r);
    List<String> b = random(r);
    boolean[][] d = StepDiff.differing(a, b);
    List<String> keptA = kept(a, d[0]);
    List<String> keptB = kept(b, d[1]);
    assertEquals(lcs(a, b), keptA.size());
    assertEquals(lcs(a, b), keptB.size());
    assertEquals(keptA, keptB);
  }

  private static List<String> random(Random r) {
    List<String> out = new ArrayList<>();
    for (int i = r.nextInt(9); i > 0; i--) {
      out.add(Character.toString('a' + r.nextInt(4)));
    }
    return out;
  }

  private static List<String> kept(List<String> steps, boolean[] differs) {
    List<String> out = new ArrayList<>();
    for (int i = 0; i < steps.size(); i++) {
      if (!differs[i]) {
        out.add(steps.get(i));
      }
    }
    return out;
  }

  private static int lcs(List<String> a, List<String> b) {
    int[][] t = new int[a.size() + 1][b.size() + 1];
    for (int i = 1; i <= a.size(); i++) {
      for (int j = 1; j <= b.size(); j++) {
        t[i][j] = a.get(i - 1).equals(b.get(j - 1)) ? t[i - 1][j - 1] + 1 : Math.max(t[i - 1][j], t[i][j - 1]);
      }
    }
    return t[a.size()][b.size()];
  }
}
