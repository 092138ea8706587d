package io.github.sipf4j.orpo.model.hf;

import ai.djl.ndarray.types.Shape;

/**
 * One parameter of a family's layout, under its Hugging Face name.
 *
 * @param name the name, as in the model's safetensors files
 * @param shape the shape ({@code nn.Linear} layout (out, in) for weight matrices)
 * @param init how {@link HfCausalLm#create} initialises it
 */
record ParamSpec(String name, Shape shape, Init init) {

  /** Initial values of freshly created parameters. */
  enum Init {
    /** Normal with mean 0 and the config's {@code initializer_range} as standard deviation. */
    NORMAL,
    /** Zeros (biases, Gemma's norm weights, which scale by 1 + w). */
    ZEROS,
    /** Ones (norm weights). */
    ONES
  }

  static ParamSpec weight(String name, long... shape) {
    return new ParamSpec(name, new Shape(shape), Init.NORMAL);
  }

  static ParamSpec bias(String name, long size) {
    return new ParamSpec(name, new Shape(size), Init.ZEROS);
  }

  static ParamSpec gain(String name, long size) {
    return new ParamSpec(name, new Shape(size), Init.ONES);
  }
}
