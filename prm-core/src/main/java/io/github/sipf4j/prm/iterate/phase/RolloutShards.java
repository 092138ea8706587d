package io.github.sipf4j.prm.iterate.phase;

import com.google.common.base.Preconditions;

/**
 * How the loop cuts its rollout jobs into shards (see {@link io.github.sipf4j.prm.rollout.RolloutJob}): the unit a
 * rollout engine may place anywhere without changing the records. Larger shards batch better; smaller ones spread
 * over more workers. The default, {@link #DEFAULT}, keeps the batches of one process full.
 *
 * @param tasks the most tasks per shard of sampling and greedy evaluation
 * @param rationales the most rationales per shard of verification and Monte-Carlo simulation
 */
public record RolloutShards(int tasks, int rationales) {

  /** 256 tasks and 512 rationales per shard. */
  public static final RolloutShards DEFAULT = new RolloutShards(256, 512);

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
