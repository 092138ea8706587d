package io.github.sipf4j.prm.iterate.phase;

import io.github.sipf4j.prm.process.ProcessRewardModel;
import io.github.sipf4j.prm.process.StepScoringInput;
import io.github.sipf4j.prm.process.StepSplitter;
import io.github.sipf4j.prm.rollout.LabelRecord;
import io.github.sipf4j.prm.rollout.SampleRecord;
import io.github.sipf4j.prm.rollout.VerdictRecord;
import io.github.sipf4j.prm.task.ReasoningTask;
import java.io.IOException;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/** {@link RewardSource#monteCarlo}: the labels are the scores. */
final class MonteCarloRewards implements RewardSource {

  private final boolean soft;
  private final boolean goldRationales;
  private final StepSplitter splitter = StepSplitter.newlines();

  MonteCarloRewards(boolean soft, boolean goldRationales) {
    this.soft = soft;
    this.goldRationales = goldRationales;
  }

  @Override
  public boolean simulates() {
    return true;
  }

  /** Every sample with steps whose question can form a pair: it has a correct sample or a gold rationale. */
  @Override
  public List<Integer> toSimulate(IterationScope scope, long seed) throws IOException {
    List<SampleRecord> samples = scope.get(Artefacts.SAMPLES);
    List<VerdictRecord> verdicts = scope.get(Artefacts.VERDICTS);
    List<ReasoningTask> questions = scope.questions();
    boolean[] pairable = new boolean[questions.size()];
    for (int q = 0; q < questions.size(); q++) {
      pairable[q] = goldRationales && !questions.get(q).goldSteps().isEmpty();
    }
    for (int i = 0; i < samples.size(); i++) {
      if (verdicts.get(i).correct()) {
        pairable[samples.get(i).question()] = true;
      }
    }
    List<Integer> out = new ArrayList<>();
    for (int i = 0; i < samples.size(); i++) {
      if (pairable[samples.get(i).question()] && !splitter.split(samples.get(i).text()).isEmpty()) {
        out.add(i);
      }
    }
    return out;
  }

  @Override
  public List<double[]> score(IterationScope scope, List<StepScoringInput> inputs, List<Integer> samples)
      throws IOException {
    Map<Integer, LabelRecord> bySample = new HashMap<>();
    for (LabelRecord l : scope.get(Artefacts.LABELS)) {
      bySample.put(l.sample(), l);
    }
    List<double[]> out = new ArrayList<>(inputs.size());
    for (int j = 0; j < inputs.size(); j++) {
      LabelRecord l = bySample.get(samples.get(j));
      out.add(l != null ? l.labels(soft) : ProcessRewardModel.outcome().scoreSteps(inputs.get(j)));
    }
    return out;
  }
}
