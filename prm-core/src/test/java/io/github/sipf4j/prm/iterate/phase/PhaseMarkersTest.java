package io.github.sipf4j.prm.iterate.phase;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.github.sipf4j.orpo.data.DataFormatException;
import io.github.sipf4j.prm.iterate.Phase;
import io.github.sipf4j.prm.iterate.SelfIterativeListener;
import io.github.sipf4j.prm.rollout.LabelRecord;
import io.github.sipf4j.prm.rollout.PolicyRef;
import io.github.sipf4j.prm.rollout.SampleRecord;
import io.github.sipf4j.prm.task.ReasoningTask;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Run directories written before the loop became phase objects resume: their markers (copied from a quickstart run
 * of the earlier version) read back as the typed summaries, their records as the typed records, and a broken marker
 * fails with the file and what to do.
 */
class PhaseMarkersTest {

  private static final PolicyRef POLICY = new PolicyRef("initial-policy", "decoder", 1, 2, 0);

  private static <S> LoopPhase<S> finished(Phase phase, Class<S> type) {
    return new LoopPhase<>() {
      @Override
      public Phase phase() {
        return phase;
      }

      @Override
      public Class<S> summaryType() {
        return type;
      }

      @Override
      public S run(IterationScope scope) {
        throw new AssertionError(phase + " is finished and must not run again");
      }
    };
  }

  private static <S> PhaseOutcome<S> resume(Path dir, Phase phase, Class<S> type, String marker) throws IOException {
    Path file = dir.resolve("iteration-01/phases/" + phase.key() + ".json");
    Files.createDirectories(file.getParent());
    Files.writeString(file, marker);
    List<String> heard = new ArrayList<>();
    PhaseRunner runner = new PhaseRunner(new LocalArtefactStore(dir), List.of(new SelfIterativeListener() {
      @Override
      public void onPhaseEnd(int iteration, Phase p, double seconds, boolean resumed) {
        heard.add(iteration + ":" + p + ":" + resumed);
      }
    }));
    PhaseOutcome<S> o = runner.run(scope(dir), finished(phase, type));
    assertTrue(o.resumed());
    assertEquals(List.of("1:" + phase + ":true"), heard);
    return o;
  }

  private static IterationScope scope(Path dir) {
    return new IterationScope(new LocalArtefactStore(dir), 1, "iteration-01", null,
        List.of(ReasoningTask.numeric("pool/in-domain/16", "q", "1", List.of())), POLICY);
  }

  @Test
  void markersOfTheEarlierVersionReadBackAsTypedSummaries(@TempDir Path dir) throws IOException {
    PhaseOutcome<SamplePhase.Summary> sample = resume(dir, Phase.SAMPLE, SamplePhase.Summary.class,
        "{\n  \"questions\": 16,\n  \"samples\": 32,\n  \"tokens\": 1013,\n  \"seconds\": 0.812990213\n}\n");
    assertEquals(new SamplePhase.Summary(16, 32, 1013), sample.summary());
    assertEquals(0.812990213, sample.seconds());
    assertEquals(new SimulatePhase.Summary(24, 3, 38, 19), resume(dir, Phase.SIMULATE, SimulatePhase.Summary.class,
        "{\"simulated\": 24, \"flawed_correct\": 3, \"completions\": 38, \"prefixes\": 19, \"seconds\": 0.5}")
        .summary());
    assertEquals(new SelectPhase.Summary(5, 5, 7, 4, 1), resume(dir, Phase.SELECT, SelectPhase.Summary.class,
        "{\"new\": 5, \"added\": 5, \"total\": 7, \"gold_chosen\": 4, \"correct_rejected\": 1, \"seconds\": 0.04}")
        .summary());
    TrainPrmPhase.Summary prm = resume(dir, Phase.TRAIN_PRM, TrainPrmPhase.Summary.class, "{\"trained\": true, "
        + "\"train_rationales\": 19, \"validation_rationales\": 5, \"steps\": 2, \"skipped_steps\": 0, \"first_loss\": "
        + "0.7206868529319763, \"last_loss\": 0.6920178532600403, \"step_accuracy\": 1.0, \"auroc\": NaN, "
        + "\"seconds\": 0.24}").summary();
    assertEquals(19, prm.trainRationales());
    assertTrue(Double.isNaN(prm.auroc()));
    assertFalse(resume(dir, Phase.TRAIN_PRM, TrainPrmPhase.Summary.class,
        "{\"trained\": false, \"seconds\": 0.01}").summary().trained(), "an untrained PRM's marker held one field");
    TrainPolicyPhase.Summary train = resume(dir, Phase.TRAIN_POLICY, TrainPolicyPhase.Summary.class, "{\"examples\": "
        + "5, \"steps\": 4, \"skipped_steps\": 0, \"loss\": 2.1192603, \"last_epoch\": {\"loss\": 2.1192603, "
        + "\"nll_loss\": 2.09848}, \"seconds\": 0.43}").summary();
    assertEquals(4, train.steps());
    assertEquals(2.09848f, train.lastEpoch().get("nll_loss"));
    EvaluatePhase.Summary eval = resume(dir, Phase.EVALUATE, EvaluatePhase.Summary.class, "{\"results\": "
        + "{\"validation\": {\"name\": \"validation\", \"n\": 16, \"correct\": 3, \"accuracy\": 0.1875, \"lower\": "
        + "0.07, \"upper\": 0.43}, \"in-domain\": {\"name\": \"in-domain\", \"n\": 16, \"correct\": 0, \"accuracy\": "
        + "0.0, \"lower\": 0.0, \"upper\": 0.19}}, \"seconds\": 1.5}").summary();
    assertEquals(List.of("validation", "in-domain"), List.copyOf(eval.results().keySet()), "the sets' order");
    assertEquals(3, eval.results().get("validation").correct());
  }

