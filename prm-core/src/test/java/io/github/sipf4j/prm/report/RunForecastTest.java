package io.github.sipf4j.prm.report;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.github.sipf4j.prm.report.RunForecast.Source;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.stream.IntStream;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

class RunForecastTest {

  private static final List<String> PHASES = List.of("sample", "verify", "simulate", "select", "train_policy",
      "evaluate");

  /** A warm start and a starting evaluation, then the phases of every iteration with the given estimates. */
  private static RunPlan plan(int iterations, Map<String, Double> estimates) {
    List<PhaseEstimate> phases = new ArrayList<>();
    phases.add(new PhaseEstimate(0, "warm_start", 100, 0, -1));
    phases.add(new PhaseEstimate(0, "evaluate", estimates.get("evaluate"), 0, -1));
    for (int it = 1; it <= iterations; it++) {
      for (String p : PHASES) {
        phases.add(new PhaseEstimate(it, p, estimates.get(p), 0, -1));
      }
    }
    double total = phases.stream().mapToDouble(PhaseEstimate::seconds).sum();
    return new RunPlan(RunPlan.VERSION, "2026-12-02T00:00:00Z", "cpu", "m", iterations, phases, total, 0, "simulate");
  }

  private static Map<String, Double> estimates() {
    return Map.of("sample", 20.0, "verify", 1.0, "simulate", 200.0, "select", 0.0, "train_policy", 20.0, "evaluate",
        10.0);
  }

  private static RunForecast.Row row(RunForecast f, int iteration, String phase) {
    return f.rows().stream().filter(r -> r.iteration() == iteration && r.phase().equals(phase)).findFirst()
        .orElseThrow();
  }

  @Test
  void beforeAnyPhaseTheForecastIsThePlan() {
    RunPlan plan = plan(2, estimates());
    RunForecast f = RunForecast.of(plan, Map.of());
    assertEquals(plan.totalSeconds(), f.remainingSeconds(), 1e-9);
    assertEquals(0, f.measuredSeconds());
    assertFalse(f.revised());
    assertTrue(f.rows().stream().allMatch(r -> r.source() == Source.PLANNED && r.seconds() == r.estimate()));
  }

  @Test
  void phasesLeftAreScaledByHowTheirKindWentInTheLatestIteration() {
    RunPlan plan = plan(3, estimates());
    Map<Integer, Map<String, Double>> m = new HashMap<>();
    m.put(0, Map.of("evaluate", 14.0)); // the warm start ran elsewhere
    m.put(1, Map.of("sample", 15.0, "verify", 0.1, "simulate", 50.0, "select", 0.2, "train_policy", 24.0,
        "evaluate", 11.0));
    m.put(2, Map.of("sample", 16.0, "verify", 0.1, "simulate", 40.0)); // iteration 2 is in select
    RunForecast f = RunForecast.of(plan, m);

    assertEquals(Source.SKIPPED, row(f, 0, "warm_start").source());
    assertEquals(0, row(f, 0, "warm_start").seconds());
    assertEquals(Source.MEASURED, row(f, 2, "simulate").source());
    assertEquals(40, row(f, 2, "simulate").seconds());
    // the latest finished phase of the same key decides: iteration 2's simulate (40 / 200), not iteration 1's
    assertEquals(Source.REVISED, row(f, 3, "simulate").source());
    assertEquals(40, row(f, 3, "simulate").seconds(), 1e-9);
    assertEquals(16, row(f, 3, "sample").seconds(), 1e-9);
    assertEquals(24, row(f, 2, "train_policy").seconds(), 1e-9);
    // evaluate: iteration 1's 11 s against 10 s planned
    assertEquals(11, row(f, 2, "evaluate").seconds(), 1e-9);
    // a phase the plan calls free takes what it measured
    assertEquals(0.2, row(f, 2, "select").seconds(), 1e-9);
    double measured = 14 + 15 + 0.1 + 50 + 0.2 + 24 + 11 + 16 + 0.1 + 40;
    assertEquals(measured, f.measuredSeconds(), 1e-9);
    double left = 0.2 + 24 + 11 + (16 + 0.1 + 40 + 0.2 + 24 + 11);
    assertEquals(left, f.remainingSeconds(), 1e-9);
    assertEquals(measured + 100 + left, f.totalSeconds(), 1e-9, "the warm start's estimate stands in for its time");
    assertTrue(f.revised());
  }

