package io.github.sipf4j.orpo.loss;

/** Which tokens of the chosen sequence the NLL term of {@link OrpoLoss} (and the SFT loss) averages over. */
public enum NllScope {
  /**
   * Response tokens only. The default of sipf4j: in SIPF the prompt is a question shared by chosen and rejected, and
   * teaching a small model to reproduce questions spends capacity for nothing.
   */
  RESPONSE,
  /** Prompt and response tokens, all but padding: TRL's {@code ORPOTrainer} choice, for parity with TRL runs. */
  PROMPT_AND_RESPONSE
}
