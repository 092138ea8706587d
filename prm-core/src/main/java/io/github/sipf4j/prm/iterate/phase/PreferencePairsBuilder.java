package io.github.sipf4j.prm.iterate.phase;

import io.github.sipf4j.orpo.data.PreferencePair;
import io.github.sipf4j.orpo.text.PromptTemplate;
import io.github.sipf4j.prm.process.PairSelector;
import io.github.sipf4j.prm.process.ScoredRationale;
import io.github.sipf4j.prm.process.SelectedPair;
import io.github.sipf4j.prm.process.StepSplitter;
import io.github.sipf4j.prm.rollout.SampleRecord;
import io.github.sipf4j.prm.rollout.VerdictRecord;
import io.github.sipf4j.prm.task.ReasoningTask;
import java.io.IOException;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;

/** {@link TrainingSetBuilder#preferencePairs}. */
final class PreferencePairsBuilder implements TrainingSetBuilder {

  private final PromptTemplate template;
  private final PairSelector selector;
  private final boolean goldRationales;
  private final boolean accumulate;
  private final StepSplitter splitter = StepSplitter.newlines();

  PreferencePairsBuilder(PromptTemplate template, PairSelector selector, boolean goldRationales, boolean accumulate) {
    this.template = template;
    this.selector = selector;
    this.goldRationales = goldRationales;
    this.accumulate = accumulate;
  }

  @Override
  public boolean needsScores() {
    return true;
  }

  @Override
  public SelectPhase.Summary select(IterationScope scope) throws IOException {
    List<SampleRecord> samples = scope.get(Artefacts.SAMPLES);
    List<VerdictRecord> verdicts = scope.get(Artefacts.VERDICTS);
    Map<Integer, ScoreRecord> scores = new HashMap<>();
    for (ScoreRecord r : scope.get(Artefacts.SCORES)) {
      scores.put(r.sample(), r);
    }
    List<ReasoningTask> questions = scope.questions();
    List<List<Integer>> byQuestion = new ArrayList<>();
    for (int q = 0; q < questions.size(); q++) {
      byQuestion.add(new ArrayList<>());
    }
    for (int i = 0; i < samples.size(); i++) {
      byQuestion.get(samples.get(i).question()).add(i);
    }
    List<PreferencePair> fresh = new ArrayList<>();
    List<SelectedRecord> selected = new ArrayList<>();
    int correctRejected = 0;
    int goldChosen = 0;
    for (int q = 0; q < questions.size(); q++) {
      ReasoningTask t = questions.get(q);
      List<ScoredRationale> candidates = new ArrayList<>();
      String goldText = null;
      if (goldRationales && !t.goldSteps().isEmpty()) {
        goldText = t.goldRationale();
        double[] ones = new double[t.goldSteps().size()];
        Arrays.fill(ones, 1.0);
        candidates.add(new ScoredRationale(goldText, t.goldSteps(), true, 1.0, ones));
      }
      for (int i : byQuestion.get(q)) {
        ScoreRecord sc = scores.get(i);
        if (sc != null) {
          candidates.add(new ScoredRationale(samples.get(i).text(), splitter.split(samples.get(i).text()),
              verdicts.get(i).correct(), sc.reward(), sc.scores()));
        }
      }
      if (candidates.size() < 2) {
        continue;
      }
      for (SelectedPair p : selector.select(template.format(t.prompt()), candidates)) {
        fresh.add(p.pair());
        boolean gold = p.pair().chosen().equals(goldText);
        correctRejected += p.rejectedCorrect() ? 1 : 0;
        goldChosen += gold ? 1 : 0;
        selected.add(new SelectedRecord(t.id(), p.chosenReward(), p.rejectedReward(), p.rejectedCorrect(), gold));
      }
    }
    LinkedHashSet<PreferencePair> all = new LinkedHashSet<>();
    List<PreferencePair> earlier = accumulate ? scope.previous(Artefacts.PAIR_DATASET) : null;
    if (earlier != null) {
      all.addAll(earlier);
    }
    int before = all.size();
    all.addAll(fresh);
    scope.put(Artefacts.PAIRS, fresh);
    scope.put(Artefacts.PAIRS_INFO, selected);
    scope.put(Artefacts.PAIR_DATASET, new ArrayList<>(all));
    return new SelectPhase.Summary(fresh.size(), all.size() - before, all.size(), goldChosen, correctRejected);
  }
}