  @Test
  void measurementsThePlanDoesNotListOrThatAreNotFiniteAreIgnored() {
    RunPlan plan = plan(1, estimates());
    RunForecast f = RunForecast.of(plan, Map.of(0, Map.of("evaluate", Double.NaN, "prm_extra", 5.0),
        7, Map.of("sample", 3.0)));
    assertEquals(0, f.measuredSeconds());
    assertEquals(plan.totalSeconds(), f.remainingSeconds(), 1e-9);
    assertThrows(NullPointerException.class, () -> RunForecast.of(plan, null));
  }

  static Stream<Long> seeds() {
    return IntStream.range(0, 30).mapToObj(i -> 9_100L + i);
  }

  /**
   * Property over random plans and runs: the rows follow the plan; the total is measured plus remaining; every
   * measured phase keeps its time; and when every phase of a kind runs c times its estimate, every phase left of
   * that kind is forecast at c times its estimate.
   */
  @ParameterizedTest
  @MethodSource("seeds")
  void aRunThatKeepsItsRatiosIsForecastExactly(long seed) {
    Random r = new Random(seed);
    Map<String, Double> est = new HashMap<>();
    Map<String, Double> ratio = new HashMap<>();
    for (String p : PHASES) {
      est.put(p, r.nextInt(4) == 0 ? 0.0 : 1 + 100 * r.nextDouble());
      ratio.put(p, 0.2 + 3 * r.nextDouble());
    }
    int iterations = 1 + r.nextInt(5);
    RunPlan plan = plan(iterations, est);
    int done = r.nextInt(plan.phases().size() + 1); // phases finished, in order
    Map<Integer, Map<String, Double>> m = new HashMap<>();
    for (int i = 0; i < done; i++) {
      PhaseEstimate p = plan.phases().get(i);
      double s = p.phase().equals("warm_start") ? 90 : est.get(p.phase()) > 0
          ? est.get(p.phase()) * ratio.get(p.phase()) : ratio.get(p.phase());
      m.computeIfAbsent(p.iteration(), k -> new HashMap<>()).put(p.phase(), s);
    }
    RunForecast f = RunForecast.of(plan, m);
    assertEquals(plan.phases().size(), f.rows().size());
    double sum = 0;
    for (int i = 0; i < plan.phases().size(); i++) {
      PhaseEstimate p = plan.phases().get(i);
      RunForecast.Row row = f.rows().get(i);
      assertEquals(p.iteration(), row.iteration());
      assertEquals(p.phase(), row.phase());
      assertEquals(p.seconds(), row.estimate());
      sum += row.source() == Source.SKIPPED ? row.estimate() : row.seconds();
      if (i < done) {
        assertEquals(Source.MEASURED, row.source());
        assertEquals(m.get(p.iteration()).get(p.phase()), row.seconds(), 1e-9);
      } else if (row.source() == Source.REVISED) {
        double expected = p.seconds() > 0 ? p.seconds() * ratio.get(p.phase()) : ratio.get(p.phase());
        assertEquals(expected, row.seconds(), 1e-9 * (1 + expected), row.toString());
      } else {
        assertEquals(Source.PLANNED, row.source(), "no kind of phase seen before: " + row);
        assertEquals(p.seconds(), row.seconds());
      }
    }
    assertEquals(sum, f.totalSeconds(), 1e-9 * (1 + sum));
    assertTrue(f.remainingSeconds() >= 0);
  }
}
