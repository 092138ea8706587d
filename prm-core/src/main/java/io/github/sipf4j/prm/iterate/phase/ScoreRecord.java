package io.github.sipf4j.prm.iterate.phase;

/**
 * The step scores and reward of one sample, as {@link ScorePhase} stores them in {@code scores.jsonl}.
 *
 * @param sample the sample's line in {@code samples.jsonl}, from 0
 * @param scores one score per step, each in [0, 1]
 * @param reward the aggregated reward
 */
public record ScoreRecord(int sample, double[] scores, double reward) {}
