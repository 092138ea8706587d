package io.github.sipf4j.prm.data;

import com.google.gson.Gson;
import com.google.gson.GsonBuilder;
import com.google.gson.JsonObject;
import io.github.sipf4j.prm.task.ReasoningTask;
import java.io.BufferedWriter;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * Writes tasks in GSM8K JSONL format: {@code {"question": prompt, "answer": "step\nstep\n#### answer"}}, one task
 * per line, so that {@link Gsm8kLoader} reads them back.
 */
public final class Gsm8kWriter {
  private static final Gson GSON = new GsonBuilder().disableHtmlEscaping().create();

  private Gsm8kWriter() {}

  /**
   * Formats one task as a GSM8K record.
   *
   * @param task a task whose prompt and answer hold no line break in the answer
   * @return one line of JSON, without the line break
   */
  public static String toJsonLine(ReasoningTask task) {
    JsonObject o = new JsonObject();
    o.addProperty("question", task.prompt());
    StringBuilder answer = new StringBuilder();
    for (String step : task.goldSteps()) {
      answer.append(step).append('\n');
    }
    answer.append("#### ").append(task.answer());
    o.addProperty("answer", answer.toString());
    return GSON.toJson(o);
  }

  /**
   * Writes tasks to a file, replacing it.
   *
   * @param tasks the tasks
   * @param file the JSONL file to write
   * @throws IOException when the file cannot be written
   */
  public static void write(Iterable<ReasoningTask> tasks, Path file) throws IOException {
    Path parent = file.toAbsolutePath().getParent();
    if (parent != null) {
      Files.createDirectories(parent);
    }
    try (BufferedWriter w = Files.newBufferedWriter(file, StandardCharsets.UTF_8)) {
      for (ReasoningTask t : tasks) {
        if (t.answer().contains("\n")) {
          throw new IllegalArgumentException("task " + t.id() + ": the answer must be one line");
        }
        w.write(toJsonLine(t));
        w.write('\n');
      }
    }
  }
}
