package io.github.sipf4j.orpo.model.hf;

import com.google.gson.JsonElement;
import com.google.gson.JsonObject;
import com.google.gson.JsonParseException;
import com.google.gson.JsonParser;
import io.github.sipf4j.orpo.util.SafetensorsFile;
import java.io.Closeable;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The weights of a Hugging Face model folder, open for reading: {@value #SINGLE}, or the shards that {@value #INDEX}
 * lists. Opening checks every file's header (so a truncated shard is found before any tensor is read) and that the
 * index and the shards agree; every file opened is closed again when anything fails.
 */
final class HfCheckpoint implements Closeable {

  /** The single-file checkpoint. */
  static final String SINGLE = "model.safetensors";

  /** The index of a sharded checkpoint. */
  static final String INDEX = "model.safetensors.index.json";

  private final List<SafetensorsFile> files;
  private final Map<String, SafetensorsFile> fileOf;

  private HfCheckpoint(List<SafetensorsFile> files, Map<String, SafetensorsFile> fileOf) {
    this.files = files;
    this.fileOf = fileOf;
  }

  static HfCheckpoint open(Path dir) throws IOException {
    Path index = dir.resolve(INDEX);
    if (Files.isRegularFile(index)) {
      return openSharded(dir, index);
    }
    Path single = dir.resolve(SINGLE);
    if (!Files.isRegularFile(single)) {
      String other = Files.isRegularFile(dir.resolve("pytorch_model.bin"))
          ? " (pytorch_model.bin is a pickle, which sipf4j does not read: convert it to safetensors)" : "";
      throw new IOException(dir + ": no " + SINGLE + " or " + INDEX + other);
    }
    SafetensorsFile f = SafetensorsFile.open(single);
    Map<String, SafetensorsFile> byName = new LinkedHashMap<>();
    f.tensors().keySet().forEach(n -> byName.put(n, f));
    return new HfCheckpoint(List.of(f), byName);
  }

  private static HfCheckpoint openSharded(Path dir, Path index) throws IOException {
    JsonObject weightMap;
    try {
      JsonElement root = JsonParser.parseString(Files.readString(index, StandardCharsets.UTF_8));
      weightMap = root.getAsJsonObject().getAsJsonObject("weight_map");
    } catch (JsonParseException | IllegalStateException | ClassCastException e) {
      throw new HfFormatException(index, HfFormatException.field("weight_map"), "malformed: " + e.getMessage());
    }
    if (weightMap == null) {
      throw new HfFormatException(index, HfFormatException.field("weight_map"), "is required");
    }
    Map<String, SafetensorsFile> shards = new LinkedHashMap<>();
    Map<String, SafetensorsFile> byName = new LinkedHashMap<>();
    try {
      for (Map.Entry<String, JsonElement> e : weightMap.entrySet()) {
        String shard = e.getValue().getAsString();
        Path file = dir.resolve(shard).normalize();
        if (!file.startsWith(dir.normalize()) || !Files.isRegularFile(file)) {
          throw new HfFormatException(index, HfFormatException.field("weight_map." + e.getKey()),
              "points to shard \"" + shard + "\", which does not exist in " + dir);
        }
        SafetensorsFile f = shards.get(shard);
        if (f == null) {
          f = SafetensorsFile.open(file);
          shards.put(shard, f);
        }
        if (!f.tensors().containsKey(e.getKey())) {
          throw new HfFormatException(file, HfFormatException.tensor(e.getKey()),
              "is missing, though " + INDEX + " places it in this shard");
        }
        byName.put(e.getKey(), f);
      }
      return new HfCheckpoint(new ArrayList<>(shards.values()), byName);
    } catch (IOException | RuntimeException e) {
      for (SafetensorsFile f : shards.values()) {
        try {
          f.close();
        } catch (IOException suppressed) {
          e.addSuppressed(suppressed);
        }
      }
      throw e;
    }
  }

  /** Returns the names of every tensor, in file order. */
  Iterable<String> names() {
    return fileOf.keySet();
  }

  /** Returns the file holding a tensor, or null. */
  SafetensorsFile fileOf(String name) {
    return fileOf.get(name);
  }

  @Override
  public void close() throws IOException {
    IOException first = null;
    for (SafetensorsFile f : files) {
      try {
        f.close();
      } catch (IOException e) {
        if (first == null) {
          first = e;
        } else {
          first.addSuppressed(e);
        }
      }
    }
    if (first != null) {
      throw first;
    }
  }
}
