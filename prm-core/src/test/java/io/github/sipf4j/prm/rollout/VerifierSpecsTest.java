package io.github.sipf4j.prm.rollout;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.github.sipf4j.prm.exec.ExecutorConfig;
import io.github.sipf4j.prm.task.ReasoningTask;
import io.github.sipf4j.prm.verify.NumericAnswerConfig;
import io.github.sipf4j.prm.verify.OutcomeVerifier;
import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.ObjectInputStream;
import java.io.ObjectOutputStream;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** Verifiers described as data: built-in kinds, settings checked by name, a registered kind, Java serialisation. */
class VerifierSpecsTest {

  private static final ReasoningTask SEVEN = ReasoningTask.numeric("t/1", "3+4", "7", List.of("3+4=7"));

  @Test
  void builtInKindsBuildTheVerifiersTheyName() {
    OutcomeVerifier v = VerifierSpecs.create(VerifierSpec.forTaskKind());
    assertTrue(v.verify(SEVEN, "3+4=7\nThe answer is 7").correct());
    assertFalse(v.verify(SEVEN, "The answer is 8").correct());
    OutcomeVerifier loose = VerifierSpecs.create(VerifierSpec.numeric(NumericAnswerConfig.builder()
        .absTolerance(1.5).build()));
    assertTrue(loose.verify(SEVEN, "The answer is 8").correct());
    assertEquals("1.5", VerifierSpec.numeric(NumericAnswerConfig.builder().absTolerance(1.5).build()).settings()
        .get("abs_tolerance"));
    OutcomeVerifier code = VerifierSpecs.create(VerifierSpec.forTaskKind(ExecutorConfig.builder()
        .timeout(Duration.ofSeconds(3)).workers(1).build()));
    assertTrue(code instanceof AutoCloseable, "a verifier with an executor is released by its creator");
    assertTrue(code.verify(SEVEN, "The answer is 7").correct());
    VerifierSpecs.release(code);
    assertTrue(VerifierSpecs.kinds().containsAll(List.of("task-kind", "numeric", "multiple-choice", "python",
        "test-even-hash")), VerifierSpecs.kinds().toString());
  }

  @Test
  void unknownKindsAndSettingsAreNamed() {
    IllegalArgumentException kind = assertThrows(IllegalArgumentException.class,
        () -> VerifierSpecs.create(VerifierSpec.of("no-such")));
    assertTrue(kind.getMessage().contains("no verifier kind 'no-such' (known: task-kind, numeric"), kind.getMessage());
    IllegalArgumentException key = assertThrows(IllegalArgumentException.class,
        () -> VerifierSpecs.create(VerifierSpec.of("numeric", Map.of("abs_tolerence", "1"))));
    assertTrue(key.getMessage().contains("unknown setting(s) [abs_tolerence]"), key.getMessage());
    IllegalArgumentException value = assertThrows(IllegalArgumentException.class,
        () -> VerifierSpecs.create(VerifierSpec.of("numeric", Map.of("abs_tolerance", "one"))));
    assertTrue(value.getMessage().contains("abs_tolerance must be a number, got 'one'"), value.getMessage());
    IllegalArgumentException codeOnly = assertThrows(IllegalArgumentException.class,
        () -> VerifierSpecs.create(VerifierSpec.of("task-kind", Map.of("workers", "2"))));
    assertTrue(codeOnly.getMessage().contains("add code=true"), codeOnly.getMessage());
  }

  @Test
  void aSpecificationSerialises() throws IOException, ClassNotFoundException {
    VerifierSpec spec = VerifierSpec.forTaskKind(ExecutorConfig.builder().workers(2).build());
    ByteArrayOutputStream bytes = new ByteArrayOutputStream();
    try (ObjectOutputStream out = new ObjectOutputStream(bytes)) {
      out.writeObject(spec);
    }
    try (ObjectInputStream in = new ObjectInputStream(new ByteArrayInputStream(bytes.toByteArray()))) {
      assertEquals(spec, in.readObject());
    }
  }
}
