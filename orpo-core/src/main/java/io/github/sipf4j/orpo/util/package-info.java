/**
 * Small shared utilities: a console {@link io.github.sipf4j.orpo.util.ProgressBar} with rate and ETA, and the
 * {@link io.github.sipf4j.orpo.util.MetricsFile} that writes metrics as CSV and JSON lines for plotting.
 */
package io.github.sipf4j.orpo.util;
