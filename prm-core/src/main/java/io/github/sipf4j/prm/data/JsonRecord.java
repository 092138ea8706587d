package io.github.sipf4j.prm.data;

import com.google.gson.JsonArray;
import com.google.gson.JsonElement;
import com.google.gson.JsonObject;
import com.google.gson.JsonPrimitive;
import io.github.sipf4j.orpo.data.DataFormatException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/** One JSON object of a data set file with typed, validating field access. */
final class JsonRecord {
  private final Path file;
  private final long line;
  private final JsonObject object;

  JsonRecord(Path file, long line, JsonElement element) {
    this.file = file;
    this.line = line;
    if (element == null || !element.isJsonObject()) {
      throw new DataFormatException(file, line, DataFormatException.RECORD, "expected a JSON object");
    }
    this.object = element.getAsJsonObject();
  }

  long line() {
    return line;
  }

  DataFormatException error(String field, String problem) {
    return new DataFormatException(file, line, field, problem);
  }

  String string(String field) {
    JsonElement e = object.get(field);
    if (e == null || e.isJsonNull()) {
      throw error(field, "missing");
    }
    if (!e.isJsonPrimitive() || !e.getAsJsonPrimitive().isString()) {
      throw error(field, "expected a string, found " + kind(e));
    }
    return e.getAsString();
  }

  String nonBlankString(String field) {
    String s = string(field);
    if (s.isBlank()) {
      throw error(field, "is empty");
    }
    return s;
  }

  String optionalString(String field, String fallback) {
    return object.has(field) && !object.get(field).isJsonNull() ? string(field) : fallback;
  }

  /** An identifier written as a JSON string or integer. */
  String id(String field) {
    JsonElement e = object.get(field);
    if (e == null || e.isJsonNull()) {
      throw error(field, "missing");
    }
    if (e.isJsonPrimitive()) {
      JsonPrimitive p = e.getAsJsonPrimitive();
      if (p.isString() && !p.getAsString().isBlank()) {
        return p.getAsString();
      }
      if (p.isNumber()) {
        try {
          return Long.toString(p.getAsBigDecimal().longValueExact());
        } catch (ArithmeticException ex) {
          throw error(field, "expected an integer, found " + p);
        }
      }
    }
    throw error(field, "expected a string or an integer, found " + kind(e));
  }

  List<String> stringList(String field) {
    JsonElement e = object.get(field);
    if (e == null || e.isJsonNull()) {
      throw error(field, "missing");
    }
    return toList(field, e);
  }

  List<String> optionalStringList(String field) {
    JsonElement e = object.get(field);
    return e == null || e.isJsonNull() ? List.of() : toList(field, e);
  }

  private List<String> toList(String field, JsonElement e) {
    if (!e.isJsonArray()) {
      throw error(field, "expected an array of strings, found " + kind(e));
    }
    JsonArray a = e.getAsJsonArray();
    List<String> out = new ArrayList<>(a.size());
    for (int i = 0; i < a.size(); i++) {
      JsonElement x = a.get(i);
      if (!x.isJsonPrimitive() || !x.getAsJsonPrimitive().isString()) {
        throw error(field, "element " + i + ": expected a string, found " + kind(x));
      }
      out.add(x.getAsString());
    }
    return out;
  }

  private static String kind(JsonElement e) {
    if (e.isJsonNull()) {
      return "null";
    }
    if (e.isJsonArray()) {
      return "an array";
    }
    if (e.isJsonObject()) {
      return "an object";
    }
    JsonPrimitive p = e.getAsJsonPrimitive();
    return p.isNumber() ? "a number" : p.isBoolean() ? "a boolean" : "a string";
  }
}
