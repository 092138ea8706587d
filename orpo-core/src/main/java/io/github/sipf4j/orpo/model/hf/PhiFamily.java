package io.github.sipf4j.orpo.model.hf;

import ai.djl.ndarray.types.DataType;
import ai.djl.nn.Parameter;
import java.util.ArrayList;
import java.util.List;
import java.util.function.Function;

/**
 * The {@code phi} family ({@link PhiConfig}): LayerNorms with bias, attention and MLP in parallel off one norm, partial
 * rotary embedding, biases on every dense layer and on the head, under Hugging Face's names {@code
 * model.embed_tokens}, {@code model.layers.N.{input_layernorm, self_attn.{q_proj, k_proj, v_proj, dense}, mlp.{fc1,
 * fc2}}}, {@code model.final_layernorm} and {@code lm_head} (its weight absent when tied, its bias always there).
 */
final class PhiFamily implements HfFamily {

  @Override
  public List<String> modelTypes() {
    return List.of("phi");
  }

  @Override
  public HfConfig parse(ConfigReader r) throws HfFormatException {
    return PhiConfig.parse(r);
  }

  @Override
  public List<ParamSpec> parameters(HfConfig config) {
    PhiConfig c = (PhiConfig) config;
    long h = c.hiddenSize();
    long q = (long) c.numAttentionHeads() * c.headDim();
    long kv = (long) c.numKeyValueHeads() * c.headDim();
    long f = c.intermediateSize();
    List<ParamSpec> out = new ArrayList<>();
    out.add(ParamSpec.weight("model.embed_tokens.weight", c.vocabSize(), h));
    for (int i = 0; i < c.numHiddenLayers(); i++) {
      String p = "model.layers." + i + ".";
      out.add(ParamSpec.gain(p + "input_layernorm.weight", h));
      out.add(ParamSpec.bias(p + "input_layernorm.bias", h));
      linear(out, p + "self_attn.q_proj", q, h);
      linear(out, p + "self_attn.k_proj", kv, h);
      linear(out, p + "self_attn.v_proj", kv, h);
      linear(out, p + "self_attn.dense", h, q);
      linear(out, p + "mlp.fc1", f, h);
      linear(out, p + "mlp.fc2", h, f);
    }
    out.add(ParamSpec.gain("model.final_layernorm.weight", h));
    out.add(ParamSpec.bias("model.final_layernorm.bias", h));
    if (!c.tieWordEmbeddings()) {
      out.add(ParamSpec.weight("lm_head.weight", c.vocabSize(), h));
    }
    out.add(ParamSpec.bias("lm_head.bias", c.vocabSize()));
    return out;
  }

  private static void linear(List<ParamSpec> out, String name, long rows, long cols) {
    out.add(ParamSpec.weight(name + ".weight", rows, cols));
    out.add(ParamSpec.bias(name + ".bias", rows));
  }

  @Override
  public Decoder decoder(HfConfig config, Function<String, Parameter> params, Projections projections,
      DataType dtype, Constants k) {
    PhiConfig c = (PhiConfig) config;
    Activation act = Activation.of(c.hiddenAct());
    List<DecoderLayer> layers = new ArrayList<>();
    for (int i = 0; i < c.numHiddenLayers(); i++) {
      String p = "model.layers." + i + ".";
      Attention attention = new Attention(projections.linear(p + "self_attn.q_proj", true),
          projections.linear(p + "self_attn.k_proj", true), projections.linear(p + "self_attn.v_proj", true),
          projections.linear(p + "self_attn.dense", true), c.numAttentionHeads(), c.numKeyValueHeads(), c.headDim(),
          true, c.attentionDropout(), dtype, k);
      Mlp mlp = Mlp.dense(projections.linear(p + "mlp.fc1", true), projections.linear(p + "mlp.fc2", true), act, k);
      layers.add(DecoderLayer.parallel(norm(params, p + "input_layernorm", c), attention, mlp, c.residPdrop()));
    }
    Parameter embedding = params.apply("model.embed_tokens.weight");
    Linear head = new Linear(c.tieWordEmbeddings() ? embedding : params.apply("lm_head.weight"),
        params.apply("lm_head.bias"));
    return new Decoder(embedding, null, c.embdPdrop(), layers, norm(params, "model.final_layernorm", c), head);
  }

  private static Norm norm(Function<String, Parameter> params, String name, PhiConfig c) {
    return Norm.layerNorm(params.apply(name + ".weight"), params.apply(name + ".bias"), c.layerNormEps());
  }
}
