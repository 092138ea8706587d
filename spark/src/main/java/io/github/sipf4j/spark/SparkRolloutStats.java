package io.github.sipf4j.spark;

/**
 * What a {@link SparkRolloutEngine} has done since it was built, summed over its jobs and over the successful tasks
 * of every executor (a failed attempt's work is not counted).
 *
 * @param jobs rollout jobs run
 * @param tasks Spark tasks that completed (one per partition of each job)
 * @param policyLoads policies loaded by executors (a copy is loaded once per policy and concurrently running task,
 *     then reused)
 * @param policyLoadSeconds seconds executors spent loading policies, summed over executors
 * @param computeSeconds seconds tasks spent computing records, summed over tasks
 * @param wallSeconds seconds the driver waited for jobs, from submission to the last record
 */
public record SparkRolloutStats(long jobs, long tasks, long policyLoads, double policyLoadSeconds,
    double computeSeconds, double wallSeconds) {}
