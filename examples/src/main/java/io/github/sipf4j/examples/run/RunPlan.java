package io.github.sipf4j.examples.run;

import com.google.gson.GsonBuilder;
import com.google.gson.annotations.SerializedName;
import java.util.List;
import java.util.Map;

/**
 * A run's cost estimate, as {@code plan.json} stores it: one row per phase of every iteration (iteration 0 holds the
 * warm start and the starting evaluation), the totals and the phase that dominates. {@code report.html} sets it
 * against the measured phase times.
 *
 * @param version the format version, 1
 * @param created when the plan was made, ISO-8601
 * @param device the device measured
 * @param model the model measured
 * @param iterations the run's iterations
 * @param phases the estimate of every phase
 * @param totalSeconds the sum of the phases' seconds
 * @param totalGeneratedTokens the sum of the phases' generated tokens
 * @param dominantPhase the phase key with the most seconds over all iterations
 * @param basis the measured costs and the assumptions the estimate rests on, by name
 */
public record RunPlan(
    int version,
    String created,
    String device,
    String model,
    int iterations,
    List<PhaseEstimate> phases,
    @SerializedName("total_seconds") double totalSeconds,
    @SerializedName("total_generated_tokens") long totalGeneratedTokens,
    @SerializedName("dominant_phase") String dominantPhase,
    Map<String, Object> basis) {

  /** The file name in the run directory. */
  public static final String FILE = "plan.json";

  /**
   * The estimate of one phase of one iteration.
   *
   * @param iteration the iteration (0: warm start and starting evaluation)
   * @param phase the phase key ({@code io.github.sipf4j.prm.iterate.Phase#key()}, or {@code warm_start})
   * @param seconds the expected wall time
   * @param generatedTokens the tokens the phase decodes
   * @param peakMemoryBytes the peak resident memory of the process measured in the phase's kind of work, or -1
   *     where it could not be measured
   */
  public record PhaseEstimate(
      int iteration,
      String phase,
      double seconds,
      @SerializedName("generated_tokens") long generatedTokens,
      @SerializedName("peak_memory_bytes") long peakMemoryBytes) {}

  /**
   * Writes the plan as pretty JSON.
   *
   * @return the JSON text
   */
  public String toJson() {
    return new GsonBuilder().setPrettyPrinting().disableHtmlEscaping().create().toJson(this);
  }
}
