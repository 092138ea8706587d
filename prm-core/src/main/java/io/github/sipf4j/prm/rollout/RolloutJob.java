package io.github.sipf4j.prm.rollout;

import java.util.List;

/**
 * One rollout phase's work, described as data: which saved policy, which tasks, which verifier (as a
 * {@link VerifierSpec}) and which settings. The items (tasks, samples or rationales) are cut into shards of
 * {@link #shardSize()} consecutive items; shard {@code s} always holds the same items and is always computed the same
 * way ({@link #runShard}), so its records do not depend on which partition, process or machine runs it, nor on what
 * else runs beside it. An engine may therefore split the shards into any partitions: concatenated in shard order,
 * the records equal those of running every shard in one place.
 *
 * <p>A job holds no live object; it travels as JSON ({@link RolloutJobs#toJson}). The four kinds:
 * {@link SampleJob} ({@link SampleRecord}s), {@link VerifyJob} ({@link VerdictRecord}s), {@link SimulateJob}
 * ({@link LabelRecord}s) and {@link EvaluateJob} ({@link PredictionRecord}s).
 *
 * @param <R> the record type it returns, in item order (one per item; N per task for sampling)
 */
public sealed interface RolloutJob<R> permits SampleJob, VerifyJob, SimulateJob, EvaluateJob {

  /**
   * Returns what the job does, for logs and progress bars, such as {@code "sample"} or {@code "evaluate validation"}.
   *
   * @return a short name
   */
  String name();

  /**
   * Returns the policy whose rollouts the job runs.
   *
   * @return the saved policy, or null for a job without a model (verification)
   */
  PolicyRef policy();

  /**
   * Returns the verifier, as data.
   *
   * @return the specification, or null when the job runs with the verifier object its engine was given (an engine
   *     in the same process)
   */
  VerifierSpec verifier();

  /**
   * Tells whether the job checks answers, and so needs a verifier.
   *
   * @return true unless the job only samples
   */
  default boolean verifies() {
    return true;
  }

  /**
   * Returns the number of items.
   *
   * @return the items (tasks, samples or rationales)
   */
  int size();

  /**
   * Returns the most items per shard.
   *
   * @return at least 1
   */
  int shardSize();

  /**
   * Returns the number of shards.
   *
   * @return {@code ceil(size / shardSize)}
   */
  default int shards() {
    return (size() + shardSize() - 1) / shardSize();
  }

  /**
   * Returns the first item of a shard.
   *
   * @param shard the shard, from 0
   * @return its first item's index
   */
  default int shardStart(int shard) {
    return shard * shardSize();
  }

  /**
   * Returns the end of a shard.
   *
   * @param shard the shard, from 0
   * @return one past its last item's index
   */
  default int shardEnd(int shard) {
    return Math.min(size(), (shard + 1) * shardSize());
  }

  /**
   * Returns the records of the whole job: {@code samplesPerPrompt} per task for sampling, one per item otherwise
   * (also the units of progress).
   *
   * @return the records
   */
  default long units() {
    return size();
  }

  /**
   * Returns the records of one shard (also its units of progress).
   *
   * @param shard the shard
   * @return the records
   */
  default long shardUnits(int shard) {
    return shardEnd(shard) - shardStart(shard);
  }

  /**
   * Returns the unit of progress, for a progress bar's rate.
   *
   * @return such as {@code "seq"}
   */
  default String unit() {
    return "item";
  }

  /**
   * Computes one shard. The same shard with the same policy weights gives the same records wherever it runs.
   *
   * @param shard the shard, from 0
   * @param context the model, tokenizer and verifier to use
   * @return the shard's {@link #shardUnits} records, in item order
   */
  List<R> runShard(int shard, RolloutContext context);
}
