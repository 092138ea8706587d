package io.github.sipf4j.orpo.lora;

import io.github.sipf4j.orpo.model.hf.HfFormatException;
import java.nio.file.Path;

/**
 * A PEFT adapter folder that sipf4j cannot load onto a base model, located precisely: the message reads {@code FILE:
 * WHERE: PROBLEM}, where {@code WHERE} names a field of {@code adapter_config.json} ({@code field 'use_dora'}) or a
 * tensor of {@code adapter_model.safetensors} ({@code tensor
 * 'base_model.model.model.layers.0.self_attn.q_proj.lora_A.weight'}), and the problem says what was found and what
 * the base model needs (both shapes, for a tensor of the wrong shape).
 */
public final class LoraFormatException extends HfFormatException {
  private static final long serialVersionUID = 1L;

  /**
   * Creates the exception.
   *
   * @param file the file at fault
   * @param where the field or tensor at fault, such as {@code field 'r'}
   * @param problem what is wrong
   */
  public LoraFormatException(Path file, String where, String problem) {
    super(file, where, problem);
  }

  static String field(String name) {
    return "field '" + name + "'";
  }

  static String tensor(String name) {
    return "tensor '" + name + "'";
  }
}
