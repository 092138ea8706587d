package io.github.sipf4j.prm.data;

import io.github.sipf4j.orpo.data.DataFormatException;
import io.github.sipf4j.prm.task.ReasoningTask;
import io.github.sipf4j.prm.task.TaskSet;
import io.github.sipf4j.prm.verify.Answers;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.OptionalDouble;
import java.util.concurrent.atomic.AtomicLong;
import java.util.regex.Pattern;
import java.util.stream.Collectors;
import java.util.stream.Stream;

/**
 * Loads GSM8K JSONL ({@code {"question": ..., "answer": "step\nstep\n#### 72"}}) into {@link
 * io.github.sipf4j.prm.task.VerifierKind#NUMERIC} tasks. The reference answer is the text after the last {@code
 * ####} with thousands separators removed; the gold steps are the non-blank lines before it, with the {@code
 * <<48/2=24>>} calculator annotations removed unless {@link #keepingAnnotations()} is used. Task ids are {@code
 * <file name without extension>/<record index>}, for example {@code train/0}.
 *
 * <pre>{@code
 * TaskSet train = Gsm8kLoader.standard().load(Path.of("../shared/datasets/gsm8k/train.jsonl"));
 * }</pre>
 */
public final class Gsm8kLoader {
  private static final Pattern ANNOTATION = Pattern.compile("<<[^<>]*>>");
  private final boolean keepAnnotations;

  private Gsm8kLoader(boolean keepAnnotations) {
    this.keepAnnotations = keepAnnotations;
  }

  /**
   * A loader that strips calculator annotations from the steps.
   *
   * @return the loader
   */
  public static Gsm8kLoader standard() {
    return new Gsm8kLoader(false);
  }

  /**
   * A loader that keeps calculator annotations in the steps.
   *
   * @return the loader
   */
  public static Gsm8kLoader keepingAnnotations() {
    return new Gsm8kLoader(true);
  }

  /**
   * Streams the tasks of a file, validating each record as it is read; close the stream when done.
   *
   * @param file a GSM8K JSONL file, optionally gzipped
   * @return the tasks in file order
   * @throws DataFormatException on the first bad record
   */
  public Stream<ReasoningTask> stream(Path file) {
    String base = baseName(file);
    AtomicLong index = new AtomicLong();
    return DatasetFiles.jsonl(file, r -> toTask(r, base + "/" + index.getAndIncrement(), file));
  }

  /**
   * Loads a whole file.
   *
   * @param file a GSM8K JSONL file, optionally gzipped
   * @return the tasks, named after the file
   * @throws IOException when the file cannot be read
   * @throws DataFormatException on the first bad record
   */
  public TaskSet load(Path file) throws IOException {
    try (Stream<ReasoningTask> s = stream(file)) {
      return new TaskSet(file.getFileName().toString(), s.collect(Collectors.toList()));
    } catch (UncheckedIOException e) {
      throw e.getCause();
    }
  }

  private ReasoningTask toTask(JsonRecord r, String id, Path file) {
    String question = r.nonBlankString("question");
    String answer = r.nonBlankString("answer");
    int mark = answer.lastIndexOf("####");
    if (mark < 0) {
      throw r.error("answer", "has no final '#### <answer>' line");
    }
    String fin = answer.substring(mark + 4).strip();
    if (fin.isEmpty() || fin.contains("\n")) {
      throw r.error("answer", "the '####' line holds no single answer");
    }
    List<String> steps = new ArrayList<>();
    for (String line : answer.substring(0, mark).split("\n")) {
      String s = keepAnnotations ? line : ANNOTATION.matcher(line).replaceAll("");
      if (!s.isBlank()) {
        steps.add(s.strip());
      }
    }
    return ReasoningTask.numeric(id, question, normalizeFinal(fin), steps)
        .withMetadata("source", file.getFileName().toString())
        .withMetadata("line", Long.toString(r.line()));
  }

  /** Numbers lose thousands separators and a trailing {@code .0}; words stay as written. */
  static String normalizeFinal(String fin) {
    OptionalDouble v = Answers.parseNumber(fin);
    return v.isPresent() ? Answers.canonical(v.getAsDouble()) : fin;
  }

  static String baseName(Path file) {
    String name = file.getFileName().toString();
    for (String ext : new String[] {".gz", ".jsonl", ".json", ".csv"}) {
      if (name.endsWith(ext)) {
        name = name.substring(0, name.length() - ext.length());
      }
    }
    return name;
  }
}
