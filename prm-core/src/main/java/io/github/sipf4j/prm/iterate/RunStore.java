package io.github.sipf4j.prm.iterate;

import com.google.gson.Gson;
import com.google.gson.GsonBuilder;
import com.google.gson.JsonObject;
import com.google.gson.JsonParseException;
import io.github.sipf4j.orpo.data.DataFormatException;
import io.github.sipf4j.orpo.util.AtomicFiles;
import java.io.BufferedReader;
import java.io.IOException;
import java.lang.reflect.Type;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collection;
import java.util.List;

/**
 * Reads and writes the files of a run: JSON and JSON-lines, each written beside its target and moved into place
 * atomically, so a file either holds a phase's whole output or does not exist.
 */
final class RunStore {

  static final Gson GSON = new GsonBuilder().disableHtmlEscaping().serializeSpecialFloatingPointValues().create();
  static final Gson PRETTY = new GsonBuilder().disableHtmlEscaping().serializeSpecialFloatingPointValues()
      .setPrettyPrinting().create();

  private RunStore() {}

  static void writeJson(Path file, Object value) throws IOException {
    AtomicFiles.writeString(file, PRETTY.toJson(value) + "\n");
  }

  static JsonObject readJson(Path file) throws IOException {
    String text = Files.readString(file, StandardCharsets.UTF_8);
    try {
      JsonObject o = GSON.fromJson(text, JsonObject.class);
      if (o == null) {
        throw new DataFormatException(file, 1, "json", "the file is empty");
      }
      return o;
    } catch (JsonParseException e) {
      throw new DataFormatException(file, 1, "json", "not a JSON object: " + e.getMessage(), e);
    }
  }

  static <T> T readJson(Path file, Type type) throws IOException {
    String text = Files.readString(file, StandardCharsets.UTF_8);
    try {
      T v = GSON.fromJson(text, type);
      if (v == null) {
        throw new DataFormatException(file, 1, "json", "the file is empty");
      }
      return v;
    } catch (JsonParseException e) {
      throw new DataFormatException(file, 1, "json", "cannot be read: " + e.getMessage(), e);
    }
  }

  static void writeLines(Path file, Collection<?> records) throws IOException {
    AtomicFiles.writeText(file, w -> {
      for (Object r : records) {
        w.write(GSON.toJson(r));
        w.write('\n');
      }
    });
  }

  static <T> List<T> readLines(Path file, Class<T> type) throws IOException {
    List<T> out = new ArrayList<>();
    try (BufferedReader r = Files.newBufferedReader(file, StandardCharsets.UTF_8)) {
      String line;
      int n = 0;
      while ((line = r.readLine()) != null) {
        n++;
        if (line.isBlank()) {
          continue;
        }
        try {
          T v = GSON.fromJson(line, type);
          if (v == null) {
            throw new DataFormatException(file, n, type.getSimpleName(), "empty record");
          }
          out.add(v);
        } catch (JsonParseException | IllegalArgumentException | NullPointerException e) {
          throw new DataFormatException(file, n, type.getSimpleName(), "cannot be read: " + e.getMessage(), e);
        }
      }
    }
    return out;
  }

}
