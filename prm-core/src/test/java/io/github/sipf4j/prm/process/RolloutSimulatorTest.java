package io.github.sipf4j.prm.process;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.github.sipf4j.orpo.sample.Sampler;
import io.github.sipf4j.orpo.sample.SamplingConfig;
import io.github.sipf4j.orpo.text.TextTokenizer;
import io.github.sipf4j.prm.task.ReasoningTask;
import io.github.sipf4j.prm.verify.OutcomeVerifier;
import io.github.sipf4j.prm.verify.Verdict;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

class RolloutSimulatorTest {

  static TextTokenizer tok;

  /** A completion is correct when the last character is Y. */
  static final OutcomeVerifier ENDS_WITH_Y =
      (task, output) -> new Verdict(output.endsWith("Y"), output.isEmpty() ? "" : output.substring(output.length() - 1),
          "ends with Y?");

  @BeforeAll
  static void setUp() {
    tok = TextTokenizer.characterLevel();
  }

  @AfterAll
  static void tearDown() {
    tok.close();
  }

  static StubAnswerLm stub(double... pYes) {
    return new StubAnswerLm(tok.vocabSize(), tok.encode("\n")[0], tok.encode("Y")[0], tok.encode("N")[0],
        tok.eosId(), pYes);
  }

  static RolloutRequest request(String... steps) {
    return new RolloutRequest(ReasoningTask.numeric("t", "q", "0", List.of()), "Q: q\nA:\n", List.of(steps), false);
  }

  static SimulatorConfig config(int k, boolean earlyStop, long seed) {
    return SimulatorConfig.builder().rolloutsPerStep(k).earlyStop(earlyStop)
        .sampling(SamplingConfig.builder().temperature(1f).maxNewTokens(4).seed(seed).build()).build();
  }

  @ParameterizedTest(name = "seed {0}")
  @ValueSource(longs = {1, 2, 3})
  void softLabelsEstimateTheKnownAnswerProbabilities(long seed) {
    // The prompt holds 2 newlines; after step j the prefix holds 2 + j + 1 of them.
    double[] p = {0, 0, 0, 0.8, 0.3, 0.0};
    try (StubAnswerLm lm = stub(p)) {
      RolloutSimulator sim = new RolloutSimulator(new Sampler(lm, tok), ENDS_WITH_Y, config(400, false, seed));
      StepLabels l = sim.label(List.of(request("a\n", "b\n", "c\n", "dY"))).get(0);
      assertEquals(0.8, l.soft()[0], 0.06, "seed " + seed);
      assertEquals(0.3, l.soft()[1], 0.06, "seed " + seed);
      assertEquals(0.0, l.soft()[2], 0.0, "seed " + seed);
      assertArrayEquals(new boolean[] {true, true, false, true}, l.hard(), "the last step is the outcome (ends in Y)");
      assertTrue(l.outcomeCorrect());
      assertEquals(2, l.firstWrongStep());
      assertArrayEquals(new int[] {400, 400, 400, 0}, l.rollouts());
      SimulationStats s = sim.lastStats();
      assertEquals(3, s.prefixesSimulated());
      assertEquals(1200, s.completions());
      assertEquals(399 * s.prefixTokensEncoded(), s.prefixTokensSaved());
    }
  }

