/**
 * The policy side of sipf4j: causal language models on Deep Java Library, text encoding, sequence log-probs, the
 * ORPO loss, the optimizer step and the SFT and ORPO trainers.
 *
 * <p>Sub-packages: {@link io.github.sipf4j.orpo.model} (the {@code CausalLm} abstraction and the built-in
 * {@code DecoderLm}), {@link io.github.sipf4j.orpo.text} (tokenizers, prompt templates, encoders), {@link
 * io.github.sipf4j.orpo.loss} (log-probs and {@code OrpoLoss}), {@link io.github.sipf4j.orpo.train} (optimizer,
 * schedules, trainers, checkpoints, metrics) and {@link io.github.sipf4j.orpo.data} (preference data in TRL's format).
 */
package io.github.sipf4j.orpo;
