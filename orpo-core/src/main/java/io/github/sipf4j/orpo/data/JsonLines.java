package io.github.sipf4j.orpo.data;

import com.google.gson.JsonElement;
import com.google.gson.JsonObject;
import com.google.gson.JsonParseException;
import com.google.gson.JsonParser;
import java.nio.file.Path;

/** Validation shared by the JSON-lines readers: each problem is reported with its file, line and field. */
public final class JsonLines {

  private JsonLines() {}

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
    try {
      JsonElement e = JsonParser.parseString(text);
      if (!e.isJsonObject()) {
        throw new DataFormatException(file, line, null, "expected a JSON object, got " + abbreviate(text));
      }
      return e.getAsJsonObject();
    } catch (JsonParseException e) {
      throw new DataFormatException(file, line, null, "malformed JSON: " + e.getMessage(), e);
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
   * Shortens a value for an error message.
   *
   * @param s the text
   * @return at most 40 characters of it
   */
  public static String abbreviate(String s) {
    return s.length() <= 40 ? s : s.substring(0, 37) + "...";
  }
}
