package io.github.sipf4j.orpo.model;

import ai.djl.nn.Parameter;
import com.google.common.base.Preconditions;

/**
 * One dense projection of an {@link AdaptableLm}, in PyTorch's {@code nn.Linear} layout \( y = x W^\top + b \): the
 * place where a low-rank adapter can attach.
 *
 * @param module the projection's module path as Hugging Face and PEFT name it, without {@code .weight}: {@code
 *     model.layers.0.self_attn.q_proj} for a Hugging Face family, {@code h.0.attn.qkv} for a {@link DecoderLm}
 * @param weight the weight, shape (out, in)
 * @param bias the bias, shape (out), or null
 */
public record LinearProjection(String module, Parameter weight, Parameter bias) {

  /**
   * Checks the fields.
   *
   * @param module the module path
   * @param weight the weight
   * @param bias the bias, or null
   */
  public LinearProjection {
    Preconditions.checkArgument(module != null && !module.isEmpty(), "module must be named");
    Preconditions.checkNotNull(weight, "weight");
  }

  /**
   * Returns the width of the projection's input.
   *
   * @return {@code in}, the weight's second dimension
   */
  public long inFeatures() {
    return weight.getArray().getShape().get(1);
  }

  /**
   * Returns the width of the projection's output.
   *
   * @return {@code out}, the weight's first dimension
   */
  public long outFeatures() {
    return weight.getArray().getShape().get(0);
  }
}
