package io.github.sipf4j.examples.run;

import com.google.gson.GsonBuilder;
import com.google.gson.annotations.SerializedName;
import io.github.sipf4j.prm.report.PhaseEstimate;
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
 * @param phases the estimate of every phase (iteration 0: the warm start, key {@code warm_start}, and the starting
 *     evaluation)
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
   * Writes the plan as pretty JSON.
   *
   * @return the JSON text
   */
  public String toJson() {
    return new GsonBuilder().setPrettyPrinting().disableHtmlEscaping().create().toJson(this);
  }

  /**
   * Returns the plan as the run's report reads it back ({@link io.github.sipf4j.prm.report.RunPlan}): the same
   * fields without the basis.
   *
   * @return the plan
   */
  public io.github.sipf4j.prm.report.RunPlan toReportPlan() {
    return new io.github.sipf4j.prm.report.RunPlan(version, created, device, model, iterations, phases, totalSeconds,
        totalGeneratedTokens, dominantPhase);
  }
}
