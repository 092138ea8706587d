package io.github.sipf4j.prm.iterate;

/** Where a process-feedback run's step rewards come from, as {@code run.json} records it. */
enum RewardSourceKind {
  /** A {@code DecoderPrm} trained every iteration on Monte-Carlo labels (the default). */
  LEARNED,
  /** The Monte-Carlo labels themselves. */
  MONTE_CARLO,
  /** The caller's own reward model. */
  CUSTOM
}
