package io.github.sipf4j.orpo.model.hf;

import ai.djl.ndarray.NDList;
import ai.djl.ndarray.types.Shape;
import ai.djl.nn.AbstractBlock;
import ai.djl.nn.Parameter;
import ai.djl.training.ParameterStore;
import ai.djl.util.PairList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The DJL block of an {@link HfCausalLm}: every parameter under its Hugging Face name ({@code
 * model.layers.0.self_attn.q_proj.weight}, ...), in Hugging Face's order, so that trainers, checkpoints and saved
 * folders all use those names. Its {@link #forward} takes {@code (inputIds, attentionMask)} and returns the logits;
 * the computation lives in {@link HfCausalLm}.
 */
final class HfBlock extends AbstractBlock {

  private final Map<String, Parameter> byName = new LinkedHashMap<>();
  private final long vocabSize;
  private HfCausalLm owner;

  HfBlock(List<ParamSpec> specs, long vocabSize) {
    super((byte) 1);
    this.vocabSize = vocabSize;
    for (ParamSpec s : specs) {
      Parameter.Type type = s.init() == ParamSpec.Init.NORMAL ? Parameter.Type.WEIGHT : Parameter.Type.BIAS;
      byName.put(s.name(), addParameter(Parameter.builder().setName(s.name()).setType(type).build()));
    }
  }

  /** Returns a parameter by its Hugging Face name. */
  Parameter parameter(String name) {
    Parameter p = byName.get(name);
    if (p == null) {
      throw new IllegalArgumentException("the model has no parameter named " + name);
    }
    return p;
  }

  void setOwner(HfCausalLm owner) {
    this.owner = owner;
  }

  /** {@inheritDoc} */
  @Override
  protected NDList forwardInternal(
      ParameterStore parameterStore, NDList inputs, boolean training, PairList<String, Object> params) {
    if (owner == null) {
      throw new IllegalStateException("this block belongs to no HfCausalLm");
    }
    return new NDList(owner.forward(inputs.get(0), inputs.get(1), training));
  }

  /** {@inheritDoc} */
  @Override
  public Shape[] getOutputShapes(Shape[] inputShapes) {
    Shape in = inputShapes[0];
    return new Shape[] {new Shape(in.get(0), in.get(1), vocabSize)};
  }
}
