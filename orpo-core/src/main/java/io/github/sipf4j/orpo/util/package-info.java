/**
 * Small shared utilities: a console {@link io.github.sipf4j.orpo.util.ProgressBar} with rate and ETA, the {@link
 * io.github.sipf4j.orpo.util.MetricsFile} that writes metrics as CSV and JSON lines for plotting, and safetensors files
 * of any size ({@link io.github.sipf4j.orpo.util.SafetensorsFile}, {@link io.github.sipf4j.orpo.util.Safetensors}).
 */
package io.github.sipf4j.orpo.util;
