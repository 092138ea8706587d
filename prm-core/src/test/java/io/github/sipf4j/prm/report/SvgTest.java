package io.github.sipf4j.prm.report;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import java.util.Random;
import java.util.stream.LongStream;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

class SvgTest {

  static Stream<Long> seeds() {
    return LongStream.range(1, 13).boxed();
  }

  /** Ticks start at 0, cover the top, step by 1, 2 or 5 times a power of ten, and number at most 7. */
  @ParameterizedTest
  @MethodSource("seeds")
  void ticksAreRoundAndCoverTheValues(long seed) {
    double top = Math.pow(10, new Random(seed).nextDouble() * 8 - 3);
    double[] t = Svg.ticks(top);
    assertEquals(0, t[0]);
    assertTrue(t[t.length - 1] >= top * (1 - 1e-9), top + " within " + t[t.length - 1]);
    assertTrue(t.length >= 2 && t.length <= 7, "ticks " + t.length);
    double step = t[1];
    double mantissa = step / Math.pow(10, Math.floor(Math.log10(step) + 1e-9));
    assertTrue(List.of(1.0, 2.0, 5.0).stream().anyMatch(m -> Math.abs(m - mantissa) < 1e-6), "step " + step);
  }

  @Test
  void numbersAreShortAndNeverNaN() {
    assertEquals("1,234", Svg.number(1234));
    assertEquals("30.4", Svg.number(30.4));
    assertEquals("0.8", Svg.number(0.8));
    assertEquals("0.65", Svg.number(0.646));
    assertEquals("1.2e-03", Svg.number(0.0012));
    assertEquals("–", Svg.number(Double.NaN));
    assertEquals("–", Svg.value(Double.POSITIVE_INFINITY, true));
    assertEquals("42.5%", Svg.value(0.425, true));
  }

  @Test
  void nonFiniteValuesAreLeftOutOfTheCharts() {
    double nan = Double.NaN;
    String lines = Svg.lines("c", "t", List.of("0", "1", "2"), List.of(new Svg.Series("s", "#000",
        new double[] {0.2, nan, 0.4}, new double[] {0.1, nan, nan}, new double[] {0.3, nan, nan}, null)), true, 0.1);
    assertEquals(2, lines.split("<circle class=\"datum\"", -1).length - 1);
    assertEquals(1, lines.split("class=\"ci\"", -1).length - 1);
    String bars = Svg.bars("b", "t", List.of("a", "b"), List.of(Svg.Series.of("s", "#000",
        new double[] {nan, 3})), " s", true);
    assertEquals(1, bars.split("<rect class=\"datum\"", -1).length - 1);
    assertFalse(lines.contains("NaN") || bars.contains("NaN"));
    assertTrue(Svg.lines("e", "<b>", List.of(), List.of(), false, 1).contains("&lt;b&gt;"));
  }
}
