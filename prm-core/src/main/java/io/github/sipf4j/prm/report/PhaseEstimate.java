package io.github.sipf4j.prm.report;

import com.google.gson.annotations.SerializedName;

/**
 * The estimated cost of one phase of one iteration, as a {@link RunPlan} records it.
 *
 * @param iteration the iteration, from 1 (0 for work before the first iteration: the warm start and the starting
 *     policy's evaluation)
 * @param phase the phase's key: {@link io.github.sipf4j.prm.iterate.Phase#key()}, or {@code warm_start}
 * @param seconds the estimated wall time
 * @param generatedTokens the tokens the phase is expected to generate (0 for a phase that generates none)
 * @param peakMemoryBytes the expected peak memory of the phase
 */
public record PhaseEstimate(int iteration, String phase, double seconds,
    @SerializedName("generated_tokens") long generatedTokens,
    @SerializedName("peak_memory_bytes") long peakMemoryBytes) {}
