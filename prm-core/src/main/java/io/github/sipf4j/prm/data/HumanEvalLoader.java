package io.github.sipf4j.prm.data;

import io.github.sipf4j.orpo.data.DataFormatException;
import io.github.sipf4j.prm.task.CodeTests;
import io.github.sipf4j.prm.task.ReasoningTask;
import io.github.sipf4j.prm.task.TaskSet;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Path;
import java.util.stream.Collectors;
import java.util.stream.Stream;

/**
 * Loads HumanEval ({@code .jsonl} or {@code .jsonl.gz}; keys {@code task_id, prompt, canonical_solution, test,
 * entry_point}) into {@link io.github.sipf4j.prm.task.VerifierKind#PYTHON} tasks. The prompt is the function
 * signature and docstring, a candidate is the function body that continues it, the reference answer is the
 * canonical solution, and the program that runs is {@code prompt + completion + test + check(entry_point)}.
 */
public final class HumanEvalLoader {
  private HumanEvalLoader() {}

  /**
   * Streams the tasks of a file; close the stream when done.
   *
   * @param file a HumanEval JSONL file, gzipped or not (detected by content)
   * @return the tasks in file order
   * @throws DataFormatException on the first bad record
   */
  public static Stream<ReasoningTask> stream(Path file) {
    return DatasetFiles.jsonl(
        file,
        r -> {
          String id = r.nonBlankString("task_id");
          String prompt = r.nonBlankString("prompt");
          String solution = r.nonBlankString("canonical_solution");
          String test = r.nonBlankString("test");
          String entryPoint = r.nonBlankString("entry_point");
          if (!entryPoint.matches("[A-Za-z_][A-Za-z0-9_]*")) {
            throw r.error("entry_point", "is not a Python identifier: " + entryPoint);
          }
          return ReasoningTask.code(id, prompt, solution, CodeTests.humanEval(prompt, test, entryPoint))
              .withMetadata("source", file.getFileName().toString())
              .withMetadata("line", Long.toString(r.line()))
              .withMetadata("entryPoint", entryPoint);
        });
  }

  /**
   * Loads a whole file.
   *
   * @param file a HumanEval JSONL file, gzipped or not
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
}
