package io.github.sipf4j.prm.synthetic;

import io.github.sipf4j.prm.task.ReasoningTask;
import io.github.sipf4j.prm.task.TaskSet;
import java.util.EnumSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * A family of synthetic tasks with its named splits. Every regime has an {@code in-domain} split (training data and
 * test questions) and a {@code validation} split with the same distribution and disjoint question texts (80% / 20%
 * of the hash buckets of the question text), plus out-of-domain splits that change one knob each.
 *
 * <ul>
 *   <li>{@link #ARITHMETIC}: the original task, one person, a chain of 2 to 4 operations with factors up to 5, half
 *       of the answers small-range; its splits are exactly {@link SyntheticSplit}'s.</li>
 *   <li>{@link #DISTRACTORS}: the reasoning regime, a story about two people in which the rationale must use only the
 *       asked person's numbers (distractor sentences about the second person) and the right operation (transfers
 *       between the two add or subtract depending on who is asked about), with arithmetic a small model does
 *       reliably (whole tens added or subtracted, counts up to 99, no products) and numeric answers only.
 *       Every operation line quotes the sentence it uses.</li>
 * </ul>
 *
 * <pre>{@code
 * TaskSet gold = SyntheticRegime.DISTRACTORS.generate("in-domain", 300, 1L);
 * TaskSet ood = SyntheticRegime.DISTRACTORS.generate("ood-distractors", 250, 1006L);
 * }</pre>
 */
public enum SyntheticRegime {
  /** The original task (see {@link SyntheticSplit}). */
  ARITHMETIC(
      SyntheticSplit.IN_DOMAIN.config(),
      List.of(
          Map.entry(SyntheticSplit.OOD_WORDING.splitName(), SyntheticSplit.OOD_WORDING.config()),
          Map.entry(SyntheticSplit.OOD_LENGTH.splitName(), SyntheticSplit.OOD_LENGTH.config()))),
  /** The reasoning regime: distractor sentences and transfers, small arithmetic, numeric answers. */
  DISTRACTORS(Distractors.IN_DOMAIN, Distractors.OUT_OF_DOMAIN);

  /** The name of the training and test split of every regime. */
  public static final String IN_DOMAIN = "in-domain";

  /** The name of the model-selection split of every regime. */
  public static final String VALIDATION = "validation";

  private final SyntheticConfig inDomain;
  private final Map<String, SyntheticConfig> outOfDomain;

  SyntheticRegime(SyntheticConfig inDomain, List<Map.Entry<String, SyntheticConfig>> outOfDomain) {
    this.inDomain = inDomain;
    Map<String, SyntheticConfig> m = new LinkedHashMap<>();
    outOfDomain.forEach(e -> m.put(e.getKey(), e.getValue()));
    this.outOfDomain = java.util.Collections.unmodifiableMap(m);
  }

  /**
   * Returns the name used on the command line and in presets.
   *
   * @return {@code arithmetic} or {@code distractors}
   */
  public String key() {
    return name().toLowerCase(Locale.ROOT);
  }

  /**
   * Returns the knobs of the in-domain and validation splits.
   *
   * @return the configuration
   */
  public SyntheticConfig inDomain() {
    return inDomain;
  }

  /**
   * Returns the out-of-domain splits by name, the primary one first.
   *
   * @return the configurations
   */
  public Map<String, SyntheticConfig> outOfDomain() {
    return outOfDomain;
  }

  /**
   * Returns every split name: in-domain, validation, then the out-of-domain splits, the primary one first.
   *
   * @return the names
   */
  public List<String> splits() {
    List<String> out = new java.util.ArrayList<>(List.of(IN_DOMAIN, VALIDATION));
    out.addAll(outOfDomain.keySet());
    return List.copyOf(out);
  }

  /**
   * Returns the primary out-of-domain split: the one a regime's claims are tested on ({@code ood-wording} for
   * {@link #ARITHMETIC}).
   *
   * @return its name
   */
  public String primaryOutOfDomain() {
    return outOfDomain.keySet().iterator().next();
  }

  /**
   * Returns the knobs of one split.
   *
   * @param split a name from {@link #splits()}
   * @return the configuration
   * @throws IllegalArgumentException for a split this regime does not have, naming the ones it has
   */
  public SyntheticConfig config(String split) {
    String s = normalise(split);
    if (s.equals(IN_DOMAIN) || s.equals(VALIDATION)) {
      return inDomain;
    }
    SyntheticConfig c = outOfDomain.get(s);
    if (c == null) {
      throw new IllegalArgumentException("unknown synthetic split '" + split + "' of the " + key() + " regime: use "
          + String.join(", ", splits()));
    }
    return c;
  }

  /**
   * Generates one split. Deterministic for (regime, split, count, seed); a shorter request returns a prefix of a
   * longer one; in-domain and validation never share a question text. For {@link #ARITHMETIC} this is exactly
   * {@link SyntheticTaskGenerator#generate(SyntheticSplit, int, long)}.
   *
   * @param split a name from {@link #splits()} (case-insensitive; underscores work too)
   * @param count how many tasks
   * @param seed the seed; the split's own stream is derived from it
   * @return the tasks, named after the split, with ids {@code <split>/<index>}
   */
  public TaskSet generate(String split, int count, long seed) {
    String s = normalise(split);
    SyntheticConfig c = config(s);
    if (this == ARITHMETIC) {
      return SyntheticTaskGenerator.generate(SyntheticSplit.fromName(s), count, seed);
    }
    return SyntheticTaskGenerator.generate(c, s, count, seed, b -> switch (s) {
      case IN_DOMAIN -> b < 8;
      case VALIDATION -> b >= 8;
      default -> true;
    });
  }

  /**
   * Returns the knobs of the regime's pretraining corpus, the stand-in for what a pretrained small model brings: the
   * in-domain stories without their reasoning parts. Half of it is one-person stories (no second person, no
   * transfers); half is the in-domain two-person stories asking for both people's total ({@link AnswerKind#TOTAL}),
   * which uses every sentence but the transfers. Together they teach reading stories of the in-domain length, the
   * rationale format and the arithmetic, but neither which person's numbers to use nor which way a transfer goes.
   *
   * @return the one-person configuration, then the total configuration
   */
  public List<SyntheticConfig> pretraining() {
    return List.of(inDomain.toBuilder().distractors(0, 0).transferShare(0).build(),
        inDomain.toBuilder().distractors(Math.max(1, inDomain.minDistractors()), inDomain.maxDistractors())
            .totalShare(1).build());
  }

  /**
   * Generates the pretraining corpus: the configurations of {@link #pretraining()} alternately (each from its own
   * seed stream), ids {@code pretraining/<index>}. For {@link #DISTRACTORS} no question asks what an in-domain
   * question asks, so none is a question of another split.
   *
   * @param count how many tasks
   * @param seed the seed
   * @return the tasks with their rationales
   */
  public TaskSet generatePretraining(int count, long seed) {
    List<SyntheticConfig> configs = pretraining();
    List<List<ReasoningTask>> parts = new java.util.ArrayList<>();
    for (int i = 0; i < configs.size(); i++) {
      int share = count / configs.size() + (i < count % configs.size() ? 1 : 0);
      parts.add(SyntheticTaskGenerator.generate(configs.get(i), "pretraining-" + i, share, seed).tasks());
    }
    List<ReasoningTask> out = new java.util.ArrayList<>(count);
    for (int j = 0; out.size() < count; j++) {
      for (List<ReasoningTask> part : parts) {
        if (j < part.size()) {
          ReasoningTask t = part.get(j);
          out.add(new ReasoningTask("pretraining/" + out.size(), t.prompt(), t.answer(), t.goldSteps(), t.kind(),
              t.choices(), t.tests(), t.metadata()));
        }
      }
    }
    return new TaskSet("pretraining", out);
  }

  /**
   * Finds a regime by its key.
   *
   * @param name {@code arithmetic} or {@code distractors}, case-insensitive
   * @return the regime
   * @throws IllegalArgumentException naming the regimes
   */
  public static SyntheticRegime fromName(String name) {
    for (SyntheticRegime r : values()) {
      if (r.key().equalsIgnoreCase(name.strip())) {
        return r;
      }
    }
    throw new IllegalArgumentException("unknown synthetic regime '" + name + "': use "
        + String.join(", ", EnumSet.allOf(SyntheticRegime.class).stream().map(SyntheticRegime::key).toList()));
  }

  private static String normalise(String split) {
    return split.strip().toLowerCase(Locale.ROOT).replace('_', '-');
  }

  /** The knobs of the distractor regime, in one place. */
  private static final class Distractors {
    static final SyntheticConfig IN_DOMAIN = SyntheticConfig.builder()
        .steps(2, 4)
        .start(10, 59)
        .maxAddend(40)
        .addendStep(10)
        .maxValue(99)
        .operators(EnumSet.of(Operator.ADD, Operator.SUB))
        .smallRangeShare(0)
        .distractors(1, 3)
        .transferShare(0.3)
        .citeSentences(true)
        .maxChars(400)
        .build();

    static final List<Map.Entry<String, SyntheticConfig>> OUT_OF_DOMAIN = List.of(
        Map.entry("ood-distractors", IN_DOMAIN.toBuilder().distractors(4, 5).maxChars(480).build()),
        Map.entry("ood-length", IN_DOMAIN.toBuilder().steps(5, 6).maxChars(480).build()));

    private Distractors() {}
  }
}
