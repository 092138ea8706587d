package io.github.sipf4j.prm.synthetic;

import com.google.common.hash.Hashing;
import io.github.sipf4j.prm.task.ReasoningTask;
import io.github.sipf4j.prm.task.TaskSet;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.SplittableRandom;
import java.util.function.IntPredicate;

/**
 * Generates seeded multi-step arithmetic word problems, the embedded default task.
 *
 * <p>A question tells a short story about one person's items, one sentence per operation, then asks for the
 * number at the end ({@link AnswerKind#NUMBER}) or a small-range answer: who has more ({@link
 * AnswerKind#COMPARISON}), more than a threshold or not ({@link AnswerKind#YES_NO}), what is left over when packed
 * in bags ({@link AnswerKind#REMAINDER}). The rationale has one equation per line and ends with {@code The answer
 * is X}:
 *
 * <pre>
 * Ann has 7 pens. Ann buys 5 more. Ann gives away 3. Bob has 11 pens. Who has more pens?
 * 7+5=12
 * 12-3=9
 * 9&lt;11
 * The answer is Bob
 * </pre>
 *
 * <p>Every task is {@link io.github.sipf4j.prm.task.VerifierKind#NUMERIC} (words are compared normalised), its
 * gold steps are all rationale lines including the answer line, and its metadata holds {@code answerKind},
 * {@code steps} and {@code split}. Generation is deterministic for (config or split, count, seed); a shorter
 * request returns a prefix of a longer one; no question repeats within a call.
 *
 * <pre>{@code
 * TaskSet train = SyntheticTaskGenerator.generate(SyntheticSplit.IN_DOMAIN, 2000, 1L);
 * Gsm8kWriter.write(train.tasks(), Path.of("in-domain.jsonl"));
 * }</pre>
 */
public final class SyntheticTaskGenerator {
  private static final int ATTEMPTS_PER_TASK = 200;

  private SyntheticTaskGenerator() {}

  /**
   * Generates a standard split.
   *
   * @param split the split
   * @param count how many tasks
   * @param seed the seed; the split's own stream is derived from it
   * @return the tasks, named after the split, with ids {@code <split>/<index>}
   */
  public static TaskSet generate(SyntheticSplit split, int count, long seed) {
    return generate(split.config(), split.splitName(), count, seed, b -> split.owns(b));
  }

  /**
   * Generates tasks with custom knobs.
   *
   * @param config the knobs
   * @param name the name of the task set, used in ids and to derive the seed stream
   * @param count how many tasks
   * @param seed the seed
   * @return the tasks, with ids {@code <name>/<index>}
   */
  public static TaskSet generate(SyntheticConfig config, String name, int count, long seed) {
    return generate(config, name, count, seed, b -> true);
  }

  static TaskSet generate(SyntheticConfig config, String name, int count, long seed, IntPredicate bucket) {
    if (count < 0) {
      throw new IllegalArgumentException("count must be >= 0: " + count);
    }
    long salt = Hashing.murmur3_128().hashString(name, StandardCharsets.UTF_8).asLong();
    SplittableRandom random = new SplittableRandom(seed ^ salt);
    Templates templates = config.story() ? storyTemplates(config) : Templates.of(config.wording());
    Set<String> seen = new HashSet<>();
    List<ReasoningTask> tasks = new ArrayList<>(count);
    long attempts = 0;
    while (tasks.size() < count) {
      if (++attempts > (long) ATTEMPTS_PER_TASK * Math.max(count, 10)) {
        throw new IllegalStateException(
            "could only generate " + tasks.size() + " distinct questions of " + count + " within the limits of " + config);
      }
      Problem p = config.story() ? drawStory(config, templates, random) : draw(config, templates, random);
      if (p == null || p.length() > config.maxChars() || seen.contains(p.question)) {
        continue;
      }
      int b = Math.floorMod(Hashing.murmur3_32_fixed().hashString(p.question, StandardCharsets.UTF_8).asInt(), 10);
      if (!bucket.test(b)) {
        continue;
      }
      seen.add(p.question);
      List<String> steps = new ArrayList<>(p.lines);
      steps.add("The answer is " + p.answer);
      ReasoningTask task = ReasoningTask.numeric(name + "/" + tasks.size(), p.question, p.answer, steps)
          .withMetadata("answerKind", p.kind.name())
          .withMetadata("steps", Integer.toString(p.lines.size()))
          .withMetadata("split", name);
      if (config.story()) {
        task = task.withMetadata("distractors", Integer.toString(p.distractors))
            .withMetadata("transfers", Integer.toString(p.transfers));
      }
      tasks.add(task);
    }
    return new TaskSet(name, tasks);
  }

