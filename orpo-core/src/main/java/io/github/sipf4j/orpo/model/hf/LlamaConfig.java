package io.github.sipf4j.orpo.model.hf;

import com.google.gson.JsonObject;

/**
 * The configuration of {@code model_type} {@code "llama"} (Llama 2 and 3.x, TinyLlama, SmolLM/SmolLM2) and {@code
 * "mistral"}: RMSNorm, a SiLU-gated MLP, grouped-query attention with rotate-half RoPE ({@code rope_scaling} none,
 * {@code linear} or {@code llama3}), optional biases, a tied or untied output head and an optional explicit {@code
 * head_dim}. Absent fields take the defaults of Hugging Face's {@code LlamaConfig} / {@code MistralConfig}. Mistral's
 * sliding window ({@code sliding_window}, 4096 when absent, null for none) limits {@link #maxLength()} to the window,
 * the lengths at which sliding-window attention equals full attention.
 *
 * @param modelType {@code "llama"} or {@code "mistral"}
 * @param vocabSize {@code vocab_size}
 * @param hiddenSize {@code hidden_size}
 * @param intermediateSize {@code intermediate_size}
 * @param numHiddenLayers {@code num_hidden_layers}
 * @param numAttentionHeads {@code num_attention_heads}
 * @param numKeyValueHeads {@code num_key_value_heads} (default: {@code num_attention_heads})
 * @param headDim {@code head_dim} (default: {@code hidden_size / num_attention_heads})
 * @param hiddenAct {@code hidden_act} (default {@code "silu"})
 * @param maxPositionEmbeddings {@code max_position_embeddings}
 * @param rmsNormEps {@code rms_norm_eps} (default 1e-6)
 * @param ropeTheta {@code rope_theta} (default 10000)
 * @param ropeScaling {@code rope_scaling} / {@code rope_parameters}
 * @param tieWordEmbeddings {@code tie_word_embeddings} (default false)
 * @param attentionBias {@code attention_bias}: biases on the q, k, v and o projections (default false)
 * @param mlpBias {@code mlp_bias}: biases on the MLP projections (default false)
 * @param attentionDropout {@code attention_dropout}, applied while training (default 0)
 * @param initializerRange {@code initializer_range} (default 0.02)
 * @param slidingWindow Mistral's {@code sliding_window}, or null for none (always null for llama)
 * @param json the whole {@code config.json}
 */
public record LlamaConfig(
    String modelType,
    int vocabSize,
    int hiddenSize,
    int intermediateSize,
    int numHiddenLayers,
    int numAttentionHeads,
    int numKeyValueHeads,
    int headDim,
    String hiddenAct,
    int maxPositionEmbeddings,
    double rmsNormEps,
    double ropeTheta,
    RopeScaling ropeScaling,
    boolean tieWordEmbeddings,
    boolean attentionBias,
    boolean mlpBias,
    double attentionDropout,
    double initializerRange,
    Integer slidingWindow,
    JsonObject json)
    implements HfConfig {

  /**
   * Copies the JSON object so that the record stays immutable.
   *
   * @param modelType see the record
   * @param vocabSize see the record
   * @param hiddenSize see the record
   * @param intermediateSize see the record
   * @param numHiddenLayers see the record
   * @param numAttentionHeads see the record
   * @param numKeyValueHeads see the record
   * @param headDim see the record
   * @param hiddenAct see the record
   * @param maxPositionEmbeddings see the record
   * @param rmsNormEps see the record
   * @param ropeTheta see the record
   * @param ropeScaling see the record
   * @param tieWordEmbeddings see the record
   * @param attentionBias see the record
   * @param mlpBias see the record
   * @param attentionDropout see the record
   * @param initializerRange see the record
   * @param slidingWindow see the record
   * @param json see the record
   */
  public LlamaConfig {
    json = json.deepCopy();
  }

  /** {@inheritDoc} */
  @Override
  public JsonObject json() {
    return json.deepCopy();
  }

  /** {@inheritDoc} */
  @Override
  public int maxLength() {
    return slidingWindow == null ? maxPositionEmbeddings : Math.min(maxPositionEmbeddings, slidingWindow);
  }

  static LlamaConfig parse(ConfigReader r) throws HfFormatException {
    String type = r.string("model_type", "llama");
    boolean mistral = "mistral".equals(type);
    int hidden = r.positiveInt("hidden_size", 4096);
    int heads = r.positiveInt("num_attention_heads", 32);
    int kv = r.positiveInt("num_key_value_heads", mistral ? 8 : heads);
    int headDim = r.headDim(hidden, heads);
    r.checkAttention(heads, kv, headDim, headDim, "head_dim");
    String act = r.string("hidden_act", "silu");
    Activation.named(act, "hidden_act", r);
    Integer window = null;
    if (mistral) {
      window = r.json().has("sliding_window") ? r.optionalInt("sliding_window") : Integer.valueOf(4096);
      if (window != null && window <= 0) {
        throw r.error("sliding_window", "must be positive or null, got " + window);
      }
    }
    return new LlamaConfig(type, r.positiveInt("vocab_size", 32000), hidden,
        r.positiveInt("intermediate_size", mistral ? 14336 : 11008), r.positiveInt("num_hidden_layers", 32), heads,
        kv, headDim, act, r.positiveInt("max_position_embeddings", mistral ? 131072 : 2048),
        r.number("rms_norm_eps", 1e-6), r.ropeTheta(10000.0), RopeScaling.read(r),
        r.bool("tie_word_embeddings", false), r.bool("attention_bias", false), r.bool("mlp_bias", false),
        r.number("attention_dropout", 0.0), r.number("initializer_range", 0.02), window, r.json());
  }
}
