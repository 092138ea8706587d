package io.github.sipf4j.prm.iterate.phase;

import io.github.sipf4j.prm.iterate.Phase;

/**
 * A finished phase: its summary and wall time, as run now or as found in its marker.
 *
 * @param phase the phase
 * @param summary the phase's summary
 * @param seconds the wall time when it ran
 * @param resumed true when it was found finished and not run again
 * @param <S> the summary's type
 */
public record PhaseOutcome<S>(Phase phase, S summary, double seconds, boolean resumed) {}
