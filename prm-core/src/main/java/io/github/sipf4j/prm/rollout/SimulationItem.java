package io.github.sipf4j.prm.rollout;

import com.google.common.base.Preconditions;
import java.io.Serializable;
import java.util.List;

/**
 * One rationale whose steps a {@link SimulateJob} labels.
 *
 * @param sample the sample's line in {@code samples.jsonl} (copied to {@link LabelRecord#sample()})
 * @param question the index of its task in the job's task list
 * @param sampleIndex its index among the task's samples (part of the key of its completions' random streams)
 * @param steps its steps, each with its terminating newline; at least one
 */
public record SimulationItem(int sample, int question, int sampleIndex, List<String> steps) implements Serializable {

  private static final long serialVersionUID = 1L;

  /**
   * Validates the item and copies the steps.
   *
   * @param sample the {@code sample} component (see the record)
   * @param question the {@code question} component (see the record)
   * @param sampleIndex the {@code sampleIndex} component (see the record)
   * @param steps the {@code steps} component (see the record)
   */
  public SimulationItem {
    Preconditions.checkArgument(steps != null && !steps.isEmpty(), "a rationale needs at least one step");
    steps = List.copyOf(steps);
  }
}
