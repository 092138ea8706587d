package io.github.sipf4j.prm.rollout;

import io.github.sipf4j.prm.exec.ExecutorConfig;
import io.github.sipf4j.prm.exec.PythonExecutor;
import io.github.sipf4j.prm.exec.SandboxMode;
import io.github.sipf4j.prm.task.ReasoningTask;
import io.github.sipf4j.prm.verify.NumericAnswerConfig;
import io.github.sipf4j.prm.verify.OutcomeVerifier;
import io.github.sipf4j.prm.verify.Verdict;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.ServiceLoader;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;

/**
 * Builds verifiers from {@link VerifierSpec}s: the built-in kinds and every {@link VerifierFactory} registered through
 * {@link ServiceLoader} on the thread's context class loader.
 *
 * <pre>{@code
 * OutcomeVerifier v = VerifierSpecs.create(VerifierSpec.forTaskKind());
 * try { ... } finally { VerifierSpecs.release(v); }
 * }</pre>
 */
public final class VerifierSpecs {

  /** The kind of {@code OutcomeVerifier.forTaskKind()}. */
  public static final String TASK_KIND = "task-kind";

  /** The kind of {@code OutcomeVerifier.numeric(NumericAnswerConfig)}. */
  public static final String NUMERIC = "numeric";

  /** The kind of {@code OutcomeVerifier.multipleChoice()}. */
  public static final String MULTIPLE_CHOICE = "multiple-choice";

  /** The kind of {@code OutcomeVerifier.python(PythonExecutor)}. */
  public static final String PYTHON = "python";

  private static final Set<String> NUMERIC_KEYS = Set.of("abs_tolerance", "rel_tolerance", "last_number_fallback");
  private static final Set<String> EXECUTOR_KEYS = Set.of("python", "bwrap", "sandbox", "timeout_ms", "cpu_seconds",
      "memory_bytes", "max_file_bytes", "max_captured_chars", "workers");

  private VerifierSpecs() {}

  /**
   * Builds the verifier a specification describes.
   *
   * @param spec the specification
   * @return the verifier; when it holds resources (a Python executor) it is also {@link AutoCloseable}: release it
   *     with {@link #release}
   * @throws IllegalArgumentException if no factory builds the kind (the message lists the known kinds) or a setting
   *     is unknown or malformed
   */
  public static OutcomeVerifier create(VerifierSpec spec) {
    for (VerifierFactory f : factories()) {
      if (f.kind().equals(spec.kind())) {
        return f.create(spec.settings());
      }
    }
    throw new IllegalArgumentException("no verifier kind '" + spec.kind() + "' (known: " + String.join(", ",
        kinds()) + "); register a " + VerifierFactory.class.getName() + " for it");
  }

  /**
   * Releases a verifier built by {@link #create}: closes it when it is {@link AutoCloseable}.
   *
   * @param verifier the verifier, or null
   */
  public static void release(OutcomeVerifier verifier) {
    if (verifier instanceof AutoCloseable c) {
      try {
        c.close();
      } catch (Exception e) {
        throw new IllegalStateException("closing the verifier failed: " + e.getMessage(), e);
      }
    }
  }

  /**
   * Returns the names of the kinds that can be built here, built-in ones first.
   *
   * @return the kind names
   */
  public static List<String> kinds() {
    return factories().stream().map(VerifierFactory::kind).toList();
  }

  /** The built-in factories, then the registered ones (a later factory of a taken name is ignored). */
  private static List<VerifierFactory> factories() {
    Map<String, VerifierFactory> byKind = new LinkedHashMap<>();
    for (VerifierFactory f : List.of(new TaskKindFactory(), new NumericFactory(), new MultipleChoiceFactory(),
        new PythonFactory())) {
      byKind.put(f.kind(), f);
    }
    ClassLoader loader = Thread.currentThread().getContextClassLoader();
    for (VerifierFactory f : ServiceLoader.load(VerifierFactory.class,
        loader != null ? loader : VerifierSpecs.class.getClassLoader())) {
      byKind.putIfAbsent(f.kind(), f);
    }
    return new ArrayList<>(byKind.values());
  }

  /** The settings of a numeric verifier. */
  static Map<String, String> numericSettings(NumericAnswerConfig c) {
    Map<String, String> m = new TreeMap<>();
    m.put("abs_tolerance", Double.toString(c.absTolerance()));
    m.put("rel_tolerance", Double.toString(c.relTolerance()));
    m.put("last_number_fallback", Boolean.toString(c.lastNumberFallback()));
    return m;
  }

  /** The settings of a Python executor. */
  static Map<String, String> executorSettings(ExecutorConfig c) {
    Map<String, String> m = new TreeMap<>();
    m.put("python", c.python());
    m.put("bwrap", c.bwrap());
    m.put("sandbox", c.sandbox().name());
    m.put("timeout_ms", Long.toString(c.timeout().toMillis()));
    m.put("cpu_seconds", Integer.toString(c.cpuSeconds()));
    m.put("memory_bytes", Long.toString(c.memoryBytes()));
    m.put("max_file_bytes", Long.toString(c.maxFileBytes()));
    m.put("max_captured_chars", Integer.toString(c.maxCapturedChars()));
    m.put("workers", Integer.toString(c.workers()));
    return m;
  }

  private static void checkKeys(String kind, Map<String, String> settings, Set<String> allowed) {
    Set<String> unknown = new TreeSet<>(settings.keySet());
    unknown.removeAll(allowed);
    if (!unknown.isEmpty()) {
      throw new IllegalArgumentException("verifier kind '" + kind + "': unknown setting(s) " + unknown + " (known: "
          + new TreeSet<>(allowed) + ")");
    }
  }

