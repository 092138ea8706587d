package io.github.sipf4j.prm.report;

import java.util.List;

/**
 * One chosen/rejected pair as the report shows it, side by side, with the steps that differ marked.
 *
 * @param task the task's id
 * @param prompt the pair's prompt
 * @param chosen the chosen rationale's steps
 * @param rejected the rejected rationale's steps
 * @param chosenDiffers per chosen step, true when the rejected rationale lacks it
 * @param rejectedDiffers per rejected step, true when the chosen rationale lacks it
 * @param chosenScores the chosen rationale's step scores, or null (a gold rationale, or an unscored one)
 * @param rejectedScores the rejected rationale's step scores, or null
 * @param chosenReward the chosen rationale's reward
 * @param rejectedReward the rejected rationale's reward
 * @param rejectedCorrect whether the rejected rationale's final answer is correct
 * @param goldChosen whether the chosen rationale is the task's gold rationale
 */
record PairView(String task, String prompt, List<String> chosen, List<String> rejected, boolean[] chosenDiffers,
    boolean[] rejectedDiffers, double[] chosenScores, double[] rejectedScores, double chosenReward,
    double rejectedReward, boolean rejectedCorrect, boolean goldChosen) {}
