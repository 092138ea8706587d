package io.github.sipf4j.prm.synthetic;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.github.sipf4j.prm.process.StepScoringInput;
import io.github.sipf4j.prm.task.ReasoningTask;
import io.github.sipf4j.prm.task.TaskSet;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
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

  // ------------------------------------------------------------------------------------- references (reasoning)

  /** An operation line, with the quoted sentence of the reasoning regime before it. */
  private static final Pattern EQ = Pattern.compile("((?:[^:]*: )?)(\\d+)([-+*/])(\\d+)=(-?\\d+)");

  private static String line(long a, char op, long b) {
    long c = switch (op) {
      case '+' -> a + b;
      case '-' -> a - b;
      case '*' -> a * b;
      default -> a / b;
    };
    return a + String.valueOf(op) + b + "=" + c;
  }

  /**
   * The rationale with step {@code k}'s equation replaced (its quote kept) and every later equation recomputed
   * (correct arithmetic, chained).
   */
  private static List<String> rechained(List<String> gold, int k, String replacement) {
    List<String> steps = new ArrayList<>(gold);
    Matcher at = EQ.matcher(steps.get(k));
    assertTrue(at.matches(), steps.get(k));
    steps.set(k, at.group(1) + replacement);
    long value = Long.parseLong(replacement.substring(replacement.indexOf('=') + 1));
    for (int j = k + 1; j < steps.size() - 1; j++) {
      Matcher m = EQ.matcher(steps.get(j));
      if (!m.matches()) {
        throw new AssertionError(steps.get(j));
      }
      char op = m.group(3).charAt(0);
      String next = op == '/' && value % Long.parseLong(m.group(4)) != 0 ? value + "+1=" + (value + 1)
          : line(value, op, Long.parseLong(m.group(4)));
      steps.set(j, m.group(1) + next);
      value = Long.parseLong(next.substring(next.indexOf('=') + 1));
    }
    steps.set(steps.size() - 1, "The answer is " + value);
    return steps;
  }

  private static final SyntheticRegime REGIME = SyntheticRegime.DISTRACTORS;

  /** Every gold rationale of every split of the reasoning regime is sound against its own reference. */
  @ParameterizedTest
  @org.junit.jupiter.params.provider.ValueSource(strings = {"in-domain", "validation", "ood-distractors",
      "ood-length"})
  void goldRationalesAreSoundAgainstTheirReferences(String split) {
    TaskSet tasks = REGIME.generate(split, 300, 17);
    SyntheticStepChecker checker = SyntheticStepChecker.withReferences(SyntheticStepChecker.goldSteps(tasks.tasks()));
    assertEquals(300, checker.referenceCount());
    for (ReasoningTask t : tasks.tasks()) {
      List<StepVerdict> v = checker.classify(new StepScoringInput(t.prompt(), t.goldSteps(), true));
      assertEquals(java.util.Collections.nCopies(t.goldSteps().size(), StepVerdict.SOUND), v, t.id());
    }
  }

  /**
   * Property: a step that uses another number of the question (a distractor's count, another operand) with correct
   * arithmetic, the rest recomputed from it, is a reasoning error at that step and every later one; the checker
   * without references cannot see it; its score is 1 before the step and 0 from it on.
   */
  @ParameterizedTest(name = "seed {0}")
  @MethodSource("seeds")
  void aDistractorNumberIsAReasoningError(long seed) {
    Random r = new Random(seed);
    ReasoningTask t = REGIME.generate("in-domain", 1 + r.nextInt(80), seed).tasks().get(0);
    List<String> gold = t.goldSteps();
    int k = r.nextInt(gold.size() - 1);
    Matcher m = EQ.matcher(gold.get(k));
    assertTrue(m.matches(), gold.get(k));
    long a = Long.parseLong(m.group(2));
    char op = m.group(3).charAt(0);
    List<Long> numbers = new ArrayList<>();
    Matcher n = Pattern.compile("\\d+").matcher(t.prompt());
    while (n.find()) {
      long v = Long.parseLong(n.group());
      if (v != Long.parseLong(m.group(4)) && v > 1) {
        numbers.add(v);
      }
    }
    long b = numbers.get(r.nextInt(numbers.size()));
    List<String> steps = rechained(gold, k, line(a, op == '/' ? '+' : op, b));
    SyntheticStepChecker exact = SyntheticStepChecker.withReferences(Map.of(t.prompt(), gold));
    List<StepVerdict> v = exact.classify(new StepScoringInput(t.prompt(), steps, false));
    for (int i = 0; i < steps.size() - 1; i++) {
      assertEquals(i < k ? StepVerdict.SOUND : StepVerdict.REASONING, v.get(i), "seed " + seed + " " + steps);
    }
    assertEquals(StepVerdict.WRONG_ANSWER, v.get(steps.size() - 1));
    double[] scores = exact.scoreSteps(new StepScoringInput(t.prompt(), steps, true));
    for (int i = 0; i < scores.length; i++) {
      assertEquals(i < k ? 1.0 : 0.0, scores[i], "seed " + seed + " step " + i);
    }
    // Without references (or for a question it has none for) only arithmetic and chaining are checked.
    for (SyntheticStepChecker blind : List.of(CHECKER, SyntheticStepChecker.withReferences(Map.of("other", gold)))) {
      assertTrue(blind.classify(new StepScoringInput(t.prompt(), steps, null)).stream()
          .allMatch(x -> x == StepVerdict.SOUND), "seed " + seed);
    }
  }

  /**
   * Property: adding where the question subtracts (or the reverse; a transfer read the wrong way round) is a
   * reasoning error; a wrong result is an arithmetic error; a step that does not continue from the previous result
   * is a chain error. Later recomputed steps are reasoning errors, and the audit counts each rationale's first error.
   */
  @ParameterizedTest(name = "seed {0}")
  @MethodSource("seeds")
  void errorKindsAreToldApart(long seed) {
    Random r = new Random(seed);
    TaskSet tasks = REGIME.generate("in-domain", 40, seed);
    SyntheticStepChecker exact = SyntheticStepChecker.withReferences(SyntheticStepChecker.goldSteps(tasks.tasks()));
    List<StepScoringInput> inputs = new ArrayList<>();
    java.util.EnumMap<StepVerdict, Integer> expected = new java.util.EnumMap<>(StepVerdict.class);
    int expectedSteps = 0;
    int expectedArithmeticWrong = 0;
    int sound = 0;
    for (ReasoningTask t : tasks.tasks()) {
      List<String> gold = t.goldSteps();
      int k = r.nextInt(gold.size() - 1);
      Matcher m = EQ.matcher(gold.get(k));
      assertTrue(m.matches());
      long a = Long.parseLong(m.group(2));
      String op = m.group(3);
      long b = Long.parseLong(m.group(4));
      long c = Long.parseLong(m.group(5));
      int kind = r.nextInt(4);
      List<String> steps;
      StepVerdict first;
      if (kind == 0 && (op.equals("+") || op.equals("-"))) {
        steps = rechained(gold, k, line(a, op.equals("+") ? '-' : '+', b));
        first = StepVerdict.REASONING;
      } else if (kind == 1) {
        steps = rechained(gold, k, a + op + b + "=" + (c + 1 + r.nextInt(5)));
        first = StepVerdict.ARITHMETIC;
        expectedArithmeticWrong++;
      } else if (kind == 2 && k > 0) {
        long off = a + 1 + r.nextInt(5);
        steps = rechained(gold, k, line(off, op.charAt(0) == '/' ? '+' : op.charAt(0), b));
        first = StepVerdict.CHAIN;
      } else {
        steps = gold;
        first = null;
        sound++;
      }
      List<StepVerdict> v = exact.classify(new StepScoringInput(t.prompt(), steps, first == null));
      assertEquals(first == null ? StepVerdict.SOUND : first, v.get(k), "seed " + seed + " " + steps);
      for (int i = k + 1; i < steps.size() - 1; i++) {
        assertEquals(first == null ? StepVerdict.SOUND : StepVerdict.REASONING, v.get(i), "seed " + seed + " " + steps);
      }
      if (first != null) {
        expected.merge(first, 1, Integer::sum);
      }
      expectedSteps += steps.size() - 1;
      inputs.add(new StepScoringInput(t.prompt(), steps, first == null));
    }
    StepAudit audit = StepAudit.of(exact, inputs);
    assertEquals(tasks.size(), audit.rationales());
    assertEquals(sound, audit.sound());
    assertEquals(expected, audit.firstErrors());
    assertEquals(expectedSteps, audit.steps());
    assertEquals(expectedSteps - expectedArithmeticWrong, audit.arithmeticHolds());
  }

  @Test
  void auditAndCalculationsByHand() {
    assertTrue(SyntheticStepChecker.isCalculation(" 12+5=17\n"));
    assertTrue(SyntheticStepChecker.isCalculation("17>9"));
    assertTrue(SyntheticStepChecker.isCalculation("Ann keeps 1/3 of them: 57/3=19"));
    assertFalse(SyntheticStepChecker.isCalculation("Ann keeps 1/3 of them"));
    // A quoted sentence is compared with the reference; the calculation after it is checked.
    SyntheticStepChecker cited = SyntheticStepChecker.withReferences(Map.of("p", List.of("Ann buys 5 more: 12+5=17",
        "Bob gives 3 pens to Ann: 17+3=20", "The answer is 20")));
    assertEquals(List.of(StepVerdict.SOUND, StepVerdict.SOUND, StepVerdict.SOUND), cited.classify(new StepScoringInput(
        "p", List.of("Ann buys 5 more: 12+5=17", "Bob gives 3 pens to Ann:17+3=20", "The answer is 20"), true)));
    assertEquals(List.of(StepVerdict.SOUND, StepVerdict.REASONING, StepVerdict.WRONG_ANSWER), cited.classify(
        new StepScoringInput("p", List.of("Ann buys 5 more: 12+5=17", "Bob loses 3: 17-3=14", "The answer is 14"),
            false)));
    assertEquals(List.of(StepVerdict.ARITHMETIC, StepVerdict.REASONING, StepVerdict.SOUND), cited.classify(
        new StepScoringInput("p", List.of("Ann buys 5 more: 12+5=18", "Bob gives 3 pens to Ann: 18+3=21",
            "The answer is 20"), null)));
    assertFalse(SyntheticStepChecker.isCalculation("The answer is 17"));
    SyntheticStepChecker exact = SyntheticStepChecker.withReferences(Map.of("q", List.of("12+5=17\n", "17-3=14\n",
        "The answer is 14")));
    StepAudit a = StepAudit.of(exact, List.of(
        new StepScoringInput("q", List.of("12+5=17", "17-3=14", "The answer is 14"), true),
        new StepScoringInput("q", List.of("12+5=17", "17+3=20", "The answer is 20"), false),
        new StepScoringInput("q", List.of("12+5=18", "so", "The answer is 18"), false),
        new StepScoringInput("q", List.of("12 + 5 = 17", "17-3=14", "17-2=15", "The answer is 15"), false)));
    assertEquals(4, a.rationales());
    assertEquals(1, a.sound());
    assertEquals(8, a.steps(), "equations only: 2 + 2 + 1 + 3");
    assertEquals(7, a.arithmeticHolds());
    assertEquals(Map.of(StepVerdict.REASONING, 1, StepVerdict.ARITHMETIC, 1, StepVerdict.CHAIN, 1), a.firstErrors());
    assertEquals(7 / 8.0, a.arithmeticAccuracy(), 1e-12);
    assertEquals(0.25, a.soundShare(), 1e-12);
    assertTrue(Double.isNaN(StepAudit.of(exact, List.of()).arithmeticAccuracy()));
  }
}
