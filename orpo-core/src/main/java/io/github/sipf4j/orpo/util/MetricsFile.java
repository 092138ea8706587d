package io.github.sipf4j.orpo.util;

import com.google.gson.Gson;
import com.google.gson.GsonBuilder;
import java.io.BufferedWriter;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Writes metric rows to {@code NAME.csv} and {@code NAME.jsonl} side by side, flushing every row so that a crash loses
 * nothing written. The CSV header is the keys of the first row; later rows are written in that column order (a
 * missing value is an empty cell). {@link #openResuming} keeps the rows of an earlier run whose {@code step} is below
 * the resume point and drops the rest, so a resumed run does not duplicate rows.
 */
public final class MetricsFile implements AutoCloseable {

  private static final Gson GSON = new GsonBuilder().serializeSpecialFloatingPointValues().create();

  private final Path csv;
  private final Path jsonl;
  private final BufferedWriter csvOut;
  private final BufferedWriter jsonOut;
  private List<String> columns;

  private MetricsFile(Path dir, String name, boolean append, List<String> columns) throws IOException {
    Files.createDirectories(dir);
    this.csv = dir.resolve(name + ".csv");
    this.jsonl = dir.resolve(name + ".jsonl");
    StandardOpenOption mode = append ? StandardOpenOption.APPEND : StandardOpenOption.TRUNCATE_EXISTING;
    this.csvOut = Files.newBufferedWriter(csv, StandardCharsets.UTF_8, StandardOpenOption.CREATE, mode,
        StandardOpenOption.WRITE);
    this.jsonOut = Files.newBufferedWriter(jsonl, StandardCharsets.UTF_8, StandardOpenOption.CREATE, mode,
        StandardOpenOption.WRITE);
    this.columns = columns;
  }

  /**
   * Creates (or truncates) {@code dir/NAME.csv} and {@code dir/NAME.jsonl}.
   *
   * @param dir the directory
   * @param name the base name
   * @return the writer
   * @throws IOException if the files cannot be created
   */
  public static MetricsFile create(Path dir, String name) throws IOException {
    return new MetricsFile(dir, name, false, null);
  }

  /**
   * Opens the files of an earlier run, keeping only the rows whose {@code step} column is below {@code
   * resumeStep}.
   *
   * @param dir the directory
   * @param name the base name
   * @param resumeStep the first step the resumed run will write
   * @return the writer, appending after the kept rows
   * @throws IOException if the files cannot be read or written
   */
  public static MetricsFile openResuming(Path dir, String name, long resumeStep) throws IOException {
    Path csv = dir.resolve(name + ".csv");
    Path jsonl = dir.resolve(name + ".jsonl");
    if (!Files.exists(csv) || !Files.exists(jsonl)) {
      return create(dir, name);
    }
    List<String> csvLines = Files.readAllLines(csv, StandardCharsets.UTF_8);
    List<String> columns = null;
    List<String> keptCsv = new ArrayList<>();
    if (!csvLines.isEmpty()) {
      columns = List.of(csvLines.get(0).split(",", -1));
      int stepCol = columns.indexOf("step");
      keptCsv.add(csvLines.get(0));
      for (String line : csvLines.subList(1, csvLines.size())) {
        String[] cells = line.split(",", -1);
        if (stepCol < 0 || (cells.length > stepCol && parseStep(cells[stepCol]) < resumeStep)) {
          keptCsv.add(line);
        }
      }
    }
    List<String> keptJson = new ArrayList<>();
    for (String line : Files.readAllLines(jsonl, StandardCharsets.UTF_8)) {
      try {
        Map<?, ?> row = GSON.fromJson(line, Map.class);
        Object step = row == null ? null : row.get("step");
        if (step == null || ((Number) step).longValue() < resumeStep) {
          keptJson.add(line);
        }
      } catch (RuntimeException e) {
        // A torn last line from a crash: drop it.
      }
    }
    Files.write(csv, keptCsv, StandardCharsets.UTF_8);
    Files.write(jsonl, keptJson, StandardCharsets.UTF_8);
    return new MetricsFile(dir, name, true, columns);
  }

  private static long parseStep(String s) {
    try {
      return (long) Double.parseDouble(s);
    } catch (NumberFormatException e) {
      return Long.MAX_VALUE;
    }
  }

  /**
   * Appends a row to both files and flushes them.
   *
   * @param row the values by column name (numbers, strings or booleans)
   */
  public synchronized void write(Map<String, ?> row) {
    try {
      if (columns == null) {
        columns = new ArrayList<>(row.keySet());
        csvOut.write(String.join(",", columns));
        csvOut.newLine();
      }
      List<String> cells = new ArrayList<>(columns.size());
      for (String c : columns) {
        Object v = row.get(c);
        cells.add(v == null ? "" : String.valueOf(v).replace(',', ';').replace('\n', ' '));
      }
      csvOut.write(String.join(",", cells));
      csvOut.newLine();
      csvOut.flush();
      jsonOut.write(GSON.toJson(new LinkedHashMap<>(row)));
      jsonOut.newLine();
      jsonOut.flush();
    } catch (IOException e) {
      throw new UncheckedIOException("cannot write metrics to " + csv, e);
    }
  }

  /**
   * Returns the CSV file.
   *
   * @return the path of {@code NAME.csv}
   */
  public Path csvFile() {
    return csv;
  }

  /**
   * Returns the JSON-lines file.
   *
   * @return the path of {@code NAME.jsonl}
   */
  public Path jsonlFile() {
    return jsonl;
  }

  /** Closes both files. */
  @Override
  public synchronized void close() {
    try {
      csvOut.close();
      jsonOut.close();
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }
}
