package io.github.sipf4j.prm.verify;

import io.github.sipf4j.prm.exec.ExecutionResult;
import io.github.sipf4j.prm.exec.PythonExecutor;
import io.github.sipf4j.prm.exec.PythonProgram;
import io.github.sipf4j.prm.task.ReasoningTask;
import java.util.ArrayList;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Runs the code in an output against a code task's tests in a {@link PythonExecutor}; correct means every check
 * passed. Code inside a Markdown fence (three backticks, optionally tagged {@code python}) is taken from the first
 * fence; otherwise the whole output is the code. Obtain one with {@link OutcomeVerifier#python(PythonExecutor)};
 * the executor stays owned by the caller.
 */
public final class PythonTestVerifier implements OutcomeVerifier {
  private static final Pattern FENCE = Pattern.compile("```(?:python|py|Python)?[ \\t]*\\n(.*?)```", Pattern.DOTALL);
  private final PythonExecutor executor;

  /**
   * Creates the verifier.
   *
   * @param executor the executor that runs the programs
   */
  public PythonTestVerifier(PythonExecutor executor) {
    this.executor = executor;
  }

  /**
   * Takes the code out of a model output.
   *
   * @param output the model output
   * @return the first fenced block's content, or the whole output when it has no fence
   */
  public static String extractCode(String output) {
    Matcher m = FENCE.matcher(output);
    return m.find() ? m.group(1) : output;
  }

  /**
   * Runs one output and returns the executor's full result.
   *
   * @param task a code task
   * @param output the model output
   * @return the execution result
   */
  public ExecutionResult execute(ReasoningTask task, String output) {
    return executor.run(program(task, output));
  }

  @Override
  public Verdict verify(ReasoningTask task, String output) {
    return toVerdict(extractCode(output), executor.run(program(task, output)));
  }

  /** Runs the outputs in parallel on the executor's pool. */
  @Override
  public List<Verdict> verifyAll(ReasoningTask task, List<String> outputs) {
    List<PythonProgram> programs = new ArrayList<>();
    for (String o : outputs) {
      programs.add(program(task, o));
    }
    List<ExecutionResult> results = executor.runAll(programs);
    List<Verdict> verdicts = new ArrayList<>();
    for (int i = 0; i < outputs.size(); i++) {
      verdicts.add(toVerdict(extractCode(outputs.get(i)), results.get(i)));
    }
    return verdicts;
  }

  private static PythonProgram program(ReasoningTask task, String output) {
    return task.codeTests()
        .orElseThrow(() -> new IllegalArgumentException("task " + task.id() + " has no code tests"))
        .program(extractCode(output));
  }

  private static Verdict toVerdict(String code, ExecutionResult r) {
    String reason = r.status() + (r.message().isEmpty() ? "" : ": " + r.message());
    return new Verdict(r.passed(), code, reason);
  }
}
