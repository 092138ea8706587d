package io.github.sipf4j.prm.rollout;

import io.github.sipf4j.prm.verify.OutcomeVerifier;
import java.util.Map;

/**
 * Builds verifiers of one kind from a {@link VerifierSpec}: the way a verifier of your own reaches a rollout engine
 * that runs elsewhere. Implement it, list the class in
 * {@code META-INF/services/io.github.sipf4j.prm.rollout.VerifierFactory} (Java's {@link java.util.ServiceLoader}),
 * and describe the verifier with {@code VerifierSpec.of(kind, settings)}.
 *
 * <pre>{@code
 * public final class ExactMatchFactory implements VerifierFactory {
 *   public String kind() { return "exact-match"; }
 *   public OutcomeVerifier create(Map<String, String> settings) {
 *     boolean trim = Boolean.parseBoolean(settings.getOrDefault("trim", "true"));
 *     return (task, out) -> (trim ? out.strip() : out).equals(task.answer())
 *         ? Verdict.correct(out, "exact") : Verdict.incorrect(out, "differs");
 *   }
 * }
 * }</pre>
 */
public interface VerifierFactory {

  /**
   * Returns the kind this factory builds, the {@link VerifierSpec#kind()} that selects it.
   *
   * @return a short name, stable across releases, unique among the registered factories
   */
  String kind();

  /**
   * Builds a verifier.
   *
   * @param settings the specification's settings
   * @return the verifier; one that holds resources (processes, connections) also implements
   *     {@link AutoCloseable}, and whoever built it through {@link VerifierSpecs#create} closes it
   * @throws IllegalArgumentException if a setting is unknown or malformed; the message names it
   */
  OutcomeVerifier create(Map<String, String> settings);
}
