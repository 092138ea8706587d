/**
 * Small shared utilities: a console {@link io.github.sipf4j.orpo.util.ProgressBar} with rate and ETA, the
 * {@link io.github.sipf4j.orpo.util.MetricsFile} that writes metrics as CSV and JSON lines for plotting, safetensors
 * files of any size ({@link io.github.sipf4j.orpo.util.SafetensorsFile}, {@link io.github.sipf4j.orpo.util.Safetensors})
 * and atomic files, seeded initial weights ({@link io.github.sipf4j.orpo.util.SeededNormal}, {@link
 * io.github.sipf4j.orpo.util.SeededUniform}), and the explicit,
 * process-wide CPU settings of {@link io.github.sipf4j.orpo.util.CpuTuning}.
 */
package io.github.sipf4j.orpo.util;
