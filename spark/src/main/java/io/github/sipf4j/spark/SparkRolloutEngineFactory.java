package io.github.sipf4j.spark;

import io.github.sipf4j.prm.rollout.RolloutEngine;
import io.github.sipf4j.prm.rollout.RolloutEngineFactory;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import org.apache.spark.sql.SparkSession;

/**
 * The {@link RolloutEngineFactory} named {@value #NAME}: a {@link SparkRolloutEngine} on the application's Spark
 * session, or on a new one. Settings (all optional):
 * <ul>
 *   <li>{@code master}: the Spark master URL, such as {@code local[2]} or {@code spark://host:7077}; default: the
 *       running session's, or what {@code spark-submit} set ({@code spark.master});
 *   <li>{@code app-name}: the application name of a new session (default {@code sipf4j});
 *   <li>{@code partitions}: partitions per job (default: Spark's default parallelism);
 *   <li>{@code device}: {@code auto}, {@code cpu} or {@code gpu} ({@link ExecutorDevice}; default {@code auto});
 *   <li>any key starting with {@code spark.}: passed to the session's configuration as it is.
 * </ul>
 * The engine stops the session on {@code close()} when the factory created it, and leaves a session that was already
 * running alone.
 */
public final class SparkRolloutEngineFactory implements RolloutEngineFactory {

  /** The factory's name. */
  public static final String NAME = "spark";

  private static final Set<String> KEYS = Set.of("master", "app-name", "partitions", "device");

  /** Creates the factory (for {@link java.util.ServiceLoader}). */
  public SparkRolloutEngineFactory() {}

  @Override
  public String name() {
    return NAME;
  }

  @Override
  public RolloutEngine create(Map<String, String> settings) {
    SparkRolloutEngine.Builder engine = SparkRolloutEngine.builder();
    SparkSession.Builder session = SparkSession.builder().appName(settings.getOrDefault("app-name", "sipf4j"));
    for (Map.Entry<String, String> e : settings.entrySet()) {
      String k = e.getKey();
      String v = e.getValue().strip();
      if (k.startsWith("spark.")) {
        session.config(k, v);
      } else if (k.equals("master")) {
        session.master(v);
      } else if (k.equals("partitions")) {
        engine.partitions(partitions(v));
      } else if (k.equals("device")) {
        engine.device(device(v));
      } else if (!KEYS.contains(k)) {
        throw new IllegalArgumentException("rollout engine '" + NAME + "': unknown setting '" + k + "' (known: "
            + String.join(", ", new TreeSet<>(KEYS)) + ", and spark.* keys)");
      }
    }
    boolean running = live(SparkSession.getActiveSession()) || live(SparkSession.getDefaultSession());
    if (!running && !settings.containsKey("master") && System.getProperty("spark.master") == null) {
      throw new IllegalArgumentException("rollout engine '" + NAME + "' needs a Spark master: set 'master' (the "
          + "command line's --spark-master), such as local[2] or spark://host:7077, or start under spark-submit");
    }
    return engine.session(session.getOrCreate()).stopSparkOnClose(!running).build();
  }

  private static boolean live(scala.Option<SparkSession> session) {
    return session.isDefined() && !session.get().sparkContext().isStopped();
  }

  private static int partitions(String v) {
    try {
      int p = Integer.parseInt(v);
      if (p >= 1) {
        return p;
      }
    } catch (NumberFormatException e) {
      // reported below
    }
    throw new IllegalArgumentException("rollout engine '" + NAME + "': partitions must be a whole number of at "
        + "least 1, got '" + v + "'");
  }

  private static ExecutorDevice device(String v) {
    try {
      return ExecutorDevice.valueOf(v.toUpperCase(Locale.ROOT));
    } catch (IllegalArgumentException e) {
      throw new IllegalArgumentException("rollout engine '" + NAME + "': device must be auto, cpu or gpu, got '" + v
          + "'", e);
    }
  }
}
