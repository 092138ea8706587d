/**
 * The rollout seam of the self-iterative loop: sampling, verification, Monte-Carlo simulation and greedy evaluation
 * as {@link io.github.sipf4j.prm.rollout.RolloutJob}s (a {@link io.github.sipf4j.prm.rollout.PolicyRef saved policy},
 * items and a {@link io.github.sipf4j.prm.rollout.VerifierSpec verifier described as data} in, records out), run by a
 * {@link io.github.sipf4j.prm.rollout.RolloutEngine}. Jobs are cut into shards that compute the same records wherever
 * they run, and every random draw is keyed by run seed, iteration, task id, sample index and step
 * ({@link io.github.sipf4j.prm.rollout.StreamKeys}), so an engine may spread a job over any partitions, processes or
 * machines and get the records of one process. {@link io.github.sipf4j.prm.rollout.LocalRolloutEngine} runs them here;
 * {@link io.github.sipf4j.prm.rollout.RolloutPartition} is the per-partition entry point an engine elsewhere calls.
 */
package io.github.sipf4j.prm.rollout;
