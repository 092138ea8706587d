package io.github.sipf4j.prm.synthetic;

import java.util.Locale;

/**
 * The standard splits of the synthetic task. Generation is deterministic for (split, count, seed), each split
 * draws from its own seed stream, and no two splits share a question: in-domain and validation have the same
 * distribution but divide the space of question texts by a hash (80% / 20% of the buckets), ood-wording uses
 * templates never used by the others, and ood-length uses more steps than any other split.
 */
public enum SyntheticSplit {
  /** Training data: 2 to 4 steps, training templates. */
  IN_DOMAIN("in-domain", SyntheticConfig.defaults()),
  /** Model selection: the in-domain distribution, disjoint question texts. */
  VALIDATION("validation", SyntheticConfig.defaults()),
  /** The primary out-of-domain test: 2 to 4 steps, held-out templates. */
  OOD_WORDING("ood-wording", SyntheticConfig.builder().wording(Wording.HELD_OUT).build()),
  /** A length-generalisation test: 5 to 6 steps, training templates. */
  OOD_LENGTH("ood-length", SyntheticConfig.builder().steps(5, 6).build());

  private final String splitName;
  private final SyntheticConfig config;

  SyntheticSplit(String splitName, SyntheticConfig config) {
    this.splitName = splitName;
    this.config = config;
  }

  /**
   * Returns the name used on the command line and in task ids.
   *
   * @return for example {@code in-domain}
   */
  public String splitName() {
    return splitName;
  }

  /**
   * Returns the knobs of this split.
   *
   * @return the configuration
   */
  public SyntheticConfig config() {
    return config;
  }

  /**
   * Finds a split by its name.
   *
   * @param name {@code in-domain}, {@code validation}, {@code ood-wording} or {@code ood-length} (case-insensitive;
   *     underscores work too)
   * @return the split
   * @throws IllegalArgumentException for an unknown name
   */
  public static SyntheticSplit fromName(String name) {
    String n = name.strip().toLowerCase(Locale.ROOT).replace('_', '-');
    for (SyntheticSplit s : values()) {
      if (s.splitName.equals(n)) {
        return s;
      }
    }
    throw new IllegalArgumentException(
        "unknown synthetic split '" + name + "': use in-domain, validation, ood-wording or ood-length");
  }

  /** Whether a question text belongs to this split's share of the hash buckets. */
  boolean owns(int bucket) {
    return switch (this) {
      case IN_DOMAIN -> bucket < 8;
      case VALIDATION -> bucket >= 8;
      default -> true;
    };
  }
}
