package io.github.sipf4j.orpo.model;

/** How a {@link DecoderLm} tells positions apart. */
public enum PositionEncoding {
  /** A learned absolute position embedding table {@code wpe} of shape (maxLength, dModel), added to the tokens. */
  LEARNED,
  /**
   * Rotary position embedding (RoPE, Su et al. 2021) applied to queries and keys in every attention layer, with the
   * rotate-half convention of GPT-NeoX and Llama. It has no parameters.
   */
  ROTARY
}
