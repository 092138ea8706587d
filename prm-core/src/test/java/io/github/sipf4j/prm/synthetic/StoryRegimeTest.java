package io.github.sipf4j.prm.synthetic;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.github.sipf4j.prm.task.ReasoningTask;
import io.github.sipf4j.prm.task.TaskSet;
import io.github.sipf4j.prm.verify.OutcomeVerifier;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.util.ArrayList;
import java.util.EnumSet;
import java.util.HashMap;
import java.util.HashSet;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.Set;
import java.util.TreeMap;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Collectors;
import java.util.stream.LongStream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;
import org.junit.jupiter.params.provider.MethodSource;

/** The two-person story knobs (distractors, transfers) and the regimes built on them. */
class StoryRegimeTest {

  /**
   * The original splits are exactly what they were before the story knobs existed (SHA-256 of 500 tasks of seed 42,
   * ids, questions, rationales, answers and metadata), so the arithmetic regime's published results still describe
   * the data the code generates.
   */
  @ParameterizedTest(name = "{0}")
  @EnumSource(SyntheticSplit.class)
  void theOriginalSplitsAreUnchanged(SyntheticSplit split) throws Exception {
    Map<SyntheticSplit, String> expected = Map.of(
        SyntheticSplit.IN_DOMAIN, "1fde70cb9fee68767c03d58410edd7c8af20bcf178eeb723d97bde7cd7d33f70",
        SyntheticSplit.VALIDATION, "6f0e8b7241768cb77f7faa95cbb75e39eadac688ca885cd95069930f1f56fbb5",
        SyntheticSplit.OOD_WORDING, "4617f9cc65853590ffca0279f715c9f433d9ab17ef634e4b305cd695cf9259b5",
        SyntheticSplit.OOD_LENGTH, "99882d3104205366a67aa409227879f9632f6b88b9da4794b79a61cf81ee1aa7");
    assertEquals(expected.get(split), fingerprint(SyntheticTaskGenerator.generate(split, 500, 42L)));
    assertEquals(expected.get(split), fingerprint(SyntheticRegime.ARITHMETIC.generate(split.splitName(), 500, 42L)));
  }

  private static String fingerprint(TaskSet set) throws Exception {
    MessageDigest md = MessageDigest.getInstance("SHA-256");
    for (ReasoningTask t : set.tasks()) {
      md.update((t.id() + "\u0000" + t.prompt() + "\u0000" + t.goldRationale() + "\u0000" + t.answer() + "\u0000"
          + new TreeMap<>(t.metadata()) + "\n").getBytes(StandardCharsets.UTF_8));
    }
    return HexFormat.of().formatHex(md.digest());
  }

  static LongStream seeds() {
    return LongStream.range(0, 40);
  }

  /** A random story configuration drawn from a seed. */
  static SyntheticConfig randomStory(Random r) {
    int minSteps = 2 + r.nextInt(3);
    int minD = r.nextInt(3);
    EnumSet<Operator> ops = EnumSet.of(Operator.ADD);
    for (Operator op : Operator.values()) {
      if (r.nextBoolean()) {
        ops.add(op);
      }
    }
    double transfers = r.nextInt(3) == 0 ? 0 : r.nextDouble();
    boolean totals = r.nextInt(3) == 0;
    if (totals) {
      ops = EnumSet.of(Operator.ADD, Operator.SUB);
      minD = Math.max(1, minD);
    }
    boolean tens = r.nextBoolean();
    return SyntheticConfig.builder()
        .steps(minSteps, minSteps + r.nextInt(3))
        .start(5 + r.nextInt(10), 30 + r.nextInt(30))
        .maxAddend(tens ? 30 + r.nextInt(20) : 5 + r.nextInt(10))
        .addendStep(tens ? 10 : 1)
        .maxFactor(2 + r.nextInt(3))
        .maxValue(99 + r.nextInt(100))
        .operators(ops)
        .smallRangeShare(0)
        .distractors(minD, minD + r.nextInt(3) + (transfers == 0 && minD == 0 ? 1 : 0))
        .transferShare(transfers)
        .citeSentences(r.nextBoolean())
        .totalShare(totals ? r.nextDouble() : 0)
        .maxChars(480)
        .build();
  }

