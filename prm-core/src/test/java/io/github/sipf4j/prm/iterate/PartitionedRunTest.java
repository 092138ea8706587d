package io.github.sipf4j.prm.iterate;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ai.djl.Device;
import io.github.sipf4j.orpo.model.CausalLm;
import io.github.sipf4j.prm.iterate.phase.RolloutShards;
import io.github.sipf4j.prm.rollout.LocalRolloutEngine;
import io.github.sipf4j.prm.rollout.RolloutEngine;
import io.github.sipf4j.prm.rollout.RolloutJob;
import io.github.sipf4j.prm.rollout.VerifierSpec;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The rollout seam: the same run with its rollouts split into 1, 2 and 3 partitions (each partition loading the
 * policy from its saved folder, as a remote worker would) writes byte-identical samples, verdicts, labels, scores and
 * evaluation files, and so does the default engine over the policy in memory.
 */
class PartitionedRunTest {

  /** Small shards, so that the six questions, eighteen samples and their labels span several of them. */
  private static final RolloutShards SHARDS = new RolloutShards(2, 5);

  @Test
  void onePartitionTwoOrThreeWriteTheSameFiles(@TempDir Path dir) throws IOException {
    Path live = run(dir.resolve("live"), null);
    List<Path> partitioned = new ArrayList<>();
    for (int p = 1; p <= 3; p++) {
      partitioned.add(run(dir.resolve("partitions-" + p), new CountingEngine(p)));
    }
    List<String> compared = new ArrayList<>();
    try (Stream<Path> files = Files.walk(live)) {
      for (Path f : files.filter(Files::isRegularFile).toList()) {
        String name = live.relativize(f).toString();
        boolean artefact = name.endsWith(".jsonl") && !name.contains("metrics") || name.endsWith("eval.json");
        if (!artefact) {
          continue;
        }
        compared.add(name);
        for (Path other : partitioned) {
          assertArrayEquals(Files.readAllBytes(f), Files.readAllBytes(other.resolve(name)), other + ": " + name);
        }
      }
    }
    for (String required : List.of("baseline/eval-val.jsonl", "baseline/eval.json", "iteration-01/samples.jsonl",
        "iteration-01/verdicts.jsonl", "iteration-01/labels.jsonl", "iteration-02/samples.jsonl",
        "iteration-02/labels.jsonl", "iteration-02/scores.jsonl", "iteration-02/eval-val.jsonl",
        "iteration-02/eval.json")) {
      assertTrue(compared.contains(required), required + " compared: " + compared);
    }
    assertTrue(Files.readAllLines(live.resolve("iteration-01/labels.jsonl")).size() > SHARDS.rationales(),
        "the labels span more than one shard");
  }

  private static Path run(Path dir, CountingEngine engine) throws IOException {
    try (CausalLm lm = TinyRun.newDecoder()) {
      SelfIterativeTrainer.Builder b = TinyRun.builder(lm, dir, FeedbackMode.PROCESS)
          .verifier(VerifierSpec.of(EvenHashVerifierFactory.KIND)).rolloutShards(SHARDS);
      if (engine != null) {
        b.rolloutEngine(engine);
      }
      b.build().run();
      if (engine != null) {
        assertTrue(engine.partitioned > 0 || engine.partitions == 1, "some job was split");
      }
    }
    return dir;
  }

  /** A loading engine that also counts the jobs it really split. */
  private static final class CountingEngine implements RolloutEngine {
    final int partitions;
    final RolloutEngine engine;
    int partitioned;

    CountingEngine(int partitions) {
      this.partitions = partitions;
      this.engine = new LocalRolloutEngine(Device.cpu(), partitions);
    }

    @Override
    public <R> List<R> run(RolloutJob<R> job) throws IOException {
      partitioned += job.shards() > 1 && partitions > 1 ? 1 : 0;
      List<R> out = engine.run(job);
      assertEquals(job.units(), out.size());
      return out;
    }
  }
}
