package io.github.sipf4j.prm.data;

import io.github.sipf4j.orpo.data.DataFormatException;
import io.github.sipf4j.prm.task.ReasoningTask;
import io.github.sipf4j.prm.task.TaskSet;
import io.github.sipf4j.prm.verify.Answers;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.NoSuchElementException;
import java.util.OptionalDouble;
import java.util.Spliterator;
import java.util.Spliterators;
import java.util.stream.Collectors;
import java.util.stream.Stream;
import java.util.stream.StreamSupport;
import org.apache.commons.csv.CSVFormat;
import org.apache.commons.csv.CSVParser;
import org.apache.commons.csv.CSVRecord;

/**
 * Loads MMLU CSV files (headless; columns question, A, B, C, D, answer letter; fields may hold commas and line
 * breaks) in one of two modes:
 *
 * <ul>
 *   <li>{@link #multipleChoice()}: every question becomes a {@link
 *       io.github.sipf4j.prm.task.VerifierKind#MULTIPLE_CHOICE} task whose prompt lists the options as {@code (A)
 *       ...} lines and whose answer is the letter;
 *   <li>{@link #numericOnly()}: the SIPF variant; only questions whose correct option is a number ({@code 4},
 *       {@code $22}, {@code -0.5}, {@code 3/4}) are kept, as {@link io.github.sipf4j.prm.task.VerifierKind#NUMERIC}
 *       tasks whose prompt is the question alone and whose answer is that number.
 * </ul>
 *
 * <p>Task ids are {@code mmlu/<subject>/<split>/<row index>} with the subject and split taken from file names such
 * as {@code elementary_mathematics_val.csv}.
 */
public final class MmluLoader {
  private static final String[] COLUMNS = {"question", "A", "B", "C", "D", "answer"};
  private static final CSVFormat FORMAT = CSVFormat.RFC4180.builder().setIgnoreEmptyLines(true).get();
  private final boolean numericOnly;

  private MmluLoader(boolean numericOnly) {
    this.numericOnly = numericOnly;
  }

  /**
   * A loader that keeps every question as multiple choice.
   *
   * @return the loader
   */
  public static MmluLoader multipleChoice() {
    return new MmluLoader(false);
  }

  /**
   * A loader that keeps only the questions whose correct option is a number, answered numerically.
   *
   * @return the loader
   */
  public static MmluLoader numericOnly() {
    return new MmluLoader(true);
  }

  /**
   * Streams the tasks of one CSV file; close the stream when done.
   *
   * @param file an MMLU CSV file
   * @return the tasks in file order
   * @throws DataFormatException on the first bad row
   */
  public Stream<ReasoningTask> stream(Path file) {
    String base = Gsm8kLoader.baseName(file);
    int cut = base.lastIndexOf('_');
    String subject = cut > 0 ? base.substring(0, cut) : base;
    String split = cut > 0 ? base.substring(cut + 1) : "all";
    CSVParser parser;
    try {
      BufferedReader reader = DatasetFiles.open(file);
      parser = CSVParser.builder().setReader(reader).setFormat(FORMAT).get();
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
    Iterator<CSVRecord> rows = parser.iterator();
    Iterator<ReasoningTask> tasks =
        new Iterator<>() {
          private long endOfPrevious;
          private long index;
          private ReasoningTask next;
          private boolean done;

          @Override
          public boolean hasNext() {
            while (next == null && !done) {
              long start = endOfPrevious + 1;
              CSVRecord row;
              try {
                if (!rows.hasNext()) {
                  done = true;
                  if (index == 0) {
                    throw new DataFormatException(file, 1, DataFormatException.RECORD, "the file holds no rows");
                  }
                  break;
                }
                row = rows.next();
              } catch (UncheckedIOException e) {
                throw new DataFormatException(
                    file, start, DataFormatException.RECORD, "malformed CSV: " + DatasetFiles.rootMessage(e), e);
              }
              endOfPrevious = parser.getCurrentLineNumber();
              long i = index++;
              next = toTask(row, file, start, "mmlu/" + subject + "/" + split + "/" + i, subject);
            }
            return next != null;
          }

          @Override
          public ReasoningTask next() {
            if (!hasNext()) {
              throw new NoSuchElementException();
            }
            ReasoningTask t = next;
            next = null;
            return t;
          }
        };
    return StreamSupport.stream(Spliterators.spliteratorUnknownSize(tasks, Spliterator.ORDERED), false)
        .onClose(
            () -> {
              try {
                parser.close();
              } catch (IOException e) {
                throw new UncheckedIOException(e);
              }
            });
  }

  /** Returns null for a valid row dropped by the numeric filter. */
  private ReasoningTask toTask(CSVRecord row, Path file, long line, String id, String subject) {
    if (row.size() != COLUMNS.length) {
      throw new DataFormatException(
          file, line, DataFormatException.RECORD, "expected 6 columns, found " + row.size());
    }
    for (int c = 0; c < 5; c++) {
      if (row.get(c).isBlank()) {
        throw new DataFormatException(file, line, COLUMNS[c], "is empty");
      }
    }
    String letter = row.get(5).strip();
    if (!letter.matches("[ABCD]")) {
      throw new DataFormatException(file, line, "answer", "expected a letter A-D, found '" + letter + "'");
    }
    String question = row.get(0).strip();
    List<String> choices = List.of(row.get(1).strip(), row.get(2).strip(), row.get(3).strip(), row.get(4).strip());
    ReasoningTask task;
    if (numericOnly) {
      OptionalDouble value = Answers.parseNumber(choices.get(letter.charAt(0) - 'A'));
      if (value.isEmpty()) {
        return null;
      }
      task = ReasoningTask.numeric(id, question, Answers.canonical(value.getAsDouble()), List.of());
    } else {
      StringBuilder prompt = new StringBuilder(question);
      for (int c = 0; c < 4; c++) {
        prompt.append("\n(").append((char) ('A' + c)).append(") ").append(choices.get(c));
      }
      task = ReasoningTask.multipleChoice(id, prompt.toString(), letter, choices);
    }
    return task.withMetadata("source", file.getFileName().toString())
        .withMetadata("line", Long.toString(line))
        .withMetadata("subject", subject);
  }

  /**
   * Loads one CSV file.
   *
   * @param file an MMLU CSV file
   * @return the tasks, named after the file
   * @throws IOException when the file cannot be read
   * @throws DataFormatException on the first bad row
   */
  public TaskSet load(Path file) throws IOException {
    try (Stream<ReasoningTask> s = stream(file)) {
      return new TaskSet(file.getFileName().toString(), s.collect(Collectors.toList()));
    } catch (UncheckedIOException e) {
      throw e.getCause();
    }
  }

  /**
   * Loads every {@code .csv} file under a folder (recursively, in path order) into one task set.
   *
   * @param folder a folder such as {@code mmlu/val}
   * @return the tasks of all files, named after the folder
   * @throws IOException when a file cannot be read
   * @throws DataFormatException on the first bad row
   */
  public TaskSet loadAll(Path folder) throws IOException {
    List<Path> files;
    try (Stream<Path> walk = Files.walk(folder)) {
      files = walk.filter(p -> p.toString().endsWith(".csv")).sorted().collect(Collectors.toList());
    }
    List<ReasoningTask> all = new ArrayList<>();
    for (Path f : files) {
      all.addAll(load(f).tasks());
    }
    return new TaskSet(folder.getFileName().toString(), all);
  }
}
