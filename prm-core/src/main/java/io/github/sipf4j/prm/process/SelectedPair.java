package io.github.sipf4j.prm.process;

import com.google.common.base.Preconditions;
import io.github.sipf4j.orpo.data.PreferencePair;

/**
 * A preference pair chosen by {@link PairSelector}, with the rewards that justified it.
 *
 * @param pair the ORPO training pair
 * @param chosenReward the process reward of the chosen rationale
 * @param rejectedReward the process reward of the rejected rationale
 * @param rejectedCorrect whether the rejected rationale's final answer is correct (a correct-but-flawed rationale,
 *     which only process feedback can reject)
 */
public record SelectedPair(PreferencePair pair, double chosenReward, double rejectedReward, boolean rejectedCorrect) {

  /**
   * Validates the record.
   *
   * @param pair the {@code pair} component (see the record)
   * @param chosenReward the {@code chosenReward} component (see the record)
   * @param rejectedReward the {@code rejectedReward} component (see the record)
   * @param rejectedCorrect the {@code rejectedCorrect} component (see the record)
   */
  public SelectedPair {
    Preconditions.checkNotNull(pair, "pair");
  }

  /**
   * Returns the reward margin.
   *
   * @return {@code chosenReward - rejectedReward}
   */
  public double margin() {
    return chosenReward - rejectedReward;
  }
}
