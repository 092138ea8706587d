package io.github.sipf4j.prm.rollout;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.ServiceLoader;

/**
 * Creates {@link RolloutEngine}s of one kind by name from string settings: the way a command line or a run file
 * selects an engine that may live in a module the caller does not compile against (the Spark engine of
 * {@code sipf4j-spark}). Factories register through {@link ServiceLoader}, in
 * {@code META-INF/services/io.github.sipf4j.prm.rollout.RolloutEngineFactory}; prm-core registers {@code "local"}
 * ({@link LocalRolloutEngine}, loading each job's policy from its saved folder), {@code sipf4j-spark} registers
 * {@code "spark"}.
 *
 * <pre>{@code
 * try (RolloutEngine engine = RolloutEngineFactory.create("spark", Map.of("master", "local[2]"))) {
 *   SelfIterativeTrainer.builder() ... .verifier(VerifierSpec.forTaskKind()).rolloutEngine(engine).build().run();
 * }
 * }</pre>
 */
public interface RolloutEngineFactory {

  /**
   * Returns the name that selects this factory.
   *
   * @return a short name, such as {@code "local"} or {@code "spark"}, unique among the registered factories
   */
  String name();

  /**
   * Creates an engine; the caller closes it.
   *
   * @param settings the engine's settings by key (each factory documents its keys); may be empty
   * @return the engine
   * @throws IllegalArgumentException if a key is unknown or a value malformed; the message names the key
   */
  RolloutEngine create(Map<String, String> settings);

  /**
   * Creates an engine through the factory registered under a name, found with {@link ServiceLoader} on the thread's
   * context class loader.
   *
   * @param name the factory's name
   * @param settings the engine's settings
   * @return the engine; the caller closes it
   * @throws IllegalArgumentException if no factory has that name (the message lists the names found and says which
   *     module provides {@code "spark"}) or the settings are wrong
   */
  static RolloutEngine create(String name, Map<String, String> settings) {
    for (RolloutEngineFactory f : ServiceLoader.load(RolloutEngineFactory.class,
        Thread.currentThread().getContextClassLoader())) {
      if (f.name().equals(name)) {
        return f.create(settings);
      }
    }
    throw new IllegalArgumentException(unknown(name));
  }

  /**
   * Returns the names of the factories registered on the thread's context class loader, in the order
   * {@link ServiceLoader} finds them.
   *
   * @return the names, {@code "local"} among them
   */
  static List<String> names() {
    List<String> names = new ArrayList<>();
    for (RolloutEngineFactory f : ServiceLoader.load(RolloutEngineFactory.class,
        Thread.currentThread().getContextClassLoader())) {
      names.add(f.name());
    }
    return names;
  }

  /**
   * Says that no factory has a name, listing those found; what {@link #create} reports.
   *
   * @param name the name asked for
   * @return the message
   */
  static String unknown(String name) {
    return "no rollout engine named '" + name + "' on the class path (found: " + String.join(", ", names()) + ")"
        + ("spark".equals(name)
        ? "; the Spark engine comes with io.github.sipf4j:sipf4j-spark and needs Spark 4 (Scala 2.13) on the class path"
        : "");
  }
}
