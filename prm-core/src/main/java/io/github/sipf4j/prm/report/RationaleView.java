package io.github.sipf4j.prm.report;

import java.util.List;

/**
 * One sampled rationale as the report shows it: its steps with their Monte-Carlo labels and reward-model scores.
 *
 * @param task the task's id
 * @param sample the sample's index among the task's samples
 * @param prompt the question as the policy saw it, or null when the run directory does not hold it
 * @param steps the steps, in order
 * @param correct whether the final answer was verified correct, or null before verification
 * @param extracted the answer the verifier read, or null
 * @param soft per step, the share of Monte-Carlo completions that reached the right answer, or null when the sample
 *     was not simulated
 * @param rollouts per step, the completions sampled (0 where the simulation stopped early), or null
 * @param scores per step, the reward source's score, or null when the sample was not scored
 * @param reward the aggregated reward, or null
 */
record RationaleView(String task, int sample, String prompt, List<String> steps, Boolean correct, String extracted,
    double[] soft, int[] rollouts, double[] scores, Double reward) {}
