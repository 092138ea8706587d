package io.github.sipf4j.prm.task;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;

/**
 * One reasoning task: a prompt, the reference answer (or tests, for code) and an optional gold rationale split
 * into steps.
 *
 * <pre>{@code
 * ReasoningTask t = ReasoningTask.numeric("demo/1", "Ann has 3 pens. She buys 4 more. How many pens does Ann have?",
 *     "7", List.of("3+4=7", "The answer is 7"));
 * OutcomeVerifier.forTaskKind().verify(t, "3+4=7\nThe answer is 7").correct(); // true
 * }</pre>
 *
 * @param id a stable identifier, unique within its data set (for example {@code HumanEval/0} or {@code Mbpp/2})
 * @param prompt the question shown to the model
 * @param answer the reference answer: a number, a word (yes/no, a name), an option letter, or reference code
 * @param goldSteps the gold rationale, one step per element; empty when the data set has none
 * @param kind which verifier checks outputs for this task
 * @param choices the option texts of a multiple-choice task, A first; empty otherwise
 * @param tests the tests of a code task, or {@code null} for other tasks
 * @param metadata free-form attributes (source file, subject, answer kind, step count); never {@code null}
 */
public record ReasoningTask(
    String id,
    String prompt,
    String answer,
    List<String> goldSteps,
    VerifierKind kind,
    List<String> choices,
    CodeTests tests,
    Map<String, String> metadata) {

  /**
   * Validates and copies the parts.
   *
   * @param id the identifier
   * @param prompt the question
   * @param answer the reference answer
   * @param goldSteps the gold steps
   * @param kind the verifier kind
   * @param choices the options
   * @param tests the code tests or {@code null}
   * @param metadata the attributes
   */
  public ReasoningTask {
    Objects.requireNonNull(id, "id");
    Objects.requireNonNull(prompt, "prompt");
    Objects.requireNonNull(answer, "answer");
    Objects.requireNonNull(kind, "kind");
    goldSteps = List.copyOf(goldSteps);
    choices = List.copyOf(choices);
    metadata = Map.copyOf(metadata);
    if (kind == VerifierKind.PYTHON && tests == null) {
      throw new IllegalArgumentException("a PYTHON task needs tests: " + id);
    }
    if (kind == VerifierKind.MULTIPLE_CHOICE && choices.isEmpty()) {
      throw new IllegalArgumentException("a MULTIPLE_CHOICE task needs choices: " + id);
    }
  }

  /**
   * Creates a task checked by its final answer (a number or a word).
   *
   * @param id the identifier
   * @param prompt the question
   * @param answer the reference answer
   * @param goldSteps the gold rationale steps, possibly empty
   * @return the task
   */
  public static ReasoningTask numeric(String id, String prompt, String answer, List<String> goldSteps) {
    return new ReasoningTask(id, prompt, answer, goldSteps, VerifierKind.NUMERIC, List.of(), null, Map.of());
  }

  /**
   * Creates a multiple-choice task.
   *
   * @param id the identifier
   * @param prompt the question with its options
   * @param letter the correct option letter
   * @param choices the option texts, A first
   * @return the task
   */
  public static ReasoningTask multipleChoice(String id, String prompt, String letter, List<String> choices) {
    return new ReasoningTask(id, prompt, letter, List.of(), VerifierKind.MULTIPLE_CHOICE, choices, null, Map.of());
  }

  /**
   * Creates a code task.
   *
   * @param id the identifier
   * @param prompt the problem statement
   * @param referenceCode a reference solution in the form a candidate takes (whole program or function body)
   * @param tests the tests
   * @return the task
   */
  public static ReasoningTask code(String id, String prompt, String referenceCode, CodeTests tests) {
    return new ReasoningTask(id, prompt, referenceCode, List.of(), VerifierKind.PYTHON, List.of(), tests, Map.of());
  }

  /**
   * Returns a copy with one more metadata attribute.
   *
   * @param key the attribute name
   * @param value the attribute value
   * @return the new task
   */
  public ReasoningTask withMetadata(String key, String value) {
    Map<String, String> m = new LinkedHashMap<>(metadata);
    m.put(key, value);
    return new ReasoningTask(id, prompt, answer, goldSteps, kind, choices, tests, m);
  }

  /**
   * Returns the code tests of a code task.
   *
   * @return the tests, or empty for a task that is not a code task
   */
  public Optional<CodeTests> codeTests() {
    return Optional.ofNullable(tests);
  }

  /**
   * Joins the gold steps with newlines.
   *
   * @return the gold rationale, empty when there are no gold steps
   */
  public String goldRationale() {
    return String.join("\n", goldSteps);
  }
}
