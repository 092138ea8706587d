package io.github.sipf4j.prm.synthetic;

/**
 * What a synthetic question asks for. {@link #COMPARISON}, {@link #YES_NO} and {@link #REMAINDER} have a small answer
 * range, so a rationale with an arithmetic slip often still reaches the right answer: these are the questions where
 * process feedback can beat outcome feedback. {@link #NUMBER} and {@link #TOTAL} are counts.
 */
public enum AnswerKind {
  /** How many items the person has at the end; the answer is the last result. */
  NUMBER,
  /** Who has more, the person or a second person; the answer is a name, the last line compares ({@code 12>11}). */
  COMPARISON,
  /** Whether the person has more than a threshold; the answer is yes or no, the last line compares. */
  YES_NO,
  /** What is left over when the items are packed in bags; the answer is a remainder ({@code 12%5=2}). */
  REMAINDER,
  /**
   * How many items two people have together (two-person stories only): the first line adds their counts, every
   * later line applies one person's own operation to the total, and a transfer between them changes nothing.
   */
  TOTAL
}
