package io.github.sipf4j.prm.process;

import com.google.common.base.Preconditions;
import io.github.sipf4j.orpo.text.PromptTemplate;
import io.github.sipf4j.prm.task.ReasoningTask;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * A process reward model without training: it labels the steps it is asked to score with the {@link
 * RolloutSimulator} and returns the labels (the soft shares, or the hard labels as 0/1). Exact for what it sampled,
 * and expensive (K completions per step prefix at every call): an oracle for evaluating learned PRMs, and the
 * natural choice for small runs.
 */
public final class MonteCarloPrm implements ProcessRewardModel {

  private final RolloutSimulator simulator;
  private final Map<String, ReasoningTask> tasksByQuestion;
  private final PromptTemplate template;
  private final boolean soft;
  private SimulationStats lastStats;

  /**
   * Creates the model.
   *
   * @param simulator labels steps
   * @param tasksByQuestion the task of each question (a {@link StepScoringInput}'s prompt is the question)
   * @param template turns a question into the prompt the policy continues
   * @param soft whether to return the soft labels (the share of correct completions) rather than the hard ones
   */
  public MonteCarloPrm(RolloutSimulator simulator, Map<String, ReasoningTask> tasksByQuestion,
      PromptTemplate template, boolean soft) {
    this.simulator = Preconditions.checkNotNull(simulator, "simulator");
    this.tasksByQuestion = Map.copyOf(tasksByQuestion);
    this.template = Preconditions.checkNotNull(template, "template");
    this.soft = soft;
  }

  /** {@inheritDoc} */
  @Override
  public List<double[]> scoreSteps(List<StepScoringInput> inputs) {
    List<RolloutRequest> requests = new ArrayList<>(inputs.size());
    for (StepScoringInput in : inputs) {
      ReasoningTask task = tasksByQuestion.get(in.prompt());
      Preconditions.checkArgument(task != null, "no task known for the question: %s", in.prompt());
      requests.add(new RolloutRequest(task, template.format(in.prompt()), in.steps(), false));
    }
    List<double[]> out = new ArrayList<>(inputs.size());
    for (StepLabels l : simulator.label(requests)) {
      out.add(l.labels(soft));
    }
    lastStats = simulator.lastStats();
    return out;
  }

  /**
   * Returns the cost of the last scoring call.
   *
   * @return the simulation statistics, or null before the first call
   */
  public SimulationStats lastStats() {
    return lastStats;
  }
}
