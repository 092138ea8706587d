package io.github.sipf4j.orpo.data;

import com.google.gson.Gson;
import com.google.gson.JsonElement;
import com.google.gson.JsonObject;
import com.google.gson.JsonParseException;
import com.google.gson.JsonParser;
import java.io.BufferedReader;
import java.io.IOException;
import java.nio.file.Path;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Reading JSON lines, shared by every JSON-lines reader of sipf4j (preference pairs, stepwise labels, data sets, the
 * files of a run): each problem is reported as a {@link DataFormatException} with the file, the line of the file and
 * the field, and a malformed line also with the column in that line.
 *
 * <p>Why this exists: Gson parses one line at a time and counts from it, so its own message ("Unterminated object at
 * line 1 column 81 path $.chosen") reads as if the fault were on the file's first line. {@link #parse} turns it into
 * {@code train.jsonl:17: field '<record>': malformed JSON at column 81 (at $.chosen): Unterminated object}.
 *
 * <pre>{@code
 * try (BufferedReader in = Files.newBufferedReader(file)) {
 *   JsonLines.forEachLine(in, (line, text) -> {
 *     JsonObject o = JsonLines.object(file, line, text);
 *     String prompt = JsonLines.string(file, line, o, "prompt");
 *   });
 * }
 * }</pre>
 */
public final class JsonLines {

  /** Gson's location suffix: {@code at line L column C path P}. */
  private static final Pattern LOCATION = Pattern.compile("\\s*at line (\\d+) column (\\d+)(?: path (\\S+))?");

  private JsonLines() {}

  /** Receives the non-blank lines of a file. */
  @FunctionalInterface
  public interface LineHandler {

    /**
     * Handles one line.
     *
     * @param line the 1-based number of the line in its file
     * @param text the line, without its terminator (and without a byte order mark on line 1)
     * @throws IOException to stop reading with an error
     */
    void accept(long line, String text) throws IOException;
  }

  /**
   * Reads lines to the end, skipping blank ones and a UTF-8 byte order mark at the start of the file.
   *
   * @param in the reader, positioned at the start of the file; the caller closes it
   * @param handler receives every non-blank line with its number
   * @throws IOException if reading fails or the handler throws it
   */
  public static void forEachLine(BufferedReader in, LineHandler handler) throws IOException {
    String text;
    long line = 0;
    while ((text = in.readLine()) != null) {
      line++;
      if (line == 1 && text.startsWith("\uFEFF")) {
        text = text.substring(1);
      }
      if (!text.isBlank()) {
        handler.accept(line, text);
      }
    }
  }

  /**
   * Parses one line as a JSON value.
   *
   * @param file the file, for messages
   * @param line the 1-based line number in the file, for messages
   * @param text the line
   * @return the value
   * @throws DataFormatException if the line is not valid JSON; the message names the column in the line
   */
  public static JsonElement parse(Path file, long line, String text) {
    try {
      return JsonParser.parseString(text);
    } catch (JsonParseException e) {
      throw new DataFormatException(file, line, null, "malformed JSON" + describe(e), e);
    }
  }

  /**
   * Parses one line as a JSON object.
   *
   * @param file the file, for messages
   * @param line the 1-based line number, for messages
   * @param text the line
   * @return the object
   * @throws DataFormatException if the line is not valid JSON or not an object
   */
  public static JsonObject object(Path file, long line, String text) {
    JsonElement e = parse(file, line, text);
    if (!e.isJsonObject()) {
      throw new DataFormatException(file, line, null, "expected a JSON object, got " + abbreviate(text));
    }
    return e.getAsJsonObject();
  }

  /**
   * Parses one line into a value of a class (a record, say) with the given Gson.
   *
   * @param gson the Gson instance that knows the class
   * @param file the file, for messages
   * @param line the 1-based line number, for messages
   * @param text the line
   * @param type the class of the value
   * @param <T> the type of the value
   * @return the value
   * @throws DataFormatException if the line is not valid JSON, not an object, or does not fit the class
   */
  public static <T> T read(Gson gson, Path file, long line, String text, Class<T> type) {
    JsonObject o = object(file, line, text);
    try {
      T v = gson.fromJson(o, type);
      if (v == null) {
        throw new DataFormatException(file, line, null, "empty " + type.getSimpleName() + " record");
      }
      return v;
    } catch (JsonParseException | IllegalArgumentException | IllegalStateException | NullPointerException e) {
      throw new DataFormatException(file, line, null, "cannot be read as a " + type.getSimpleName() + ": "
          + rootMessage(e), e);
    }
  }

  /**
   * Reads a required string field.
   *
   * @param file the file, for messages
   * @param line the 1-based line number, for messages
   * @param o the record
   * @param field the field name
   * @return the string
   * @throws DataFormatException if the field is missing, null or not a string
   */
  public static String string(Path file, long line, JsonObject o, String field) {
    JsonElement v = o.get(field);
    if (v == null || v.isJsonNull()) {
      throw new DataFormatException(file, line, field, "missing");
    }
    if (!v.isJsonPrimitive() || !v.getAsJsonPrimitive().isString()) {
      throw new DataFormatException(file, line, field, "expected a string, got " + abbreviate(v.toString()));
    }
    return v.getAsString();
  }

  /**
   * Describes where in a line Gson stopped and why, for a message that already names the file and the line.
   *
   * @param e Gson's exception for one line
   * @return {@code " at column C (at PATH): REASON"}, or {@code ": REASON"} when Gson gave no position
   */
  public static String describe(JsonParseException e) {
    String message = rootMessage(e);
    Matcher m = LOCATION.matcher(message);
    String reason = m.find() ? (message.substring(0, m.start()) + message.substring(m.end())).strip() : message;
    if (reason.startsWith("Use JsonReader.setStrictness")) {
      reason = "text that is not JSON";
    }
    if (m.find(0)) {
      String path = m.group(3);
      return " at column " + m.group(2) + (path == null || path.equals("$") ? "" : " (at " + path + ")") + ": "
          + reason;
    }
    return ": " + reason;
  }

  /**
   * Shortens a value for an error message.
   *
   * @param s the text
   * @return at most 40 characters of it
   */
  public static String abbreviate(String s) {
    return s.length() <= 40 ? s : s.substring(0, 37) + "...";
  }

  /** The innermost message, without Gson's troubleshooting link. */
  private static String rootMessage(Throwable e) {
    Throwable t = e;
    while (t.getCause() != null && t.getCause() != t) {
      t = t.getCause();
    }
    String m = t.getMessage() == null ? t.getClass().getSimpleName() : t.getMessage();
    int cut = m.indexOf("\nSee https");
    return cut > 0 ? m.substring(0, cut) : m;
  }
}
