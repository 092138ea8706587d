/**
 * Process feedback: splitting rationales into steps ({@link io.github.sipf4j.prm.process.StepSplitter}) and mapping
 * steps to token spans ({@link io.github.sipf4j.prm.process.StepSpans}); scoring every step with a
 * {@link io.github.sipf4j.prm.process.ProcessRewardModel} (the trainable
 * {@link io.github.sipf4j.prm.process.DecoderPrm}, trained by {@link io.github.sipf4j.prm.process.PrmTrainer}, or the
 * outcome-only {@link io.github.sipf4j.prm.process.OutcomeRewardModel}); reducing step scores to one reward
 * ({@link io.github.sipf4j.prm.process.Aggregation}); turning scored rationales into ORPO preference pairs
 * ({@link io.github.sipf4j.prm.process.PairSelector}); and TRL's stepwise-supervision JSON lines
 * ({@link io.github.sipf4j.prm.process.StepwiseJsonl}).
 */
package io.github.sipf4j.prm.process;
