package io.github.sipf4j.prm.synthetic;

import io.github.sipf4j.prm.process.ProcessRewardModel;
import io.github.sipf4j.prm.process.StepScoringInput;
import java.util.ArrayList;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Exact step labels for the synthetic task's rationale format: a {@link ProcessRewardModel} that needs no sampling
 * and no training, for measuring how good other labels are and as the upper bound of what process feedback can do
 * on this task.
 *
 * <p>A step scores 1 while every step so far is sound and 0 from the first unsound one on. Sound means:
 * <ul>
 *   <li>an equation {@code a op b=c} ({@code op} one of {@code + - * / %}) holds in integers, division exactly;</li>
 *   <li>a comparison {@code a>b} or {@code a<b} holds;</li>
 *   <li>both continue the chain: {@code a} is the previous equation's result (the first step may start anywhere);</li>
 *   <li>any other line (the closing "The answer is ...") is sound when the final answer is not known to be wrong
 *       ({@link StepScoringInput#finalAnswerCorrect()} is true or null), and is judged only as the last step; an
 *       unrecognised line before the last is unsound.</li>
 * </ul>
 * It checks arithmetic and chaining, not that a step applies the operation the question asks for: a rationale that
 * adds where the question multiplies, with correct sums, passes until its answer is found wrong.
 *
 * <pre>{@code
 * trainerBuilder.rewardModel(new SyntheticStepChecker()); // SIPF with exact step labels, no simulation
 * double[] s = new SyntheticStepChecker().scoreSteps(new StepScoringInput("q", List.of("6*3=18\n", "18+5=22\n",
 *     "The answer is 22"), true)); // {1, 0, 0}
 * }</pre>
 */
public final class SyntheticStepChecker implements ProcessRewardModel {

  private static final Pattern EQUATION = Pattern.compile("(-?\\d{1,9})\\s*([-+*/%])\\s*(-?\\d{1,9})\\s*=\\s*(-?\\d{1,9})");
  private static final Pattern COMPARISON = Pattern.compile("(-?\\d{1,9})\\s*([<>])\\s*(-?\\d{1,9})");

  /** Creates the checker. */
  public SyntheticStepChecker() {}

  @Override
  public List<double[]> scoreSteps(List<StepScoringInput> inputs) {
    List<double[]> out = new ArrayList<>(inputs.size());
    for (StepScoringInput in : inputs) {
      out.add(score(in));
    }
    return out;
  }

  private static double[] score(StepScoringInput in) {
    List<String> steps = in.steps();
    double[] s = new double[steps.size()];
    Long previous = null;
    boolean sound = true;
    for (int i = 0; i < steps.size() && sound; i++) {
      String step = steps.get(i).strip();
      Matcher eq = EQUATION.matcher(step);
      Matcher cmp = COMPARISON.matcher(step);
      if (eq.matches()) {
        long a = Long.parseLong(eq.group(1));
        long b = Long.parseLong(eq.group(3));
        long c = Long.parseLong(eq.group(4));
        Long value = apply(a, eq.group(2).charAt(0), b);
        sound = value != null && value == c && (previous == null || previous == a);
        previous = c;
      } else if (cmp.matches()) {
        long a = Long.parseLong(cmp.group(1));
        long b = Long.parseLong(cmp.group(3));
        sound = (cmp.group(2).equals(">") ? a > b : a < b) && (previous == null || previous == a);
      } else {
        sound = i == steps.size() - 1 && !Boolean.FALSE.equals(in.finalAnswerCorrect());
      }
      s[i] = sound ? 1 : 0;
    }
    return s;
  }

  private static Long apply(long a, char op, long b) {
    return switch (op) {
      case '+' -> a + b;
      case '-' -> a - b;
      case '*' -> a * b;
      case '/' -> b != 0 && a % b == 0 ? a / b : null;
      case '%' -> b != 0 ? a % b : null;
      default -> null;
    };
  }
}
