package io.github.sipf4j.prm.rollout;

import ai.djl.Device;
import com.google.common.base.Preconditions;
import io.github.sipf4j.orpo.model.CausalLmKind;
import io.github.sipf4j.orpo.util.NoGradScope;
import java.io.IOException;
import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import java.util.function.LongConsumer;

/**
 * The work of one partition of a {@link RolloutJob}: a contiguous range of its shards, computed one after the other.
 * This is the code every {@link RolloutEngine} runs, wherever it runs it: {@link LocalRolloutEngine} calls it in this
 * process, and an engine that distributes partitions (to Spark executors, say) calls
 * {@link #run(RolloutJob, int, int, Device, Collection)} where the partition lands, with the job decoded from
 * {@link RolloutJobs#toJson its JSON}:
 *
 * <pre>{@code
 * // on an executor: the job as JSON, the shard range, the device
 * RolloutJob<?> job = RolloutJobs.fromJson(json);
 * List<?> records = RolloutPartition.run(job, fromShard, toShard, Device.cpu(), List.of());
 * }</pre>
 *
 * <p>Because a shard's records depend only on the shard ({@link RolloutJob}), the records of the partitions,
 * concatenated in shard order, are those of one partition holding every shard.
 */
public final class RolloutPartition {

  private RolloutPartition() {}

  /**
   * Runs shards {@code [fromShard, toShard)} of a job with nothing but the job: loads the policy it names (and its
   * tokenizer) and builds its verifier from its specification, runs the shards, and releases everything.
   *
   * @param job the job
   * @param fromShard the first shard
   * @param toShard one past the last shard
   * @param device where the policy's parameters will live
   * @param extraKinds model kinds to try before the registered ones; may be empty
   * @param <R> the record type
   * @return the records of the shards, in item order
   * @throws IOException if the policy or its tokenizer cannot be loaded
   */
  public static <R> List<R> run(RolloutJob<R> job, int fromShard, int toShard, Device device,
      Collection<CausalLmKind> extraKinds) throws IOException {
    try (RolloutContext context = RolloutContext.open(job, device, extraKinds)) {
      return run(job, fromShard, toShard, context, null);
    }
  }

  /**
   * Runs shards {@code [fromShard, toShard)} of a job with what a context holds.
   *
   * @param job the job
   * @param fromShard the first shard
   * @param toShard one past the last shard
   * @param context the model, tokenizer and verifier
   * @param shardDone receives the progress units of each shard when it is done, or null
   * @param <R> the record type
   * @return the records of the shards, in item order
   * @throws IllegalStateException if a shard returns another number of records than {@link RolloutJob#shardUnits}
   */
  public static <R> List<R> run(RolloutJob<R> job, int fromShard, int toShard, RolloutContext context,
      LongConsumer shardDone) {
    Preconditions.checkArgument(0 <= fromShard && fromShard <= toShard && toShard <= job.shards(),
        "shards [%s, %s) outside the job's %s shards", fromShard, toShard, job.shards());
    List<R> out = new ArrayList<>();
    // Rollouts never need gradients; an engine's worker thread may start with libtorch's grad mode on.
    try (NoGradScope noGrad = NoGradScope.open()) {
      for (int s = fromShard; s < toShard; s++) {
        List<R> records = job.runShard(s, context);
        long expected = job.shardUnits(s);
        if (records.size() != expected) {
          throw new IllegalStateException("rollout job '" + job.name() + "', shard " + s + ": " + records.size()
              + " records where " + expected + " were due");
        }
        out.addAll(records);
        if (shardDone != null) {
          shardDone.accept(job.shardUnits(s));
        }
      }
    }
    return out;
  }

  /**
   * Splits shards into contiguous partitions of nearly equal size.
   *
   * @param shards the number of shards
   * @param partitions the number of partitions wanted, at least 1
   * @return {@code {from, to}} ranges in order, at most {@code partitions} of them, none empty (none at all for no
   *     shards)
   */
  public static List<int[]> split(int shards, int partitions) {
    Preconditions.checkArgument(partitions >= 1, "partitions must be at least 1, got %s", partitions);
    int n = Math.min(shards, partitions);
    List<int[]> out = new ArrayList<>(n);
    for (int p = 0; p < n; p++) {
      out.add(new int[] {(int) ((long) shards * p / n), (int) ((long) shards * (p + 1) / n)});
    }
    return out;
  }
}
