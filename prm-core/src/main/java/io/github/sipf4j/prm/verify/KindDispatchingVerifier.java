package io.github.sipf4j.prm.verify;

import io.github.sipf4j.prm.task.ReasoningTask;
import java.util.List;

/** Routes each task to the verifier for its {@link io.github.sipf4j.prm.task.VerifierKind}. */
final class KindDispatchingVerifier implements OutcomeVerifier {
  private final OutcomeVerifier numeric;
  private final OutcomeVerifier multipleChoice;
  private final OutcomeVerifier python;

  KindDispatchingVerifier(OutcomeVerifier numeric, OutcomeVerifier multipleChoice, OutcomeVerifier python) {
    this.numeric = numeric;
    this.multipleChoice = multipleChoice;
    this.python = python;
  }

  private OutcomeVerifier pick(ReasoningTask task) {
    switch (task.kind()) {
      case NUMERIC:
        return numeric;
      case MULTIPLE_CHOICE:
        return multipleChoice;
      case PYTHON:
        if (python == null) {
          throw new IllegalArgumentException(
              "task " + task.id() + " is a code task: use OutcomeVerifier.forTaskKind(PythonExecutor)");
        }
        return python;
      default:
        throw new IllegalArgumentException("unknown verifier kind " + task.kind());
    }
  }

  @Override
  public Verdict verify(ReasoningTask task, String output) {
    return pick(task).verify(task, output);
  }

  @Override
  public List<Verdict> verifyAll(ReasoningTask task, List<String> outputs) {
    return pick(task).verifyAll(task, outputs);
  }
}
