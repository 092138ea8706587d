package io.github.sipf4j.prm.process;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.github.sipf4j.orpo.data.PreferencePair;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Random;
import java.util.Set;
import java.util.stream.LongStream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

class PairSelectorTest {

  static ScoredRationale r(String text, boolean correct, double reward) {
    return new ScoredRationale(text, StepSplitter.newlines().split(text), correct, reward, new double[] {reward});
  }

  static List<String> texts(List<SelectedPair> pairs) {
    List<String> out = new ArrayList<>();
    for (SelectedPair p : pairs) {
      out.add(p.pair().chosen() + ">" + p.pair().rejected());
    }
    return out;
  }

  @Test
  void bestChosenMeetsWorstRejectedWithinTheCap() {
    List<ScoredRationale> in = List.of(
        r("A", true, 0.9), r("B", true, 0.8), r("C", true, 0.7), r("X", false, 0.2), r("Y", false, 0.4),
        r("Z", false, 0.3));
    List<SelectedPair> pairs = PairSelector.withDefaults().select("P", in);
    assertEquals(List.of("A>X", "B>Z"), texts(pairs));
    assertEquals(new PreferencePair("P", "A", "X"), pairs.get(0).pair());
    assertEquals(0.9, pairs.get(0).chosenReward());
    assertEquals(0.2, pairs.get(0).rejectedReward());
    assertEquals(0.7, pairs.get(0).margin(), 1e-12);
    assertFalse(pairs.get(0).rejectedCorrect());
    PairSelector three = new PairSelector(PairSelectorConfig.builder().maxPairsPerQuestion(3).build());
    assertEquals(List.of("A>X", "B>Z", "C>Y"), texts(three.select("P", in)));
  }

  @Test
  void theMarginIsRespected() {
    List<ScoredRationale> in = List.of(r("A", true, 0.5), r("X", false, 0.45), r("Y", false, 0.41));
    assertTrue(PairSelector.withDefaults().select("P", in).isEmpty());
    // 0.5 - 0.4 is 0.09999999999999998 in floating point: still exactly the margin.
    List<ScoredRationale> edge = List.of(r("A", true, 0.5), r("X", false, 0.4));
    assertEquals(List.of("A>X"), texts(PairSelector.withDefaults().select("P", edge)));
    PairSelector wide = new PairSelector(PairSelectorConfig.builder().margin(0.3).build());
    assertTrue(wide.select("P", edge).isEmpty());
    // Without a correct rationale there is no pair.
    assertTrue(PairSelector.withDefaults().select("P", List.of(r("X", false, 0.9), r("Y", false, 0.1))).isEmpty());
  }

  @Test
  void aCorrectButFlawedRationaleCanBeRejected() {
    List<ScoredRationale> in = List.of(r("good", true, 0.95), r("lucky", true, 0.35), r("wrong", false, 0.9));
    List<SelectedPair> pairs = PairSelector.withDefaults().select("P", in);
    assertEquals(List.of("good>lucky"), texts(pairs));
    assertTrue(pairs.get(0).rejectedCorrect());
    PairSelector outcomeOnly = new PairSelector(PairSelectorConfig.builder().allowCorrectRejected(false).build());
    assertTrue(outcomeOnly.select("P", in).isEmpty(), "wrong (0.9) is within the margin of good (0.95)");
  }

