package io.github.sipf4j.prm.exec;

import java.util.List;
import java.util.Objects;

/**
 * A Python program to run: a module {@code source} executed first, then each of {@code checks} executed one by one
 * in the module's namespace. The first check that raises is reported as the failure, so a test list of {@code
 * assert} lines yields the first failing assertion.
 *
 * <pre>{@code
 * PythonProgram p = PythonProgram.mbpp(List.of("import math"), candidateCode, List.of("assert f(2) == 4"));
 * PythonProgram q = PythonProgram.humanEval(prompt, completion, test, "has_close_elements");
 * }</pre>
 *
 * @param source the module source that defines the candidate's functions
 * @param checks the statements run after the module, in order; may be empty
 */
public record PythonProgram(String source, List<String> checks) {

  /**
   * Validates and copies the parts.
   *
   * @param source the module source
   * @param checks the check statements
   */
  public PythonProgram {
    Objects.requireNonNull(source, "source");
    checks = List.copyOf(checks);
  }

  /**
   * Assembles an MBPP program: the setup lines ({@code test_imports} or {@code test_setup_code}), then the
   * candidate program; the {@code assert} lines are the checks.
   *
   * @param setup lines run before the candidate, such as imports
   * @param candidate the whole candidate program
   * @param asserts the test assertions
   * @return the assembled program
   */
  public static PythonProgram mbpp(List<String> setup, String candidate, List<String> asserts) {
    StringBuilder sb = new StringBuilder();
    for (String line : setup) {
      sb.append(line).append('\n');
    }
    sb.append(candidate).append('\n');
    return new PythonProgram(sb.toString(), asserts);
  }

  /**
   * Assembles a HumanEval program: {@code prompt + completion + "\n" + test}, checked by {@code
   * check(entryPoint)}, exactly as the HumanEval harness does.
   *
   * @param prompt the function signature and docstring
   * @param completion the candidate's function body
   * @param test the test code that defines {@code check(candidate)}
   * @param entryPoint the name of the function under test
   * @return the assembled program
   */
  public static PythonProgram humanEval(
      String prompt, String completion, String test, String entryPoint) {
    return new PythonProgram(
        prompt + completion + "\n" + test + "\n", List.of("check(" + entryPoint + ")"));
  }
}
