package io.github.sipf4j.prm.eval;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.math.BigInteger;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

class MetricsTest {

  private static BigInteger choose(int n, int k) {
    BigInteger r = BigInteger.ONE;
    for (int i = 0; i < k; i++) {
      r = r.multiply(BigInteger.valueOf(n - i)).divide(BigInteger.valueOf(i + 1));
    }
    return r;
  }

  /** Property: the stable product equals 1 - C(n-c,k)/C(n,k) computed exactly. */
  @ParameterizedTest(name = "seed {0}")
  @ValueSource(longs = {1, 2, 3, 4})
  void passAtKMatchesTheBinomialFormula(long seed) {
    Random r = new Random(seed);
    for (int i = 0; i < 300; i++) {
      int n = 1 + r.nextInt(200);
      int c = r.nextInt(n + 1);
      int k = 1 + r.nextInt(n);
      double exact =
          n - c < k
              ? 1.0
              : 1.0 - new java.math.BigDecimal(choose(n - c, k))
                  .divide(new java.math.BigDecimal(choose(n, k)), java.math.MathContext.DECIMAL128)
                  .doubleValue();
      assertEquals(exact, PassAtK.estimate(n, c, k), 1e-9, "seed " + seed + ": n=" + n + " c=" + c + " k=" + k);
    }
  }

  @Test
  void passAtKKnownValues() {
    assertEquals(0.3, PassAtK.estimate(10, 3, 1), 1e-12);
    assertEquals(1.0, PassAtK.estimate(10, 3, 8), 1e-12);
    assertEquals(0.0, PassAtK.estimate(10, 0, 5), 1e-12);
    assertEquals(1 - 7.0 * 6 / (10.0 * 9), PassAtK.estimate(10, 3, 2), 1e-12);
    List<TaskCounts> counts = List.of(new TaskCounts("a", 10, 3), new TaskCounts("b", 10, 0));
    assertEquals(0.15, PassAtK.mean(counts, 1), 1e-12);
    assertTrue(PassAtK.defined(counts, 10));
    assertFalse(PassAtK.defined(counts, 11));
    assertThrows(IllegalArgumentException.class, () -> PassAtK.estimate(3, 1, 4));
  }

  @Test
  void bootstrapIsSeededAndBracketsTheMean() {
    List<TaskCounts> counts = new ArrayList<>();
    Random r = new Random(3);
    for (int i = 0; i < 100; i++) {
      counts.add(new TaskCounts("t" + i, 5, r.nextInt(6)));
    }
    ConfidenceInterval a = PassAtK.withInterval(counts, 1, 42L);
    assertEquals(a, PassAtK.withInterval(counts, 1, 42L));
    assertTrue(a.lower() < a.estimate() && a.estimate() < a.upper(), a.toString());
    assertTrue(a.upper() - a.lower() < 0.2, a.toString());
    ConfidenceInterval same = Intervals.bootstrapMean(new double[] {1, 1, 1}, 100, 1L, 0.95);
    assertEquals(1.0, same.lower());
    assertEquals(1.0, same.upper());
  }

  @Test
  void singleSamplePassAtOneUsesWilson() {
    List<TaskCounts> counts = new ArrayList<>();
    for (int i = 0; i < 10; i++) {
      counts.add(new TaskCounts("t" + i, 1, i < 8 ? 1 : 0));
    }
    ConfidenceInterval ci = PassAtK.withInterval(counts, 1, 1L);
    assertEquals("wilson", ci.method());
    assertEquals(0.8, ci.estimate(), 1e-12);
    assertEquals(0.4902, ci.lower(), 1e-4);
  }

  @Test
  void wilsonKnownValues() {
    // 8 of 10 at 95%: (0.4902, 0.9433), as in Wilson (1927) / standard tables.
    ConfidenceInterval w = Intervals.wilson(8, 10, 0.95);
    assertEquals(0.8, w.estimate(), 1e-12);
    assertEquals(0.4902, w.lower(), 1e-4);
    assertEquals(0.9433, w.upper(), 1e-4);
    ConfidenceInterval zero = Intervals.accuracy(0, 20);
    assertEquals(0.0, zero.lower());
    assertEquals(0.1611, zero.upper(), 1e-4);
    assertEquals(1.959963985, Intervals.normalQuantile(0.975), 1e-8);
    assertEquals(-2.326347874, Intervals.normalQuantile(0.01), 1e-8);
  }
}
