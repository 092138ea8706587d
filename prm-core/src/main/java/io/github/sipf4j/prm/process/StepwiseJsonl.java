package io.github.sipf4j.prm.process;

import com.google.gson.Gson;
import com.google.gson.GsonBuilder;
import com.google.gson.JsonArray;
import com.google.gson.JsonElement;
import com.google.gson.JsonObject;
import com.google.gson.JsonPrimitive;
import io.github.sipf4j.orpo.data.DataFormatException;
import io.github.sipf4j.orpo.data.JsonLines;
import io.github.sipf4j.orpo.util.AtomicFiles;
import java.io.BufferedReader;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collection;
import java.util.List;

/**
 * Reads and writes TRL's stepwise-supervision format as JSON lines, one rationale per line:
 * {@code {"prompt": "...", "completions": ["step 1", "step 2"], "labels": [true, false]}}. Labels are booleans (TRL)
 * or numbers in [0, 1] (soft labels); a record may mix them. Blank lines are skipped and other keys ignored. Every
 * malformed record fails with a {@link DataFormatException} naming the file, the line and the field.
 *
 * <p>Writing uses booleans for a record whose labels are all exactly 0 or 1 (so TRL reads it unchanged) and numbers
 * otherwise; numbers are written in full precision, so reading back gives identical values.
 */
public final class StepwiseJsonl {

  /** Receives the records of a file one at a time. */
  @FunctionalInterface
  public interface RecordSink {

    /**
     * Accepts one record.
     *
     * @param line the 1-based line number of the record
     * @param record the record
     * @throws IOException to stop reading with an error
     */
    void accept(long line, LabeledRationale record) throws IOException;
  }

  private static final Gson GSON = new GsonBuilder().disableHtmlEscaping().create();

  private StepwiseJsonl() {}

  /**
   * Reads a whole file into memory.
   *
   * @param file the JSON-lines file
   * @return the records in file order
   * @throws DataFormatException at the first malformed record
   * @throws IOException if the file cannot be read
   */
  public static List<LabeledRationale> read(Path file) throws IOException {
    List<LabeledRationale> out = new ArrayList<>();
    forEach(file, (line, r) -> out.add(r));
    return out;
  }

  /**
   * Streams a file record by record, holding one line in memory at a time.
   *
   * @param file the JSON-lines file
   * @param sink receives every record in file order
   * @throws DataFormatException at the first malformed record (records before it have been delivered)
   * @throws IOException if the file cannot be read or the sink fails
   */
  public static void forEach(Path file, RecordSink sink) throws IOException {
    try (BufferedReader in = Files.newBufferedReader(file, StandardCharsets.UTF_8)) {
      JsonLines.forEachLine(in, (number, line) -> sink.accept(number, parse(file, number, line)));
    }
  }

  /**
   * Parses one line.
   *
   * @param file the file, for messages
   * @param number the 1-based line number, for messages
   * @param line the line
   * @return the record
   * @throws DataFormatException if the line is not a valid record
   */
  static LabeledRationale parse(Path file, long number, String line) throws DataFormatException {
    JsonObject o = JsonLines.object(file, number, line);
    String prompt = JsonLines.string(file, number, o, "prompt");
    JsonArray completions = array(file, number, o, "completions");
    JsonArray labels = array(file, number, o, "labels");
    if (completions.isEmpty()) {
      throw new DataFormatException(file, number, "completions", "empty: a rationale needs at least one step",
          null);
    }
    if (completions.size() != labels.size()) {
      throw new DataFormatException(file, number, "labels", "has " + labels.size() + " entries but completions has "
          + completions.size(), null);
    }
    List<String> steps = new ArrayList<>(completions.size());
    for (int i = 0; i < completions.size(); i++) {
      JsonElement s = completions.get(i);
      if (!isString(s)) {
        throw new DataFormatException(file, number, "completions[" + i + "]", "expected a string, got "
            + JsonLines.abbreviate(s.toString()), null);
      }
      steps.add(s.getAsString());
    }
    double[] values = new double[labels.size()];
    for (int i = 0; i < labels.size(); i++) {
      JsonElement l = labels.get(i);
      String field = "labels[" + i + "]";
      if (!l.isJsonPrimitive()) {
        throw new DataFormatException(file, number, field, "expected a boolean or a number in [0, 1], got "
            + JsonLines.abbreviate(l.toString()), null);
      }
      JsonPrimitive v = l.getAsJsonPrimitive();
      if (v.isBoolean()) {
        values[i] = v.getAsBoolean() ? 1.0 : 0.0;
      } else if (v.isNumber()) {
        values[i] = v.getAsDouble();
        if (!(values[i] >= 0 && values[i] <= 1)) {
          throw new DataFormatException(file, number, field, "label " + v + " is outside [0, 1]", null);
        }
      } else {
        throw new DataFormatException(file, number, field, "expected a boolean or a number in [0, 1], got "
            + JsonLines.abbreviate(l.toString()), null);
      }
    }
    return new LabeledRationale(prompt, steps, values);
  }

  private static JsonArray array(Path file, long number, JsonObject o, String field) throws DataFormatException {
    JsonElement e = o.get(field);
    if (e == null || e.isJsonNull()) {
      throw new DataFormatException(file, number, field, "missing", null);
    }
    if (!e.isJsonArray()) {
      throw new DataFormatException(file, number, field, "expected an array, got "
          + JsonLines.abbreviate(e.toString()), null);
    }
    return e.getAsJsonArray();
  }

  private static boolean isString(JsonElement e) {
    return e.isJsonPrimitive() && e.getAsJsonPrimitive().isString();
  }

  /**
   * Writes records, replacing the file atomically.
   *
   * @param file the target file
   * @param records the records
   * @throws IOException if writing fails
   */
  public static void write(Path file, Collection<LabeledRationale> records) throws IOException {
    AtomicFiles.writeText(file, out -> {
      for (LabeledRationale r : records) {
        out.write(GSON.toJson(toJson(r)));
        out.newLine();
      }
    });
  }

  /**
   * Returns the JSON object of one record.
   *
   * @param r the record
   * @return {@code {"prompt", "completions", "labels"}}
   */
  static JsonObject toJson(LabeledRationale r) {
    JsonObject o = new JsonObject();
    o.addProperty("prompt", r.prompt());
    JsonArray steps = new JsonArray();
    r.steps().forEach(steps::add);
    o.add("completions", steps);
    JsonArray labels = new JsonArray();
    boolean hard = r.hasHardLabels();
    for (int i = 0; i < r.steps().size(); i++) {
      if (hard) {
        labels.add(r.label(i) == 1.0);
      } else {
        labels.add(r.label(i));
      }
    }
    o.add("labels", labels);
    return o;
  }

}
