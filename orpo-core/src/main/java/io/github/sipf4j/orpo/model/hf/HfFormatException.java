package io.github.sipf4j.orpo.model.hf;

import java.io.IOException;
import java.nio.file.Path;

/**
 * A Hugging Face model folder that sipf4j cannot load, located precisely: the message reads {@code FILE: WHERE:
 * PROBLEM}, where {@code WHERE} names the field of a JSON file ({@code field 'rope_scaling.rope_type'}) or the tensor
 * of a weights file ({@code tensor 'model.layers.0.mlp.up_proj.weight'}), and the problem says what was found and
 * what is supported or expected.
 */
public class HfFormatException extends IOException {
  private static final long serialVersionUID = 1L;

  private final transient Path file;
  private final String where;

  /**
   * Creates the exception.
   *
   * @param file the file at fault
   * @param where the field or tensor at fault, such as {@code field 'model_type'}
   * @param problem what is wrong
   */
  public HfFormatException(Path file, String where, String problem) {
    super(file + ": " + where + ": " + problem);
    this.file = file;
    this.where = where;
  }

  /**
   * Returns the file at fault.
   *
   * @return the file
   */
  public Path file() {
    return file;
  }

  /**
   * Returns the field or tensor at fault.
   *
   * @return for example {@code field 'rope_scaling.rope_type'} or {@code tensor 'lm_head.weight'}
   */
  public String where() {
    return where;
  }

  /**
   * Names a field of a JSON file.
   *
   * @param name the field's key path, such as {@code rope_scaling.factor}
   * @return {@code field 'NAME'}
   */
  static String field(String name) {
    return "field '" + name + "'";
  }

  /**
   * Names a tensor of a weights file.
   *
   * @param name the tensor's name
   * @return {@code tensor 'NAME'}
   */
  static String tensor(String name) {
    return "tensor '" + name + "'";
  }
}
