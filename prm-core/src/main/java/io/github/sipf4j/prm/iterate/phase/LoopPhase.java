package io.github.sipf4j.prm.iterate.phase;

import io.github.sipf4j.prm.iterate.Phase;
import java.io.IOException;

/**
 * One phase of an iteration: reads earlier phases' artefacts from the {@link IterationScope}, does its work, puts its
 * own artefacts, and returns a summary that the {@link PhaseRunner} keeps in the phase's marker
 * ({@code phases/<phase>.json}). A phase whose marker exists never runs again; its summary is read back instead.
 *
 * @param <S> the summary, a record whose components are the marker's fields
 */
public interface LoopPhase<S> {

  /**
   * Returns which phase this is.
   *
   * @return the phase
   */
  Phase phase();

  /**
   * Returns the summary's class, to read a marker back.
   *
   * @return the class
   */
  Class<S> summaryType();

  /**
   * Runs the phase.
   *
   * @param scope the iteration
   * @return the summary
   * @throws IOException if an artefact cannot be read or written
   */
  S run(IterationScope scope) throws IOException;
}
