package io.github.sipf4j.prm.iterate.phase;

/**
 * What a selected pair came from, as {@code pairs-info.jsonl} stores it (same order as {@code pairs.jsonl}).
 *
 * @param task the task's id
 * @param chosenReward the chosen rationale's reward
 * @param rejectedReward the rejected rationale's reward
 * @param rejectedCorrect whether the rejected rationale's final answer is correct
 * @param goldChosen whether the chosen rationale is the task's gold rationale
 */
public record SelectedRecord(String task, double chosenReward, double rejectedReward, boolean rejectedCorrect,
    boolean goldChosen) {}
