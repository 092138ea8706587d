package io.github.sipf4j.orpo.model;

import ai.djl.ndarray.NDList;
import ai.djl.ndarray.types.Shape;
import ai.djl.nn.AbstractBlock;
import ai.djl.nn.Parameter;
import ai.djl.training.ParameterStore;
import ai.djl.util.PairList;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * The DJL block of a {@link DecoderLm}: it holds every parameter under a flat, PyTorch-style name ({@code wte.weight},
 * {@code h.0.attn.qkv.weight}, ...) so that weights move to and from PyTorch through safetensors unchanged. Its
 * {@link #forward} takes {@code (inputIds, attentionMask)} and returns the logits; the computation lives in {@link
 * DecoderLm}.
 */
public final class DecoderBlock extends AbstractBlock {

  private final DecoderConfig config;
  private final Map<String, Parameter> byName = new LinkedHashMap<>();
  private DecoderLm owner;

  DecoderBlock(DecoderConfig config) {
    super((byte) 1);
    this.config = config;
    int d = config.dModel();
    add("wte.weight", Parameter.Type.WEIGHT);
    if (config.positions() == PositionEncoding.LEARNED) {
      add("wpe.weight", Parameter.Type.WEIGHT);
    }
    for (int i = 0; i < config.layers(); i++) {
      String p = "h." + i + ".";
      add(p + "ln_1.weight", Parameter.Type.GAMMA);
      add(p + "ln_1.bias", Parameter.Type.BETA);
      add(p + "attn.qkv.weight", Parameter.Type.WEIGHT);
      add(p + "attn.qkv.bias", Parameter.Type.BIAS);
      add(p + "attn.proj.weight", Parameter.Type.WEIGHT);
      add(p + "attn.proj.bias", Parameter.Type.BIAS);
      add(p + "ln_2.weight", Parameter.Type.GAMMA);
      add(p + "ln_2.bias", Parameter.Type.BETA);
      add(p + "mlp.fc.weight", Parameter.Type.WEIGHT);
      add(p + "mlp.fc.bias", Parameter.Type.BIAS);
      add(p + "mlp.proj.weight", Parameter.Type.WEIGHT);
      add(p + "mlp.proj.bias", Parameter.Type.BIAS);
    }
    add("ln_f.weight", Parameter.Type.GAMMA);
    add("ln_f.bias", Parameter.Type.BETA);
    if (d <= 0) {
      throw new IllegalArgumentException("dModel must be positive");
    }
  }

  private void add(String name, Parameter.Type type) {
    Parameter p = addParameter(Parameter.builder().setName(name).setType(type).build());
    byName.put(name, p);
  }

  /**
   * Returns the expected shape of a parameter, PyTorch {@code nn.Linear} layout (out, in) for weight matrices.
   *
   * @param name the parameter name
   * @return its shape
   */
  Shape shapeOf(String name) {
    int d = config.dModel();
    int f = config.mlpHidden();
    if (name.equals("wte.weight")) {
      return new Shape(config.vocabSize(), d);
    }
    if (name.equals("wpe.weight")) {
      return new Shape(config.maxLength(), d);
    }
    if (name.endsWith("attn.qkv.weight")) {
      return new Shape(3L * d, d);
    }
    if (name.endsWith("attn.qkv.bias")) {
      return new Shape(3L * d);
    }
    if (name.endsWith("attn.proj.weight")) {
      return new Shape(d, d);
    }
    if (name.endsWith("mlp.fc.weight")) {
      return new Shape(f, d);
    }
    if (name.endsWith("mlp.fc.bias")) {
      return new Shape(f);
    }
    if (name.endsWith("mlp.proj.weight")) {
      return new Shape(d, f);
    }
    return new Shape(d);
  }

  /**
   * Returns a parameter by name.
   *
   * @param name the PyTorch-style name
   * @return the parameter
   * @throws IllegalArgumentException if there is none of that name
   */
  public Parameter parameter(String name) {
    Parameter p = byName.get(name);
    if (p == null) {
      throw new IllegalArgumentException("DecoderLm has no parameter named " + name);
    }
    return p;
  }

  /**
   * Returns the configuration this block was built from.
   *
   * @return the configuration
   */
  public DecoderConfig getConfig() {
    return config;
  }

  void setOwner(DecoderLm owner) {
    this.owner = owner;
  }

  /** {@inheritDoc} */
  @Override
  protected NDList forwardInternal(
      ParameterStore parameterStore, NDList inputs, boolean training, PairList<String, Object> params) {
    if (owner == null) {
      throw new IllegalStateException("this block belongs to no DecoderLm; create it with DecoderLm.create");
    }
    return new NDList(owner.forward(inputs.get(0), inputs.get(1), training));
  }

  /** {@inheritDoc} */
  @Override
  public Shape[] getOutputShapes(Shape[] inputShapes) {
    Shape in = inputShapes[0];
    return new Shape[] {new Shape(in.get(0), in.get(1), config.vocabSize())};
  }
}
