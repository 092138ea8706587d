package io.github.sipf4j.prm.synthetic;

import io.github.sipf4j.prm.process.ProcessRewardModel;
import io.github.sipf4j.prm.process.StepScoringInput;
import io.github.sipf4j.prm.task.ReasoningTask;
import java.util.ArrayList;
import java.util.Collection;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Exact step labels for the synthetic task's rationale format: a {@link ProcessRewardModel} that needs no sampling
 * and no training, for measuring how good other labels are and as the upper bound of what process feedback can do
 * on this task.
 *
 * <p>A step scores 1 while every step so far is sound and 0 from the first unsound one on. A calculation may follow a
 * quoted sentence and a colon ({@code Ann buys 5 more: 12+5=17}, see {@code SyntheticConfig#citeSentences}); the
 * quote is compared with the reference, the calculation is checked. Sound means:
 * <ul>
 *   <li>an equation {@code a op b=c} ({@code op} one of {@code + - * / %}) holds in integers, division exactly;</li>
 *   <li>a comparison {@code a>b} or {@code a<b} holds;</li>
 *   <li>both continue the chain: {@code a} is the previous equation's result (the first step may start anywhere);</li>
 *   <li>with references ({@link #withReferences}), the step is also the reference rationale's step at the same
 *       position (whitespace aside): the right quantity and the right operation, not a distractor's number or a
 *       transfer added the wrong way round;</li>
 *   <li>any other line (the closing "The answer is ...") is sound when the final answer is not known to be wrong
 *       ({@link StepScoringInput#finalAnswerCorrect()} is true or null), and is judged only as the last step; an
 *       unrecognised line before the last is unsound.</li>
 * </ul>
 * Without references it checks arithmetic and chaining, not that a step applies the operation the question asks
 * for: a rationale that adds where the question multiplies, with correct sums, passes until its answer is found
 * wrong. {@link #classify} tells the kinds of error apart ({@link StepVerdict}), for example to measure how often a
 * model's arithmetic holds.
 *
 * <pre>{@code
 * trainerBuilder.rewardModel(new SyntheticStepChecker()); // SIPF with exact step labels, no simulation
 * double[] s = new SyntheticStepChecker().scoreSteps(new StepScoringInput("q", List.of("6*3=18\n", "18+5=22\n",
 *     "The answer is 22"), true)); // {1, 0, 0}
 * SyntheticStepChecker exact = SyntheticStepChecker.withReferences(Map.of(task.prompt(), task.goldSteps()));
 * }</pre>
 */
public final class SyntheticStepChecker implements ProcessRewardModel {

  /** An optional quoted sentence before the calculation ({@code Ann buys 5 more: 12+5=17}); it holds no colon. */
  private static final String CITATION = "(?:[^:]*:\\s*)?";
  private static final Pattern EQUATION = Pattern.compile(
      CITATION + "(-?\\d{1,9})\\s*([-+*/%])\\s*(-?\\d{1,9})\\s*=\\s*(-?\\d{1,9})");
  private static final Pattern COMPARISON = Pattern.compile(CITATION + "(-?\\d{1,9})\\s*([<>])\\s*(-?\\d{1,9})");
  private static final Pattern WHITESPACE = Pattern.compile("\\s+");

  private final Map<String, List<String>> references;

  /** Creates the checker of arithmetic and chaining, without references. */
  public SyntheticStepChecker() {
    this.references = Map.of();
  }

  private SyntheticStepChecker(Map<String, List<String>> references) {
    this.references = references;
  }

  /**
   * Creates a checker that also compares every step with a reference rationale of its question: a step that is
   * not the reference's step at its position is {@link StepVerdict#REASONING}. Questions without a reference are
   * checked for arithmetic and chaining only.
   *
   * @param referenceSteps the reference steps by question, keyed by {@link StepScoringInput#prompt()} as the caller
   *     passes it (the raw question for {@code SelfIterativeTrainer}); a closing line that is not an equation or a
   *     comparison, such as {@code The answer is 22}, is ignored
   * @return the checker
   */
  public static SyntheticStepChecker withReferences(Map<String, List<String>> referenceSteps) {
    Map<String, List<String>> refs = new HashMap<>();
    referenceSteps.forEach((prompt, steps) -> {
      List<String> kept = new ArrayList<>();
      for (String step : steps) {
        if (isCalculation(step)) {
          kept.add(normalise(step));
        }
      }
      refs.put(prompt, List.copyOf(kept));
    });
    return new SyntheticStepChecker(Map.copyOf(refs));
  }

  /**
   * Returns the gold steps of tasks by question text, the input of {@link #withReferences(Map)}.
   *
   * @param tasks tasks with gold rationales (tasks without one are left out)
   * @return the steps by {@link ReasoningTask#prompt()}
   */
  public static Map<String, List<String>> goldSteps(Collection<ReasoningTask> tasks) {
    Map<String, List<String>> out = new LinkedHashMap<>();
    for (ReasoningTask t : tasks) {
      if (!t.goldSteps().isEmpty()) {
        out.put(t.prompt(), t.goldSteps());
      }
    }
    return out;
  }

  /**
   * Returns how many questions have a reference.
   *
   * @return the count, 0 for the checker of arithmetic and chaining
   */
  public int referenceCount() {
    return references.size();
  }

  @Override
  public List<double[]> scoreSteps(List<StepScoringInput> inputs) {
    List<double[]> out = new ArrayList<>(inputs.size());
    for (StepScoringInput in : inputs) {
      List<StepVerdict> verdicts = classify(in);
      double[] s = new double[verdicts.size()];
      for (int i = 0; i < s.length && verdicts.get(i) == StepVerdict.SOUND; i++) {
        s[i] = 1;
      }
      out.add(s);
    }
    return out;
  }

  /**
   * Judges every step of one rationale on its own: its arithmetic, whether it starts from the previous step's stated
   * result, and (with a reference for the question) whether it is the reference's step at its position.
   *
   * @param in the rationale
   * @return one verdict per step
   */
  public List<StepVerdict> classify(StepScoringInput in) {
    List<String> steps = in.steps();
    List<String> reference = references.get(in.prompt());
    List<StepVerdict> out = new ArrayList<>(steps.size());
    Long previous = null;
    int position = 0;
    for (int i = 0; i < steps.size(); i++) {
      String step = steps.get(i).strip();
      Matcher eq = EQUATION.matcher(step);
      Matcher cmp = COMPARISON.matcher(step);
      StepVerdict v;
      if (eq.matches()) {
        long a = Long.parseLong(eq.group(1));
        long b = Long.parseLong(eq.group(3));
        long c = Long.parseLong(eq.group(4));
        Long value = apply(a, eq.group(2).charAt(0), b);
        v = value == null || value != c ? StepVerdict.ARITHMETIC
            : previous != null && previous != a ? StepVerdict.CHAIN : StepVerdict.SOUND;
        previous = c;
      } else if (cmp.matches()) {
        long a = Long.parseLong(cmp.group(1));
        long b = Long.parseLong(cmp.group(3));
        v = !(cmp.group(2).equals(">") ? a > b : a < b) ? StepVerdict.ARITHMETIC
            : previous != null && previous != a ? StepVerdict.CHAIN : StepVerdict.SOUND;
      } else {
        v = i < steps.size() - 1 ? StepVerdict.FORMAT
            : Boolean.FALSE.equals(in.finalAnswerCorrect()) ? StepVerdict.WRONG_ANSWER : StepVerdict.SOUND;
        out.add(v);
        continue;
      }
      if (v == StepVerdict.SOUND && reference != null
          && (position >= reference.size() || !reference.get(position).equals(normalise(step)))) {
        v = StepVerdict.REASONING;
      }
      position++;
      out.add(v);
    }
    return out;
  }

  /**
   * Returns whether a step is an equation ({@code a op b=c}) or a comparison ({@code a>b}, {@code a<b}), the steps
   * whose arithmetic {@link #classify} checks.
   *
   * @param step the step's text
   * @return true for a calculation, false for any other line
   */
  public static boolean isCalculation(String step) {
    String s = step.strip();
    return EQUATION.matcher(s).matches() || COMPARISON.matcher(s).matches();
  }

  private static String normalise(String step) {
    return WHITESPACE.matcher(step.strip()).replaceAll("");
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
