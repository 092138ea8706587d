package io.github.sipf4j.prm.verify;

import io.github.sipf4j.prm.exec.PythonExecutor;
import io.github.sipf4j.prm.task.ReasoningTask;
import java.util.ArrayList;
import java.util.List;

/**
 * Decides whether a model output solves a task. A custom verifier is one lambda:
 *
 * <pre>{@code
 * OutcomeVerifier exact = (task, output) -> output.strip().equals(task.answer())
 *     ? Verdict.correct(output.strip(), "exact") : Verdict.incorrect(output.strip(), "differs");
 *
 * OutcomeVerifier any = OutcomeVerifier.forTaskKind();          // numeric and multiple-choice tasks
 * Verdict v = any.verify(task, "4*3=12\nThe answer is 12");
 * try (PythonExecutor ex = PythonExecutor.create()) {
 *   OutcomeVerifier code = OutcomeVerifier.forTaskKind(ex);     // code tasks too
 * }
 * }</pre>
 */
@FunctionalInterface
public interface OutcomeVerifier {

  /**
   * Checks one output.
   *
   * @param task the task the output answers
   * @param output the model's text
   * @return the verdict with the extracted answer and a reason
   */
  Verdict verify(ReasoningTask task, String output);

  /**
   * Checks several outputs for the same task; implementations may run them in parallel.
   *
   * @param task the task
   * @param outputs the model's texts
   * @return the verdicts in the order of {@code outputs}
   */
  default List<Verdict> verifyAll(ReasoningTask task, List<String> outputs) {
    List<Verdict> verdicts = new ArrayList<>(outputs.size());
    for (String o : outputs) {
      verdicts.add(verify(task, o));
    }
    return verdicts;
  }

  /**
   * The numeric (and short-word) answer verifier with {@link NumericAnswerConfig#defaults()}.
   *
   * @return the verifier
   */
  static OutcomeVerifier numeric() {
    return new NumericAnswerVerifier(NumericAnswerConfig.defaults());
  }

  /**
   * The numeric (and short-word) answer verifier with custom settings.
   *
   * @param config tolerances and extraction settings
   * @return the verifier
   */
  static OutcomeVerifier numeric(NumericAnswerConfig config) {
    return new NumericAnswerVerifier(config);
  }

  /**
   * The multiple-choice verifier (letters A to D).
   *
   * @return the verifier
   */
  static OutcomeVerifier multipleChoice() {
    return new MultipleChoiceVerifier();
  }

  /**
   * The code verifier that runs outputs against a task's tests.
   *
   * @param executor the executor, owned and closed by the caller
   * @return the verifier
   */
  static OutcomeVerifier python(PythonExecutor executor) {
    return new PythonTestVerifier(executor);
  }

  /**
   * A verifier that picks {@link #numeric()} or {@link #multipleChoice()} by the task's {@link
   * ReasoningTask#kind()}; code tasks are rejected with an {@link IllegalArgumentException}.
   *
   * @return the verifier
   */
  static OutcomeVerifier forTaskKind() {
    return new KindDispatchingVerifier(numeric(), multipleChoice(), null);
  }

  /**
   * A verifier that picks {@link #numeric()}, {@link #multipleChoice()} or {@link #python(PythonExecutor)} by the
   * task's {@link ReasoningTask#kind()}.
   *
   * @param executor the executor for code tasks, owned and closed by the caller
   * @return the verifier
   */
  static OutcomeVerifier forTaskKind(PythonExecutor executor) {
    return new KindDispatchingVerifier(numeric(), multipleChoice(), python(executor));
  }
}
