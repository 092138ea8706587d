/**
 * Rollouts of the self-iterative loop on Apache Spark: {@link io.github.sipf4j.spark.SparkRolloutEngine} runs
 * sampling, verification, Monte-Carlo simulation and greedy evaluation on Spark executors (GPU executors through
 * Spark's resource scheduling, {@link io.github.sipf4j.spark.ExecutorDevice}) and returns the records of a local run
 * byte for byte; {@link io.github.sipf4j.spark.SparkRolloutEngineFactory} makes it selectable by name
 * ({@code "spark"}) from the command line and run files. Spark itself is a {@code provided} dependency: the
 * application brings its cluster's Spark 4 (Scala 2.13).
 */
package io.github.sipf4j.spark;
