package io.github.sipf4j.examples.run;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.github.sipf4j.prm.report.PhaseEstimate;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import java.util.stream.LongStream;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/** How {@link RunPlanner} counts the simulation's rollouts from the probed shares. */
class RunPlannerSimulationTest {

  /** One second per decoding step, nothing per row or prompt token: the seconds count the chunks' longest rows. */
  private static final RunPlanner.DecodeCost PER_STEP = new RunPlanner.DecodeCost(1, 0, 0, 0, -1);
  /** Nothing per step, one second per generated token: the seconds count the generated tokens. */
  private static final RunPlanner.DecodeCost PER_TOKEN = new RunPlanner.DecodeCost(0, 1, 0, 0, -1);

  @Test
  void everyPrefixOfEverySampleIsContinuedKTimesWithoutAShare() {
    // 5 steps: 4 prefixes; a 50-token rationale leaves 40, 30, 20 and 10 tokens after them
    PhaseEstimate e = RunPlanner.simulate(1, List.of(50, 50), 5, 1, 100, 3, 1024, 200, PER_TOKEN);
    assertEquals(2 * 3 * (40 + 30 + 20 + 10), e.generatedTokens());
    assertEquals(e.generatedTokens(), e.seconds(), 1e-9);
    assertEquals("simulate", e.phase());
  }

  @Test
  void aShareKeepsTheEarliestPrefixes() {
    // half of 4 prefixes: the first two of each sample, which leave the most tokens to generate
    PhaseEstimate e = RunPlanner.simulate(1, List.of(50, 50), 5, 0.5, 100, 1, 1024, 200, PER_TOKEN);
    assertEquals(2 * (40 + 30), e.generatedTokens());
  }

  @Test
  void theNewTokenLimitCapsEveryRollout() {
    PhaseEstimate e = RunPlanner.simulate(1, List.of(500), 2, 1, 100, 2, 1024, 64, PER_TOKEN);
    assertEquals(2 * 64, e.generatedTokens());
  }

  static Stream<Long> seeds() {
    return LongStream.rangeClosed(1, 8).boxed();
  }

  /**
   * Over random shapes: the rollouts kept are the share of all prefixes (k rollouts each, to within one prefix), no
   * sample keeps more prefixes than it has, so no share generates more tokens or takes more steps than every prefix
   * does.
   */
  @ParameterizedTest
  @MethodSource("seeds")
  void rolloutsFollowTheShareAndNeverExceedEveryPrefix(long seed) {
    Random r = new Random(seed);
    List<Integer> lengths = new ArrayList<>();
    int n = 1 + r.nextInt(40);
    for (int i = 0; i < n; i++) {
      lengths.add(5 + r.nextInt(120));
    }
    double steps = 2 + r.nextInt(7) + r.nextDouble();
    int prefixes = Math.max(1, (int) Math.round(steps) - 1);
    int k = 1 + r.nextInt(6);
    int batch = 1 + r.nextInt(300);
    PhaseEstimate all = RunPlanner.simulate(1, lengths, steps, 1, 50, k, batch, 1000, PER_TOKEN);
    for (double share = 1; share > 0; share -= 0.125) {
      PhaseEstimate e = RunPlanner.simulate(1, lengths, steps, share, 50, k, batch, 1000, PER_TOKEN);
      assertTrue(e.generatedTokens() <= all.generatedTokens(), "seed " + seed + " share " + share);
      assertTrue(e.seconds() <= all.seconds() + 1e-9, "seed " + seed + " share " + share);
      long rollouts = countRollouts(lengths, steps, share, k);
      assertEquals(Math.floor(share * prefixes * n + 1e-9) * k, rollouts, k, "seed " + seed + " share " + share);
    }
    assertEquals((long) n * prefixes * k, countRollouts(lengths, steps, 1, k));
  }

  /** Rollouts counted by giving every one a single token to generate (one-token rationales leave at least 1). */
  private static long countRollouts(List<Integer> lengths, double steps, double share, int k) {
    List<Integer> ones = new ArrayList<>();
    lengths.forEach(l -> ones.add(1));
    return RunPlanner.simulate(1, ones, steps, share, 50, k, 100_000, 1000, PER_TOKEN).generatedTokens();
  }
}
