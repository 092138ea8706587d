package io.github.sipf4j.orpo.model;

import ai.djl.Device;
import com.google.gson.JsonObject;
import com.google.gson.JsonParseException;
import com.google.gson.JsonParser;
import io.github.sipf4j.orpo.lora.LoraKind;
import io.github.sipf4j.orpo.model.hf.HfCausalLm;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.ServiceLoader;
import java.util.stream.Collectors;

/**
 * Loads any saved model directory, whatever its kind: the built-in kinds ({@link DecoderLm}, {@link TorchScriptLm},
 * Hugging Face model folders through {@link HfCausalLm}, PEFT LoRA adapter folders with their base through {@link
 * LoraKind}) and every {@link CausalLmKind} registered through {@link
 * ServiceLoader} on the thread's context class loader.
 *
 * <pre>{@code
 * try (CausalLm lm = CausalLms.load(Path.of("runs/warm/sft-model"), Device.cpu())) { ... }
 * }</pre>
 */
public final class CausalLms {

  private CausalLms() {}

  /**
   * Loads a model directory saved by {@link CausalLm#save}, by the first registered kind that recognises it.
   *
   * @param dir the directory
   * @param device where the parameters will live
   * @return the model; the caller closes it
   * @throws IOException if the directory is missing, holds no recognisable model, or fails to load
   */
  public static CausalLm load(Path dir, Device device) throws IOException {
    return recognise(dir).load(dir, device);
  }

  /**
   * Loads a model directory with options (the parameters' data type), by the first registered kind that recognises
   * it.
   *
   * @param dir the directory
   * @param device where the parameters will live
   * @param options the data type; kinds that cannot change their type accept only the default
   * @return the model; the caller closes it
   * @throws IOException if the directory is missing, holds no recognisable model, or fails to load
   */
  public static CausalLm load(Path dir, Device device, LoadOptions options) throws IOException {
    return recognise(dir).load(dir, device, options);
  }

  /**
   * Finds the kind of a model directory without loading it.
   *
   * @param dir the directory
   * @return the first registered kind that recognises it
   * @throws IOException if the directory is missing or no kind recognises it; the message lists the kinds tried
   */
  public static CausalLmKind recognise(Path dir) throws IOException {
    if (!Files.isDirectory(dir)) {
      throw new IOException(dir + ": no such model directory");
    }
    List<CausalLmKind> kinds = kinds();
    for (CausalLmKind kind : kinds) {
      if (kind.recognises(dir)) {
        return kind;
      }
    }
    throw new IOException(dir + ": no model found; the registered model kinds ("
        + kinds.stream().map(CausalLmKind::name).collect(Collectors.joining(", "))
        + ") recognise none of its files");
  }

  /**
   * Finds a registered kind by its {@linkplain CausalLmKind#name() name}.
   *
   * @param name the name recorded with a saved model
   * @return the kind, or empty when none of that name is registered
   */
  public static Optional<CausalLmKind> kind(String name) {
    return kinds().stream().filter(k -> k.name().equals(name)).findFirst();
  }

  /**
   * Returns the registered kinds in the order {@link #load} tries them: the built-in kinds first, then those found
   * by {@link ServiceLoader}, in class-path order. A later kind with the name of an earlier one is ignored.
   *
   * @return the kinds
   */
  public static List<CausalLmKind> kinds() {
    Map<String, CausalLmKind> byName = new LinkedHashMap<>();
    for (CausalLmKind k : List.of(new DecoderLmKind(), new TorchScriptLmKind(), new HuggingFaceKind(),
        new LoraKind())) {
      byName.put(k.name(), k);
    }
    ClassLoader loader = Thread.currentThread().getContextClassLoader();
    for (CausalLmKind k : ServiceLoader.load(CausalLmKind.class,
        loader != null ? loader : CausalLms.class.getClassLoader())) {
      byName.putIfAbsent(k.name(), k);
    }
    return new ArrayList<>(byName.values());
  }

  /** The {@link DecoderLm} folder: {@code config.json} with {@code "type": "decoder"}. */
  static final class DecoderLmKind implements CausalLmKind {
    @Override
    public String name() {
      return DecoderLm.TYPE;
    }

    @Override
    public boolean recognises(Path dir) throws IOException {
      Path config = dir.resolve(DecoderLm.CONFIG_FILE);
      if (!Files.isRegularFile(config)) {
        return false;
      }
      try {
        JsonObject o = JsonParser.parseString(Files.readString(config, StandardCharsets.UTF_8)).getAsJsonObject();
        return o.has("type") && o.get("type").isJsonPrimitive() && DecoderLm.TYPE.equals(o.get("type").getAsString());
      } catch (JsonParseException | IllegalStateException e) {
        throw new IOException(config + ": malformed model configuration: " + e.getMessage(), e);
      }
    }

    @Override
    public CausalLm load(Path dir, Device device) throws IOException {
      return DecoderLm.load(dir, device);
    }
  }

  /** The {@link TorchScriptLm} folder: {@code model.pt} beside {@code sipf4j-model.json}. */
  static final class TorchScriptLmKind implements CausalLmKind {
    @Override
    public String name() {
      return "torchscript";
    }

    @Override
    public boolean recognises(Path dir) {
      return Files.isRegularFile(dir.resolve(TorchScriptLm.MODEL_FILE));
    }

    @Override
    public CausalLm load(Path dir, Device device) throws IOException {
      return TorchScriptLm.load(dir, device);
    }
  }

  /**
   * The Hugging Face model folder ({@link HfCausalLm}): a {@code config.json} with a {@code model_type}. Every such
   * folder is recognised, so that an unsupported {@code model_type} gets {@link HfCausalLm#load}'s error naming the
   * supported ones rather than "no model found".
   */
  static final class HuggingFaceKind implements CausalLmKind {
    @Override
    public String name() {
      return "huggingface";
    }

    @Override
    public boolean recognises(Path dir) throws IOException {
      return HfCausalLm.recognises(dir);
    }

    @Override
    public CausalLm load(Path dir, Device device) throws IOException {
      return HfCausalLm.load(dir, device);
    }

    @Override
    public CausalLm load(Path dir, Device device, LoadOptions options) throws IOException {
      return HfCausalLm.load(dir, device, options);
    }
  }
}
