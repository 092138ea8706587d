package io.github.sipf4j.prm.process;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.Test;

class StepMetricsTest {

  @Test
  void aurocWithTies() {
    // Correct (label 1) scores 0.8, 0.5, 0.5; wrong scores 0.5, 0.2.
    // Pairs (correct, wrong): 0.8>0.5 1, 0.8>0.2 1, 0.5=0.5 1/2, 0.5>0.2 1, 0.5=0.5 1/2, 0.5>0.2 1 -> 5/6.
    double[] scores = {0.8, 0.5, 0.5, 0.5, 0.2};
    double[] labels = {1, 1, 1, 0, 0};
    assertEquals(5.0 / 6, StepMetrics.auroc(scores, labels), 1e-12);
    assertEquals(0.5, StepMetrics.auroc(new double[] {0.3, 0.3, 0.3}, new double[] {1, 0, 1}), 1e-12);
    assertEquals(1.0, StepMetrics.auroc(new double[] {0.9, 0.1}, new double[] {1, 0}), 0);
    assertEquals(0.0, StepMetrics.auroc(new double[] {0.1, 0.9}, new double[] {1, 0}), 0);
    assertTrue(Double.isNaN(StepMetrics.auroc(new double[] {0.1, 0.9}, new double[] {1, 1})));
    // Soft labels count as correct above 0.5: 0.75 -> correct, 0.5 -> wrong.
    assertEquals(1.0, StepMetrics.auroc(new double[] {0.6, 0.4}, new double[] {0.75, 0.5}), 0);
  }

  @Test
  void confusionCountsOfTheWrongClass() {
    // labels:      C    C    C    W    W    W
    // scores:     0.9  0.6  0.3  0.4  0.2  0.7   (predicted wrong when < 0.5)
    // predicted:   C    C    W    W    W    C
    // TP (wrong predicted wrong) = 2, FP = 1, FN = 1, agreements = 4.
    StepMetrics m = StepMetrics.compute(new double[] {0.9, 0.6, 0.3, 0.4, 0.2, 0.7},
        new double[] {1, 1, 1, 0, 0, 0});
    assertEquals(6, m.steps());
    assertEquals(3, m.wrongSteps());
    assertEquals(4.0 / 6, m.accuracy(), 1e-12);
    assertEquals(2.0 / 3, m.precision(), 1e-12);
    assertEquals(2.0 / 3, m.recall(), 1e-12);
    assertEquals(2.0 / 3, m.f1(), 1e-12);
    // AUROC: correct {0.9, 0.6, 0.3} vs wrong {0.4, 0.2, 0.7}: wins 0.9:3, 0.6:2, 0.3:1 -> 6/9.
    assertEquals(6.0 / 9, m.auroc(), 1e-12);
    // A score equal to the threshold counts as predicted correct.
    assertEquals(1.0, StepMetrics.compute(new double[] {0.5}, new double[] {1}).accuracy());
  }

  @Test
  void f1EdgeCases() {
    // No wrong steps and none predicted wrong: precision, recall and F1 undefined.
    StepMetrics allRight = StepMetrics.compute(new double[] {0.9, 0.8}, new double[] {1, 1});
    assertTrue(Double.isNaN(allRight.precision()));
    assertTrue(Double.isNaN(allRight.recall()));
    assertTrue(Double.isNaN(allRight.f1()));
    assertEquals(1.0, allRight.accuracy());
    // Wrong steps exist but none is flagged: precision undefined, recall 0, F1 0.
    StepMetrics missed = StepMetrics.compute(new double[] {0.9, 0.8}, new double[] {1, 0});
    assertTrue(Double.isNaN(missed.precision()));
    assertEquals(0.0, missed.recall());
    assertEquals(0.0, missed.f1());
    // Steps flagged but none is wrong: precision 0, recall undefined, F1 0.
    StepMetrics falseAlarm = StepMetrics.compute(new double[] {0.1, 0.8}, new double[] {1, 1});
    assertEquals(0.0, falseAlarm.precision());
    assertTrue(Double.isNaN(falseAlarm.recall()));
    assertEquals(0.0, falseAlarm.f1());
    // Perfect flagging.
    StepMetrics perfect = StepMetrics.compute(new double[] {0.1, 0.8}, new double[] {0, 1});
    assertEquals(1.0, perfect.f1());
    assertEquals(1.0, perfect.auroc());
    // A custom threshold.
    assertEquals(1.0, StepMetrics.compute(new double[] {0.6, 0.8}, new double[] {0, 1}, 0.7).recall());
    assertEquals(0.0, StepMetrics.compute(new double[] {0.6, 0.8}, new double[] {0, 1}, 0.5).recall());
  }
}
