package io.github.sipf4j.examples.run;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ai.djl.Device;
import io.github.sipf4j.orpo.model.DecoderConfig;
import io.github.sipf4j.orpo.model.DecoderLm;
import io.github.sipf4j.orpo.sample.Sampler;
import io.github.sipf4j.orpo.text.TextTokenizer;
import io.github.sipf4j.prm.rollout.VerifierSpec;
import io.github.sipf4j.prm.rollout.VerifierSpecs;
import io.github.sipf4j.prm.task.TaskSet;
import io.github.sipf4j.prm.verify.OutcomeVerifier;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** {@link RolloutProbe} on a tiny random model: what it counts, and that it counts the same every time. */
class RolloutProbeTest {
  @TempDir java.nio.file.Path dir;

  private RunSettings settings(String mode) {
    return RunFiles.parse("""
        output: %s
        mode: %s
        model: {embedded: true}
        warm_start: {tasks: {kind: synthetic, count: 8, seed: 4}, steps: 1, batch_size: 4}
        tasks:
          - {kind: synthetic, count: 40, seed: 5}
        eval:
          - {name: a, kind: synthetic, count: 100, seed: 6}
          - {name: b, kind: synthetic, split: ood-length, count: 10, seed: 7}
        sampling: {samples_per_question: 3, max_new_tokens: 24, batch_size: 32}
        simulation: {rollouts_per_step: 2, max_new_tokens: 24, batch_size: 64}
        """.formatted(dir.resolve("run"), mode), "probe.yaml", List.of(), dir);
  }

  private RolloutProbe probe(RunSettings s) throws Exception {
    TaskSet train = RunSetup.trainTasks(s);
    Map<String, TaskSet> eval = RunSetup.evalSets(s);
    OutcomeVerifier v = VerifierSpecs.create(VerifierSpec.forTaskKind());
    try (TextTokenizer tok = TextTokenizer.characterLevel();
        DecoderLm lm = DecoderLm.create(DecoderConfig.builder().vocabSize(tok.vocabSize()).dModel(16).layers(1)
            .heads(2).maxLength(256).build(), Device.cpu(), 3)) {
      return RolloutProbe.run(s, lm, new Sampler(lm, tok), v, train, eval, false);
    } finally {
      VerifierSpecs.release(v);
    }
  }

  @Test
  void countsSamplesSharesAndAnswersOfTheRunsOwnSettings() throws Exception {
    RolloutProbe p = probe(settings("process"));
    assertEquals(RolloutProbe.QUESTIONS, p.questions());
    assertEquals(RolloutProbe.QUESTIONS * 3, p.sampleLengths().size(), "samples_per_question samples of each");
    assertTrue(p.sampleLengths().stream().allMatch(l -> l >= 1 && l <= 24), p.sampleLengths().toString());
    assertTrue(p.simulatedShare() >= 0 && p.simulatedShare() <= 1, String.valueOf(p.simulatedShare()));
    assertTrue(p.prefixShare() > 0 && p.prefixShare() <= 1, String.valueOf(p.prefixShare()));
    assertEquals(List.of("a", "b"), List.copyOf(p.evalLengths().keySet()));
    assertEquals(RolloutProbe.EVAL_TASKS, p.evalLengths().get("a").size(), "the first tasks of a large set");
    assertEquals(10, p.evalLengths().get("b").size(), "every task of a small one");
    assertEquals(p, probe(settings("process")), "seeded: the same probe twice");
  }

  @Test
  void withoutProcessRewardsNothingIsSimulated() throws Exception {
    RolloutProbe p = probe(settings("outcome"));
    assertEquals(1.0, p.prefixShare());
    assertEquals(RolloutProbe.QUESTIONS * 3, p.sampleLengths().size());
  }
}
