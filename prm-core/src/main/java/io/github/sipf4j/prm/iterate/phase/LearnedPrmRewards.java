package io.github.sipf4j.prm.iterate.phase;

import io.github.sipf4j.orpo.model.CausalLmKind;
import io.github.sipf4j.orpo.text.SequenceTooLongException;
import io.github.sipf4j.prm.process.DecoderPrm;
import io.github.sipf4j.prm.process.ProcessRewardModel;
import io.github.sipf4j.prm.process.StepScoringInput;
import io.github.sipf4j.prm.process.StepSplitter;
import io.github.sipf4j.prm.rollout.SampleRecord;
import io.github.sipf4j.prm.rollout.StreamKeys;
import java.io.IOException;
import java.util.ArrayList;
import java.util.Collections;
import java.util.Comparator;
import java.util.List;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/** {@link RewardSource#learnedPrm}: a PRM trained on the labels of a seeded subset scores every sample. */
final class LearnedPrmRewards implements RewardSource {

  private static final Logger LOG = LoggerFactory.getLogger(LearnedPrmRewards.class);

  private final PolicyState policy;
  private final int maxSimulated;
  private final StepSplitter splitter = StepSplitter.newlines();

  LearnedPrmRewards(PolicyState policy, int maxSimulated) {
    this.policy = policy;
    this.maxSimulated = maxSimulated;
  }

  @Override
  public boolean simulates() {
    return true;
  }

  @Override
  public boolean trainsPrm() {
    return true;
  }

  /** Every sample with steps, or the {@code maxSimulated} of them with the lowest seeded ranks of their keys. */
  @Override
  public List<Integer> toSimulate(IterationScope scope, long seed) throws IOException {
    List<SampleRecord> samples = scope.get(Artefacts.SAMPLES);
    List<Integer> out = new ArrayList<>();
    for (int i = 0; i < samples.size(); i++) {
      if (!splitter.split(samples.get(i).text()).isEmpty()) {
        out.add(i);
      }
    }
    if (out.size() > maxSimulated) {
      out.sort(Comparator.comparingLong((Integer i) -> StreamKeys.rank(seed, samples.get(i).task(),
          samples.get(i).sample())).thenComparing(i -> i));
      out = new ArrayList<>(out.subList(0, maxSimulated));
      Collections.sort(out);
    }
    return out;
  }

  @Override
  public List<double[]> score(IterationScope scope, List<StepScoringInput> inputs, List<Integer> samples)
      throws IOException {
    String prmDir = scope.name(Artefacts.PRM_DIR);
    if (!scope.store().exists(prmDir)) {
      return ProcessRewardModel.outcome().scoreSteps(inputs);
    }
    CausalLmKind backbone = policy.ref(scope.store(), prmDir).resolveKind(policy.extraKinds());
    try (DecoderPrm prm = DecoderPrm.load(scope.store().location(prmDir), policy.device(), backbone)) {
      List<double[]> out = new ArrayList<>(Collections.nCopies(inputs.size(), null));
      // Score what fits the PRM's context; a sample too long for it stays unscored (reported as such).
      List<Integer> fit = new ArrayList<>();
      for (int j = 0; j < inputs.size(); j++) {
        try {
          prm.encode(inputs.get(j).prompt(), inputs.get(j).steps());
          fit.add(j);
        } catch (SequenceTooLongException e) {
          LOG.warn("sample {} does not fit the PRM: {}", samples.get(j), e.getMessage());
        }
      }
      List<double[]> scored = prm.scoreSteps(fit.stream().map(inputs::get).toList());
      for (int j = 0; j < fit.size(); j++) {
        out.set(fit.get(j), scored.get(j));
      }
      return out;
    }
  }
}
