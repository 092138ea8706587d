package io.github.sipf4j.orpo.sample;

/** Why the generation of one sample ended. */
public enum FinishReason {

  /**
   * A stop token id was sampled: one of the tokenizer's EOS ids ({@code TextTokenizer.eosIds()}, unless {@link
   * SamplingConfig#stopAtEos()} is false) or one of {@link SamplingConfig#stopTokenIds()}. The stop token is the last
   * of {@link Sample#tokenIds()} and is not part of {@link Sample#text()}.
   */
  EOS,

  /** The decoded text reached one of {@link SamplingConfig#stopStrings()}; the text ends with that stop string. */
  STOP,

  /**
   * The sample reached {@link SamplingConfig#maxNewTokens()} new tokens, or the prompt plus the new tokens reached
   * the model's {@link io.github.sipf4j.orpo.model.CausalLm#maxLength()}.
   */
  LENGTH
}