  @Test
  void recordsOfTheEarlierVersionReadBackAsTypedRecords(@TempDir Path dir) throws IOException {
    Files.createDirectories(dir.resolve("iteration-01"));
    Files.writeString(dir.resolve("iteration-01/samples.jsonl"), "{\"question\":0,\"task\":\"pool/in-domain/16\","
        + "\"sample\":1,\"text\":\"a1-4=A\",\"tokens\":7,\"meanLogProb\":-3.117390927814302,\"finish\":\"EOS\"}\n");
    Files.writeString(dir.resolve("iteration-01/labels.jsonl"), "{\"sample\":0,\"soft\":[0.5,0.0],\"hard\":[true,"
        + "false],\"rollouts\":[2,0],\"correct\":[1,0],\"outcomeCorrect\":false,\"firstWrongStep\":1}\n");
    IterationScope scope = scope(dir);
    SampleRecord s = scope.get(Artefacts.SAMPLES).get(0);
    assertEquals(new SampleRecord(0, "pool/in-domain/16", 1, "a1-4=A", 7, -3.117390927814302, "EOS"), s);
    LabelRecord l = scope.get(Artefacts.LABELS).get(0);
    assertEquals(1, l.simulatedPrefixes());
    assertEquals(2, l.completions());
    assertFalse(l.flawedCorrect());
  }

  @Test
  void aSampleOfAnotherQuestionOrABrokenMarkerFailsNamingTheFile(@TempDir Path dir) throws IOException {
    Files.createDirectories(dir.resolve("iteration-01"));
    Files.writeString(dir.resolve("iteration-01/samples.jsonl"), "{\"question\":0,\"task\":\"t1\",\"sample\":0,"
        + "\"text\":\"x\",\"tokens\":1,\"meanLogProb\":-1.0,\"finish\":\"EOS\"}\n"
        + "{\"question\":0,\"task\":\"other\",\"sample\":0,\"text\":\"x\",\"tokens\":1,\"meanLogProb\":-1,\"finish\":"
        + "\"EOS\"}\n");
    DataFormatException e = assertThrows(DataFormatException.class, () -> new IterationScope(new LocalArtefactStore(
        dir), 1, "iteration-01", null, List.of(ReasoningTask.numeric("t1", "q", "1", List.of())), POLICY)
        .get(Artefacts.SAMPLES));
    assertEquals(dir.resolve("iteration-01/samples.jsonl"), e.file());
    assertEquals(2, e.line());
    assertTrue(e.getMessage().contains("changed since the run started"), e.getMessage());
    DataFormatException marker = assertThrows(DataFormatException.class, () -> resume(dir, Phase.VERIFY,
        VerifyPhase.Summary.class, "{\"correct\": 3, \"samples\": 9}"));
    assertEquals(dir.resolve("iteration-01/phases/verify.json"), marker.file());
    assertTrue(marker.getMessage().contains("delete the marker to run the phase again"), marker.getMessage());
  }
}
