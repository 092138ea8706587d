package io.github.sipf4j.examples.cli;

import io.github.sipf4j.prm.rollout.LocalRolloutEngineFactory;
import io.github.sipf4j.prm.rollout.RolloutEngine;
import io.github.sipf4j.prm.rollout.RolloutEngineFactory;
import io.github.sipf4j.prm.rollout.RolloutJob;
import java.io.IOException;
import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * A test {@link RolloutEngineFactory} named {@code counting}: the local factory's engine (which loads each job's
 * policy from its saved folder, as a remote worker does), recording the settings it was created with, the jobs and
 * shards it ran and whether it was closed. Registered in the test class path's {@code META-INF/services}.
 */
public final class CountingRolloutEngineFactory implements RolloutEngineFactory {

  /** The settings of the engines created, in order. */
  static final List<Map<String, String>> CREATED = Collections.synchronizedList(new ArrayList<>());
  /** The names of the jobs run, in order. */
  static final List<String> JOBS = Collections.synchronizedList(new ArrayList<>());
  /** The shard counts of the jobs run, in order. */
  static final List<Integer> SHARDS = Collections.synchronizedList(new ArrayList<>());
  /** How many engines were closed. */
  static final List<Boolean> CLOSED = Collections.synchronizedList(new ArrayList<>());

  /** Creates the factory (for {@link java.util.ServiceLoader}). */
  public CountingRolloutEngineFactory() {}

  /** Forgets what earlier engines recorded. */
  static void reset() {
    CREATED.clear();
    JOBS.clear();
    SHARDS.clear();
    CLOSED.clear();
  }

  @Override
  public String name() {
    return "counting";
  }

  @Override
  public RolloutEngine create(Map<String, String> settings) {
    Map<String, String> rest = new LinkedHashMap<>(settings);
    String fail = rest.remove("fail");
    if (fail != null) {
      throw new IllegalArgumentException("rollout engine 'counting': unknown setting 'fail'");
    }
    RolloutEngine local = new LocalRolloutEngineFactory().create(rest);
    CREATED.add(Map.copyOf(settings));
    return new RolloutEngine() {
      @Override
      public <R> List<R> run(RolloutJob<R> job) throws IOException {
        JOBS.add(job.name());
        SHARDS.add(job.shards());
        return local.run(job);
      }

      @Override
      public void close() {
        CLOSED.add(true);
        local.close();
      }
    };
  }
}
