package io.github.sipf4j.prm.process;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.util.List;
import org.junit.jupiter.api.Test;

class AggregationTest {

  @Test
  void handValues() {
    double[] s = {0.9, 0.5, 0.8};
    assertEquals(2.2 / 3, Aggregation.mean().aggregate(s), 1e-12);
    assertEquals(0.5, Aggregation.min().aggregate(s), 0);
    assertEquals(0.36, Aggregation.product().aggregate(s), 1e-12);
    assertEquals(0.8, Aggregation.last().aggregate(s), 0);
    assertEquals(0.4, Aggregation.mean().aggregate(new double[] {0.4}), 0);
  }

  @Test
  void builtInsByName() {
    double[] s = {0.9, 0.5, 0.8};
    assertEquals(Aggregation.mean().aggregate(s), Aggregation.named("mean").aggregate(s), 0);
    assertEquals(0.5, Aggregation.named("MIN").aggregate(s), 0);
    assertEquals(0.36, Aggregation.named("product").aggregate(s), 1e-12);
    assertEquals(0.8, Aggregation.named("Last").aggregate(s), 0);
    IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> Aggregation.named("median"));
    assertEquals("unknown aggregation 'median'; built-in aggregations: mean, min, product, last", e.getMessage());
  }

  @Test
  void emptyInputFailsClearly() {
    for (Aggregation a : List.of(Aggregation.mean(), Aggregation.min(), Aggregation.product(), Aggregation.last())) {
      IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> a.aggregate(new double[0]));
      assertEquals("cannot aggregate the scores of a rationale with no steps", e.getMessage());
    }
  }

  @Test
  void outcomeModelGivesTheFinalCorrectnessToEveryStep() {
    ProcessRewardModel outcome = ProcessRewardModel.outcome();
    List<double[]> s = outcome.scoreSteps(List.of(
        new StepScoringInput("q", List.of("a\n", "b\n", "c"), true),
        new StepScoringInput("q", List.of("a\n", "b"), false)));
    assertEquals(List.of(1.0, 1.0, 1.0), List.of(s.get(0)[0], s.get(0)[1], s.get(0)[2]));
    assertEquals(List.of(0.0, 0.0), List.of(s.get(1)[0], s.get(1)[1]));
    assertEquals(1.0, outcome.scoreSteps(new StepScoringInput("q", List.of("x"), true))[0]);
    IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
        () -> outcome.scoreSteps(List.of(StepScoringInput.of("q", List.of("x")))));
    assertEquals("input 0 has no final correctness: the outcome reward model needs"
        + " StepScoringInput.finalAnswerCorrect", e.getMessage());
  }

  @Test
  void aCustomModelIsOneLambda() {
    ProcessRewardModel lengthy = inputs -> inputs.stream()
        .map(in -> in.steps().stream().mapToDouble(st -> st.length() > 3 ? 0.9 : 0.1).toArray()).toList();
    double[] s = lengthy.scoreSteps(StepScoringInput.of("q", List.of("1+1=2\n", "ok")));
    assertEquals(0.5, Aggregation.mean().aggregate(s), 1e-12);
  }
}
