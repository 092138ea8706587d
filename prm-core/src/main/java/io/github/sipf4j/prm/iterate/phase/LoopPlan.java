package io.github.sipf4j.prm.iterate.phase;

import com.google.common.base.Preconditions;
import io.github.sipf4j.prm.iterate.Phase;
import java.util.ArrayList;
import java.util.List;

/**
 * The strategies of a run, which decide the phases of every iteration: where step rewards come from (null: no
 * scoring, as in rejection-sampling fine-tuning), how the training set is built, and how the policy is updated.
 *
 * @param rewards where step rewards come from, or null when the training set needs none
 * @param trainingSet how the iteration's training data is built
 * @param update how the policy learns from it
 */
public record LoopPlan(RewardSource rewards, TrainingSetBuilder trainingSet, PolicyUpdate update) {

  /**
   * Checks that the strategies fit together.
   *
   * @param rewards the {@code rewards} component (see the record)
   * @param trainingSet the {@code trainingSet} component (see the record)
   * @param update the {@code update} component (see the record)
   */
  public LoopPlan {
    Preconditions.checkNotNull(trainingSet, "trainingSet");
    Preconditions.checkNotNull(update, "update");
    Preconditions.checkArgument(rewards != null || !trainingSet.needsScores(),
        "this training set is built from step scores: a reward source is required");
  }

  /**
   * Returns the phases of every iteration, in order.
   *
   * @param evaluates whether there are evaluation sets
   * @return sample and verify; simulate and train PRM when the reward source needs them; score when there is a
   *     reward source; select and train policy; evaluate when there are evaluation sets
   */
  public List<Phase> phases(boolean evaluates) {
    List<Phase> out = new ArrayList<>(List.of(Phase.SAMPLE, Phase.VERIFY));
    if (rewards != null && rewards.simulates()) {
      out.add(Phase.SIMULATE);
    }
    if (rewards != null && rewards.trainsPrm()) {
      out.add(Phase.TRAIN_PRM);
    }
    if (rewards != null) {
      out.add(Phase.SCORE);
    }
    out.addAll(List.of(Phase.SELECT, Phase.TRAIN_POLICY));
    if (evaluates) {
      out.add(Phase.EVALUATE);
    }
    return out;
  }
}
