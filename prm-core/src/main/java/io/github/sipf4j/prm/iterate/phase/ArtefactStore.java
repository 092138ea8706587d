package io.github.sipf4j.prm.iterate.phase;

import com.google.gson.JsonObject;
import com.google.gson.JsonParseException;
import io.github.sipf4j.orpo.data.DataFormatException;
import io.github.sipf4j.orpo.data.JsonLines;
import io.github.sipf4j.orpo.util.AtomicFiles;
import java.io.BufferedReader;
import java.io.IOException;
import java.lang.reflect.Type;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collection;
import java.util.List;

/**
 * Where a run keeps its artefacts: the phases' files ({@code iteration-01/samples.jsonl}), their markers, and folders
 * (saved policies, checkpoints). Names are relative, with {@code /} between folders. A file is written whole or not
 * at all, so a run killed at any moment leaves every artefact either complete or absent. {@link LocalArtefactStore}
 * keeps them in a local directory; another store (object storage, say) implements the same methods.
 *
 * <p>The default methods read and write JSON and JSON lines on top of {@link #writeText} and {@link #reader}; a
 * malformed line fails with a {@link DataFormatException} naming the artefact's {@link #location}, the line and the
 * column.
 */
public interface ArtefactStore {

  /**
   * Returns where an artefact is, for messages and for code that reads or writes it as a local file.
   *
   * @param name the artefact's name
   * @return its location
   */
  Path location(String name);

  /**
   * Tells whether an artefact exists.
   *
   * @param name the artefact's name
   * @return true when it exists (a file, or a folder)
   * @throws IOException if the store cannot be read
   */
  boolean exists(String name) throws IOException;

  /**
   * Writes a text artefact in UTF-8, replacing it atomically.
   *
   * @param name the artefact's name
   * @param body writes the text
   * @throws IOException if writing fails (the artefact is then unchanged)
   */
  void writeText(String name, AtomicFiles.TextBody body) throws IOException;

  /**
   * Opens a text artefact for reading.
   *
   * @param name the artefact's name
   * @return a UTF-8 reader; the caller closes it
   * @throws IOException if it does not exist or cannot be read
   */
  BufferedReader reader(String name) throws IOException;

  /**
   * Returns a local directory for a folder artefact that code writes as files (trainer checkpoints), created when
   * missing.
   *
   * @param name the folder's name
   * @return the directory
   * @throws IOException if it cannot be created
   */
  Path directory(String name) throws IOException;

  /**
   * Replaces a folder artefact atomically with what {@code body} writes into a fresh, empty local directory.
   *
   * @param name the folder's name
   * @param body writes the folder's files
   * @throws IOException if writing fails (the artefact is then unchanged)
   */
  void writeDirectory(String name, DirectoryBody body) throws IOException;

  /** Writes the files of a folder artefact. */
  @FunctionalInterface
  interface DirectoryBody {

    /**
     * Writes the files.
     *
     * @param dir a fresh, empty local directory
     * @throws IOException if writing fails
     */
    void writeTo(Path dir) throws IOException;
  }

  /**
   * Writes records as JSON lines, one object per line.
   *
   * @param name the artefact's name
   * @param records the records (serialised by field, in declaration order)
   * @throws IOException if writing fails
   */
  default void writeLines(String name, Collection<?> records) throws IOException {
    writeText(name, w -> {
      for (Object r : records) {
        w.write(Json.GSON.toJson(r));
        w.write('\n');
      }
    });
  }

  /**
   * Reads JSON lines into records.
   *
   * @param name the artefact's name
   * @param type the record class
   * @param <T> the record type
   * @return the records, in order
   * @throws IOException if the artefact cannot be read
   * @throws DataFormatException at the first line that is not such a record
   */
  default <T> List<T> readLines(String name, Class<T> type) throws IOException {
    Path where = location(name);
    List<T> out = new ArrayList<>();
    try (BufferedReader in = reader(name)) {
      JsonLines.forEachLine(in, (line, text) -> out.add(JsonLines.read(Json.GSON, where, line, text, type)));
    }
    return out;
  }

  /**
   * Writes a value as pretty-printed JSON.
   *
   * @param name the artefact's name
   * @param value the value
   * @throws IOException if writing fails
   */
  default void writeJson(String name, Object value) throws IOException {
    String text = Json.PRETTY.toJson(value) + "\n";
    writeText(name, w -> w.write(text));
  }

  /**
   * Reads a JSON object.
   *
   * @param name the artefact's name
   * @return the object
   * @throws IOException if the artefact cannot be read
   * @throws DataFormatException if it is empty or not a JSON object
   */
  default JsonObject readJson(String name) throws IOException {
    return readJson(name, JsonObject.class);
  }

  /**
   * Reads a JSON value of a type.
   *
   * @param name the artefact's name
   * @param type the value's type
   * @param <T> the value's type
   * @return the value
   * @throws IOException if the artefact cannot be read
   * @throws DataFormatException if it is empty or malformed
   */
  default <T> T readJson(String name, Type type) throws IOException {
    StringBuilder text = new StringBuilder();
    try (BufferedReader in = reader(name)) {
      char[] buf = new char[8192];
      for (int n; (n = in.read(buf)) >= 0; ) {
        text.append(buf, 0, n);
      }
    }
    try {
      T v = Json.GSON.fromJson(text.toString(), type);
      if (v == null) {
        throw new DataFormatException(location(name), 1, null, "the file is empty");
      }
      return v;
    } catch (JsonParseException e) {
      throw new DataFormatException(location(name), 1, null, "cannot be read: " + e.getMessage(), e);
    }
  }
}
