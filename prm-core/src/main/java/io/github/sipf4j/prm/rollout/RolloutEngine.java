package io.github.sipf4j.prm.rollout;

import java.io.IOException;
import java.util.List;

/**
 * Runs the loop's rollouts (sampling, verification, Monte-Carlo simulation, greedy evaluation) for a
 * {@link RolloutJob}: a saved policy, a list of items and a verifier in, records out. The loop writes the
 * records to its files itself, so an engine only computes.
 *
 * <p>The contract: the records come back in item order and equal, byte for byte once written, those of
 * {@code RolloutPartition.run(job, 0, job.shards(), ...)} in one process with the same policy weights. Engines meet it
 * by running {@link RolloutPartition} on whole shards; how they group shards into partitions, and where they run
 * them, is theirs to choose. {@link LocalRolloutEngine} runs them in this process; an engine on a cluster ships
 * {@link RolloutJobs#toJson the job's JSON} and shard ranges to its workers (where the policy's directory must be
 * readable, on a shared file system or copied there, and its model kind and the verifier kind registered), runs
 * {@link RolloutPartition#run(RolloutJob, int, int, ai.djl.Device, java.util.Collection)} on each, and collects the
 * records (all {@link java.io.Serializable}) in shard order.
 *
 * <pre>{@code
 * RolloutEngine engine = new LocalRolloutEngine(Device.cpu(), 1);
 * List<SampleRecord> samples = engine.run(new SampleJob(policyRef, PromptTemplate.DEFAULT, tasks, sampling, seed, 256));
 * }</pre>
 */
public interface RolloutEngine extends AutoCloseable {

  /**
   * Runs a job.
   *
   * @param job the job
   * @param <R> the record type
   * @return the job's records, in item order
   * @throws IOException if a policy cannot be loaded or a worker fails
   */
  <R> List<R> run(RolloutJob<R> job) throws IOException;

  /** Releases what the engine holds (loaded models, connections); the default holds nothing. */
  @Override
  default void close() {}
}
