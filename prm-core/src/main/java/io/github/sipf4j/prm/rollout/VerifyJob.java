package io.github.sipf4j.prm.rollout;

import com.google.common.base.Preconditions;
import io.github.sipf4j.prm.task.ReasoningTask;
import java.util.ArrayList;
import java.util.List;

/**
 * Checks the final answer of every sample with the verifier. No model is involved; sharding only spreads the work
 * (code tasks run in a sandboxed Python process each).
 *
 * @param verifier the verifier, or null for the engine's own verifier object
 * @param tasks the tasks the samples answer, indexed by {@link SampleRecord#question()}
 * @param samples the samples, in order
 * @param shardSize the most samples per shard
 */
public record VerifyJob(VerifierSpec verifier, List<ReasoningTask> tasks, List<SampleRecord> samples, int shardSize)
    implements RolloutJob<VerdictRecord> {

  /**
   * Validates the job and copies the lists.
   *
   * @param verifier the {@code verifier} component (see the record)
   * @param tasks the {@code tasks} component (see the record)
   * @param samples the {@code samples} component (see the record)
   * @param shardSize the {@code shardSize} component (see the record)
   */
  public VerifyJob {
    Preconditions.checkArgument(shardSize > 0, "shardSize must be positive, got %s", shardSize);
    tasks = List.copyOf(tasks);
    samples = List.copyOf(samples);
  }

  @Override
  public String name() {
    return "verify";
  }

  /**
   * Returns null: verification needs no model.
   *
   * @return null
   */
  @Override
  public PolicyRef policy() {
    return null;
  }

  @Override
  public int size() {
    return samples.size();
  }

  @Override
  public List<VerdictRecord> runShard(int shard, RolloutContext context) {
    List<VerdictRecord> out = new ArrayList<>(shardEnd(shard) - shardStart(shard));
    for (SampleRecord r : samples.subList(shardStart(shard), shardEnd(shard))) {
      out.add(VerdictRecord.of(context.verifier().verify(tasks.get(r.question()), r.text())));
    }
    return out;
  }
}
