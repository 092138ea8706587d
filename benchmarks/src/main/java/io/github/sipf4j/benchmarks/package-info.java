/**
 * Benchmark programs that print Markdown tables: training steps, log-probs and sampling of the built-in models and of
 * Hugging Face models, each beside a PyTorch reference run in the same process tree.
 */
package io.github.sipf4j.benchmarks;
