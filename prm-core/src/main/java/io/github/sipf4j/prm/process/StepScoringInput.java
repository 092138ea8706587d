package io.github.sipf4j.prm.process;

import com.google.common.base.Preconditions;
import java.util.List;

/**
 * One rationale to score, step by step.
 *
 * @param prompt the question, as in TRL's stepwise format; a {@link DecoderPrm} formats it with its prompt template
 * @param steps the steps of the rationale, at least one
 * @param finalAnswerCorrect whether the final answer was verified correct, or null when unknown; the outcome-only
 *     {@link OutcomeRewardModel} needs it, a learned model ignores it
 */
public record StepScoringInput(String prompt, List<String> steps, Boolean finalAnswerCorrect) {

  /**
   * Validates the input and copies the steps.
   *
   * @param prompt the {@code prompt} component (see the record)
   * @param steps the {@code steps} component (see the record)
   * @param finalAnswerCorrect the {@code finalAnswerCorrect} component (see the record)
   */
  public StepScoringInput {
    Preconditions.checkNotNull(prompt, "prompt");
    Preconditions.checkNotNull(steps, "steps");
    Preconditions.checkArgument(!steps.isEmpty(), "a rationale to score needs at least one step");
    steps = List.copyOf(steps);
  }

  /**
   * Creates an input without a known outcome, for learned models.
   *
   * @param prompt the question
   * @param steps the steps
   * @return the input
   */
  public static StepScoringInput of(String prompt, List<String> steps) {
    return new StepScoringInput(prompt, steps, null);
  }
}
