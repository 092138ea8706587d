package io.github.sipf4j.orpo.lora;

import ai.djl.ndarray.NDList;
import ai.djl.ndarray.types.Shape;
import ai.djl.nn.AbstractBlock;
import ai.djl.nn.Parameter;
import ai.djl.training.ParameterStore;
import ai.djl.util.PairList;
import java.util.List;

/**
 * The DJL block of a {@link LoraModel}: the adapters' parameters alone, under PEFT's keys ({@code
 * base_model.model.model.layers.0.self_attn.q_proj.lora_A.weight}, ...), in the base model's projection order, A
 * before B. Its {@link #forward} takes {@code (inputIds, attentionMask)} and returns the adapted model's logits.
 */
final class LoraBlock extends AbstractBlock {

  private final LoraModel owner;

  LoraBlock(LoraModel owner, List<Parameter> parameters) {
    super((byte) 1);
    this.owner = owner;
    parameters.forEach(this::addParameter);
  }

  /** {@inheritDoc} */
  @Override
  protected NDList forwardInternal(
      ParameterStore parameterStore, NDList inputs, boolean training, PairList<String, Object> params) {
    return new NDList(owner.forward(inputs.get(0), inputs.get(1), training));
  }

  /** {@inheritDoc} */
  @Override
  public Shape[] getOutputShapes(Shape[] inputShapes) {
    Shape in = inputShapes[0];
    return new Shape[] {new Shape(in.get(0), in.get(1), owner.vocabSize())};
  }
}
