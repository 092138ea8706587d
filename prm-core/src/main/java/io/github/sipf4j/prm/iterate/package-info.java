/**
 * The self-iterative loop of SIPF: {@link io.github.sipf4j.prm.iterate.SelfIterativeTrainer} samples, verifies,
 * simulates, trains a process reward model, scores, selects pairs, trains the policy with ORPO and evaluates, every
 * phase persisted and resumable; {@link io.github.sipf4j.prm.iterate.FeedbackMode} selects SIPF, the outcome-only
 * ablation or rejection-sampling fine-tuning. The phases themselves are in {@link io.github.sipf4j.prm.iterate.phase},
 * the rollouts they delegate to in {@link io.github.sipf4j.prm.rollout}.
 */
package io.github.sipf4j.prm.iterate;
