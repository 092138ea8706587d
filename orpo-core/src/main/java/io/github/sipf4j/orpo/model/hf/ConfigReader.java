package io.github.sipf4j.orpo.model.hf;

import com.google.gson.JsonElement;
import com.google.gson.JsonNull;
import com.google.gson.JsonObject;
import java.nio.file.Path;
import java.util.List;
import java.util.stream.Collectors;

/**
 * Typed reads of a Hugging Face {@code config.json} with the family's defaults for absent fields, and errors that
 * name the file, the field, the value found and what is accepted.
 */
final class ConfigReader {

  private final JsonObject json;
  private final Path file;

  ConfigReader(JsonObject json, Path file) {
    this.json = json;
    this.file = file;
  }

  JsonObject json() {
    return json;
  }

  Path file() {
    return file;
  }

  /** Tells whether a field is present with a value other than null. */
  boolean isSet(String field) {
    return json.has(field) && !json.get(field).isJsonNull();
  }

  /** Reads a positive integer, or the default when absent; a null default makes the field required. */
  int positiveInt(String field, Integer defaultValue) throws HfFormatException {
    if (!isSet(field)) {
      if (defaultValue == null) {
        throw error(field, "is required");
      }
      return defaultValue;
    }
    long v = integer(field, json.get(field));
    if (v <= 0 || v > Integer.MAX_VALUE) {
      throw error(field, "must be a positive integer, got " + json.get(field));
    }
    return (int) v;
  }

  /** Reads an optional integer: null when absent or null. */
  Integer optionalInt(String field) throws HfFormatException {
    return isSet(field) ? Math.toIntExact(integer(field, json.get(field))) : null;
  }

  private long integer(String field, JsonElement e) throws HfFormatException {
    try {
      double d = e.getAsDouble();
      if (d != Math.rint(d)) {
        throw error(field, "must be an integer, got " + e);
      }
      return e.getAsLong();
    } catch (NumberFormatException | UnsupportedOperationException | IllegalStateException ex) {
      throw error(field, "must be an integer, got " + e);
    }
  }

  /** Reads a number, or the default when absent. */
  double number(String field, double defaultValue) throws HfFormatException {
    if (!isSet(field)) {
      return defaultValue;
    }
    return number(json, field, field);
  }

  /** Reads a number of a nested object; {@code path} names it in errors. */
  double number(JsonObject o, String key, String path) throws HfFormatException {
    if (!o.has(key) || o.get(key).isJsonNull()) {
      throw error(path, "is required");
    }
    try {
      double d = o.get(key).getAsDouble();
      if (!Double.isFinite(d)) {
        throw error(path, "must be a finite number, got " + o.get(key));
      }
      return d;
    } catch (NumberFormatException | UnsupportedOperationException | IllegalStateException ex) {
      throw error(path, "must be a number, got " + o.get(key));
    }
  }

  /** Reads a boolean, or the default when absent. */
  boolean bool(String field, boolean defaultValue) throws HfFormatException {
    if (!isSet(field)) {
      return defaultValue;
    }
    JsonElement e = json.get(field);
    if (!e.isJsonPrimitive() || !e.getAsJsonPrimitive().isBoolean()) {
      throw error(field, "must be true or false, got " + e);
    }
    return e.getAsBoolean();
  }

  /** Reads a string, or the default when absent. */
  String string(String field, String defaultValue) throws HfFormatException {
    if (!isSet(field)) {
      return defaultValue;
    }
    JsonElement e = json.get(field);
    if (!e.isJsonPrimitive() || !e.getAsJsonPrimitive().isString()) {
      throw error(field, "must be a string, got " + e);
    }
    return e.getAsString();
  }

  /** Reads an object, or null when absent. */
  JsonObject object(String field) throws HfFormatException {
    if (!isSet(field)) {
      return null;
    }
    if (!json.get(field).isJsonObject()) {
      throw error(field, "must be an object, got " + json.get(field));
    }
    return json.getAsJsonObject(field);
  }

  /** Fails when a field is set to anything but null or the harmless value (for example false). */
  void rejectUnless(String field, JsonElement harmless, String supported) throws HfFormatException {
    if (isSet(field) && !json.get(field).equals(harmless)) {
      throw unsupported(field, json.get(field), supported);
    }
  }

  HfFormatException error(String field, String problem) {
    return new HfFormatException(file, HfFormatException.field(field), problem);
  }

  HfFormatException unsupported(String field, Object value, String supported) {
    return error(field, value + " is not supported; supported: " + supported);
  }

  /** Fails on fields no supported family implements, whatever the model type. */
  void rejectCommon() throws HfFormatException {
    if (isSet("quantization_config")) {
      throw unsupported("quantization_config", json.get("quantization_config"),
          "unquantized float32, float16 and bfloat16 weights");
    }
    for (String softcap : List.of("final_logit_softcapping", "attn_logit_softcapping")) {
      rejectUnless(softcap, JsonNull.INSTANCE, "null (no logit soft-capping)");
    }
  }

  /** Reads {@code rope_theta}, top level or inside {@code rope_parameters}. */
  double ropeTheta(double defaultValue) throws HfFormatException {
    double v;
    String field;
    JsonObject p = object("rope_parameters");
    if (isSet("rope_theta")) {
      field = "rope_theta";
      v = number(field, defaultValue);
    } else if (p != null && p.has("rope_theta") && !p.get("rope_theta").isJsonNull()) {
      field = "rope_parameters.rope_theta";
      v = number(p, "rope_theta", field);
    } else {
      return defaultValue;
    }
    if (v <= 0) {
      throw error(field, "must be positive, got " + v);
    }
    return v;
  }

  /** Reads the head width: {@code head_dim} when set, else hidden / heads, which must then divide evenly. */
  int headDim(int hidden, int heads) throws HfFormatException {
    if (isSet("head_dim")) {
      return positiveInt("head_dim", null);
    }
    if (hidden % heads != 0) {
      throw error("num_attention_heads", heads + " does not divide hidden_size " + hidden
          + " and the config sets no head_dim");
    }
    return hidden / heads;
  }

  /** Checks the attention geometry shared by every family. */
  void checkAttention(int heads, int kvHeads, int headDim, int rotaryDim, String rotaryField)
      throws HfFormatException {
    if (heads % kvHeads != 0) {
      throw error("num_key_value_heads", kvHeads + " does not divide num_attention_heads " + heads);
    }
    if (rotaryDim % 2 != 0 || rotaryDim <= 0 || rotaryDim > headDim) {
      throw error(rotaryField, "the rotary embedding turns " + rotaryDim + " of the " + headDim
          + " dimensions of a head; it must be an even number between 2 and the head width");
    }
  }

  static String quoted(List<String> values) {
    return values.stream().map(v -> "\"" + v + "\"").collect(Collectors.joining(", "));
  }
}
