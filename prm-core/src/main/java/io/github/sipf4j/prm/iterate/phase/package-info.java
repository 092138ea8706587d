/**
 * The phases of one iteration of {@link io.github.sipf4j.prm.iterate.SelfIterativeTrainer}, one class each
 * ({@link io.github.sipf4j.prm.iterate.phase.SamplePhase}, {@link io.github.sipf4j.prm.iterate.phase.VerifyPhase},
 * {@link io.github.sipf4j.prm.iterate.phase.SimulatePhase}, {@link io.github.sipf4j.prm.iterate.phase.TrainPrmPhase},
 * {@link io.github.sipf4j.prm.iterate.phase.ScorePhase}, {@link io.github.sipf4j.prm.iterate.phase.SelectPhase},
 * {@link io.github.sipf4j.prm.iterate.phase.TrainPolicyPhase}, {@link io.github.sipf4j.prm.iterate.phase.EvaluatePhase}),
 * what they exchange (typed {@link io.github.sipf4j.prm.iterate.phase.Artefacts} through an
 * {@link io.github.sipf4j.prm.iterate.phase.IterationScope}), where they keep it (an
 * {@link io.github.sipf4j.prm.iterate.phase.ArtefactStore}), the checkpointing
 * {@link io.github.sipf4j.prm.iterate.phase.PhaseRunner} that runs each at most once, and the strategies that decide
 * which run ({@link io.github.sipf4j.prm.iterate.phase.LoopPlan}: a
 * {@link io.github.sipf4j.prm.iterate.phase.RewardSource}, a
 * {@link io.github.sipf4j.prm.iterate.phase.TrainingSetBuilder} and a
 * {@link io.github.sipf4j.prm.iterate.phase.PolicyUpdate}), and, for a policy that trains LoRA adapters, where its
 * frozen base is kept ({@link io.github.sipf4j.prm.iterate.phase.AdapterBase}). Most users never touch these classes;
 * they are public so that a loop of one's own (another store, another driver) can be assembled from them.
 */
package io.github.sipf4j.prm.iterate.phase;