  @ParameterizedTest(name = "seed {0}")
  @ValueSource(longs = {5, 6, 7, 8})
  void earlyStopGivesTheFullScanLabelsUpToTheFirstWrongStep(long seed) {
    double[] p = {0, 0, 0, 0.7, 0.2, 0.5, 0.4};
    List<RolloutRequest> requests = new ArrayList<>();
    for (int i = 0; i < 6; i++) {
      requests.add(request("a\n", "b\n", "c\n", "d\n", i % 2 == 0 ? "eY" : "eN"));
    }
    try (StubAnswerLm lm = stub(p)) {
      Sampler sampler = new Sampler(lm, tok);
      List<StepLabels> full = new RolloutSimulator(sampler, ENDS_WITH_Y, config(3, false, seed)).label(requests);
      RolloutSimulator early = new RolloutSimulator(sampler, ENDS_WITH_Y, config(3, true, seed));
      List<StepLabels> stopped = early.label(requests);
      for (int i = 0; i < requests.size(); i++) {
        StepLabels f = full.get(i);
        StepLabels e = stopped.get(i);
        int upTo = f.firstWrongStep() < 0 ? f.size() : f.firstWrongStep() + 1;
        for (int j = 0; j < Math.min(upTo, f.size() - 1); j++) {
          assertEquals(f.soft()[j], e.soft()[j], "seed " + seed + " rationale " + i + " step " + j);
          assertEquals(f.hard()[j], e.hard()[j], "seed " + seed + " rationale " + i + " step " + j);
        }
        assertEquals(f.firstWrongStep(), e.firstWrongStep(), "seed " + seed + " rationale " + i);
        for (int j = upTo; j < f.size() - 1; j++) {
          assertFalse(e.hard()[j], "later steps inherit the wrong label");
          assertEquals(0, e.rollouts()[j], "later steps are not simulated");
        }
        assertEquals(f.hard()[f.size() - 1], e.hard()[e.size() - 1], "the last step is always the outcome");
      }
      assertTrue(early.lastStats().completions() <= 3L * 4 * requests.size());
    }
  }

  @Test
  void goldRationalesAreCorrectWithoutSimulationAndRunsAreDeterministic() {
    try (StubAnswerLm lm = stub(0, 0, 0, 0.5, 0.5)) {
      Sampler sampler = new Sampler(lm, tok);
      RolloutSimulator sim = new RolloutSimulator(sampler, ENDS_WITH_Y, config(8, false, 3));
      RolloutRequest gold = new RolloutRequest(ReasoningTask.numeric("g", "q", "0", List.of()), "Q: q\nA:\n",
          List.of("a\n", "bN"), true);
      List<StepLabels> a = sim.label(List.of(gold, request("a\n", "b\n", "cN")));
      assertArrayEquals(new double[] {1, 1}, a.get(0).soft());
      assertArrayEquals(new int[] {0, 0}, a.get(0).rollouts());
      List<StepLabels> b = sim.label(List.of(gold, request("a\n", "b\n", "cN")));
      assertArrayEquals(a.get(1).soft(), b.get(1).soft(), "same seed, same labels");
      assertFalse(a.get(1).outcomeCorrect());
    }
  }

  @Test
  void monteCarloPrmScoresStepsWithTheSimulatorsLabelsAndRejectsUnknownQuestions() {
    try (StubAnswerLm lm = stub(0, 0, 0, 1.0, 0.0, 0.0)) {
      RolloutSimulator sim = new RolloutSimulator(new Sampler(lm, tok), ENDS_WITH_Y, config(4, false, 9));
      ReasoningTask task = ReasoningTask.numeric("t", "q", "0", List.of());
      ProcessRewardModel prm = ProcessRewardModel.monteCarlo(sim, java.util.Map.of("q", task),
          io.github.sipf4j.orpo.text.PromptTemplate.DEFAULT, true);
      double[] scores = prm.scoreSteps(StepScoringInput.of("q", List.of("a\n", "b\n", "cY")));
      // After step 0 every completion is Y, after step 1 none is; the last step is the outcome (ends with Y).
      assertArrayEquals(new double[] {1.0, 0.0, 1.0}, scores);
      assertEquals(8, ((MonteCarloPrm) prm).lastStats().completions());
      IllegalArgumentException e = org.junit.jupiter.api.Assertions.assertThrows(IllegalArgumentException.class,
          () -> prm.scoreSteps(StepScoringInput.of("unknown", List.of("x"))));
      assertTrue(e.getMessage().contains("unknown"), e.getMessage());
    }
  }
}