  /** The templates of a two-person story, checked to hold a sentence for everything the knobs can ask for. */
  private static Templates storyTemplates(SyntheticConfig c) {
    Templates t = Templates.of(c.wording()).naming();
    List<String> missing = new ArrayList<>();
    if (t.openings().isEmpty() || t.numberQuestions().isEmpty() && c.smallRangeShare() < 1) {
      missing.add("openings and questions");
    }
    if (c.operators().stream().allMatch(op -> t.steps().get(op).isEmpty())) {
      missing.add("operations");
    }
    if (c.smallRangeShare() > 0 && (c.smallRangeKinds().contains(AnswerKind.YES_NO) && t.yesNo().isEmpty()
        || c.smallRangeKinds().contains(AnswerKind.REMAINDER) && t.remainders().isEmpty())) {
      missing.add("small-range questions");
    }
    if (!missing.isEmpty()) {
      throw new IllegalArgumentException("the " + c.wording() + " templates have no sentence naming its person for "
          + String.join(", ", missing) + ", which a two-person story needs");
    }
    return t;
  }

  private record Problem(String question, List<String> lines, String answer, AnswerKind kind, int distractors,
      int transfers) {
    Problem(String question, List<String> lines, String answer, AnswerKind kind) {
      this(question, lines, answer, kind, 0, 0);
    }

    int length() {
      int n = question.length() + 1 + ("The answer is " + answer).length();
      for (String l : lines) {
        n += l.length() + 1;
      }
      return n;
    }
  }

  private static Problem draw(SyntheticConfig c, Templates t, SplittableRandom r) {
    int steps = r.nextInt(c.minSteps(), c.maxSteps() + 1);
    AnswerKind kind = drawKind(c, r);
    int ops = kind == AnswerKind.NUMBER ? steps : steps - 1;
    String[] people = drawPeople(r);
    String person = people[0];
    String other = people[1];
    String item = pick(Templates.ITEMS, r);
    int value = r.nextInt(c.minStart(), c.maxStart() + 1);
    StringBuilder q = new StringBuilder(fill(pick(t.openings(), r), person, other, item, value, 0));
    List<String> lines = new ArrayList<>();
    List<Operator> allowed = allowed(c, t);
    for (int i = 0; i < ops; i++) {
      int[] choice = drawOperation(allowed, value, c, r);
      if (choice == null) {
        return null;
      }
      Operator op = Operator.values()[choice[0]];
      int n = choice[1];
      int result = op.apply(value, n);
      String sentence = fill(pick(t.steps().get(op), r), person, other, item, n, 0);
      q.append(' ').append(sentence);
      lines.add(line(c, sentence, value + String.valueOf(op.symbol()) + n + "=" + result));
      value = result;
    }
    String answer = ask(kind, value, person, other, item, c, t, r, q, lines);
    return new Problem(q.toString(), lines, answer, kind);
  }

