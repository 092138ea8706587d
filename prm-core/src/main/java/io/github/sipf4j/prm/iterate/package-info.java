/**
 * The self-iterative loop of SIPF: {@link io.github.sipf4j.prm.iterate.SelfIterativeTrainer} samples, verifies,
 * simulates, trains a process reward model, scores, selects pairs, trains the policy with ORPO and evaluates, every
 * phase persisted and resumable; {@link io.github.sipf4j.prm.iterate.FeedbackMode} selects SIPF, the outcome-only
 * ablation or rejection-sampling fine-tuning.
 */
package io.github.sipf4j.prm.iterate;
