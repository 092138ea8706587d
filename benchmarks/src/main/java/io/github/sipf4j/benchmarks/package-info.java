/** Benchmark programs that print Markdown tables: training steps, log-probs and sampling of the built-in models. */
package io.github.sipf4j.benchmarks;
