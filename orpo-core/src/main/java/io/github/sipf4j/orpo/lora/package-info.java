/**
 * LoRA adapters in Hugging Face PEFT's format on any {@link io.github.sipf4j.orpo.model.AdaptableLm} (the Hugging
 * Face families and {@link io.github.sipf4j.orpo.model.DecoderLm}): {@link io.github.sipf4j.orpo.lora.LoraModel}
 * trains only the adapters over a frozen float32 or float16 base, saves and loads PEFT adapter folders, merges the
 * adapters into the base and exports the merged model; {@link io.github.sipf4j.orpo.lora.LoraConfig} holds PEFT's
 * settings; {@link io.github.sipf4j.orpo.lora.LoraKind} lets {@link io.github.sipf4j.orpo.model.CausalLms} load an
 * adapter folder with its base, or onto a base already in memory that several adapters share.
 */
package io.github.sipf4j.orpo.lora;
