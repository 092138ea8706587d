package io.github.sipf4j.orpo.model;

import ai.djl.Device;
import com.google.gson.JsonObject;
import com.google.gson.JsonParseException;
import com.google.gson.JsonParser;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;

/** Loads any saved sipf4j model directory, whatever its kind. */
public final class CausalLms {

  private CausalLms() {}

  /**
   * Loads a model directory saved by {@link CausalLm#save}: a {@link DecoderLm} ({@code config.json} with {@code
   * "type": "decoder"}) or a {@link TorchScriptLm} ({@code model.pt} with {@code sipf4j-model.json}).
   *
   * @param dir the directory
   * @param device where the parameters will live
   * @return the model; the caller closes it
   * @throws IOException if the directory holds no recognisable model
   */
  public static CausalLm load(Path dir, Device device) throws IOException {
    Path config = dir.resolve(DecoderLm.CONFIG_FILE);
    if (Files.isRegularFile(config)) {
      String type;
      try {
        JsonObject o = JsonParser.parseString(Files.readString(config, StandardCharsets.UTF_8)).getAsJsonObject();
        type = o.has("type") ? o.get("type").getAsString() : "";
      } catch (JsonParseException | IllegalStateException e) {
        throw new IOException(config + ": malformed model configuration: " + e.getMessage(), e);
      }
      if (DecoderLm.TYPE.equals(type)) {
        return DecoderLm.load(dir, device);
      }
    }
    if (Files.isRegularFile(dir.resolve(TorchScriptLm.MODEL_FILE))) {
      return TorchScriptLm.load(dir, device);
    }
    throw new IOException(dir + ": no model found (expected config.json of a DecoderLm, or model.pt with "
        + TorchScriptLm.META_FILE + ")");
  }
}
