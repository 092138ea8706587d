package io.github.sipf4j.orpo.model.hf;

import com.google.gson.JsonObject;
import com.google.gson.JsonPrimitive;

/**
 * The configuration of {@code model_type} {@code "phi"} (Phi-1, Phi-1.5, Phi-2): LayerNorm with bias, attention and
 * MLP in parallel off one norm ({@code x + attn(ln(x)) + mlp(ln(x))}), a partial rotary embedding turning the first
 * {@code partial_rotary_factor} of each head, biases on every dense layer, and an output head with a bias. Attention
 * scores are computed in float32 whatever the model's type, as Hugging Face does for Phi. Absent fields take the
 * defaults of Hugging Face's {@code PhiConfig}; {@code qk_layernorm: true} is not supported.
 *
 * @param vocabSize {@code vocab_size}
 * @param hiddenSize {@code hidden_size}
 * @param intermediateSize {@code intermediate_size}
 * @param numHiddenLayers {@code num_hidden_layers}
 * @param numAttentionHeads {@code num_attention_heads}
 * @param numKeyValueHeads {@code num_key_value_heads} (default: {@code num_attention_heads})
 * @param hiddenAct {@code hidden_act} (default {@code "gelu_new"})
 * @param maxPositionEmbeddings {@code max_position_embeddings}
 * @param layerNormEps {@code layer_norm_eps} (default 1e-5)
 * @param ropeTheta {@code rope_theta} (default 10000)
 * @param ropeScaling {@code rope_scaling} / {@code rope_parameters}
 * @param partialRotaryFactor {@code partial_rotary_factor} (default 0.5)
 * @param tieWordEmbeddings {@code tie_word_embeddings} (default false; the head keeps its bias either way)
 * @param residPdrop {@code resid_pdrop}, dropout on the attention and MLP outputs while training (default 0)
 * @param embdPdrop {@code embd_pdrop}, dropout on the embeddings while training (default 0)
 * @param attentionDropout {@code attention_dropout}, applied while training (default 0)
 * @param initializerRange {@code initializer_range} (default 0.02)
 * @param json the whole {@code config.json}
 */
public record PhiConfig(
    int vocabSize,
    int hiddenSize,
    int intermediateSize,
    int numHiddenLayers,
    int numAttentionHeads,
    int numKeyValueHeads,
    String hiddenAct,
    int maxPositionEmbeddings,
    double layerNormEps,
    double ropeTheta,
    RopeScaling ropeScaling,
    double partialRotaryFactor,
    boolean tieWordEmbeddings,
    double residPdrop,
    double embdPdrop,
    double attentionDropout,
    double initializerRange,
    JsonObject json)
    implements HfConfig {

  /**
   * Copies the JSON object so that the record stays immutable.
   *
   * @param vocabSize see the record
   * @param hiddenSize see the record
   * @param intermediateSize see the record
   * @param numHiddenLayers see the record
   * @param numAttentionHeads see the record
   * @param numKeyValueHeads see the record
   * @param hiddenAct see the record
   * @param maxPositionEmbeddings see the record
   * @param layerNormEps see the record
   * @param ropeTheta see the record
   * @param ropeScaling see the record
   * @param partialRotaryFactor see the record
   * @param tieWordEmbeddings see the record
   * @param residPdrop see the record
   * @param embdPdrop see the record
   * @param attentionDropout see the record
   * @param initializerRange see the record
   * @param json see the record
   */
  public PhiConfig {
    json = json.deepCopy();
  }

  /** {@inheritDoc} */
  @Override
  public String modelType() {
    return "phi";
  }

  /** {@inheritDoc} */
  @Override
  public int headDim() {
    return hiddenSize / numAttentionHeads;
  }

  /**
   * Returns the rotated width, {@code (int) (headDim * partial_rotary_factor)} as Hugging Face computes it.
   *
   * @return the number of rotated dimensions per head
   */
  @Override
  public int rotaryDim() {
    return (int) (headDim() * partialRotaryFactor);
  }

  /** {@inheritDoc} */
  @Override
  public JsonObject json() {
    return json.deepCopy();
  }

  static PhiConfig parse(ConfigReader r) throws HfFormatException {
    r.rejectUnless("qk_layernorm", new JsonPrimitive(false), "false");
    int hidden = r.positiveInt("hidden_size", 2048);
    int heads = r.positiveInt("num_attention_heads", 32);
    int kv = r.positiveInt("num_key_value_heads", heads);
    if (hidden % heads != 0) {
      throw r.error("num_attention_heads", heads + " does not divide hidden_size " + hidden);
    }
    double partial = r.number("partial_rotary_factor", 0.5);
    if (partial <= 0 || partial > 1) {
      throw r.error("partial_rotary_factor", "must be in (0, 1], got " + partial);
    }
    r.checkAttention(heads, kv, hidden / heads, (int) (hidden / heads * partial), "partial_rotary_factor");
    String act = r.string("hidden_act", "gelu_new");
    Activation.named(act, "hidden_act", r);
    return new PhiConfig(r.positiveInt("vocab_size", 51200), hidden, r.positiveInt("intermediate_size", 8192),
        r.positiveInt("num_hidden_layers", 24), heads, kv, act, r.positiveInt("max_position_embeddings", 2048),
        r.number("layer_norm_eps", 1e-5), r.ropeTheta(10000.0), RopeScaling.read(r), partial,
        r.bool("tie_word_embeddings", false), r.number("resid_pdrop", 0.0), r.number("embd_pdrop", 0.0),
        r.number("attention_dropout", 0.0), r.number("initializer_range", 0.02), r.json());
  }
}
