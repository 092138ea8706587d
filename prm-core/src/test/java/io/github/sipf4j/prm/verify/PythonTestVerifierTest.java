package io.github.sipf4j.prm.verify;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.github.sipf4j.prm.SharedData;
import io.github.sipf4j.prm.data.HumanEvalLoader;
import io.github.sipf4j.prm.data.MbppLoader;
import io.github.sipf4j.prm.exec.ExecutorConfig;
import io.github.sipf4j.prm.exec.PythonExecutor;
import io.github.sipf4j.prm.task.ReasoningTask;
import io.github.sipf4j.prm.task.TaskSet;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;

class PythonTestVerifierTest {
  private static PythonExecutor executor;

  @BeforeAll
  static void start() {
    executor = new PythonExecutor(ExecutorConfig.builder().timeout(Duration.ofSeconds(5)).workers(2).build());
  }

  @AfterAll
  static void stop() {
    executor.close();
  }

  @Test
  void humanEvalCanonicalSolutionsPassAndWrongOnesFail() throws Exception {
    TaskSet he = HumanEvalLoader.load(SharedData.file("humaneval/HumanEval-sample10.jsonl.gz"));
    OutcomeVerifier verifier = OutcomeVerifier.forTaskKind(executor);
    for (ReasoningTask t : he.tasks()) {
      List<Verdict> v = verifier.verifyAll(t, List.of(t.answer(), "    return None\n", "    return (\n"));
      assertTrue(v.get(0).correct(), t.id() + ": " + v.get(0).reason());
      assertFalse(v.get(1).correct(), t.id() + ": " + v.get(1).reason());
      assertTrue(v.get(1).reason().startsWith("FAILED: check("), v.get(1).reason());
      assertFalse(v.get(2).correct());
      assertTrue(v.get(2).reason().startsWith("CRASHED: SyntaxError"), v.get(2).reason());
    }
  }

  @Test
  @Tag("slow")
  void mbppSampleOfReferenceSolutionsPasses() throws Exception {
    TaskSet sample = MbppLoader.load(SharedData.file("mbpp/sanitized-mbpp.json")).shuffled(4L).take(20);
    OutcomeVerifier verifier = OutcomeVerifier.python(executor);
    int passed = 0;
    StringBuilder failures = new StringBuilder();
    for (ReasoningTask t : sample.tasks()) {
      Verdict v = verifier.verify(t, t.answer());
      if (v.correct()) {
        passed++;
      } else {
        failures.append(t.id()).append(": ").append(v.reason()).append('\n');
      }
    }
    // A few MBPP references are known to fail their own tests; a sample of 20 must mostly pass.
    assertTrue(passed >= 18, passed + "/20 passed:\n" + failures);
  }

  @Test
  void mbppWrongProgramNamesTheFailingAssert() throws Exception {
    ReasoningTask t = MbppLoader.load(SharedData.file("mbpp/sanitized-mbpp.json")).byId("Mbpp/3").orElseThrow();
    Verdict v = OutcomeVerifier.python(executor).verify(t, "```python\ndef is_not_prime(n):\n    return False\n```");
    assertFalse(v.correct());
    assertEquals("def is_not_prime(n):\n    return False\n", v.extracted());
    assertEquals("FAILED: assert is_not_prime(10) == True -> AssertionError", v.reason());
  }
}
