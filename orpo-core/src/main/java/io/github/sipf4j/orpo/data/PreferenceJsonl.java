package io.github.sipf4j.orpo.data;

import com.google.gson.Gson;
import com.google.gson.JsonObject;
import io.github.sipf4j.orpo.util.AtomicFiles;
import java.io.BufferedReader;
import java.io.BufferedWriter;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collection;
import java.util.List;

/**
 * Reads and writes preference pairs as JSON lines in TRL's explicit-prompt format, one object per line:
 * {@code {"prompt": "...", "chosen": "...", "rejected": "..."}}. Blank lines are skipped; other keys are ignored.
 * Every malformed line fails with a {@link DataFormatException} naming the file, the line and the field.
 */
public final class PreferenceJsonl {

  private static final Gson GSON = new Gson();
  private static final String[] FIELDS = {"prompt", "chosen", "rejected"};

  private PreferenceJsonl() {}

  /**
   * Reads a file.
   *
   * @param file the JSON-lines file
   * @return the pairs in file order
   * @throws DataFormatException if a line is not an object with three string fields
   * @throws IOException if the file cannot be read
   */
  public static List<PreferencePair> read(Path file) throws IOException {
    try (BufferedReader in = Files.newBufferedReader(file, StandardCharsets.UTF_8)) {
      return read(in, file);
    }
  }

  /**
   * Reads pairs from a reader.
   *
   * @param in the reader, at the start of the file; the caller closes it
   * @param file the file it reads, for messages
   * @return the pairs in file order
   * @throws DataFormatException if a line is not an object with three string fields
   * @throws IOException if reading fails
   */
  public static List<PreferencePair> read(BufferedReader in, Path file) throws IOException {
    List<PreferencePair> out = new ArrayList<>();
    JsonLines.forEachLine(in, (number, line) -> out.add(parse(file, number, line)));
    return out;
  }

  static PreferencePair parse(Path file, long number, String line) {
    JsonObject o = JsonLines.object(file, number, line);
    String[] values = new String[FIELDS.length];
    for (int i = 0; i < FIELDS.length; i++) {
      values[i] = JsonLines.string(file, number, o, FIELDS[i]);
    }
    return new PreferencePair(values[0], values[1], values[2]);
  }

  /**
   * Writes pairs, replacing the file atomically.
   *
   * @param file the target file
   * @param pairs the pairs
   * @throws IOException if writing fails
   */
  public static void write(Path file, Collection<PreferencePair> pairs) throws IOException {
    AtomicFiles.writeText(file, out -> write(out, pairs));
  }

  /**
   * Writes pairs to a writer, one line each.
   *
   * @param out the writer; the caller closes it
   * @param pairs the pairs
   * @throws IOException if writing fails
   */
  public static void write(BufferedWriter out, Collection<PreferencePair> pairs) throws IOException {
    for (PreferencePair p : pairs) {
      JsonObject o = new JsonObject();
      o.addProperty("prompt", p.prompt());
      o.addProperty("chosen", p.chosen());
      o.addProperty("rejected", p.rejected());
      out.write(GSON.toJson(o));
      out.newLine();
    }
  }
}
