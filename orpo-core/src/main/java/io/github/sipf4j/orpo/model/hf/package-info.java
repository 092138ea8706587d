/**
 * Hugging Face decoder checkpoints as {@link io.github.sipf4j.orpo.model.CausalLm}s: {@link
 * io.github.sipf4j.orpo.model.hf.HfCausalLm} loads a model folder ({@code config.json}, safetensors weights, one
 * file or shards) of the {@code llama}, {@code mistral}, {@code qwen2}, {@code gemma} and {@code phi} families, trains
 * and samples it with DJL operations and a key/value cache, and saves it back as a folder Hugging Face loads. One
 * configuration record per family maps {@code config.json}'s fields ({@link io.github.sipf4j.orpo.model.hf.HfConfig});
 * the families' layouts live in package-private classes keyed by {@code model_type}.
 */
package io.github.sipf4j.orpo.model.hf;
