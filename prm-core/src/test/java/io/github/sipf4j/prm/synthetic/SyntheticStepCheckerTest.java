package io.github.sipf4j.prm.synthetic;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;

import io.github.sipf4j.prm.process.StepScoringInput;
import io.github.sipf4j.prm.task.ReasoningTask;
import io.github.sipf4j.prm.task.TaskSet;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.LongStream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;
import org.junit.jupiter.params.provider.MethodSource;

class SyntheticStepCheckerTest {

  private static final SyntheticStepChecker CHECKER = new SyntheticStepChecker();

  static double[] score(Boolean correct, String... steps) {
    return CHECKER.scoreSteps(new StepScoringInput("q", List.of(steps), correct));
  }

  @Test
  void handCases() {
    assertArrayEquals(new double[] {1, 1, 1}, score(true, "6*3=18\n", "18+5=23\n", "The answer is 23"));
    // A wrong sum: that step and everything after it are unsound, even with a lucky right answer.
    assertArrayEquals(new double[] {1, 1, 0, 0, 0},
        score(true, "6*3=18\n", "18+5=23\n", "23+2=20\n", "20/5=4\n", "The answer is 4"));
    // Right arithmetic that does not continue from the previous result.
    assertArrayEquals(new double[] {1, 0, 0}, score(true, "6*3=18\n", "17+5=22\n", "The answer is 22"));
    // Division must be exact; remainders and comparisons are checked too.
    assertArrayEquals(new double[] {0, 0}, score(true, "7/2=3\n", "The answer is 3"));
    assertArrayEquals(new double[] {1, 1, 1}, score(true, "12-6=6\n", "6%4=2\n", "The answer is 2"));
    assertArrayEquals(new double[] {1, 0, 0}, score(true, "85*2=170\n", "170<158\n", "The answer is no"));
    assertArrayEquals(new double[] {1, 1, 1}, score(true, "85*2=170\n", "170>158\n", "The answer is yes"));
    // The closing line follows the verified answer; unknown counts as sound.
    assertArrayEquals(new double[] {1, 0}, score(false, "3+4=7\n", "The answer is 8"));
    assertArrayEquals(new double[] {1, 1}, score(null, "3+4=7\n", "The answer is 7"));
    // An unrecognised line before the last step is unsound.
    assertArrayEquals(new double[] {1, 0, 0}, score(true, "3+4=7\n", "so seven\n", "The answer is 7"));
    assertEquals(2, CHECKER.scoreSteps(List.of(StepScoringInput.of("q", List.of("1+1=2")),
        StepScoringInput.of("q", List.of("1+1=3")))).size());
  }

  /** Every gold rationale the generator writes is sound at every step. */
  @ParameterizedTest
  @EnumSource(SyntheticSplit.class)
  void everyGoldRationaleIsSound(SyntheticSplit split) {
    TaskSet tasks = SyntheticTaskGenerator.generate(split, 300, 17);
    for (ReasoningTask t : tasks.tasks()) {
      double[] s = CHECKER.scoreSteps(new StepScoringInput(t.prompt(), t.goldSteps(), true));
      for (double v : s) {
        assertEquals(1.0, v, t.id() + ": " + t.goldSteps());
      }
    }
  }

  static LongStream seeds() {
    return LongStream.range(0, 60);
  }

  private static final Pattern RESULT = Pattern.compile("=(\\d+)$");

  /** Changing one equation's result breaks that step and every later one, and no earlier one. */
  @ParameterizedTest(name = "seed {0}")
  @MethodSource("seeds")
  void aWrongResultIsCaughtAtItsStep(long seed) {
    Random r = new Random(seed);
    ReasoningTask t = SyntheticTaskGenerator.generate(SyntheticSplit.IN_DOMAIN, 1 + r.nextInt(50), seed).tasks()
        .get(0);
    List<String> steps = new ArrayList<>(t.goldSteps());
    List<Integer> equations = new ArrayList<>();
    for (int i = 0; i < steps.size(); i++) {
      if (RESULT.matcher(steps.get(i).strip()).find()) {
        equations.add(i);
      }
    }
    int k = equations.get(r.nextInt(equations.size()));
    Matcher m = RESULT.matcher(steps.get(k).strip());
    m.find();
    int wrong = Integer.parseInt(m.group(1)) + 1 + r.nextInt(9);
    steps.set(k, steps.get(k).strip().substring(0, m.start()) + "=" + wrong);
    double[] s = CHECKER.scoreSteps(new StepScoringInput(t.prompt(), steps, r.nextBoolean()));
    for (int i = 0; i < s.length; i++) {
      assertEquals(i < k ? 1.0 : 0.0, s[i], "seed " + seed + " step " + i + " of " + steps);
    }
  }
}
