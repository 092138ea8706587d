package io.github.sipf4j.orpo.train;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Random;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.stream.IntStream;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/** The data plan of every trainer: plain permutation order and grouping by length, over seeded random cases. */
class EpochBatchesTest {

  /** One random case: examples of random lengths (their own index is the example) and batch sizes. */
  record Case(long seed, int n, int batch, int micro, int[] lengths) {
    @Override
    public String toString() {
      return "seed " + seed + ": n " + n + ", batch " + batch + ", micro " + micro;
    }
  }

  static Stream<Case> cases() {
    return IntStream.range(0, 40).mapToObj(i -> {
      Random r = new Random(1000 + i);
      int n = 1 + r.nextInt(i < 10 ? 40 : 1500);
      int batch = 1 + r.nextInt(24);
      int micro = 1 + r.nextInt(batch);
      int[] lengths = new int[n];
      for (int j = 0; j < n; j++) {
        lengths[j] = 5 + (int) Math.round(Math.exp(r.nextGaussian() * 0.6 + 4));
      }
      return new Case(1000 + i, n, batch, micro, lengths);
    });
  }

  static List<Integer> examples(int n) {
    List<Integer> out = new ArrayList<>(n);
    for (int i = 0; i < n; i++) {
      out.add(i);
    }
    return out;
  }

  static EpochBatches<Integer> plan(Case c, boolean group) {
    return new EpochBatches<>(examples(c.n()), c.batch(), c.micro(), c.seed(), group ? i -> c.lengths()[i] : null);
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("cases")
  void everyEpochReadsEveryExampleOnceInFullBatchesBarOne(Case c) {
    for (boolean group : new boolean[] {false, true}) {
      EpochBatches<Integer> plan = plan(c, group);
      long steps = plan.stepsPerEpoch();
      assertEquals((c.n() + c.batch() - 1) / c.batch(), steps);
      for (int epoch = 0; epoch < 2; epoch++) {
        List<Integer> seen = new ArrayList<>();
        int shortBatches = 0;
        for (long s = epoch * steps; s < (epoch + 1) * steps; s++) {
          List<List<Integer>> micro = plan.microBatches(s);
          List<Integer> batch = new ArrayList<>();
          for (int m = 0; m < micro.size(); m++) {
            assertTrue(micro.get(m).size() == c.micro() || m == micro.size() - 1, "micro-batch sizes " + micro);
            batch.addAll(micro.get(m));
          }
          shortBatches += batch.size() < c.batch() ? 1 : 0;
          seen.addAll(batch);
        }
        Collections.sort(seen);
        assertEquals(examples(c.n()), seen, "group " + group + ", epoch " + epoch);
        assertTrue(shortBatches <= 1, shortBatches + " short batches");
      }
    }
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("cases")
  void withoutLengthsBatchesAreConsecutiveSlicesOfTheEpochPermutation(Case c) {
    EpochBatches<Integer> plan = plan(c, false);
    long steps = plan.stepsPerEpoch();
    for (int epoch = 0; epoch < 2; epoch++) {
      List<Integer> order = EpochBatches.permutation(c.n(), c.seed() + epoch);
      for (long s = 0; s < steps; s++) {
        int from = (int) (s * c.batch());
        assertEquals(order.subList(from, Math.min(c.n(), from + c.batch())),
            plan.batchIndices(epoch * steps + s));
      }
    }
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("cases")
  void groupedBatchesAreSortedLongestFirstWithTheLongestBatchFirstAndPadLess(Case c) {
    EpochBatches<Integer> grouped = plan(c, true);
    EpochBatches<Integer> plain = plan(c, false);
    long steps = grouped.stepsPerEpoch();
    int longest = IntStream.of(c.lengths()).max().orElseThrow();
    for (int epoch = 0; epoch < 2; epoch++) {
      long paddedGrouped = 0;
      long paddedPlain = 0;
      for (long s = epoch * steps; s < (epoch + 1) * steps; s++) {
        List<Integer> batch = grouped.batchIndices(s);
        for (int j = 1; j < batch.size(); j++) {
          assertTrue(c.lengths()[batch.get(j - 1)] >= c.lengths()[batch.get(j)], "not longest first: " + batch);
        }
        if (s == epoch * steps) {
          assertEquals(longest, c.lengths()[batch.get(0)], "the epoch's first batch holds its longest example");
        }
        paddedGrouped += padded(grouped.microBatches(s), c.lengths());
        paddedPlain += padded(plain.microBatches(s), c.lengths());
      }
      assertTrue(paddedGrouped <= paddedPlain, paddedGrouped + " > " + paddedPlain);
    }
  }

  /** On lengths that vary as sampled rationales do, grouping removes most of the padding. */
  @Test
  void groupingRemovesMostPaddingOnVaryingLengths() {
    Case c = cases().filter(k -> k.n() > 500 && k.batch() >= 8).findFirst().orElseThrow();
    long real = 0;
    for (int len : c.lengths()) {
      real += len;
    }
    long plain = 0;
    long grouped = 0;
    EpochBatches<Integer> p = plan(c, false);
    EpochBatches<Integer> g = plan(c, true);
    for (long s = 0; s < p.stepsPerEpoch(); s++) {
      plain += padded(List.of(p.batchIndices(s)), c.lengths());
      grouped += padded(List.of(g.batchIndices(s)), c.lengths());
    }
    double plainWaste = 1 - (double) real / plain;
    double groupedWaste = 1 - (double) real / grouped;
    assertTrue(plainWaste > 0.25, "the case has little padding to remove: " + plainWaste);
    assertTrue(groupedWaste < plainWaste / 4, "padding " + plainWaste + " -> " + groupedWaste);
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("cases")
  void aStepReadsTheSameExamplesWhateverTheStepsBefore(Case c) {
    EpochBatches<Integer> straight = plan(c, true);
    List<List<Integer>> all = new ArrayList<>();
    long total = 3 * straight.stepsPerEpoch();
    for (long s = 0; s < total; s++) {
      all.add(straight.batchIndices(s));
    }
    Random r = new Random(c.seed());
    EpochBatches<Integer> resumed = plan(c, true);
    for (int k = 0; k < 20; k++) {
      long s = (long) (r.nextDouble() * total);
      assertEquals(all.get((int) s), resumed.batchIndices(s), "step " + s);
    }
  }

  @Test
  void lengthsAreReadOncePerExample() {
    AtomicInteger calls = new AtomicInteger();
    EpochBatches<Integer> plan = new EpochBatches<>(examples(100), 8, 4, 1, i -> {
      calls.incrementAndGet();
      return i % 17;
    });
    for (long s = 0; s < 3 * plan.stepsPerEpoch(); s++) {
      plan.microBatches(s);
    }
    assertEquals(100, calls.get());
  }

  private static long padded(List<List<Integer>> micro, int[] lengths) {
    long sum = 0;
    for (List<Integer> mb : micro) {
      int max = 0;
      for (int i : mb) {
        max = Math.max(max, lengths[i]);
      }
      sum += (long) max * mb.size();
    }
    return sum;
  }
}
