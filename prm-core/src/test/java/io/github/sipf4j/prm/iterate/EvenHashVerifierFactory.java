package io.github.sipf4j.prm.iterate;

import io.github.sipf4j.prm.rollout.VerifierFactory;
import io.github.sipf4j.prm.verify.OutcomeVerifier;
import java.util.Map;

/** {@link TinyRun#COIN} as a verifier kind, registered for the tests in {@code META-INF/services}. */
public final class EvenHashVerifierFactory implements VerifierFactory {

  /** The kind's name. */
  public static final String KIND = "test-even-hash";

  /** Creates the factory (for {@link java.util.ServiceLoader}). */
  public EvenHashVerifierFactory() {}

  @Override
  public String kind() {
    return KIND;
  }

  @Override
  public OutcomeVerifier create(Map<String, String> settings) {
    if (!settings.isEmpty()) {
      throw new IllegalArgumentException("verifier kind '" + KIND + "' takes no settings, got " + settings.keySet());
    }
    return TinyRun.COIN;
  }
}
