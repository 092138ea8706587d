package io.github.sipf4j.examples.run;

import java.util.List;

/**
 * A run file that cannot be used, with every problem found (not only the first), each naming its key path and line.
 */
public final class RunFileException extends IllegalArgumentException {

  private static final long serialVersionUID = 1L;

  private final transient List<RunProblem> problems;

  /**
   * Creates the exception.
   *
   * @param file the run file's name
   * @param problems every problem, at least one
   */
  public RunFileException(String file, List<RunProblem> problems) {
    super(message(file, problems));
    this.problems = List.copyOf(problems);
  }

  /**
   * Returns every problem found, in the order of the file.
   *
   * @return the problems
   */
  public List<RunProblem> problems() {
    return problems;
  }

  private static String message(String file, List<RunProblem> problems) {
    StringBuilder b = new StringBuilder(file).append(": ").append(problems.size())
        .append(problems.size() == 1 ? " problem" : " problems");
    for (RunProblem p : problems) {
      b.append("\n  ").append(p);
    }
    return b.toString();
  }
}
