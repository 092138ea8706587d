package io.github.sipf4j.prm.data;

import com.google.gson.JsonElement;
import com.google.gson.JsonParseException;
import com.google.gson.JsonParser;
import io.github.sipf4j.orpo.data.DataFormatException;
import io.github.sipf4j.prm.task.TaskSet;
import java.io.BufferedReader;
import java.io.IOException;
import java.nio.file.Path;
import java.util.Locale;

/**
 * Loads a code benchmark file of either supported kind, detected from its name and content: a JSON array ({@code
 * sanitized-mbpp.json}) or JSONL records without {@code entry_point} ({@code mbpp.jsonl}) are MBPP; a name
 * containing "humaneval" or JSONL records with {@code entry_point} ({@code HumanEval.jsonl.gz}) are HumanEval.
 */
public final class CodeDatasets {
  private CodeDatasets() {}

  /** The kinds of code benchmark files. */
  public enum Kind {
    /** MBPP, original JSONL or sanitized JSON array. */
    MBPP,
    /** HumanEval JSONL, gzipped or not. */
    HUMAN_EVAL
  }

  /**
   * Detects the kind of a code benchmark file.
   *
   * @param file the file
   * @return its kind
   * @throws IOException when the file cannot be read
   */
  public static Kind detect(Path file) throws IOException {
    if (file.getFileName().toString().toLowerCase(Locale.ROOT).contains("humaneval")) {
      return Kind.HUMAN_EVAL;
    }
    try (BufferedReader r = DatasetFiles.open(file)) {
      String line;
      while ((line = r.readLine()) != null) {
        String s = line.strip().replace("\uFEFF", "");
        if (s.isEmpty()) {
          continue;
        }
        if (s.startsWith("[")) {
          return Kind.MBPP;
        }
        try {
          JsonElement e = JsonParser.parseString(s);
          return e.isJsonObject() && e.getAsJsonObject().has("entry_point") ? Kind.HUMAN_EVAL : Kind.MBPP;
        } catch (JsonParseException e) {
          return Kind.MBPP;
        }
      }
    }
    return Kind.MBPP;
  }

  /**
   * Loads a code benchmark file of either kind.
   *
   * @param file the file
   * @return the tasks
   * @throws IOException when the file cannot be read
   * @throws DataFormatException on the first bad record
   */
  public static TaskSet load(Path file) throws IOException {
    return detect(file) == Kind.HUMAN_EVAL ? HumanEvalLoader.load(file) : MbppLoader.load(file);
  }
}
