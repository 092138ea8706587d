package io.github.sipf4j.prm.process;

/** What a {@link DecoderPrm}'s classifier head reads at the last token of each step. */
public enum PrmFeatures {

  /**
   * The backbone's final hidden states ({@link io.github.sipf4j.orpo.model.CausalLm#forwardHidden}), width
   * {@link io.github.sipf4j.orpo.model.CausalLm#hiddenSize()}: the usual choice (TRL's token-classification PRMs),
   * available when the backbone {@link io.github.sipf4j.orpo.model.CausalLm#supportsHiddenStates() supports it}.
   */
  HIDDEN,

  /**
   * The backbone's next-token logits, width {@link io.github.sipf4j.orpo.model.CausalLm#vocabSize()}: the fallback
   * for backbones that only return logits (such as a TorchScript export). The logits are the hidden state seen
   * through the frozen-shape output head, so the classifier still reads the model's state, at a lower rank.
   */
  LOGITS
}
