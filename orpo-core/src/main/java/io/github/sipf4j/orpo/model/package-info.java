/**
 * Causal language models: the {@link io.github.sipf4j.orpo.model.CausalLm} abstraction every other part trains and
 * samples through, the built-in GPT-style {@link io.github.sipf4j.orpo.model.DecoderLm} with its key/value cache, and
 * their configuration.
 */
package io.github.sipf4j.orpo.model;
