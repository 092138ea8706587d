package io.github.sipf4j.prm.synthetic;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.github.sipf4j.prm.data.Gsm8kLoader;
import io.github.sipf4j.prm.data.Gsm8kWriter;
import io.github.sipf4j.prm.task.ReasoningTask;
import io.github.sipf4j.prm.task.TaskSet;
import io.github.sipf4j.prm.verify.OutcomeVerifier;
import java.nio.file.Path;
import java.util.EnumMap;
import java.util.EnumSet;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Collectors;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;
import org.junit.jupiter.params.provider.ValueSource;

class SyntheticTaskGeneratorTest {
  private static final Pattern EQUATION = Pattern.compile("(\\d+)([-+*/%])(\\d+)=(\\d+)");
  private static final Pattern COMPARE = Pattern.compile("(\\d+)([<>])(\\d+)");

  @Test
  void deterministicAndPrefixStable() {
    TaskSet a = SyntheticTaskGenerator.generate(SyntheticSplit.IN_DOMAIN, 200, 7L);
    TaskSet b = SyntheticTaskGenerator.generate(SyntheticSplit.IN_DOMAIN, 200, 7L);
    assertEquals(a, b);
    assertEquals(a.tasks().subList(0, 50), SyntheticTaskGenerator.generate(SyntheticSplit.IN_DOMAIN, 50, 7L).tasks());
    assertFalse(a.equals(SyntheticTaskGenerator.generate(SyntheticSplit.IN_DOMAIN, 200, 8L)));
    assertEquals("in-domain/0", a.get(0).id());
  }

  @Test
  void splitsNeverShareAQuestion() {
    Map<SyntheticSplit, Set<String>> questions = new EnumMap<>(SyntheticSplit.class);
    for (SyntheticSplit s : SyntheticSplit.values()) {
      TaskSet set = SyntheticTaskGenerator.generate(s, 3000, 1L);
      Set<String> q = set.tasks().stream().map(ReasoningTask::prompt).collect(Collectors.toSet());
      assertEquals(3000, q.size(), s + " repeats a question");
      questions.put(s, q);
    }
    for (SyntheticSplit x : SyntheticSplit.values()) {
      for (SyntheticSplit y : SyntheticSplit.values()) {
        if (x.compareTo(y) < 0) {
          Set<String> common = new HashSet<>(questions.get(x));
          common.retainAll(questions.get(y));
          assertTrue(common.isEmpty(), x + " and " + y + " share " + common.stream().limit(3).toList());
        }
      }
    }
  }

  @Test
  void heldOutWordingSharesNoSentenceWithTraining() {
    Set<String> train = sentences(SyntheticTaskGenerator.generate(SyntheticSplit.IN_DOMAIN, 2000, 3L));
    Set<String> ood = sentences(SyntheticTaskGenerator.generate(SyntheticSplit.OOD_WORDING, 2000, 3L));
    ood.retainAll(train);
    assertTrue(ood.isEmpty(), "shared sentence shapes: " + ood);
  }

  /** Sentence shapes: numbers, names and items replaced, so only the template wording remains. */
  private static Set<String> sentences(TaskSet set) {
    Set<String> out = new HashSet<>();
    for (ReasoningTask t : set.tasks()) {
      String s = t.prompt().replaceAll("\\d+", "#");
      for (String name : Templates.NAMES) {
        s = s.replace(name, "P");
      }
      for (String item : Templates.ITEMS) {
        s = s.replace(item, "I");
      }
      for (String part : s.split("(?<=[.?]) ")) {
        out.add(part);
      }
    }
    return out;
  }

