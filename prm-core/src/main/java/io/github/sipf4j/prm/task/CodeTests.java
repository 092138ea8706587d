package io.github.sipf4j.prm.task;

import io.github.sipf4j.prm.exec.PythonProgram;
import java.util.List;
import java.util.Objects;

/**
 * The tests of a code task and how a candidate is embedded among them: the program that runs is {@code preamble +
 * candidate + "\n" + postamble}, and then each of {@code checks} runs in its namespace.
 *
 * <p>MBPP: the preamble is the setup code or test imports, the postamble is empty and the checks are the {@code
 * assert} lines. HumanEval: the preamble is the prompt (signature and docstring), the candidate is the function
 * body, the postamble is the test code defining {@code check} and the only check is {@code check(entry_point)}.
 *
 * @param preamble code placed before the candidate
 * @param postamble code placed after the candidate
 * @param checks the statements that must all run without raising
 */
public record CodeTests(String preamble, String postamble, List<String> checks) {

  /**
   * Validates and copies the parts.
   *
   * @param preamble code before the candidate
   * @param postamble code after the candidate
   * @param checks the checks
   */
  public CodeTests {
    Objects.requireNonNull(preamble, "preamble");
    Objects.requireNonNull(postamble, "postamble");
    checks = List.copyOf(checks);
  }

  /**
   * Builds MBPP-style tests.
   *
   * @param setup lines run before the candidate program (imports, setup code); may be empty
   * @param asserts the {@code assert} lines
   * @return the tests
   */
  public static CodeTests mbpp(List<String> setup, List<String> asserts) {
    StringBuilder sb = new StringBuilder();
    for (String line : setup) {
      if (!line.isBlank()) {
        sb.append(line).append('\n');
      }
    }
    return new CodeTests(sb.toString(), "", asserts);
  }

  /**
   * Builds HumanEval-style tests.
   *
   * @param prompt the function signature and docstring that the completion continues
   * @param test the test code defining {@code check(candidate)}
   * @param entryPoint the name of the function under test
   * @return the tests
   */
  public static CodeTests humanEval(String prompt, String test, String entryPoint) {
    return new CodeTests(prompt, test + "\n", List.of("check(" + entryPoint + ")"));
  }

  /**
   * Embeds a candidate among the tests.
   *
   * @param candidate the model's code: a whole program for MBPP, a function body for HumanEval
   * @return the program to hand to the executor
   */
  public PythonProgram program(String candidate) {
    return new PythonProgram(preamble + candidate + "\n" + postamble, checks);
  }
}
