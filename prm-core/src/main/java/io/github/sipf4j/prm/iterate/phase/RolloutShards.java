package io.github.sipf4j.prm.iterate.phase;

import com.google.common.base.Preconditions;

/**
 * How the loop cuts its rollout jobs into shards (see {@link io.github.sipf4j.prm.rollout.RolloutJob}): the unit a
 * rollout engine may place anywhere without changing the records. Larger shards batch better (each shard is batched
 * on its own: cutting 300 tasks into shards of 256 cost 5% more CPU time in sampling and 14% in simulation than one
 * shard, measured single-threaded on the quickstart's model); smaller ones spread over more workers. The default,
 * {@link #DEFAULT}, keeps one process's jobs in one shard up to a few thousand rationales; an engine that spreads
 * work over W workers wants at least W shards per job.
 *
 * @param tasks the most tasks per shard of sampling and greedy evaluation
 * @param rationales the most rationales per shard of verification and Monte-Carlo simulation
 */
public record RolloutShards(int tasks, int rationales) {

  /** 1,024 tasks and 4,096 rationales per shard. */
  public static final RolloutShards DEFAULT = new RolloutShards(1024, 4096);

  /**
   * 128 tasks and 512 rationales per shard: what the command line and run files use on an engine that spreads
   * shards over workers (Spark), so that a job of a few hundred tasks still makes several shards.
   */
  public static final RolloutShards DISTRIBUTED = new RolloutShards(128, 512);

  /**
   * Validates the sizes.
   *
   * @param tasks the {@code tasks} component (see the record)
   * @param rationales the {@code rationales} component (see the record)
   */
  public RolloutShards {
    Preconditions.checkArgument(tasks > 0 && rationales > 0, "shard sizes must be positive, got %s tasks and %s "
        + "rationales", tasks, rationales);
  }
}