  /**
   * Draws a story about two people: the asked person's opening and operations (some of them transfers with the
   * second person), and the distractors, the second person's opening and operations, interleaved at random. Both
   * openings come first, in random order; the asked person's operations keep their order, which is the order of the
   * rationale's lines. The second person's count is tracked so that its own sentences stay feasible.
   */
  private static Problem drawStory(SyntheticConfig c, Templates t, SplittableRandom r) {
    int steps = r.nextInt(c.minSteps(), c.maxSteps() + 1);
    AnswerKind kind = drawKind(c, r);
    if (kind == AnswerKind.NUMBER && c.totalShare() > 0 && r.nextDouble() < c.totalShare()) {
      kind = AnswerKind.TOTAL;
    }
    boolean total = kind == AnswerKind.TOTAL;
    int ops = kind == AnswerKind.NUMBER || total ? steps : steps - 1;
    int distractors = r.nextInt(c.minDistractors(), c.maxDistractors() + 1);
    String[] people = drawPeople(r);
    String person = people[0];
    String other = people[1];
    String item = pick(Templates.ITEMS, r);
    int value = r.nextInt(c.minStart(), c.maxStart() + 1);
    int otherValue = r.nextInt(c.minStart(), c.maxStart() + 1);
    List<String> sentences = new ArrayList<>();
    String opening = fill(pick(t.openings(), r), person, other, item, value, 0);
    if (distractors > 0) {
      String otherOpening = fill(pick(t.openings(), r), other, person, item, otherValue, 0);
      boolean otherFirst = r.nextBoolean();
      sentences.add(otherFirst ? otherOpening : opening);
      sentences.add(otherFirst ? opening : otherOpening);
    } else {
      sentences.add(opening);
    }
    // The order of the remaining sentences: true for an operation of the asked person, false for a distractor.
    List<Boolean> order = new ArrayList<>();
    for (int i = 0; i < ops; i++) {
      order.add(true);
    }
    for (int i = 1; i < distractors; i++) {
      order.add(r.nextInt(order.size() + 1), false);
    }
    List<Operator> allowed = allowed(c, t);
    List<String> lines = new ArrayList<>();
    if (total) {
      lines.add(line(c, person + " and " + other + ".", value + "+" + otherValue + "=" + (value + otherValue)));
    }
    int transfers = 0;
    for (boolean asked : order) {
      if (asked && r.nextDouble() < c.transferShare()) {
        // A transfer: the asked person gives (subtract) or receives (add); the count moved is an addend.
        boolean gives = r.nextBoolean();
        int from = gives ? value : otherValue;
        int to = gives ? otherValue : value;
        int n = addend(Math.min(c.maxAddend(), Math.min(from - 1, c.maxValue() - to)), c, r);
        if (n == 0) {
          return null;
        }
        String template = pick(t.transfers(), r);
        String sentence = gives ? fill(template, person, other, item, n, 0) : fill(template, other, person, item, n, 0);
        sentences.add(sentence);
        int result = gives ? value - n : value + n;
        if (!total) {
          lines.add(line(c, sentence, value + (gives ? "-" : "+") + n + "=" + result));
        }
        value = result;
        otherValue = gives ? otherValue + n : otherValue - n;
        transfers++;
        continue;
      }
      int current = asked ? value : otherValue;
      int[] choice = drawOperation(allowed, current, c, r);
      if (choice == null) {
        return null;
      }
      Operator op = Operator.values()[choice[0]];
      int n = choice[1];
      int result = op.apply(current, n);
      String sentence = fill(pick(t.steps().get(op), r), asked ? person : other, asked ? other : person, item, n, 0);
      sentences.add(sentence);
      if (total) {
        int before = value + otherValue;
        lines.add(line(c, sentence, before + String.valueOf(op.symbol()) + n + "=" + (before - current + result)));
      } else if (asked) {
        lines.add(line(c, sentence, value + String.valueOf(op.symbol()) + n + "=" + result));
      }
      if (asked) {
        value = result;
      } else {
        otherValue = result;
      }
    }
    StringBuilder q = new StringBuilder(String.join(" ", sentences));
    String answer = ask(kind, total ? value + otherValue : value, person, other, item, c, t, r, q, lines);
    return new Problem(q.toString(), lines, answer, kind, distractors, transfers);
  }

  /** An operation line: the equation, after the quoted sentence (without its full stop) when citing. */
  private static String line(SyntheticConfig c, String sentence, String equation) {
    return c.citeSentences() ? sentence.substring(0, sentence.length() - 1) + ": " + equation : equation;
  }

  /** Draws what the question asks for: a number, or a small-range kind with {@code smallRangeShare}. */
  private static AnswerKind drawKind(SyntheticConfig c, SplittableRandom r) {
    if (r.nextDouble() < c.smallRangeShare()) {
      List<AnswerKind> kinds = new ArrayList<>(c.smallRangeKinds());
      kinds.sort(null);
      return kinds.get(r.nextInt(kinds.size()));
    }
    return AnswerKind.NUMBER;
  }

  /** Draws the asked person and a second, different one. */
  private static String[] drawPeople(SplittableRandom r) {
    String person = pick(Templates.NAMES, r);
    String other;
    do {
      other = pick(Templates.NAMES, r);
    } while (other.equals(person));
    return new String[] {person, other};
  }

  /** The configured operations that have a sentence, in a fixed order. */
  private static List<Operator> allowed(SyntheticConfig c, Templates t) {
    List<Operator> allowed = new ArrayList<>(c.operators());
    allowed.sort(null);
    allowed.removeIf(op -> t.steps().get(op).isEmpty());
    return allowed;
  }