  @Test
  void flawedCorrectRationalesCanBeRejectedFirst() {
    List<ScoredRationale> in = List.of(r("gold", true, 1.0), r("clean", true, 0.95), r("lucky", true, 0.4),
        r("X", false, 0.0), r("Y", false, 0.1));
    // By default the best chosen meets the worst rejected, and the flawed one is left out by the cap.
    assertEquals(List.of("gold>X", "clean>Y"), texts(PairSelector.withDefaults().select("P", in)));
    PairSelector flawedFirst = new PairSelector(PairSelectorConfig.builder().preferFlawedRejected(true).build());
    List<SelectedPair> pairs = flawedFirst.select("P", in);
    assertEquals(List.of("gold>lucky", "clean>X"), texts(pairs));
    assertTrue(pairs.get(0).rejectedCorrect());
    assertFalse(pairs.get(1).rejectedCorrect());
    // clean (0.95) is within the margin of gold (1.0): a correct rationale is only rejected below the margin.
    assertEquals(List.of("gold>X", "clean>Y"),
        texts(flawedFirst.select("P", List.of(in.get(0), in.get(1), in.get(3), in.get(4)))));
    IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> PairSelectorConfig.builder()
        .preferFlawedRejected(true).allowCorrectRejected(false).build());
    assertTrue(e.getMessage().contains("allowCorrectRejected"), e.getMessage());
  }

  @Test
  void aMinimumChosenRewardKeepsLowRewardCorrectRationalesOffTheChosenSide() {
    List<ScoredRationale> in = List.of(r("clean", true, 0.9), r("lucky", true, 0.5), r("X", false, 0.1),
        r("Y", false, 0.2));
    assertEquals(List.of("clean>X", "lucky>Y"), texts(PairSelector.withDefaults().select("P", in)));
    PairSelector strict = new PairSelector(PairSelectorConfig.builder().minChosenReward(0.75).build());
    // lucky (0.5) may not be chosen, but it may still be rejected.
    assertEquals(List.of("clean>X"), texts(strict.select("P", in)));
    PairSelector strictFlawed = new PairSelector(PairSelectorConfig.builder().minChosenReward(0.75)
        .preferFlawedRejected(true).build());
    assertEquals(List.of("clean>lucky"), texts(strictFlawed.select("P", in)));
    // The threshold is inclusive; a question whose correct rationales all score below it gives no pair.
    assertEquals(List.of("clean>X"), texts(new PairSelector(PairSelectorConfig.builder().minChosenReward(0.9)
        .build()).select("P", in)));
    assertTrue(new PairSelector(PairSelectorConfig.builder().minChosenReward(0.95).build()).select("P", in)
        .isEmpty());
    for (double bad : new double[] {-0.1, 1.5, Double.NaN}) {
      IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
          () -> PairSelectorConfig.builder().minChosenReward(bad).build());
      assertTrue(e.getMessage().contains("minChosenReward must be in [0, 1]"), e.getMessage());
    }
  }

  @Test
  void duplicatesAreMergedWithinAnOutcomeOnly() {
    List<ScoredRationale> in = List.of(
        r("3+4=7\n7*2=14\n", true, 0.9),
        r("3 + 4 = 7\n7 * 2 = 14", true, 0.85), // identical equations: dropped
        r("3+4=7\n7*2=13\n", false, 0.1), // near-duplicate (similarity 10/11) of the next one: dropped
        r("3+4=7\n7*2=15\n", false, 0.2), // near-duplicate of the first, but another outcome: kept
        r("1+1=2\n", true, 0.6));
    PairSelector selector = new PairSelector(PairSelectorConfig.builder().maxPairsPerQuestion(5).build());
    assertEquals(List.of(0, 4, 3), selector.deduplicate(in));
    assertEquals(List.of("3+4=7\n7*2=14\n>3+4=7\n7*2=15\n"), texts(selector.select("P", in)));
    PairSelector exactOnly = new PairSelector(PairSelectorConfig.builder().nearDuplicateSimilarity(1.0).build());
    assertEquals(List.of(0, 4, 3, 2), exactOnly.deduplicate(in));
    assertEquals(List.of("3+4=7\n7*2=14\n>3+4=7\n7*2=13\n", "1+1=2\n>3+4=7\n7*2=15\n"),
        texts(exactOnly.select("P", in)));
  }

  @Test
  void chosenReuseIsOptIn() {
    List<ScoredRationale> in = List.of(r("A", true, 0.9), r("B", true, 0.85), r("X", false, 0.1),
        r("Y", false, 0.2));
    assertEquals(List.of("A>X", "B>Y"), texts(PairSelector.withDefaults().select("P", in)));
    PairSelector reuse = new PairSelector(PairSelectorConfig.builder().allowChosenReuse(true).build());
    assertEquals(List.of("A>X", "A>Y"), texts(reuse.select("P", in)));
  }

  @Test
  void similarityAndNormalisation() {
    assertEquals(1.0, PairSelector.similarity("", ""));
    assertEquals(0.0, PairSelector.similarity("abc", ""));
    assertEquals(1.0 - 1.0 / 3, PairSelector.similarity("abc", "abd"), 1e-12);
    assertEquals(1.0 - 3.0 / 7, PairSelector.similarity("kitten", "sitting"), 1e-12);
    assertEquals("3+4=7", PairSelector.normalise(r(" 3 + 4\t= 7\n", true, 0)));
    assertThrows(IllegalArgumentException.class, () -> PairSelectorConfig.builder().margin(-1).build());
    assertThrows(IllegalArgumentException.class, () -> PairSelectorConfig.builder().maxPairsPerQuestion(0).build());
    assertThrows(IllegalArgumentException.class, () -> PairSelectorConfig.builder().nearDuplicateSimilarity(0)
        .build());
  }

  static LongStream seeds() {
    return LongStream.range(0, 100);
  }

  @ParameterizedTest(name = "seed {0}")
  @MethodSource("seeds")
  void invariantsOnRandomQuestions(long seed) {
    Random rnd = new Random(seed);
    List<ScoredRationale> in = new ArrayList<>();
    int n = rnd.nextInt(10);
    for (int i = 0; i < n; i++) {
      in.add(r("r" + rnd.nextInt(6) + "\n" + "step" + i, rnd.nextBoolean(), Math.round(rnd.nextDouble() * 10) / 10.0));
    }
    boolean correctRejected = rnd.nextBoolean();
    PairSelectorConfig cfg = PairSelectorConfig.builder().margin(rnd.nextInt(4) / 10.0)
        .maxPairsPerQuestion(1 + rnd.nextInt(3)).allowCorrectRejected(correctRejected)
        .preferFlawedRejected(correctRejected && rnd.nextBoolean())
        .minChosenReward(rnd.nextBoolean() ? 0 : rnd.nextInt(11) / 10.0).build();
    List<SelectedPair> pairs = new PairSelector(cfg).select("P", in);
    assertEquals(pairs, new PairSelector(cfg).select("P", in), "seed " + seed + ": not deterministic");
    assertTrue(pairs.size() <= cfg.maxPairsPerQuestion(), "seed " + seed);
    Set<String> used = new HashSet<>();
    for (SelectedPair p : pairs) {
      assertTrue(p.margin() >= cfg.margin() - 1e-9, "seed " + seed);
      assertTrue(cfg.allowCorrectRejected() || !p.rejectedCorrect(), "seed " + seed);
      assertTrue(in.stream().anyMatch(x -> x.text().equals(p.pair().chosen()) && x.correct()), "seed " + seed);
      assertTrue(p.chosenReward() >= cfg.minChosenReward() - 1e-9, "seed " + seed + ": chosen below the minimum");
      assertTrue(used.add(p.pair().chosen()) && used.add(p.pair().rejected()), "seed " + seed + ": reused");
    }
    if (cfg.preferFlawedRejected()) {
      // A wrong rationale is only rejected when no unused correct one was far enough below that pair's chosen one.
      for (SelectedPair p : pairs) {
        for (int i : new PairSelector(cfg).deduplicate(in)) {
          ScoredRationale x = in.get(i);
          assertFalse(!p.rejectedCorrect() && x.correct() && !used.contains(x.text())
              && p.chosenReward() - x.reward() >= cfg.margin() - 1e-9, "seed " + seed + ": " + x.text()
              + " should have been rejected before " + p.pair().rejected());
        }
      }
    }
  }
}
