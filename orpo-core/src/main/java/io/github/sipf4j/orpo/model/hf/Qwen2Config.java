package io.github.sipf4j.orpo.model.hf;

import com.google.gson.JsonObject;
import com.google.gson.JsonPrimitive;

/**
 * The configuration of {@code model_type} {@code "qwen2"} (Qwen2, Qwen2.5): the llama layout with biases on the q, k
 * and v projections (none on o or the MLP). Absent fields take the defaults of Hugging Face's {@code Qwen2Config}.
 * Sliding-window attention ({@code use_sliding_window: true}) is not supported; the released Qwen2/2.5 models leave it
 * off, and {@code sliding_window} is then ignored, as Hugging Face ignores it.
 *
 * @param vocabSize {@code vocab_size}
 * @param hiddenSize {@code hidden_size}
 * @param intermediateSize {@code intermediate_size}
 * @param numHiddenLayers {@code num_hidden_layers}
 * @param numAttentionHeads {@code num_attention_heads}
 * @param numKeyValueHeads {@code num_key_value_heads}
 * @param headDim {@code head_dim} (default: {@code hidden_size / num_attention_heads})
 * @param hiddenAct {@code hidden_act} (default {@code "silu"})
 * @param maxPositionEmbeddings {@code max_position_embeddings}
 * @param rmsNormEps {@code rms_norm_eps} (default 1e-6)
 * @param ropeTheta {@code rope_theta} (default 10000)
 * @param ropeScaling {@code rope_scaling} / {@code rope_parameters}
 * @param tieWordEmbeddings {@code tie_word_embeddings} (default false; Qwen2.5-0.5B sets true)
 * @param attentionDropout {@code attention_dropout}, applied while training (default 0)
 * @param initializerRange {@code initializer_range} (default 0.02)
 * @param json the whole {@code config.json}
 */
public record Qwen2Config(
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
   * @param hiddenAct see the record
   * @param maxPositionEmbeddings see the record
   * @param rmsNormEps see the record
   * @param ropeTheta see the record
   * @param ropeScaling see the record
   * @param tieWordEmbeddings see the record
   * @param attentionDropout see the record
   * @param initializerRange see the record
   * @param json see the record
   */
  public Qwen2Config {
    json = json.deepCopy();
  }

  /** {@inheritDoc} */
  @Override
  public String modelType() {
    return "qwen2";
  }

  /** {@inheritDoc} */
  @Override
  public JsonObject json() {
    return json.deepCopy();
  }

  static Qwen2Config parse(ConfigReader r) throws HfFormatException {
    r.rejectUnless("use_sliding_window", new JsonPrimitive(false), "false (full attention)");
    int hidden = r.positiveInt("hidden_size", 4096);
    int heads = r.positiveInt("num_attention_heads", 32);
    int kv = r.positiveInt("num_key_value_heads", 32);
    int headDim = r.headDim(hidden, heads);
    r.checkAttention(heads, kv, headDim, headDim, "head_dim");
    String act = r.string("hidden_act", "silu");
    Activation.named(act, "hidden_act", r);
    return new Qwen2Config(r.positiveInt("vocab_size", 151936), hidden, r.positiveInt("intermediate_size", 22016),
        r.positiveInt("num_hidden_layers", 32), heads, kv, headDim, act,
        r.positiveInt("max_position_embeddings", 32768), r.number("rms_norm_eps", 1e-6), r.ropeTheta(10000.0),
        RopeScaling.read(r), r.bool("tie_word_embeddings", false), r.number("attention_dropout", 0.0),
        r.number("initializer_range", 0.02), r.json());
  }
}
