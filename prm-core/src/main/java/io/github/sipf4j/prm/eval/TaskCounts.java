package io.github.sipf4j.prm.eval;

import java.util.Objects;

/**
 * How many samples were drawn for one task and how many of them were correct.
 *
 * @param taskId the task
 * @param samples the number of samples {@code n}, at least 1
 * @param correct the number of correct samples {@code c}, in {@code [0, n]}
 */
public record TaskCounts(String taskId, int samples, int correct) {

  /**
   * Validates the counts.
   *
   * @param taskId the task
   * @param samples the number of samples
   * @param correct the number of correct samples
   */
  public TaskCounts {
    Objects.requireNonNull(taskId, "taskId");
    if (samples < 1 || correct < 0 || correct > samples) {
      throw new IllegalArgumentException("need 0 <= correct <= samples, samples >= 1: " + correct + "/" + samples);
    }
  }
}
