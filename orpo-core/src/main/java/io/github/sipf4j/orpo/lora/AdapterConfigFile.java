package io.github.sipf4j.orpo.lora;

import com.google.gson.GsonBuilder;
import com.google.gson.JsonArray;
import com.google.gson.JsonElement;
import com.google.gson.JsonNull;
import com.google.gson.JsonObject;
import com.google.gson.JsonParseException;
import com.google.gson.JsonParser;
import com.google.gson.JsonPrimitive;
import io.github.sipf4j.orpo.util.AtomicFiles;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * PEFT's {@code adapter_config.json} for LoRA: read with errors naming the field, written with the fields PEFT's
 * {@code LoraConfig.save_pretrained} writes (so that PEFT loads it), never a field of our own.
 *
 * @param config the adapter's settings
 * @param baseModelNameOrPath the base model the adapter belongs to, or null
 * @param explicitTargets whether the file names its targets ({@code target_modules} not null)
 */
record AdapterConfigFile(LoraConfig config, String baseModelNameOrPath, boolean explicitTargets) {

  /** Initialisations that change the base model's weights, so an adapter made with them needs that changed base. */
  private static final List<String> BASE_CHANGING_INITS = List.of("pissa", "olora", "corda", "loftq");

  /** Reads and checks a file. */
  static AdapterConfigFile read(Path file) throws IOException {
    JsonObject o;
    try {
      o = JsonParser.parseString(Files.readString(file, StandardCharsets.UTF_8)).getAsJsonObject();
    } catch (NoSuchFileException e) {
      throw new LoraFormatException(file, "file", "is missing; a PEFT adapter folder holds adapter_config.json and "
          + LoraModel.WEIGHTS_FILE);
    } catch (JsonParseException | IllegalStateException e) {
      throw new LoraFormatException(file, "file", "is not a JSON object: " + e.getMessage());
    }
    Reader r = new Reader(o, file);
    String type = r.string("peft_type", null);
    if (!"LORA".equals(type)) {
      throw r.error("peft_type", "is " + o.get("peft_type") + "; sipf4j loads LoRA adapters (\"LORA\") only");
    }
    String task = r.string("task_type", null);
    if (task != null && !task.equals("CAUSAL_LM")) {
      throw r.error("task_type", "is \"" + task + "\"; sipf4j's models are causal language models (\"CAUSAL_LM\")");
    }
    r.requireFalse("use_dora", "DoRA adapters are not supported");
    r.requireFalse("fan_in_fan_out", "weights stored as (in, out) (GPT-2's Conv1D) are not supported");
    r.requireFalse("lora_bias", "adapters with a bias on B are not supported");
    r.requireFalse("use_qalora", "QA-LoRA adapters are not supported");
    r.requireAbsent("layer_replication", "replicated layers are not supported");
    r.requireAbsent("modules_to_save", "fully trained extra modules are not supported; sipf4j saves only adapters");
    r.requireAbsent("trainable_token_indices", "trainable token embeddings are not supported");
    r.requireAbsent("target_parameters", "adapters on bare parameters are not supported");
    r.requireAbsent("alora_invocation_tokens", "activated LoRA is not supported");
    r.requireAbsent("megatron_config", "Megatron parallel layers are not supported");
    String bias = r.string("bias", "none");
    if (!bias.equals("none")) {
      throw r.error("bias", "is \"" + bias + "\"; only \"none\" is supported (sipf4j trains no base biases)");
    }
    LoraInit init = LoraInit.KAIMING_UNIFORM;
    JsonElement initValue = o.get("init_lora_weights");
    if (initValue != null && initValue.isJsonPrimitive()) {
      JsonPrimitive p = initValue.getAsJsonPrimitive();
      if (p.isBoolean()) {
        init = p.getAsBoolean() ? LoraInit.KAIMING_UNIFORM : LoraInit.RANDOM;
      } else if (p.isString() && p.getAsString().equals("gaussian")) {
        init = LoraInit.GAUSSIAN;
      } else if (p.isString() && BASE_CHANGING_INITS.stream().anyMatch(p.getAsString().toLowerCase()::startsWith)) {
        throw r.error("init_lora_weights", "is \"" + p.getAsString() + "\", which changes the base model's weights; "
            + "convert the adapter to a plain LoRA first (PEFT's path_initial_model_for_weight_conversion)");
      }
    }
    LoraConfig.Builder b = LoraConfig.builder().r(r.positiveInt("r", LoraConfig.DEFAULT_R))
        .loraAlpha(r.positiveNumber("lora_alpha", LoraConfig.DEFAULT_ALPHA))
        .loraDropout(r.number("lora_dropout", 0)).useRslora(r.bool("use_rslora")).init(init)
        .excludeModules(r.names("exclude_modules")).layersPattern(r.names("layers_pattern"))
        .layersToTransform(r.layers("layers_to_transform"))
        .rankPattern(r.intMap("rank_pattern")).alphaPattern(r.doubleMap("alpha_pattern"));
    JsonElement targets = o.get("target_modules");
    boolean explicit = targets != null && !targets.isJsonNull();
    if (explicit && targets.isJsonPrimitive()) {
      String t = r.string("target_modules", null);
      if (t.equals(LoraConfig.ALL_LINEAR)) {
        b.targetModules(LoraConfig.ALL_LINEAR);
      } else {
        b.targetModulesRegex(t);
      }
    } else if (explicit) {
      b.targetModules(r.names("target_modules"));
    }
    try {
      return new AdapterConfigFile(b.build(), r.string("base_model_name_or_path", null), explicit);
    } catch (IllegalArgumentException e) {
      throw new LoraFormatException(file, "settings", e.getMessage());
    }
  }

