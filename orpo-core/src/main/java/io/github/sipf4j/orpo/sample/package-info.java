/**
 * Batched sampling from any {@link io.github.sipf4j.orpo.model.CausalLm}: many prompts times many samples decoded
 * together with left padding and the key/value cache, temperature, top-k and top-p, stop strings and stop ids, and
 * the continuation of shared prefixes that the Monte-Carlo step labelling of SIPF needs.
 *
 * <p>Start at {@link io.github.sipf4j.orpo.sample.Sampler}; a job is described by an immutable
 * {@link io.github.sipf4j.orpo.sample.SamplingConfig} and yields one {@link io.github.sipf4j.orpo.sample.Sample} per
 * (prompt, sample index).
 */
package io.github.sipf4j.orpo.sample;
