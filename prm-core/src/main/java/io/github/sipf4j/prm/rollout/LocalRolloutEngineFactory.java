package io.github.sipf4j.prm.rollout;

import ai.djl.Device;
import java.util.Map;
import java.util.Set;

/**
 * The {@link RolloutEngineFactory} named {@value #NAME}: a {@link LocalRolloutEngine} that loads each job's policy
 * from its saved folder. Settings: {@code device} (a DJL device name such as {@code cpu} or {@code gpu0}; default
 * {@code cpu}) and {@code partitions} (default 1). The self-iterative loop's default engine, used when no engine is
 * set, is also local but runs over the policy it holds in memory and loads nothing.
 */
public final class LocalRolloutEngineFactory implements RolloutEngineFactory {

  /** The factory's name. */
  public static final String NAME = "local";

  private static final Set<String> KEYS = Set.of("device", "partitions");

  /** Creates the factory (for {@link java.util.ServiceLoader}). */
  public LocalRolloutEngineFactory() {}

  @Override
  public String name() {
    return NAME;
  }

  @Override
  public RolloutEngine create(Map<String, String> settings) {
    for (String k : settings.keySet()) {
      if (!KEYS.contains(k)) {
        throw new IllegalArgumentException("rollout engine '" + NAME + "': unknown setting '" + k + "' (known: "
            + String.join(", ", KEYS.stream().sorted().toList()) + ")");
      }
    }
    String partitions = settings.getOrDefault("partitions", "1");
    int p;
    try {
      p = Integer.parseInt(partitions.strip());
    } catch (NumberFormatException e) {
      throw new IllegalArgumentException("rollout engine '" + NAME + "': partitions must be a whole number, got '"
          + partitions + "'", e);
    }
    if (p < 1) {
      throw new IllegalArgumentException("rollout engine '" + NAME + "': partitions must be at least 1, got " + p);
    }
    return new LocalRolloutEngine(Device.fromName(settings.getOrDefault("device", "cpu").strip()), p);
  }
}