  private static NumericAnswerConfig numericConfig(String kind, Map<String, String> s) {
    NumericAnswerConfig d = NumericAnswerConfig.defaults();
    return NumericAnswerConfig.builder()
        .absTolerance(number(kind, s, "abs_tolerance", d.absTolerance()))
        .relTolerance(number(kind, s, "rel_tolerance", d.relTolerance()))
        .lastNumberFallback(bool(kind, s, "last_number_fallback", d.lastNumberFallback()))
        .build();
  }

  private static ExecutorConfig executorConfig(String kind, Map<String, String> s) {
    ExecutorConfig d = ExecutorConfig.builder().build();
    return ExecutorConfig.builder()
        .python(s.getOrDefault("python", d.python()))
        .bwrap(s.getOrDefault("bwrap", d.bwrap()))
        .sandbox(s.containsKey("sandbox") ? sandbox(kind, s.get("sandbox")) : d.sandbox())
        .timeout(Duration.ofMillis((long) number(kind, s, "timeout_ms", d.timeout().toMillis())))
        .cpuSeconds((int) number(kind, s, "cpu_seconds", d.cpuSeconds()))
        .memoryBytes((long) number(kind, s, "memory_bytes", d.memoryBytes()))
        .maxFileBytes((long) number(kind, s, "max_file_bytes", d.maxFileBytes()))
        .maxCapturedChars((int) number(kind, s, "max_captured_chars", d.maxCapturedChars()))
        .workers((int) number(kind, s, "workers", d.workers()))
        .build();
  }

  private static SandboxMode sandbox(String kind, String v) {
    try {
      return SandboxMode.valueOf(v.toUpperCase(Locale.ROOT));
    } catch (IllegalArgumentException e) {
      throw new IllegalArgumentException("verifier kind '" + kind + "': setting sandbox must be one of "
          + List.of(SandboxMode.values()) + ", got '" + v + "'", e);
    }
  }

  private static double number(String kind, Map<String, String> s, String key, double fallback) {
    String v = s.get(key);
    if (v == null) {
      return fallback;
    }
    try {
      return Double.parseDouble(v);
    } catch (NumberFormatException e) {
      throw new IllegalArgumentException("verifier kind '" + kind + "': setting " + key + " must be a number, got '"
          + v + "'", e);
    }
  }

  private static boolean bool(String kind, Map<String, String> s, String key, boolean fallback) {
    String v = s.get(key);
    if (v == null) {
      return fallback;
    }
    if (!v.equals("true") && !v.equals("false")) {
      throw new IllegalArgumentException("verifier kind '" + kind + "': setting " + key + " must be true or false, "
          + "got '" + v + "'");
    }
    return Boolean.parseBoolean(v);
  }

  /** A verifier that owns the Python executor it runs code in, and closes it. */
  private static final class ExecutorVerifier implements OutcomeVerifier, AutoCloseable {
    private final PythonExecutor executor;
    private final OutcomeVerifier verifier;

    ExecutorVerifier(PythonExecutor executor, OutcomeVerifier verifier) {
      this.executor = executor;
      this.verifier = verifier;
    }

    @Override
    public Verdict verify(ReasoningTask task, String output) {
      return verifier.verify(task, output);
    }

    @Override
    public List<Verdict> verifyAll(ReasoningTask task, List<String> outputs) {
      return verifier.verifyAll(task, outputs);
    }

    @Override
    public void close() {
      executor.close();
    }
  }

  private static final class TaskKindFactory implements VerifierFactory {
    @Override
    public String kind() {
      return TASK_KIND;
    }

    @Override
    public OutcomeVerifier create(Map<String, String> settings) {
      Set<String> allowed = new TreeSet<>(EXECUTOR_KEYS);
      allowed.add("code");
      checkKeys(kind(), settings, allowed);
      if (!bool(kind(), settings, "code", false)) {
        Set<String> executorKeys = new TreeSet<>(settings.keySet());
        executorKeys.remove("code");
        if (!executorKeys.isEmpty()) {
          throw new IllegalArgumentException("verifier kind '" + kind() + "': settings " + executorKeys
              + " apply to code tasks only; add code=true");
        }
        return OutcomeVerifier.forTaskKind();
      }
      PythonExecutor executor = new PythonExecutor(executorConfig(kind(), settings));
      return new ExecutorVerifier(executor, OutcomeVerifier.forTaskKind(executor));
    }
  }

  private static final class NumericFactory implements VerifierFactory {
    @Override
    public String kind() {
      return NUMERIC;
    }

    @Override
    public OutcomeVerifier create(Map<String, String> settings) {
      checkKeys(kind(), settings, NUMERIC_KEYS);
      return OutcomeVerifier.numeric(numericConfig(kind(), settings));
    }
  }

  private static final class MultipleChoiceFactory implements VerifierFactory {
    @Override
    public String kind() {
      return MULTIPLE_CHOICE;
    }

    @Override
    public OutcomeVerifier create(Map<String, String> settings) {
      checkKeys(kind(), settings, Set.of());
      return OutcomeVerifier.multipleChoice();
    }
  }

  private static final class PythonFactory implements VerifierFactory {
    @Override
    public String kind() {
      return PYTHON;
    }

    @Override
    public OutcomeVerifier create(Map<String, String> settings) {
      checkKeys(kind(), settings, EXECUTOR_KEYS);
      PythonExecutor executor = new PythonExecutor(executorConfig(kind(), settings));
      return new ExecutorVerifier(executor, OutcomeVerifier.python(executor));
    }
  }
}
