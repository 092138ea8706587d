package io.github.sipf4j.orpo.model.hf;

import com.google.gson.JsonObject;
import com.google.gson.JsonParseException;
import com.google.gson.JsonParser;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.List;

/**
 * The configuration of a Hugging Face decoder, read from a model folder's {@code config.json}: one record per family
 * ({@link LlamaConfig}, {@link Qwen2Config}, {@link GemmaConfig}, {@link PhiConfig}) mapping its fields under their
 * Hugging Face names, with Hugging Face's defaults for absent fields, chosen by {@code model_type}. Anything the
 * config asks for that sipf4j does not implement (another {@code model_type}, a {@code rope_scaling} type, sliding
 * windows, logit soft-capping, quantization, ...) fails here, before any weight is read, with an {@link
 * HfFormatException} naming the field, its value and what is supported.
 *
 * <pre>{@code
 * HfConfig config = HfConfig.read(Path.of("Qwen2.5-0.5B"));   // a Qwen2Config
 * config.numHiddenLayers();                                   // 24
 * }</pre>
 */
public sealed interface HfConfig permits LlamaConfig, Qwen2Config, GemmaConfig, PhiConfig {

  /** The configuration file of a model folder. */
  String CONFIG_FILE = "config.json";

  /**
   * Returns the {@code model_type}.
   *
   * @return for example {@code "llama"}
   */
  String modelType();

  /**
   * Returns {@code vocab_size}, the number of rows of the embedding and of the output head.
   *
   * @return the vocabulary size
   */
  int vocabSize();

  /**
   * Returns {@code hidden_size}, the width of the residual stream.
   *
   * @return the hidden size
   */
  int hiddenSize();

  /**
   * Returns {@code intermediate_size}, the width of the MLP.
   *
   * @return the MLP width
   */
  int intermediateSize();

  /**
   * Returns {@code num_hidden_layers}.
   *
   * @return the number of decoder layers
   */
  int numHiddenLayers();

  /**
   * Returns {@code num_attention_heads}.
   *
   * @return the number of query heads
   */
  int numAttentionHeads();

  /**
   * Returns {@code num_key_value_heads}: equal to the query heads for multi-head attention, fewer for grouped-query
   * attention, one for multi-query attention.
   *
   * @return the number of key/value heads
   */
  int numKeyValueHeads();

  /**
   * Returns the width of one attention head ({@code head_dim}, or {@code hidden_size / num_attention_heads}).
   *
   * @return the head width
   */
  int headDim();

  /**
   * Returns how many leading dimensions of each head the rotary embedding turns (all of them, except for Phi's
   * partial rotary embedding).
   *
   * @return the rotated width, even
   */
  default int rotaryDim() {
    return headDim();
  }

  /**
   * Returns {@code max_position_embeddings}.
   *
   * @return the longest context the model was trained for
   */
  int maxPositionEmbeddings();

  /**
   * Returns the longest sequence the model accepts here: {@link #maxPositionEmbeddings()}, or less where full
   * attention only equals the model's own attention up to a length (Mistral's sliding window).
   *
   * @return the maximum length in tokens
   */
  default int maxLength() {
    return maxPositionEmbeddings();
  }

  /**
   * Returns {@code rope_theta}, the base of the rotary embedding.
   *
   * @return the base
   */
  double ropeTheta();

  /**
   * Returns the rotary embedding's scaling.
   *
   * @return the scaling; {@link RopeScaling#NONE} when the config has none
   */
  RopeScaling ropeScaling();

  /**
   * Returns {@code tie_word_embeddings}: whether the output head reuses the embedding matrix.
   *
   * @return true when the head is tied
   */
  boolean tieWordEmbeddings();

  /**
   * Returns {@code initializer_range}, the standard deviation of freshly initialised weights.
   *
   * @return the standard deviation
   */
  double initializerRange();

  /**
   * Returns the whole {@code config.json} object, which a saved folder carries over.
   *
   * @return a copy of the JSON object
   */
  JsonObject json();

  /**
   * Returns the {@code model_type} values sipf4j loads.
   *
   * @return the supported model types
   */
  static List<String> supportedModelTypes() {
    return HfFamilies.modelTypes();
  }

  /**
   * Reads {@value #CONFIG_FILE} of a model folder.
   *
   * @param dir the folder
   * @return the family's configuration
   * @throws IOException if the file is missing or malformed; {@link HfFormatException} when a field is invalid or
   *     unsupported
   */
  static HfConfig read(Path dir) throws IOException {
    Path file = dir.resolve(CONFIG_FILE);
    JsonObject json;
    try {
      json = JsonParser.parseString(Files.readString(file, StandardCharsets.UTF_8)).getAsJsonObject();
    } catch (NoSuchFileException e) {
      throw new IOException(file + ": missing (a Hugging Face model folder has a config.json)", e);
    } catch (JsonParseException | IllegalStateException e) {
      throw new IOException(file + ": malformed JSON: " + e.getMessage(), e);
    }
    return parse(json, file);
  }

  /**
   * Parses a {@code config.json} object.
   *
   * @param json the object
   * @param file the file it came from, named in errors
   * @return the family's configuration
   * @throws HfFormatException if a field is invalid or unsupported
   */
  static HfConfig parse(JsonObject json, Path file) throws HfFormatException {
    ConfigReader r = new ConfigReader(json.deepCopy(), file);
    String type = r.string("model_type", null);
    if (type == null) {
      throw r.error("model_type", "is required; supported: " + ConfigReader.quoted(supportedModelTypes()));
    }
    HfFamily family = HfFamilies.forModelType(type);
    if (family == null) {
      throw r.unsupported("model_type", "\"" + type + "\"", ConfigReader.quoted(supportedModelTypes()));
    }
    r.rejectCommon();
    return family.parse(r);
  }
}
