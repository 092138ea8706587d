package io.github.sipf4j.orpo.model.hf;

import com.google.gson.JsonObject;

/**
 * The configuration of {@code model_type} {@code "gemma"} (Gemma v1: 2B, 7B): RMSNorm computed in float32 as
 * \( x \cdot (1 + w) \), embeddings multiplied by \( \sqrt{\text{hidden}} \) rounded to the model's type, a GELU-gated
 * MLP, multi-query or grouped-query attention with a head width independent of the hidden size, and an output head
 * tied to the embeddings. The activation is {@code hidden_activation}; when that is absent or null it is the tanh
 * approximation of GELU whatever {@code hidden_act} says, as Hugging Face decided for Gemma checkpoints (their {@code
 * hidden_act: "gelu"} predates the distinction). Absent fields take the defaults of Hugging Face's {@code
 * GemmaConfig}.
 *
 * @param vocabSize {@code vocab_size}
 * @param hiddenSize {@code hidden_size}
 * @param intermediateSize {@code intermediate_size}
 * @param numHiddenLayers {@code num_hidden_layers}
 * @param numAttentionHeads {@code num_attention_heads}
 * @param numKeyValueHeads {@code num_key_value_heads}
 * @param headDim {@code head_dim} (default 256)
 * @param hiddenActivation the activation's Hugging Face name (see above)
 * @param maxPositionEmbeddings {@code max_position_embeddings}
 * @param rmsNormEps {@code rms_norm_eps} (default 1e-6)
 * @param ropeTheta {@code rope_theta} (default 10000)
 * @param ropeScaling {@code rope_scaling} / {@code rope_parameters}
 * @param tieWordEmbeddings {@code tie_word_embeddings} (default true)
 * @param attentionBias {@code attention_bias} (default false)
 * @param attentionDropout {@code attention_dropout}, applied while training (default 0)
 * @param initializerRange {@code initializer_range} (default 0.02)
 * @param json the whole {@code config.json}
 */
public record GemmaConfig(
    int vocabSize,
    int hiddenSize,
    int intermediateSize,
    int numHiddenLayers,
    int numAttentionHeads,
    int numKeyValueHeads,
    int headDim,
    String hiddenActivation,
    int maxPositionEmbeddings,
    double rmsNormEps,
    double ropeTheta,
    RopeScaling ropeScaling,
    boolean tieWordEmbeddings,
    boolean attentionBias,
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
   * @param headDim see the record
   * @param hiddenActivation see the record
   * @param maxPositionEmbeddings see the record
   * @param rmsNormEps see the record
   * @param ropeTheta see the record
   * @param ropeScaling see the record
   * @param tieWordEmbeddings see the record
   * @param attentionBias see the record
   * @param attentionDropout see the record
   * @param initializerRange see the record
   * @param json see the record
   */
  public GemmaConfig {
    json = json.deepCopy();
  }

  /** {@inheritDoc} */
  @Override
  public String modelType() {
    return "gemma";
  }

  /** {@inheritDoc} */
  @Override
  public JsonObject json() {
    return json.deepCopy();
  }

  static GemmaConfig parse(ConfigReader r) throws HfFormatException {
    int hidden = r.positiveInt("hidden_size", 3072);
    int heads = r.positiveInt("num_attention_heads", 16);
    int kv = r.positiveInt("num_key_value_heads", 16);
    int headDim = r.positiveInt("head_dim", 256);
    r.checkAttention(heads, kv, headDim, headDim, "head_dim");
    String act = r.string("hidden_activation", "gelu_pytorch_tanh");
    Activation.named(act, "hidden_activation", r);
    return new GemmaConfig(r.positiveInt("vocab_size", 256000), hidden, r.positiveInt("intermediate_size", 24576),
        r.positiveInt("num_hidden_layers", 28), heads, kv, headDim, act,
        r.positiveInt("max_position_embeddings", 8192), r.number("rms_norm_eps", 1e-6), r.ropeTheta(10000.0),
        RopeScaling.read(r), r.bool("tie_word_embeddings", true), r.bool("attention_bias", false),
        r.number("attention_dropout", 0.0), r.number("initializer_range", 0.02), r.json());
  }
}
