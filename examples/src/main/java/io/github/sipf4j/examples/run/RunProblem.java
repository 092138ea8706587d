package io.github.sipf4j.examples.run;

/**
 * One problem of a run file: the key path it concerns, the line where it stands and what is wrong.
 *
 * @param path the key path, such as {@code orpo.learning_rate} or {@code tasks[0].file}
 * @param line the line in the run file, from 1; 0 for a value given with {@code --set} or a key that is missing
 * @param message what is wrong, such as {@code must be > 0, got -1}
 */
public record RunProblem(String path, int line, String message) {

  /**
   * Formats the problem as one line: {@code line 12: orpo.learning_rate: must be > 0, got -1}.
   *
   * @return the line
   */
  @Override
  public String toString() {
    return (line > 0 ? "line " + line + ": " : "") + path + ": " + message;
  }
}
