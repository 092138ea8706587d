package io.github.sipf4j.prm.iterate.phase;

import com.google.common.base.Preconditions;
import io.github.sipf4j.prm.iterate.Phase;

/**
 * The part every phase shares: which phase it is and the class of its summary.
 *
 * @param <S> the summary's type
 */
abstract class AbstractPhase<S> implements LoopPhase<S> {

  private final Phase phase;
  private final Class<S> summaryType;

  AbstractPhase(Phase phase, Class<S> summaryType) {
    this.phase = Preconditions.checkNotNull(phase, "phase");
    this.summaryType = Preconditions.checkNotNull(summaryType, "summaryType");
  }

  @Override
  public final Phase phase() {
    return phase;
  }

  @Override
  public final Class<S> summaryType() {
    return summaryType;
  }
}
