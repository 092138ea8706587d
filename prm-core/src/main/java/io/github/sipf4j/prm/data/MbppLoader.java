package io.github.sipf4j.prm.data;

import io.github.sipf4j.orpo.data.DataFormatException;
import io.github.sipf4j.prm.task.CodeTests;
import io.github.sipf4j.prm.task.ReasoningTask;
import io.github.sipf4j.prm.task.TaskSet;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Path;
import java.util.List;
import java.util.stream.Collectors;
import java.util.stream.Stream;

/**
 * Loads MBPP into {@link io.github.sipf4j.prm.task.VerifierKind#PYTHON} tasks, from either original format:
 *
 * <ul>
 *   <li>{@code mbpp.jsonl}: one object per line with {@code task_id, text, code, test_list, test_setup_code,
 *       challenge_test_list};
 *   <li>{@code sanitized-mbpp.json}: one JSON array of objects with {@code task_id, prompt, code, test_imports,
 *       test_list} (the line of each record is tracked while streaming).
 * </ul>
 *
 * <p>The task id is {@code Mbpp/<task_id>} (the EvalPlus spelling); the prompt is {@link #prompt(String, List)};
 * the reference answer is the reference program; the tests run the setup code or test imports, then the
 * candidate, then the {@code test_list} asserts ({@code challenge_test_list} is kept in the metadata only as a
 * count, as the standard evaluation ignores it). The format is chosen by content: a file starting with {@code [}
 * is the sanitized array.
 */
public final class MbppLoader {
  /** The prefix of MBPP task ids. */
  public static final String ID_PREFIX = "Mbpp/";

  private MbppLoader() {}

  /**
   * Builds the prompt shown to the model: the description, then the tests it must pass (Austin et al. 2021).
   *
   * @param description the problem statement
   * @param asserts the test asserts
   * @return the prompt
   */
  public static String prompt(String description, List<String> asserts) {
    return description.strip() + "\nYour code should pass these tests:\n" + String.join("\n", asserts);
  }

  /**
   * Streams the tasks of a file in either format; close the stream when done.
   *
   * @param file {@code mbpp.jsonl} or {@code sanitized-mbpp.json} (or any file of the same format)
   * @return the tasks in file order
   * @throws DataFormatException on the first bad record
   */
  public static Stream<ReasoningTask> stream(Path file) {
    boolean array;
    try (var r = DatasetFiles.open(file)) {
      int c;
      do {
        c = r.read();
      } while (c == '\uFEFF' || c != -1 && Character.isWhitespace(c));
      array = c == '[';
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
    return array
        ? DatasetFiles.jsonArray(file, r -> sanitized(r, file))
        : DatasetFiles.jsonl(file, r -> original(r, file));
  }

  /**
   * Loads a whole file in either format.
   *
   * @param file the MBPP file
   * @return the tasks, named after the file
   * @throws IOException when the file cannot be read
   * @throws DataFormatException on the first bad record
   */
  public static TaskSet load(Path file) throws IOException {
    try (Stream<ReasoningTask> s = stream(file)) {
      return new TaskSet(file.getFileName().toString(), s.collect(Collectors.toList()));
    } catch (UncheckedIOException e) {
      throw e.getCause();
    }
  }

  private static ReasoningTask sanitized(JsonRecord r, Path file) {
    String id = r.id("task_id");
    String description = r.nonBlankString("prompt");
    String code = r.nonBlankString("code");
    List<String> imports = r.optionalStringList("test_imports");
    List<String> asserts = nonEmpty(r, "test_list");
    return task(id, description, code, CodeTests.mbpp(imports, asserts), file, r.line(), 0);
  }

  private static ReasoningTask original(JsonRecord r, Path file) {
    String id = r.id("task_id");
    String description = r.nonBlankString("text");
    String code = r.nonBlankString("code");
    String setup = r.optionalString("test_setup_code", "");
    List<String> asserts = nonEmpty(r, "test_list");
    List<String> challenge = r.optionalStringList("challenge_test_list");
    return task(id, description, code, CodeTests.mbpp(List.of(setup), asserts), file, r.line(), challenge.size());
  }

  private static List<String> nonEmpty(JsonRecord r, String field) {
    List<String> asserts = r.stringList(field);
    if (asserts.isEmpty()) {
      throw r.error(field, "is empty");
    }
    return asserts;
  }

  private static ReasoningTask task(
      String id, String description, String code, CodeTests tests, Path file, long line, int challenge) {
    return ReasoningTask.code(ID_PREFIX + id, prompt(description, tests.checks()), code, tests)
        .withMetadata("source", file.getFileName().toString())
        .withMetadata("line", Long.toString(line))
        .withMetadata("description", description)
        .withMetadata("challengeTests", Integer.toString(challenge));
  }
}
