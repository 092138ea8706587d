package io.github.sipf4j.orpo.model.hf;

import ai.djl.ndarray.types.DataType;
import ai.djl.nn.Parameter;
import java.util.ArrayList;
import java.util.List;
import java.util.function.Function;

/**
 * The llama layout and its relatives: {@code llama} and {@code mistral} ({@link LlamaConfig}), {@code qwen2} ({@link
 * Qwen2Config}: q/k/v biases) and {@code gemma} ({@link GemmaConfig}: \( 1 + w \) norms, scaled embeddings, GELU).
 * Every layer is {@code x + attn(norm(x))} then {@code x + mlp(norm(x))} with a gated MLP, under Hugging Face's names
 * {@code model.embed_tokens}, {@code model.layers.N.{input_layernorm, self_attn.{q,k,v,o}_proj,
 * post_attention_layernorm, mlp.{gate,up,down}_proj}}, {@code model.norm} and {@code lm_head} (absent when tied).
 */
final class LlamaFamily implements HfFamily {

  /** What differs between the members of the layout. */
  private record Layout(boolean qkvBias, boolean outputBias, boolean mlpBias, boolean gemma, Activation activation,
      double normEps, double attentionDropout) {}

  private final String modelType;

  private LlamaFamily(String modelType) {
    this.modelType = modelType;
  }

  static LlamaFamily llama() {
    return new LlamaFamily("llama");
  }

  static LlamaFamily qwen2() {
    return new LlamaFamily("qwen2");
  }

  static LlamaFamily gemma() {
    return new LlamaFamily("gemma");
  }

  @Override
  public List<String> modelTypes() {
    return "llama".equals(modelType) ? List.of("llama", "mistral") : List.of(modelType);
  }

  @Override
  public HfConfig parse(ConfigReader r) throws HfFormatException {
    switch (modelType) {
      case "qwen2":
        return Qwen2Config.parse(r);
      case "gemma":
        return GemmaConfig.parse(r);
      default:
        return LlamaConfig.parse(r);
    }
  }

  private static Layout layout(HfConfig config) {
    if (config instanceof LlamaConfig c) {
      boolean bias = c.attentionBias();
      return new Layout(bias, bias, c.mlpBias(), false, Activation.of(c.hiddenAct()), c.rmsNormEps(),
          c.attentionDropout());
    }
    if (config instanceof Qwen2Config c) {
      return new Layout(true, false, false, false, Activation.of(c.hiddenAct()), c.rmsNormEps(),
          c.attentionDropout());
    }
    GemmaConfig c = (GemmaConfig) config;
    boolean bias = c.attentionBias();
    return new Layout(bias, bias, false, true, Activation.of(c.hiddenActivation()), c.rmsNormEps(),
        c.attentionDropout());
  }

  @Override
  public List<ParamSpec> parameters(HfConfig c) {
    Layout l = layout(c);
    long h = c.hiddenSize();
    long q = (long) c.numAttentionHeads() * c.headDim();
    long kv = (long) c.numKeyValueHeads() * c.headDim();
    long f = c.intermediateSize();
    List<ParamSpec> out = new ArrayList<>();
    out.add(ParamSpec.weight("model.embed_tokens.weight", c.vocabSize(), h));
    for (int i = 0; i < c.numHiddenLayers(); i++) {
      String p = "model.layers." + i + ".";
      out.add(norm(p + "input_layernorm.weight", h, l));
      linear(out, p + "self_attn.q_proj", q, h, l.qkvBias());
      linear(out, p + "self_attn.k_proj", kv, h, l.qkvBias());
      linear(out, p + "self_attn.v_proj", kv, h, l.qkvBias());
      linear(out, p + "self_attn.o_proj", h, q, l.outputBias());
      out.add(norm(p + "post_attention_layernorm.weight", h, l));
      linear(out, p + "mlp.gate_proj", f, h, l.mlpBias());
      linear(out, p + "mlp.up_proj", f, h, l.mlpBias());
      linear(out, p + "mlp.down_proj", h, f, l.mlpBias());
    }
    out.add(norm("model.norm.weight", h, l));
    if (!c.tieWordEmbeddings()) {
      out.add(ParamSpec.weight("lm_head.weight", c.vocabSize(), h));
    }
    return out;
  }

  private static ParamSpec norm(String name, long size, Layout l) {
    return l.gemma() ? ParamSpec.bias(name, size) : ParamSpec.gain(name, size);
  }

  private static void linear(List<ParamSpec> out, String name, long rows, long cols, boolean bias) {
    out.add(ParamSpec.weight(name + ".weight", rows, cols));
    if (bias) {
      out.add(ParamSpec.bias(name + ".bias", rows));
    }
  }

  @Override
  public Decoder decoder(HfConfig c, Function<String, Parameter> params, Projections projections, DataType dtype,
      Constants k) {
    Layout l = layout(c);
    List<DecoderLayer> layers = new ArrayList<>();
    for (int i = 0; i < c.numHiddenLayers(); i++) {
      String p = "model.layers." + i + ".";
      Attention attention = new Attention(projections.linear(p + "self_attn.q_proj", l.qkvBias()),
          projections.linear(p + "self_attn.k_proj", l.qkvBias()),
          projections.linear(p + "self_attn.v_proj", l.qkvBias()),
          projections.linear(p + "self_attn.o_proj", l.outputBias()), c.numAttentionHeads(), c.numKeyValueHeads(),
          c.headDim(), false, l.attentionDropout(), dtype, k);
      Mlp mlp = Mlp.gated(projections.linear(p + "mlp.gate_proj", l.mlpBias()),
          projections.linear(p + "mlp.up_proj", l.mlpBias()), projections.linear(p + "mlp.down_proj", l.mlpBias()),
          l.activation(), k);
      layers.add(DecoderLayer.sequential(norm(params, p + "input_layernorm.weight", l, k), attention,
          norm(params, p + "post_attention_layernorm.weight", l, k), mlp));
    }
    Parameter embedding = params.apply("model.embed_tokens.weight");
    Linear head = new Linear(c.tieWordEmbeddings() ? embedding : params.apply("lm_head.weight"), null);
    return new Decoder(embedding, l.gemma() ? k.of(Math.sqrt(c.hiddenSize()), dtype) : null, 0, layers,
        norm(params, "model.norm.weight", l, k), head);
  }

  private static Norm norm(Function<String, Parameter> params, String name, Layout l, Constants k) {
    return l.gemma() ? Norm.gemmaRms(params.apply(name), l.normEps(), k)
        : Norm.rms(params.apply(name), l.normEps(), k);
  }
}