  /**
   * Property: reading the story sentence by sentence (an independent parser of the training templates) and
   * tracking both people's counts gives the task's answer, its rationale lines are exactly the asked person's
   * operations in order (each correct arithmetic), the counts stay in range, and the metadata counts the distractor
   * sentences and transfers the story holds.
   */
  @ParameterizedTest(name = "seed {0}")
  @MethodSource("seeds")
  void theAnswerAndRationaleFollowFromTheStory(long seed) {
    Random r = new Random(seed);
    SyntheticConfig c = randomStory(r);
    TaskSet set = SyntheticTaskGenerator.generate(c, "story", 60, seed);
    assertEquals(60, set.size());
    for (ReasoningTask t : set.tasks()) {
      String context = "seed " + seed + " " + c + "\n" + t.prompt() + "\n" + t.goldRationale();
      Story s = Story.read(t.prompt(), c.citeSentences());
      boolean total = t.metadata().get("answerKind").equals("TOTAL");
      assertEquals(total, s.total, context);
      assertEquals(Integer.toString(total ? s.counts.values().stream().mapToInt(Integer::intValue).sum()
          : s.counts.get(s.asked)), t.answer(), context);
      List<String> lines = t.goldSteps().subList(0, t.goldSteps().size() - 1);
      assertEquals(total ? s.totalLines : s.askedLines, lines, context);
      assertEquals("The answer is " + t.answer(), t.goldSteps().get(lines.size()), context);
      if (!total) {
        assertTrue(lines.size() >= c.minSteps() && lines.size() <= c.maxSteps(), context);
      }
      assertTrue(s.maxSeen <= c.maxValue() && s.minSeen >= 1, context);
      if (c.totalShare() == 0) {
        assertFalse(total, context);
      }
      int distractors = Integer.parseInt(t.metadata().get("distractors"));
      assertTrue(distractors >= c.minDistractors() && distractors <= c.maxDistractors(), context);
      assertEquals(s.distractorSentences, distractors, context);
      assertEquals(s.transfers, Integer.parseInt(t.metadata().get("transfers")), context);
      assertTrue(t.prompt().length() + 1 + t.goldRationale().length() <= c.maxChars(), context);
      assertTrue(OutcomeVerifier.numeric().verify(t, t.goldRationale()).correct(), context);
      if (c.transferShare() == 0) {
        assertEquals(0, s.transfers, context);
      }
      for (int n : s.operands) {
        assertTrue(n % c.addendStep() == 0 && n <= c.maxAddend() && n >= Math.min(2, c.addendStep()),
            "operand " + n + ": " + context);
      }
    }
  }

  /** Property: the share of the asked person's operations that are transfers follows the knob. */
  @ParameterizedTest(name = "seed {0}")
  @MethodSource("seeds")
  void transferShareKnob(long seed) {
    double share = new Random(seed).nextInt(5) / 4.0;
    SyntheticConfig c = SyntheticRegime.DISTRACTORS.inDomain().toBuilder().transferShare(share).build();
    int ops = 0;
    int transfers = 0;
    for (ReasoningTask t : SyntheticTaskGenerator.generate(c, "share", 300, seed).tasks()) {
      ops += Integer.parseInt(t.metadata().get("steps"));
      transfers += Integer.parseInt(t.metadata().get("transfers"));
    }
    // Infeasible transfers (too few items to give) are redrawn, so the share can fall a little below the knob.
    assertEquals(share, transfers / (double) ops, 0.08, "seed " + seed);
  }

  /** Property: distractor counts are drawn uniformly from the knob's range. */
  @ParameterizedTest(name = "seed {0}")
  @MethodSource("seeds")
  void distractorKnobCoversItsRange(long seed) {
    Random r = new Random(seed);
    int min = r.nextInt(3);
    int max = min + r.nextInt(3);
    SyntheticConfig c = SyntheticRegime.DISTRACTORS.inDomain().toBuilder().distractors(min, max).maxChars(400)
        .build();
    Map<Integer, Integer> counts = new TreeMap<>();
    for (ReasoningTask t : SyntheticTaskGenerator.generate(c, "d", 400, seed).tasks()) {
      counts.merge(Integer.parseInt(t.metadata().get("distractors")), 1, Integer::sum);
    }
    assertEquals(max - min + 1, counts.size(), "every count in " + min + ".." + max + " occurs: " + counts);
    counts.values().forEach(n -> assertTrue(n > 400 / (max - min + 1) / 2, "roughly uniform: " + counts));
  }

  @Test
  void storiesOnlyUseSentencesThatNameTheirPerson() {
    for (ReasoningTask t : SyntheticRegime.DISTRACTORS.generate("in-domain", 500, 3L).tasks()) {
      assertFalse(t.prompt().contains(" grow "), t.prompt());
      for (String sentence : t.prompt().split("(?<=[.?]) ")) {
        assertTrue(Templates.NAMES.stream().anyMatch(sentence::contains), "no person in '" + sentence + "'");
      }
    }
  }