  /** Property: every rationale line is correct arithmetic, chains connect, and the answer follows. */
  @ParameterizedTest(name = "{0}")
  @EnumSource(SyntheticSplit.class)
  void rationalesAreCorrectAndShort(SyntheticSplit split) {
    TaskSet set = SyntheticTaskGenerator.generate(split, 1000, 11L);
    Map<AnswerKind, Integer> kinds = new EnumMap<>(AnswerKind.class);
    for (ReasoningTask t : set.tasks()) {
      String context = split + " seed 11 " + t.id() + ": " + t.prompt() + "\n" + t.goldRationale();
      List<String> steps = t.goldSteps();
      int n = steps.size() - 1;
      assertTrue(n >= split.config().minSteps() && n <= split.config().maxSteps(), context);
      assertEquals(Integer.toString(n), t.metadata().get("steps"));
      assertEquals("The answer is " + t.answer(), steps.get(n), context);
      assertTrue(t.prompt().length() + 1 + t.goldRationale().length() <= 300, context);
      Integer previous = null;
      for (int i = 0; i < n; i++) {
        String line = steps.get(i);
        Matcher eq = EQUATION.matcher(line);
        Matcher cmp = COMPARE.matcher(line);
        int left;
        if (eq.matches()) {
          left = Integer.parseInt(eq.group(1));
          int a = left;
          int b = Integer.parseInt(eq.group(3));
          int expected = switch (eq.group(2)) {
            case "+" -> a + b;
            case "-" -> a - b;
            case "*" -> a * b;
            case "/" -> a / b;
            default -> a % b;
          };
          if (eq.group(2).equals("/")) {
            assertEquals(0, a % b, context);
          }
          assertEquals(expected, Integer.parseInt(eq.group(4)), context);
          assertTrue(expected >= 0 && expected <= split.config().maxValue(), context);
        } else {
          assertTrue(cmp.matches(), context);
          left = Integer.parseInt(cmp.group(1));
          int right = Integer.parseInt(cmp.group(3));
          assertEquals(cmp.group(2).equals(">"), left > right, context);
        }
        if (previous != null) {
          assertEquals(previous.intValue(), left, "chain must continue: " + context);
        }
        previous = eq.matches() ? Integer.parseInt(eq.group(4)) : null;
      }
      assertTrue(OutcomeVerifier.numeric().verify(t, t.goldRationale()).correct(), context);
      kinds.merge(AnswerKind.valueOf(t.metadata().get("answerKind")), 1, Integer::sum);
    }
    assertEquals(EnumSet.complementOf(EnumSet.of(AnswerKind.TOTAL)), kinds.keySet(), "totals need two people");
    int number = kinds.get(AnswerKind.NUMBER);
    assertTrue(number > 420 && number < 580, "about half numeric: " + kinds);
  }

  @ParameterizedTest(name = "share {0}")
  @ValueSource(doubles = {0.0, 0.25, 1.0})
  void smallRangeShareKnob(double share) {
    SyntheticConfig c = SyntheticConfig.builder().smallRangeShare(share).build();
    TaskSet set = SyntheticTaskGenerator.generate(c, "custom", 800, 5L);
    long small = set.tasks().stream().filter(t -> !t.metadata().get("answerKind").equals("NUMBER")).count();
    assertEquals(share, small / 800.0, 0.06);
  }

  @Test
  void operatorsKnobRestrictsTheChain() {
    SyntheticConfig c = SyntheticConfig.builder().operators(EnumSet.of(Operator.ADD)).smallRangeShare(0).build();
    for (ReasoningTask t : SyntheticTaskGenerator.generate(c, "add-only", 200, 2L).tasks()) {
      for (String line : t.goldSteps().subList(0, t.goldSteps().size() - 1)) {
        assertTrue(line.matches("\\d+\\+\\d+=\\d+"), line);
      }
    }
  }

  @Test
  void invalidKnobsAreRejected() {
    assertThrows(IllegalArgumentException.class, () -> SyntheticConfig.builder().steps(1, 3).build());
    assertThrows(IllegalArgumentException.class, () -> SyntheticConfig.builder().smallRangeShare(1.5).build());
    assertThrows(IllegalArgumentException.class, () -> SyntheticConfig.builder().operators(Set.of()).build());
    assertThrows(IllegalArgumentException.class, () -> SyntheticSplit.fromName("train"));
    assertEquals(SyntheticSplit.OOD_WORDING, SyntheticSplit.fromName("OOD_wording"));
  }

