package io.github.sipf4j.prm.synthetic;

/** Which of two disjoint template families phrases the synthetic questions. */
public enum Wording {
  /** The sentences used for training, validation and the length split. */
  TRAINING,
  /** Sentences never used in training, with the same meaning: the primary out-of-domain test. */
  HELD_OUT
}
