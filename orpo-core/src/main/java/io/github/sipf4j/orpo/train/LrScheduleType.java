package io.github.sipf4j.orpo.train;

/** The shape of the learning rate after warm-up. */
public enum LrScheduleType {
  /** The peak learning rate for every step. */
  CONSTANT,
  /** Linear decay from the peak to {@code minLrRatio · peak} at the last step. */
  LINEAR,
  /** Half-cosine decay from the peak to {@code minLrRatio · peak} at the last step. */
  COSINE
}
