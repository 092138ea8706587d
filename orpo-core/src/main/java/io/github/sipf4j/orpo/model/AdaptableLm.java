package io.github.sipf4j.orpo.model;

import java.util.List;
import java.util.Optional;

/**
 * A {@link CausalLm} whose dense projections accept adapters: it lists them under their module paths and calls a
 * {@link ProjectionHook} after each one. {@link DecoderLm} and the Hugging Face families ({@link
 * io.github.sipf4j.orpo.model.hf.HfCausalLm}) implement it, and {@code io.github.sipf4j.orpo.lora.LoraModel} puts
 * low-rank adapters in PEFT's format on any implementation, a user's own model included.
 *
 * <p>An implementation calls the hook, when one is set, after every projection it lists, in every forward pass:
 * {@link #forward}, {@link #forwardHidden} and {@link #forwardCached}. The output head is not a projection in this
 * sense (PEFT's {@code all-linear} leaves it out too).
 */
public interface AdaptableLm extends CausalLm {

  /**
   * Returns the projections adapters can attach to, in a stable order (the index {@link ProjectionHook#apply}
   * receives).
   *
   * @return the projections; the list does not change
   */
  List<LinearProjection> projections();

  /**
   * Sets the hook every later forward pass calls after each projection, replacing the previous one.
   *
   * @param hook the hook, or null for none (the model's own arithmetic)
   */
  void setProjectionHook(ProjectionHook hook);

  /**
   * Returns where the model came from, as PEFT's {@code base_model_name_or_path} records it: the absolute path of the
   * folder it was loaded from, or the name its configuration gives.
   *
   * @return the name or path, or empty for a model made in memory
   */
  Optional<String> nameOrPath();
}
