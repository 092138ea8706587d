/**
 * Causal language models: the {@link io.github.sipf4j.orpo.model.CausalLm} abstraction every other part trains and
 * samples through, the built-in GPT-style {@link io.github.sipf4j.orpo.model.DecoderLm}, their shared key/value cache
 * ({@link io.github.sipf4j.orpo.model.PreallocatedKvCache}) and padding-aware positions ({@link
 * io.github.sipf4j.orpo.model.AttentionMasks}), and {@link io.github.sipf4j.orpo.model.CausalLms}, which loads any
 * saved model folder by its {@link io.github.sipf4j.orpo.model.CausalLmKind} (Hugging Face folders through {@link
 * io.github.sipf4j.orpo.model.hf.HfCausalLm}) with {@link io.github.sipf4j.orpo.model.LoadOptions}. Models whose
 * dense projections take adapters implement {@link io.github.sipf4j.orpo.model.AdaptableLm} ({@link
 * io.github.sipf4j.orpo.model.LinearProjection}, {@link io.github.sipf4j.orpo.model.ProjectionHook}), on which
 * {@link io.github.sipf4j.orpo.lora.LoraModel} puts LoRA adapters.
 */
package io.github.sipf4j.orpo.model;
