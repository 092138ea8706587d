package io.github.sipf4j.orpo.model.hf;

import ai.djl.ndarray.NDArray;
import java.util.List;

/**
 * The MLP activations of the supported families, by their Hugging Face names: SiLU ({@code silu}, {@code swish}),
 * exact GELU ({@code gelu}) and the tanh approximation of GELU ({@code gelu_new}, {@code gelu_pytorch_tanh}, {@code
 * gelu_fast}), computed as \( x \, \sigma\big(x (a + b x^2)\big) \) with \( a = 2\sqrt{2/\pi} \) and \( b =
 * 0.044715 a \), which equals \( \tfrac12 x (1 + \tanh(\sqrt{2/\pi}(x + 0.044715 x^3))) \).
 */
enum Activation {
  /** \( x \sigma(x) \). */
  SILU,
  /** \( x \Phi(x) \) with the exact normal distribution function. */
  GELU,
  /** The tanh approximation of GELU. */
  GELU_TANH;

  /** The accepted Hugging Face names, for error messages. */
  static final List<String> NAMES = List.of("silu", "swish", "gelu", "gelu_new", "gelu_pytorch_tanh", "gelu_fast");

  private static final double A = 2 * Math.sqrt(2 / Math.PI);
  private static final double B = 0.044715 * A;

  /** Parses a Hugging Face activation name; {@code field} names it in the error. */
  static Activation named(String name, String field, ConfigReader r) throws HfFormatException {
    Activation a = of(name);
    if (a == null) {
      throw r.unsupported(field, "\"" + name + "\"", ConfigReader.quoted(NAMES));
    }
    return a;
  }

  /** Returns the activation of a Hugging Face name, or null when it is not supported. */
  static Activation of(String name) {
    switch (name) {
      case "silu":
      case "swish":
        return SILU;
      case "gelu":
        return GELU;
      case "gelu_new":
      case "gelu_pytorch_tanh":
      case "gelu_fast":
        return GELU_TANH;
      default:
        return null;
    }
  }

  /** Applies the activation; the constants come from {@code k} in {@code x}'s type. */
  NDArray apply(NDArray x, Constants k) {
    switch (this) {
      case SILU:
        return x.mul(x.getNDArrayInternal().sigmoid());
      case GELU:
        return x.getNDArrayInternal().gelu();
      default:
        NDArray inner = x.square().mul(k.of(B, x.getDataType())).add(k.of(A, x.getDataType())).mul(x);
        return x.mul(inner.getNDArrayInternal().sigmoid());
    }
  }
}
