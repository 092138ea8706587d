package io.github.sipf4j.prm.rollout;

import com.google.common.base.Preconditions;
import io.github.sipf4j.prm.exec.ExecutorConfig;
import io.github.sipf4j.prm.verify.NumericAnswerConfig;
import java.io.Serializable;
import java.util.Collections;
import java.util.Map;
import java.util.TreeMap;

/**
 * A verifier described as data: the name of a verifier kind and its settings as strings. Rollout engines that run
 * elsewhere (other processes, Spark executors) receive this description and build the verifier there with
 * {@link VerifierSpecs#create}, instead of receiving a live object.
 *
 * <p>Built-in kinds (settings in brackets, each optional, defaults as in the classes named):
 * <ul>
 *   <li>{@value VerifierSpecs#TASK_KIND}: numeric and multiple-choice tasks by their kind, like
 *       {@code OutcomeVerifier.forTaskKind()}; with {@code code=true} also code tasks in a {@code PythonExecutor}
 *       [{@code code} and the executor settings of {@value VerifierSpecs#PYTHON}];
 *   <li>{@value VerifierSpecs#NUMERIC}: {@code OutcomeVerifier.numeric(NumericAnswerConfig)} [{@code abs_tolerance},
 *       {@code rel_tolerance}, {@code last_number_fallback}];
 *   <li>{@value VerifierSpecs#MULTIPLE_CHOICE}: {@code OutcomeVerifier.multipleChoice()};
 *   <li>{@value VerifierSpecs#PYTHON}: {@code OutcomeVerifier.python(PythonExecutor)} [{@code python}, {@code bwrap},
 *       {@code sandbox}, {@code timeout_ms}, {@code cpu_seconds}, {@code memory_bytes}, {@code max_file_bytes},
 *       {@code max_captured_chars}, {@code workers}].
 * </ul>
 * A kind of your own joins them through {@link VerifierFactory}.
 *
 * <pre>{@code
 * VerifierSpec spec = VerifierSpec.forTaskKind(ExecutorConfig.builder().workers(4).build());
 * SelfIterativeTrainer.builder().verifier(spec) ...
 * }</pre>
 *
 * @param kind the verifier kind's name
 * @param settings the settings by name, sorted by name
 */
public record VerifierSpec(String kind, Map<String, String> settings) implements Serializable {

  private static final long serialVersionUID = 1L;

  /**
   * Validates the kind and copies the settings into a sorted, unmodifiable map.
   *
   * @param kind the {@code kind} component (see the record)
   * @param settings the {@code settings} component (see the record)
   */
  public VerifierSpec {
    Preconditions.checkArgument(kind != null && !kind.isBlank(), "a verifier specification needs a kind");
    settings = Collections.unmodifiableMap(new TreeMap<>(settings == null ? Map.of() : settings));
  }

  /**
   * Describes a verifier of a kind without settings.
   *
   * @param kind the kind's name
   * @return the specification
   */
  public static VerifierSpec of(String kind) {
    return new VerifierSpec(kind, Map.of());
  }

  /**
   * Describes a verifier of a kind with settings.
   *
   * @param kind the kind's name
   * @param settings the settings
   * @return the specification
   */
  public static VerifierSpec of(String kind, Map<String, String> settings) {
    return new VerifierSpec(kind, settings);
  }

  /**
   * Describes {@code OutcomeVerifier.forTaskKind()}: numeric and multiple-choice tasks.
   *
   * @return the specification
   */
  public static VerifierSpec forTaskKind() {
    return of(VerifierSpecs.TASK_KIND);
  }

  /**
   * Describes {@code OutcomeVerifier.forTaskKind(PythonExecutor)}: code tasks too, each place that builds the
   * verifier running its own executor with these settings.
   *
   * @param executor the executor's settings
   * @return the specification
   */
  public static VerifierSpec forTaskKind(ExecutorConfig executor) {
    Map<String, String> m = new TreeMap<>(VerifierSpecs.executorSettings(executor));
    m.put("code", "true");
    return of(VerifierSpecs.TASK_KIND, m);
  }

  /**
   * Describes {@code OutcomeVerifier.numeric(config)}.
   *
   * @param config the tolerances
   * @return the specification
   */
  public static VerifierSpec numeric(NumericAnswerConfig config) {
    return of(VerifierSpecs.NUMERIC, VerifierSpecs.numericSettings(config));
  }

  /**
   * Describes {@code OutcomeVerifier.multipleChoice()}.
   *
   * @return the specification
   */
  public static VerifierSpec multipleChoice() {
    return of(VerifierSpecs.MULTIPLE_CHOICE);
  }

  /**
   * Describes {@code OutcomeVerifier.python(executor)} with an executor of these settings.
   *
   * @param executor the executor's settings
   * @return the specification
   */
  public static VerifierSpec python(ExecutorConfig executor) {
    return of(VerifierSpecs.PYTHON, VerifierSpecs.executorSettings(executor));
  }
}
