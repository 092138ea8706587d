package io.github.sipf4j.prm.rollout;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.Map;
import org.junit.jupiter.api.Test;

/** Engines by name: the registered local factory, its settings, and the message for a name nobody registered. */
class RolloutEngineFactoryTest {

  @Test
  void localIsRegisteredAndTakesItsPartitions() {
    try (RolloutEngine e = RolloutEngineFactory.create("local", Map.of("partitions", "3", "device", "cpu"))) {
      assertEquals(3, ((LocalRolloutEngine) e).partitions());
    }
  }

  @Test
  void badSettingsAreNamed() {
    IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
        () -> RolloutEngineFactory.create("local", Map.of("partitions", "two")));
    assertTrue(e.getMessage().contains("partitions must be a whole number, got 'two'"), e.getMessage());
    e = assertThrows(IllegalArgumentException.class, () -> RolloutEngineFactory.create("local", Map.of("threads",
        "2")));
    assertTrue(e.getMessage().contains("unknown setting 'threads' (known: device, partitions)"), e.getMessage());
  }

  @Test
  void anUnknownNameListsTheKnownOnesAndSaysWhereSparkComesFrom() {
    IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
        () -> RolloutEngineFactory.create("spark", Map.of()));
    assertTrue(e.getMessage().contains("no rollout engine named 'spark'") && e.getMessage().contains("local")
        && e.getMessage().contains("io.github.sipf4j:sipf4j-spark"), e.getMessage());
  }
}
