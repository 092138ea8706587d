package io.github.sipf4j.prm.rollout;

import java.io.Serializable;

/**
 * One greedy answer, as an {@link EvaluateJob} returns it and {@code eval-<set>.jsonl} stores it (task order).
 *
 * @param task the task's id
 * @param output the greedy output
 * @param extracted the answer the verifier extracted, or null
 * @param correct whether it is correct
 */
public record PredictionRecord(String task, String output, String extracted, boolean correct)
    implements Serializable {

  private static final long serialVersionUID = 1L;
}
