package io.github.sipf4j.prm.process;

import com.google.common.base.Preconditions;
import io.github.sipf4j.prm.task.ReasoningTask;
import java.util.List;

/**
 * One rationale whose steps the {@link RolloutSimulator} labels.
 *
 * @param task the task (its verifier judges the completions)
 * @param prompt the formatted prompt the rationale continues
 * @param steps the rationale's steps, each with its terminating newline (see {@code StepSplitter})
 * @param gold whether this is a gold (reference) rationale: every step is labelled correct without simulation
 */
public record RolloutRequest(ReasoningTask task, String prompt, List<String> steps, boolean gold) {

  /**
   * Validates the request and copies the steps.
   *
   * @param task the {@code task} component (see the record)
   * @param prompt the {@code prompt} component (see the record)
   * @param steps the {@code steps} component (see the record)
   * @param gold the {@code gold} component (see the record)
   */
  public RolloutRequest {
    Preconditions.checkNotNull(task, "task");
    Preconditions.checkNotNull(prompt, "prompt");
    Preconditions.checkArgument(steps != null && !steps.isEmpty(), "a rationale needs at least one step");
    steps = List.copyOf(steps);
  }

  /**
   * Returns the text of the first {@code count} steps.
   *
   * @param count how many steps
   * @return their concatenation
   */
  public String prefix(int count) {
    return String.join("", steps.subList(0, count));
  }

  /**
   * Returns the whole rationale.
   *
   * @return the concatenation of all steps
   */
  public String text() {
    return prefix(steps.size());
  }
}
