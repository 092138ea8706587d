package io.github.sipf4j.orpo.lora;

import ai.djl.Device;
import io.github.sipf4j.orpo.model.CausalLm;
import io.github.sipf4j.orpo.model.CausalLmKind;
import io.github.sipf4j.orpo.model.LoadOptions;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * PEFT adapter folders as a model kind of {@link io.github.sipf4j.orpo.model.CausalLms}: a folder with {@value
 * LoraModel#CONFIG_FILE} loads as a {@link LoraModel} on the base model its {@code base_model_name_or_path} names
 * ({@link LoraModel#load(Path, Device, LoadOptions)}; the options apply to the base). Every such folder is recognised,
 * so that an adapter sipf4j cannot load gets {@link LoraModel}'s error naming the field rather than "no model found".
 */
public final class LoraKind implements CausalLmKind {

  /** The kind's name. */
  public static final String NAME = "lora";

  /** Creates the kind (for {@link java.util.ServiceLoader} and {@link io.github.sipf4j.orpo.model.CausalLms}). */
  public LoraKind() {}

  /** {@inheritDoc} */
  @Override
  public String name() {
    return NAME;
  }

  /** {@inheritDoc} */
  @Override
  public boolean recognises(Path dir) {
    return Files.isRegularFile(dir.resolve(LoraModel.CONFIG_FILE));
  }

  /** {@inheritDoc} */
  @Override
  public CausalLm load(Path dir, Device device) throws IOException {
    return LoraModel.load(dir, device);
  }

  /** {@inheritDoc} */
  @Override
  public CausalLm load(Path dir, Device device, LoadOptions options) throws IOException {
    return LoraModel.load(dir, device, options);
  }
}
