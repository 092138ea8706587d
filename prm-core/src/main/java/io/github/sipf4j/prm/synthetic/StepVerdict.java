package io.github.sipf4j.prm.synthetic;

/**
 * What {@link SyntheticStepChecker#classify} finds in one step of a synthetic rationale. Each step is judged on its
 * own (against the stated result of the step before it), so after a first error later steps get their own verdicts;
 * {@link SyntheticStepChecker#scoreSteps} scores 1 up to the first step that is not {@link #SOUND} and 0 from there.
 */
public enum StepVerdict {
  /** A correct equation or comparison that continues the chain (and, with a reference, is the reference's step). */
  SOUND,
  /** An arithmetic error: the equation or comparison does not hold in integers (or divides inexactly). */
  ARITHMETIC,
  /** Correct arithmetic that does not start from the previous step's result. */
  CHAIN,
  /**
   * Correct arithmetic on the previous result, but not the step the question asks for: a distractor's number, the
   * wrong operation, a step left out or one too many. Only a checker with references can tell.
   */
  REASONING,
  /** A line that is neither an equation nor a comparison, before the last step. */
  FORMAT,
  /** The closing line of a rationale whose final answer is known to be wrong. */
  WRONG_ANSWER;

  /**
   * Returns whether the step is an equation or comparison whose arithmetic holds, whatever else is wrong with it.
   *
   * @return true for {@link #SOUND}, {@link #CHAIN} and {@link #REASONING}
   */
  public boolean arithmeticHolds() {
    return this == SOUND || this == CHAIN || this == REASONING;
  }
}