  /**
   * Writes a file as PEFT writes one for LoRA, with {@code target_modules} the given names.
   *
   * @param file the target, written atomically
   * @param config the settings
   * @param targetNames what to write as {@code target_modules} (the config's own names, or for {@value
   *     LoraConfig#ALL_LINEAR} the names of the projections it chose)
   * @param base {@code base_model_name_or_path}, or null
   */
  static void write(Path file, LoraConfig config, List<String> targetNames, String base) throws IOException {
    JsonObject o = new JsonObject();
    o.add("alpha_pattern", doubles(config.alphaPattern()));
    o.add("auto_mapping", JsonNull.INSTANCE);
    o.addProperty("base_model_name_or_path", base);
    o.addProperty("bias", "none");
    if (!config.excludeModules().isEmpty()) {
      o.add("exclude_modules", strings(config.excludeModules()));
    }
    o.addProperty("fan_in_fan_out", false);
    o.addProperty("inference_mode", true);
    switch (config.init()) {
      case GAUSSIAN:
        o.addProperty("init_lora_weights", "gaussian");
        break;
      case RANDOM:
        o.addProperty("init_lora_weights", false);
        break;
      default:
        o.addProperty("init_lora_weights", true);
    }
    o.add("layer_replication", JsonNull.INSTANCE);
    o.add("layers_pattern", config.layersPattern().isEmpty() ? JsonNull.INSTANCE : strings(config.layersPattern()));
    JsonArray layers = new JsonArray();
    config.layersToTransform().forEach(layers::add);
    o.add("layers_to_transform", config.layersToTransform().isEmpty() ? JsonNull.INSTANCE : layers);
    o.add("loftq_config", new JsonObject());
    o.addProperty("lora_alpha", whole(config.loraAlpha()));
    o.addProperty("lora_dropout", config.loraDropout());
    o.add("megatron_config", JsonNull.INSTANCE);
    o.addProperty("megatron_core", "megatron.core");
    o.add("modules_to_save", JsonNull.INSTANCE);
    o.addProperty("peft_type", "LORA");
    o.addProperty("r", config.r());
    JsonObject ranks = new JsonObject();
    config.rankPattern().forEach(ranks::addProperty);
    o.add("rank_pattern", ranks);
    o.add("revision", JsonNull.INSTANCE);
    if (config.targetModulesRegex() != null) {
      o.addProperty("target_modules", config.targetModulesRegex());
    } else {
      o.add("target_modules", strings(targetNames));
    }
    o.addProperty("task_type", "CAUSAL_LM");
    o.addProperty("use_dora", false);
    o.addProperty("use_rslora", config.useRslora());
    AtomicFiles.writeString(file, new GsonBuilder().setPrettyPrinting().serializeNulls().disableHtmlEscaping()
        .create().toJson(o) + "\n");
  }

  /** An integral alpha as an integer (PEFT's type), any other as a number. */
  private static Number whole(double v) {
    return v == Math.rint(v) && Math.abs(v) < Integer.MAX_VALUE ? (Number) (int) v : (Number) v;
  }

  private static JsonArray strings(List<String> values) {
    JsonArray a = new JsonArray();
    values.forEach(a::add);
    return a;
  }

  private static JsonObject doubles(Map<String, Double> values) {
    JsonObject o = new JsonObject();
    values.forEach((k, v) -> o.addProperty(k, whole(v)));
    return o;
  }

  /** Typed reads of the fields, each error naming the file and the field. */
  private static final class Reader {
    private final JsonObject o;
    private final Path file;

    Reader(JsonObject o, Path file) {
      this.o = o;
      this.file = file;
    }

    LoraFormatException error(String field, String problem) {
      return new LoraFormatException(file, LoraFormatException.field(field), problem);
    }

    private JsonElement get(String field) {
      JsonElement e = o.get(field);
      return e == null || e.isJsonNull() ? null : e;
    }

    private JsonPrimitive primitive(String field, JsonElement e) throws LoraFormatException {
      if (!e.isJsonPrimitive()) {
        throw error(field, "must be a single value, got " + e);
      }
      return e.getAsJsonPrimitive();
    }