  @Test
  void roundTripsThroughGsm8kFormat(@TempDir Path dir) throws Exception {
    for (SyntheticSplit s : SyntheticSplit.values()) {
      TaskSet set = SyntheticTaskGenerator.generate(s, 300, 9L);
      Path file = dir.resolve(s.splitName() + ".jsonl");
      Gsm8kWriter.write(set.tasks(), file);
      TaskSet back = Gsm8kLoader.standard().load(file);
      assertEquals(set.size(), back.size());
      for (int i = 0; i < set.size(); i++) {
        ReasoningTask a = set.get(i);
        ReasoningTask b = back.get(i);
        assertEquals(a.id(), b.id());
        assertEquals(a.prompt(), b.prompt());
        assertEquals(a.answer(), b.answer());
        assertEquals(a.goldSteps(), b.goldSteps());
      }
    }
  }

  /**
   * The calibration point: with an arithmetic slip (the first result off by one, carried through the chain), a
   * numeric question always gets a wrong answer, but a
   * small-range question often still gets the right one.
   */
  @Test
  void slipsOftenKeepSmallRangeAnswersRight() {
    TaskSet set = SyntheticTaskGenerator.generate(SyntheticSplit.IN_DOMAIN, 2000, 13L);
    int small = 0;
    int smallStillRight = 0;
    int number = 0;
    int numberStillRight = 0;
    for (ReasoningTask t : set.tasks()) {
      String kind = t.metadata().get("answerKind");
      String slipped = answerAfterSlip(t.goldSteps());
      if (kind.equals("NUMBER")) {
        number++;
        numberStillRight += slipped.equals(t.answer()) ? 1 : 0;
      } else {
        small++;
        if (slipped.equals(t.answer()) || kind.equals("COMPARISON") && slipped.equals(winner(t))) {
          smallStillRight++;
        }
      }
    }
    double share = smallStillRight / (double) small;
    double numberShare = numberStillRight / (double) number;
    System.out.printf("answers surviving a slip: small-range %.3f, numeric %.3f%n", share, numberShare);
    assertTrue(share > 0.4, "only " + share + " of small-range answers survive a slip");
    assertEquals(0.0, numberShare, "a slip must change every numeric answer");
  }

  /** For comparisons {@link #answerAfterSlip} returns "left" or "right"; map the true winner the same way. */
  private static String winner(ReasoningTask t) {
    String last = t.goldSteps().get(t.goldSteps().size() - 2);
    return last.contains(">") ? "left" : "right";
  }

  /** Replays the chain with the first result off by one, in exact arithmetic (an inexact division stays a fraction). */
  private static String answerAfterSlip(List<String> steps) {
    int n = steps.size() - 1;
    Double carried = null;
    String result = null;
    for (int i = 0; i < n; i++) {
      String line = steps.get(i);
      Matcher eq = EQUATION.matcher(line);
      Matcher cmp = COMPARE.matcher(line);
      if (eq.matches()) {
        double a = carried == null ? Integer.parseInt(eq.group(1)) : carried;
        int b = Integer.parseInt(eq.group(3));
        double r = switch (eq.group(2)) {
          case "+" -> a + b;
          case "-" -> a - b;
          case "*" -> a * b;
          case "/" -> a / b;
          default -> a == Math.rint(a) ? Math.floorMod((long) a, b) : Double.NaN;
        };
        if (i == 0) {
          r += 1;
        }
        carried = r;
        result = r == Math.rint(r) ? Long.toString((long) r) : "fraction";
      } else {
        assertTrue(cmp.matches(), line);
        int right = Integer.parseInt(cmp.group(3));
        boolean more = carried > right;
        boolean yesNo = steps.get(n).endsWith("yes") || steps.get(n).endsWith("no");
        result = yesNo ? (more ? "yes" : "no") : (more ? "left" : "right");
      }
    }
    return result;
  }
}
