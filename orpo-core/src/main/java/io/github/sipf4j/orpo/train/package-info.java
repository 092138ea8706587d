/**
 * Training: the optimizer step ({@link io.github.sipf4j.orpo.train.OptimizerStep}: micro-batch accumulation, global
 * norm clipping, AdamW, learning-rate schedule and a NaN/Inf guard), the {@link io.github.sipf4j.orpo.train.SftTrainer}
 * and {@link io.github.sipf4j.orpo.train.OrpoTrainer}, checkpoints that resume a killed run, metrics files and a
 * console progress bar.
 */
package io.github.sipf4j.orpo.train;