  /** Draws a feasible operation at {@code value}: {operator ordinal, operand}, or null when none is feasible. */
  private static int[] drawOperation(List<Operator> allowed, int value, SyntheticConfig c, SplittableRandom r) {
    List<int[]> options = new ArrayList<>();
    for (Operator op : allowed) {
      int operand = operand(op, value, c, r);
      if (operand > 0) {
        options.add(new int[] {op.ordinal(), operand});
      }
    }
    return options.isEmpty() ? null : options.get(r.nextInt(options.size()));
  }

  /**
   * Appends the question sentence for {@code kind} to {@code q}, and for the small-range kinds the closing
   * comparison or remainder line to {@code lines}; returns the answer.
   */
  private static String ask(AnswerKind kind, int value, String person, String other, String item, SyntheticConfig c,
      Templates t, SplittableRandom r, StringBuilder q, List<String> lines) {
    switch (kind) {
      case NUMBER -> {
        q.append(' ').append(fill(pick(t.numberQuestions(), r), person, other, item, 0, 0));
        return Integer.toString(value);
      }
      case TOTAL -> {
        q.append(' ').append(fill(pick(t.totalQuestions(), r), person, other, item, 0, 0));
        return Integer.toString(value);
      }
      case COMPARISON, YES_NO -> {
        int m = near(value, c, r);
        String template = pick(kind == AnswerKind.COMPARISON ? t.comparisons() : t.yesNo(), r);
        q.append(' ').append(fill(template, person, other, item, 0, m));
        lines.add(value + (value > m ? ">" : "<") + m);
        return kind == AnswerKind.COMPARISON ? (value > m ? person : other) : (value > m ? "yes" : "no");
      }
      case REMAINDER -> {
        int bag = r.nextInt(2, Math.max(3, c.maxFactor() + 1));
        q.append(' ').append(fill(pick(t.remainders(), r), person, other, item, 0, bag));
        lines.add(value + "%" + bag + "=" + value % bag);
        return Integer.toString(value % bag);
      }
      default -> throw new IllegalStateException(kind.name());
    }
  }

  /** A feasible operand for {@code op} at {@code value}, or 0 when none exists. */
  private static int operand(Operator op, int value, SyntheticConfig c, SplittableRandom r) {
    switch (op) {
      case ADD:
        return addend(Math.min(c.maxAddend(), c.maxValue() - value), c, r);
      case SUB:
        return addend(Math.min(c.maxAddend(), value - 1), c, r);
      case MUL: {
        int hi = Math.min(c.maxFactor(), c.maxValue() / Math.max(1, value));
        return hi >= 2 ? r.nextInt(2, hi + 1) : 0;
      }
      case DIV: {
        List<Integer> divisors = new ArrayList<>();
        for (int d = 2; d <= c.maxFactor(); d++) {
          if (value % d == 0 && value / d >= 1) {
            divisors.add(d);
          }
        }
        return divisors.isEmpty() ? 0 : divisors.get(r.nextInt(divisors.size()));
      }
      default:
        return 0;
    }
  }

  /**
   * An addend of at most {@code hi}: from 2 with {@code addendStep} 1, else a multiple of the step; 0 when none fits.
   */
  private static int addend(int hi, SyntheticConfig c, SplittableRandom r) {
    int step = c.addendStep();
    if (step == 1) {
      return hi >= 2 ? r.nextInt(2, hi + 1) : 0;
    }
    return hi >= step ? step * r.nextInt(1, hi / step + 1) : 0;
  }

  /** A number close to {@code value} but different from it, at least 1. */
  private static int near(int value, SyntheticConfig c, SplittableRandom r) {
    int m;
    do {
      m = value + r.nextInt(-c.maxAddend(), c.maxAddend() + 1);
    } while (m == value || m < 1);
    return m;
  }

  private static String pick(List<String> options, SplittableRandom r) {
    return options.get(r.nextInt(options.size()));
  }

  private static String fill(String template, String p, String q, String item, int n, int m) {
    return template
        .replace("{P}", p)
        .replace("{Q}", q)
        .replace("{I}", item)
        .replace("{n}", Integer.toString(n))
        .replace("{m}", Integer.toString(m));
  }
}