  @Test
  void invalidStoryKnobsAreRejected() {
    assertThrows(IllegalArgumentException.class, () -> SyntheticConfig.builder().distractors(2, 1).build());
    assertThrows(IllegalArgumentException.class, () -> SyntheticConfig.builder().distractors(-1, 1).build());
    assertThrows(IllegalArgumentException.class, () -> SyntheticConfig.builder().transferShare(1.5).build());
    IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
        () -> SyntheticConfig.builder().distractors(1, 2).build());
    assertTrue(e.getMessage().contains("COMPARISON"), e.getMessage());
    SyntheticConfig heldOutRemainders = SyntheticConfig.builder().distractors(1, 2).wording(Wording.HELD_OUT)
        .smallRangeShare(0.5).smallRangeKinds(Set.of(AnswerKind.REMAINDER)).build();
    e = assertThrows(IllegalArgumentException.class,
        () -> SyntheticTaskGenerator.generate(heldOutRemainders, "x", 10, 1L));
    assertTrue(e.getMessage().contains("small-range questions"), e.getMessage());
    e = assertThrows(IllegalArgumentException.class, () -> SyntheticConfig.builder().distractors(0, 2)
        .smallRangeShare(0).totalShare(0.5).build());
    assertTrue(e.getMessage().contains("minDistractors must be at least 1"), e.getMessage());
    e = assertThrows(IllegalArgumentException.class, () -> SyntheticConfig.builder().distractors(1, 2)
        .smallRangeShare(0).totalShare(0.5).build());
    assertTrue(e.getMessage().contains("operators must be ADD and SUB"), e.getMessage());
    assertThrows(IllegalArgumentException.class, () -> SyntheticConfig.builder().totalShare(-0.1).build());
    assertThrows(IllegalArgumentException.class, () -> SyntheticConfig.builder().addendStep(0).build());
    assertThrows(IllegalArgumentException.class, () -> SyntheticConfig.builder().maxAddend(9).addendStep(10).build());
    assertThrows(IllegalArgumentException.class,
        () -> SyntheticConfig.builder().smallRangeKinds(Set.of(AnswerKind.TOTAL)).build());
    assertFalse(SyntheticConfig.defaults().story());
    assertTrue(SyntheticConfig.builder().transferShare(0.1).smallRangeShare(0).build().story());
  }

  @Test
  void regimesNameTheirSplitsAndKeepInDomainAndValidationApart() {
    SyntheticRegime d = SyntheticRegime.DISTRACTORS;
    assertEquals(List.of("in-domain", "validation", "ood-distractors", "ood-length"), d.splits());
    assertEquals("ood-distractors", d.primaryOutOfDomain());
    assertEquals("ood-wording", SyntheticRegime.ARITHMETIC.primaryOutOfDomain());
    assertEquals(d, SyntheticRegime.fromName(" Distractors "));
    assertThrows(IllegalArgumentException.class, () -> SyntheticRegime.fromName("algebra"));
    IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> d.generate("ood-wording", 5, 1));
    assertTrue(e.getMessage().contains("ood-distractors"), e.getMessage());
    // Each out-of-domain split changes one knob of the in-domain configuration (and its length limit).
    SyntheticConfig in = d.inDomain();
    SyntheticConfig more = d.config("ood-distractors");
    SyntheticConfig longer = d.config("ood_length");
    assertEquals(in.toBuilder().distractors(4, 5).maxChars(more.maxChars()).build(), more);
    assertEquals(in.toBuilder().steps(5, 6).maxChars(longer.maxChars()).build(), longer);
    assertTrue(more.minDistractors() > in.maxDistractors() && longer.minSteps() > in.maxSteps());
    Map<String, Set<String>> questions = new HashMap<>();
    for (String split : d.splits()) {
      TaskSet a = d.generate(split, 400, 5L);
      assertEquals(a, d.generate(split, 400, 5L));
      assertEquals(a.tasks().subList(0, 100), d.generate(split, 100, 5L).tasks());
      assertNotEquals(a, d.generate(split, 400, 6L));
      assertEquals(split + "/0", a.get(0).id());
      Set<String> q = a.tasks().stream().map(ReasoningTask::prompt).collect(Collectors.toSet());
      assertEquals(400, q.size(), split + " repeats a question");
      questions.put(split, q);
      for (ReasoningTask t : a.tasks()) {
        assertEquals("NUMBER", t.metadata().get("answerKind"));
        assertTrue(t.prompt().length() + 1 + t.goldRationale().length() <= d.config(split).maxChars());
      }
    }
    Set<String> common = new HashSet<>(questions.get("in-domain"));
    common.retainAll(questions.get("validation"));
    assertTrue(common.isEmpty(), "in-domain and validation share " + common);
  }

  /**
   * The pretraining corpus alternates one-person stories and two-person totals of the in-domain length, every
   * rationale sound, and asks nothing an in-domain question asks (no question names one person of two).
   */
  @Test
  void thePretrainingCorpusMixesOnePersonStoriesAndTotals() {
    SyntheticRegime d = SyntheticRegime.DISTRACTORS;
    TaskSet corpus = d.generatePretraining(401, 4L);
    assertEquals(401, corpus.size());
    assertEquals(corpus, d.generatePretraining(401, 4L));
    Set<String> inDomain = d.generate("in-domain", 3000, 4L).tasks().stream().map(ReasoningTask::prompt)
        .collect(Collectors.toSet());
    SyntheticStepChecker exact = SyntheticStepChecker.withReferences(SyntheticStepChecker.goldSteps(corpus.tasks()));
    int totals = 0;
    int longest = 0;
    for (int i = 0; i < corpus.size(); i++) {
      ReasoningTask t = corpus.get(i);
      assertEquals("pretraining/" + i, t.id());
      boolean total = t.metadata().get("answerKind").equals("TOTAL");
      assertEquals(i % 2 == 1, total, "alternating: " + t.id());
      totals += total ? 1 : 0;
      assertFalse(inDomain.contains(t.prompt()), t.prompt());
      assertTrue(total || !t.metadata().containsKey("distractors") || t.metadata().get("distractors").equals("0"));
      assertTrue(Story.read(t.prompt(), true).transfers == 0 || total, "one-person stories have no transfers");
      assertTrue(exact.classify(new io.github.sipf4j.prm.process.StepScoringInput(t.prompt(), t.goldSteps(), true))
          .stream().allMatch(v -> v == StepVerdict.SOUND), t.id());
      longest = Math.max(longest, t.prompt().length() + 1 + t.goldRationale().length());
    }
    assertEquals(200, totals);
    assertTrue(longest > d.inDomain().maxChars() * 0.8, "totals reach the in-domain length: " + longest);
  }

  /** Answers spread over a wide range: a guess is right about 1 time in 80, not 1 in 2. */
  @Test
  void answersHaveALargeRange() {
    Map<String, Integer> answers = new HashMap<>();
    TaskSet set = SyntheticRegime.DISTRACTORS.generate("in-domain", 3000, 8L);
    set.tasks().forEach(t -> answers.merge(t.answer(), 1, Integer::sum));
    assertTrue(answers.size() >= 80, answers.size() + " distinct answers");
    int top = answers.values().stream().mapToInt(Integer::intValue).max().orElseThrow();
    assertTrue(top < 0.04 * set.size(), "the most common answer covers " + top + " of " + set.size());
  }

  /** A minimal reader of the training templates' stories, independent of the generator. */
  static final class Story {
    private static final Pattern OPENING = Pattern.compile("(\\w+) (?:has|owns) (\\d+) (\\w+)\\.");
    private static final Pattern ADD = Pattern.compile("(\\w+) (?:buys|gets) (\\d+) more\\.");
    private static final Pattern SUB = Pattern.compile("(\\w+) (?:gives away|loses) (\\d+)\\.");
    private static final Pattern MUL = Pattern.compile("(\\w+) ends up with (\\d+) times as many\\.");
    private static final Pattern DIV = Pattern.compile("(\\w+) keeps (?:1/(\\d+) of them|one of (\\d+) equal parts)\\.");
    private static final Pattern GIVE = Pattern.compile("(\\w+) gives (\\d+) \\w+ to (\\w+)\\.");
    private static final Pattern HAND = Pattern.compile("(\\w+) hands (\\w+) (\\d+) \\w+\\.");
    private static final Pattern QUESTION = Pattern.compile("How many \\w+ does (\\w+) have(?: now)?\\?");
    private static final Pattern TOTAL = Pattern.compile("How many \\w+ do (\\w+) and (\\w+) have together\\?");

    final Map<String, Integer> counts = new HashMap<>();
    final List<String> askedLines = new ArrayList<>();
    /** Every number added, subtracted or transferred in the story, whoever's. */
    final List<Integer> operands = new ArrayList<>();
    /** For a total question: the opening sum, then every own operation applied to the total. */
    final List<String> totalLines = new ArrayList<>();
    String asked;
    String second;
    boolean total;
    int distractorSentences;
    int transfers;
    int maxSeen = Integer.MIN_VALUE;
    int minSeen = Integer.MAX_VALUE;

    private String citation = "";
    private boolean cite;

    static Story read(String prompt, boolean cite) {
      String[] sentences = prompt.split("(?<=[.?]) ");
      String last = sentences[sentences.length - 1];
      Matcher q = QUESTION.matcher(last);
      Matcher t = TOTAL.matcher(last);
      assertTrue(q.matches() || t.matches(), "question: " + last);
      Story s = new Story();
      s.total = t.matches();
      s.asked = s.total ? t.group(1) : q.group(1);
      s.second = s.total ? t.group(2) : null;
      s.cite = cite;
      for (int i = 0; i < sentences.length - 1; i++) {
        s.citation = sentences[i].substring(0, sentences[i].length() - 1) + ": ";
        int before = s.total && s.counts.size() == 2 ? s.sum() : 0;
        boolean opening = OPENING.matcher(sentences[i]).matches();
        boolean transfer = GIVE.matcher(sentences[i]).matches() || HAND.matcher(sentences[i]).matches();
        s.apply(sentences[i]);
        if (s.total && opening && s.counts.size() == 2) {
          int a = s.counts.get(s.asked);
          int b = s.counts.get(s.second);
          s.totalLines.add((cite ? s.asked + " and " + s.second + ": " : "") + a + "+" + b + "=" + (a + b));
        } else if (s.total && !opening && !transfer) {
          int after = s.sum();
          s.totalLines.add((cite ? s.citation : "") + before + (after >= before ? "+" : "-") + Math.abs(after - before)
              + "=" + after);
        }
      }
      return s;
    }

    private int sum() {
      return counts.values().stream().mapToInt(Integer::intValue).sum();
    }

    private void apply(String sentence) {
      Matcher m;
      if ((m = OPENING.matcher(sentence)).matches()) {
        counts.put(m.group(1), Integer.parseInt(m.group(2)));
        distractorSentences += m.group(1).equals(asked) ? 0 : 1;
        see(Integer.parseInt(m.group(2)));
      } else if ((m = GIVE.matcher(sentence)).matches() || (m = HAND.matcher(sentence)).matches()) {
        boolean give = m.pattern() == GIVE;
        String from = m.group(1);
        String to = give ? m.group(3) : m.group(2);
        int n = Integer.parseInt(give ? m.group(2) : m.group(3));
        assertTrue(from.equals(asked) || to.equals(asked), "a transfer involves the asked person: " + sentence);
        transfers++;
        operands.add(n);
        update(from, '-', n);
        update(to, '+', n);
      } else {
        if ((m = ADD.matcher(sentence)).matches()) {
          operands.add(Integer.parseInt(m.group(2)));
          update(m.group(1), '+', Integer.parseInt(m.group(2)));
        } else if ((m = SUB.matcher(sentence)).matches()) {
          operands.add(Integer.parseInt(m.group(2)));
          update(m.group(1), '-', Integer.parseInt(m.group(2)));
        } else if ((m = MUL.matcher(sentence)).matches()) {
          update(m.group(1), '*', Integer.parseInt(m.group(2)));
        } else if ((m = DIV.matcher(sentence)).matches()) {
          update(m.group(1), '/', Integer.parseInt(m.group(2) != null ? m.group(2) : m.group(3)));
        } else {
          throw new AssertionError("unreadable sentence: " + sentence);
        }
        distractorSentences += m.group(1).equals(asked) ? 0 : 1;
      }
    }

    /** Applies an operation to a person; only the asked person's lines are the rationale. */
    private void update(String person, char op, int n) {
      Integer before = counts.get(person);
      if (before == null) {
        // The second person of a story without distractors: named only in transfers, its count never given.
        assertNotEquals(asked, person, "the asked person's count is given first");
        return;
      }
      int after = switch (op) {
        case '+' -> before + n;
        case '-' -> before - n;
        case '*' -> before * n;
        default -> {
          assertEquals(0, before % n, person + " divides exactly");
          yield before / n;
        }
      };
      if (person.equals(asked)) {
        askedLines.add((cite ? citation : "") + before + String.valueOf(op) + n + "=" + after);
      }
      counts.put(person, after);
      see(after);
    }

    private void see(int v) {
      maxSeen = Math.max(maxSeen, v);
      minSeen = Math.min(minSeen, v);
    }
  }
}
