package io.github.sipf4j.spark;

import ai.djl.Device;
import io.github.sipf4j.prm.rollout.RolloutContext;
import io.github.sipf4j.prm.rollout.RolloutJob;
import io.github.sipf4j.prm.rollout.RolloutJobs;
import io.github.sipf4j.prm.rollout.RolloutPartition;
import io.github.sipf4j.prm.rollout.VerifierSpecs;
import io.github.sipf4j.prm.verify.OutcomeVerifier;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.ObjectOutputStream;
import java.util.ArrayList;
import java.util.List;
import org.apache.spark.TaskContext;
import org.apache.spark.api.java.function.Function;
import org.apache.spark.broadcast.Broadcast;
import org.apache.spark.util.LongAccumulator;

/**
 * What one Spark task of a {@link SparkRolloutEngine} runs: decodes the job from its broadcast JSON, borrows the
 * executor's copy of the policy on the task's device ({@link ExecutorPolicies}), builds the verifier from its
 * specification, runs {@link RolloutPartition} on a range of shards and returns the records Java-serialized in one
 * byte array (so they travel the same whatever {@code spark.serializer} the application chose).
 */
final class PartitionTask implements Function<int[], byte[]> {

  private static final long serialVersionUID = 1L;

  private final Broadcast<String> job;
  private final ExecutorDevice device;
  private final LongAccumulator loads;
  private final LongAccumulator loadNanos;
  private final LongAccumulator computeNanos;

  PartitionTask(Broadcast<String> job, ExecutorDevice device, LongAccumulator loads, LongAccumulator loadNanos,
      LongAccumulator computeNanos) {
    this.job = job;
    this.device = device;
    this.loads = loads;
    this.loadNanos = loadNanos;
    this.computeNanos = computeNanos;
  }

  @Override
  public byte[] call(int[] shards) throws IOException {
    RolloutJob<?> j = RolloutJobs.fromJson(job.value());
    Device d = device.resolve(TaskContext.get());
    ExecutorPolicies.Loaded policy = j.policy() == null ? null : ExecutorPolicies.borrow(j.policy(), d);
    try {
      if (policy != null && policy.loadNanos() > 0) {
        loads.add(1);
        loadNanos.add(policy.loadNanos());
      }
      long t0 = System.nanoTime();
      OutcomeVerifier verifier = j.verifier() == null ? null : VerifierSpecs.create(j.verifier());
      List<?> records;
      try (RolloutContext context = RolloutContext.borrowing(policy == null ? null : policy.model(),
          policy == null ? null : policy.tokenizer(), verifier)) {
        records = RolloutPartition.run(j, shards[0], shards[1], context, null);
      } finally {
        VerifierSpecs.release(verifier);
      }
      computeNanos.add(System.nanoTime() - t0);
      ByteArrayOutputStream bytes = new ByteArrayOutputStream();
      try (ObjectOutputStream out = new ObjectOutputStream(bytes)) {
        out.writeObject(new ArrayList<>(records));
      }
      return bytes.toByteArray();
    } finally {
      if (policy != null) {
        ExecutorPolicies.giveBack(policy);
      }
    }
  }
}
