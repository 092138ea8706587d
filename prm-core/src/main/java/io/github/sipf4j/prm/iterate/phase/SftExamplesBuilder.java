package io.github.sipf4j.prm.iterate.phase;

import io.github.sipf4j.orpo.text.PromptTemplate;
import io.github.sipf4j.prm.rollout.SampleRecord;
import io.github.sipf4j.prm.rollout.VerdictRecord;
import io.github.sipf4j.prm.task.ReasoningTask;
import java.io.IOException;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;

/** {@link TrainingSetBuilder#sftExamples}. */
final class SftExamplesBuilder implements TrainingSetBuilder {

  private final PromptTemplate template;
  private final boolean goldRationales;
  private final boolean accumulate;

  SftExamplesBuilder(PromptTemplate template, boolean goldRationales, boolean accumulate) {
    this.template = template;
    this.goldRationales = goldRationales;
    this.accumulate = accumulate;
  }

  @Override
  public boolean needsScores() {
    return false;
  }

  @Override
  public SelectPhase.Summary select(IterationScope scope) throws IOException {
    List<SampleRecord> samples = scope.get(Artefacts.SAMPLES);
    List<VerdictRecord> verdicts = scope.get(Artefacts.VERDICTS);
    List<ReasoningTask> questions = scope.questions();
    LinkedHashSet<SftRecord> fresh = new LinkedHashSet<>();
    int gold = 0;
    for (ReasoningTask t : questions) {
      if (goldRationales && !t.goldSteps().isEmpty()) {
        gold += fresh.add(new SftRecord(template.format(t.prompt()), t.goldRationale())) ? 1 : 0;
      }
    }
    for (int i = 0; i < samples.size(); i++) {
      if (verdicts.get(i).correct() && !samples.get(i).text().isBlank()) {
        fresh.add(new SftRecord(template.format(questions.get(samples.get(i).question()).prompt()),
            samples.get(i).text().strip()));
      }
    }
    LinkedHashSet<SftRecord> all = new LinkedHashSet<>();
    List<SftRecord> earlier = accumulate ? scope.previous(Artefacts.SFT_DATASET) : null;
    if (earlier != null) {
      all.addAll(earlier);
    }
    int before = all.size();
    all.addAll(fresh);
    scope.put(Artefacts.SFT_NEW, new ArrayList<>(fresh));
    scope.put(Artefacts.SFT_DATASET, new ArrayList<>(all));
    return new SelectPhase.Summary(fresh.size(), all.size() - before, all.size(), gold, 0);
  }
}