    String string(String field, String defaultValue) throws LoraFormatException {
      JsonElement e = get(field);
      if (e == null) {
        return defaultValue;
      }
      JsonPrimitive p = primitive(field, e);
      if (!p.isString()) {
        throw error(field, "must be a string, got " + e);
      }
      return p.getAsString();
    }

    boolean bool(String field) throws LoraFormatException {
      JsonElement e = get(field);
      if (e == null) {
        return false;
      }
      JsonPrimitive p = primitive(field, e);
      if (!p.isBoolean()) {
        throw error(field, "must be true or false, got " + e);
      }
      return p.getAsBoolean();
    }

    double number(String field, double defaultValue) throws LoraFormatException {
      JsonElement e = get(field);
      if (e == null) {
        return defaultValue;
      }
      JsonPrimitive p = primitive(field, e);
      if (!p.isNumber()) {
        throw error(field, "must be a number, got " + e);
      }
      return p.getAsDouble();
    }

    double positiveNumber(String field, double defaultValue) throws LoraFormatException {
      double v = number(field, defaultValue);
      if (!(v > 0) || Double.isInfinite(v)) {
        throw error(field, "must be a positive number, got " + o.get(field));
      }
      return v;
    }

    int positiveInt(String field, int defaultValue) throws LoraFormatException {
      double v = number(field, defaultValue);
      if (v != Math.rint(v) || v <= 0 || v > Integer.MAX_VALUE) {
        throw error(field, "must be a positive integer, got " + o.get(field));
      }
      return (int) v;
    }

    void requireFalse(String field, String why) throws LoraFormatException {
      if (bool(field)) {
        throw error(field, "is true: " + why);
      }
    }

    void requireAbsent(String field, String why) throws LoraFormatException {
      JsonElement e = get(field);
      boolean empty = e == null || (e.isJsonArray() && e.getAsJsonArray().isEmpty())
          || (e.isJsonObject() && e.getAsJsonObject().isEmpty());
      if (!empty) {
        throw error(field, "is " + e + ": " + why);
      }
    }

    /** A list of strings, or one string, or null (empty). */
    List<String> names(String field) throws LoraFormatException {
      JsonElement e = get(field);
      List<String> out = new ArrayList<>();
      if (e == null) {
        return out;
      }
      if (e.isJsonPrimitive() && e.getAsJsonPrimitive().isString()) {
        out.add(e.getAsString());
        return out;
      }
      if (!e.isJsonArray()) {
        throw error(field, "must be a list of names, got " + e);
      }
      for (JsonElement x : e.getAsJsonArray()) {
        if (!x.isJsonPrimitive() || !x.getAsJsonPrimitive().isString()) {
          throw error(field, "must be a list of names, got " + e);
        }
        out.add(x.getAsString());
      }
      return out;
    }

    /** A list of layer indices, or one index, or null (empty). */
    List<Integer> layers(String field) throws LoraFormatException {
      JsonElement e = get(field);
      List<Integer> out = new ArrayList<>();
      if (e == null) {
        return out;
      }
      for (JsonElement x : e.isJsonArray() ? e.getAsJsonArray() : List.of(e)) {
        if (!x.isJsonPrimitive() || !x.getAsJsonPrimitive().isNumber() || x.getAsDouble() != Math.rint(
            x.getAsDouble()) || x.getAsDouble() < 0) {
          throw error(field, "must be a layer index or a list of them, got " + e);
        }
        out.add(x.getAsInt());
      }
      return out;
    }

    Map<String, Integer> intMap(String field) throws LoraFormatException {
      Map<String, Integer> out = new LinkedHashMap<>();
      for (Map.Entry<String, JsonElement> x : object(field).entrySet()) {
        JsonElement v = x.getValue();
        if (!v.isJsonPrimitive() || !v.getAsJsonPrimitive().isNumber() || v.getAsDouble() != Math.rint(
            v.getAsDouble()) || v.getAsDouble() <= 0) {
          throw error(field + "." + x.getKey(), "must be a positive integer, got " + v);
        }
        out.put(x.getKey(), v.getAsInt());
      }
      return out;
    }

    Map<String, Double> doubleMap(String field) throws LoraFormatException {
      Map<String, Double> out = new LinkedHashMap<>();
      for (Map.Entry<String, JsonElement> x : object(field).entrySet()) {
        JsonElement v = x.getValue();
        if (!v.isJsonPrimitive() || !v.getAsJsonPrimitive().isNumber() || !(v.getAsDouble() > 0)) {
          throw error(field + "." + x.getKey(), "must be a positive number, got " + v);
        }
        out.put(x.getKey(), v.getAsDouble());
      }
      return out;
    }

    private JsonObject object(String field) throws LoraFormatException {
      JsonElement e = get(field);
      if (e == null) {
        return new JsonObject();
      }
      if (!e.isJsonObject()) {
        throw error(field, "must be an object, got " + e);
      }
      return e.getAsJsonObject();
    }
  }
}
