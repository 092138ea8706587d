package io.github.sipf4j.spark;

import io.github.sipf4j.prm.rollout.VerifierFactory;
import io.github.sipf4j.prm.verify.OutcomeVerifier;
import io.github.sipf4j.prm.verify.Verdict;
import java.util.Map;
import java.util.concurrent.atomic.AtomicInteger;
import org.apache.spark.TaskContext;

/**
 * A verifier kind for the tests: an output is correct when its stripped string hash is even (about half of a random
 * model's outputs). With the setting {@code fail-first-attempt=true} it throws in the first attempt of every Spark
 * task of partition 0 that verifies anything, as a crashing executor would, so that Spark retries the task.
 */
public final class EvenHashVerifierFactory implements VerifierFactory {

  /** The kind's name. */
  public static final String KIND = "spark-test-even-hash";

  /** How many faults were injected in this JVM. */
  static final AtomicInteger INJECTED = new AtomicInteger();

  /** Creates the factory (for {@link java.util.ServiceLoader}). */
  public EvenHashVerifierFactory() {}

  @Override
  public String kind() {
    return KIND;
  }

  @Override
  public OutcomeVerifier create(Map<String, String> settings) {
    boolean fail = Boolean.parseBoolean(settings.getOrDefault("fail-first-attempt", "false"));
    return (task, out) -> {
      TaskContext t = TaskContext.get();
      if (fail && t != null && t.attemptNumber() == 0 && t.partitionId() == 0) {
        INJECTED.incrementAndGet();
        throw new IllegalStateException("injected fault in the first attempt of Spark task " + t.taskAttemptId());
      }
      int h = out.strip().hashCode();
      return new Verdict((h & 1) == 0, Integer.toString(h), "even hash");
    };
  }
}
