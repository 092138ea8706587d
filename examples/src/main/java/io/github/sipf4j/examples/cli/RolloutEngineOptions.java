package io.github.sipf4j.examples.cli;

import io.github.sipf4j.prm.iterate.phase.RolloutShards;
import io.github.sipf4j.prm.rollout.RolloutEngine;
import io.github.sipf4j.prm.rollout.RolloutEngineFactory;
import java.util.LinkedHashMap;
import java.util.Locale;
import java.util.Map;
import picocli.CommandLine.Option;

/**
 * The options that choose where rollouts run, shared by {@code quickstart} and {@code experiment}: in this process
 * (the default) or on Apache Spark. The Spark engine is found by name through
 * {@link RolloutEngineFactory} when {@code sipf4j-spark} and Spark 4 are on the class path (as under
 * {@code spark-submit --jars sipf4j-spark.jar}); the command line itself does not carry Spark.
 */
public final class RolloutEngineOptions {

  @Option(names = "--rollout-engine", defaultValue = "local",
      description = "Where sampling, verification, simulation and evaluation run: local (this process) or spark "
          + "(needs sipf4j-spark and Spark 4 on the class path) (default: ${DEFAULT-VALUE}).")
  String engine;

  @Option(names = "--spark-master", description = "The Spark master, such as local[2] or spark://host:7077 (default: "
      + "what spark-submit set).")
  String master;

  @Option(names = "--rollout-partitions", description = "Partitions (Spark tasks) per rollout job (default: Spark's "
      + "default parallelism).")
  Integer partitions;

  @Option(names = "--rollout-device", description = "Where Spark tasks put the policy: auto (the task's GPU if "
      + "Spark assigned one), cpu or gpu (default: auto).")
  String device;

  @Option(names = "--spark-conf", paramLabel = "KEY=VALUE", description = "A Spark setting (repeatable), such as "
      + "spark.task.resource.gpu.amount=1.")
  Map<String, String> sparkConf = new LinkedHashMap<>();

  @Option(names = "--rollout-shards", paramLabel = "TASKS,RATIONALES", description = "Most tasks and rationales per "
      + "rollout shard, the unit an engine places on a worker (default: 1024,4096 locally, 128,512 on Spark).")
  String shards;

  /** Creates the options with their defaults; picocli fills them in. */
  public RolloutEngineOptions() {}

  /**
   * Tells whether rollouts run in this process.
   *
   * @return true for the local engine
   */
  boolean local() {
    return engine.strip().toLowerCase(Locale.ROOT).equals("local");
  }

  /**
   * Returns the factory settings these options give.
   *
   * @return the settings by key
   * @throws IllegalArgumentException if a Spark option is given for the local engine
   */
  Map<String, String> settings() {
    Map<String, String> s = new LinkedHashMap<>();
    if (master != null) {
      s.put("master", master);
    }
    if (partitions != null) {
      s.put("partitions", Integer.toString(partitions));
    }
    if (device != null) {
      s.put("device", device);
    }
    sparkConf.forEach((k, v) -> {
      if (!k.startsWith("spark.")) {
        throw new IllegalArgumentException("--spark-conf takes spark.* keys, got '" + k + "'");
      }
      s.put(k, v);
    });
    if (local() && !s.isEmpty()) {
      throw new IllegalArgumentException("--spark-master, --rollout-partitions, --rollout-device and --spark-conf "
          + "apply to --rollout-engine spark");
    }
    return s;
  }

  /**
   * Returns the shard sizes.
   *
   * @return the sizes given, or the default of the chosen engine
   * @throws IllegalArgumentException if {@code --rollout-shards} is not two positive whole numbers
   */
  RolloutShards shards() {
    if (shards == null) {
      return local() ? RolloutShards.DEFAULT : RolloutShards.DISTRIBUTED;
    }
    String[] parts = shards.split(",");
    try {
      if (parts.length == 2) {
        return new RolloutShards(Integer.parseInt(parts[0].strip()), Integer.parseInt(parts[1].strip()));
      }
    } catch (IllegalArgumentException e) {
      // reported below
    }
    throw new IllegalArgumentException("--rollout-shards takes two positive whole numbers TASKS,RATIONALES, got '"
        + shards + "'");
  }

  /**
   * Opens the chosen engine.
   *
   * @return the engine, or null for the local default (the loop's own engine over the policy in memory)
   * @throws IllegalArgumentException if the engine is unknown or not on the class path, or a setting is wrong
   */
  RolloutEngine open() {
    Map<String, String> s = settings();
    return local() ? null : RolloutEngineFactory.create(engine.strip().toLowerCase(Locale.ROOT), s);
  }
}
