package io.github.sipf4j.prm.rollout;

import java.io.Serializable;

/**
 * One sampled rationale, as a {@link SampleJob} returns it and {@code samples.jsonl} stores it (one JSON object per
 * line, these field names).
 *
 * @param question the index of the task in the job's task list (the iteration's questions)
 * @param task the task's id
 * @param sample the sample's index among the task's samples, from 0
 * @param text the sampled text (the stop token excluded)
 * @param tokens the number of tokens generated
 * @param meanLogProb the mean log-probability of the generated tokens under the model
 * @param finish why the sample ended: {@code EOS}, {@code STOP} or {@code LENGTH}
 */
public record SampleRecord(int question, String task, int sample, String text, int tokens, double meanLogProb,
    String finish) implements Serializable {

  private static final long serialVersionUID = 1L;
}
