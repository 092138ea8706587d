package io.github.sipf4j.prm.iterate.phase;

import com.google.common.base.Preconditions;
import com.google.gson.JsonElement;
import com.google.gson.JsonObject;
import com.google.gson.JsonParseException;
import io.github.sipf4j.orpo.data.DataFormatException;
import io.github.sipf4j.prm.iterate.Phase;
import io.github.sipf4j.prm.iterate.SelfIterativeListener;
import java.io.IOException;
import java.util.List;
import java.util.Locale;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Runs phases at most once each: a phase whose marker {@code <iteration folder>/phases/<phase>.json} exists is
 * skipped and its summary read back; otherwise listeners hear that it starts, it runs, and its summary (with its wall
 * time under {@code seconds}) is written to the marker after all its artefacts. A run killed at any moment therefore
 * loses at most the phase in flight.
 */
public final class PhaseRunner {

  private static final Logger LOG = LoggerFactory.getLogger(PhaseRunner.class);

  /** The field of a marker that holds the phase's wall time. */
  public static final String SECONDS = "seconds";

  private final ArtefactStore store;
  private final List<SelfIterativeListener> listeners;

  /**
   * Creates a runner.
   *
   * @param store the run's store
   * @param listeners told of every phase's start and end
   */
  public PhaseRunner(ArtefactStore store, List<SelfIterativeListener> listeners) {
    this.store = Preconditions.checkNotNull(store, "store");
    this.listeners = List.copyOf(listeners);
  }

  /**
   * Returns the name of a phase's marker.
   *
   * @param scope the iteration
   * @param phase the phase
   * @return {@code <folder>/phases/<phase>.json}
   */
  public static String marker(IterationScope scope, Phase phase) {
    return scope.name("phases/" + phase.key() + ".json");
  }

  /**
   * Runs a phase unless its marker exists.
   *
   * @param scope the iteration
   * @param phase the phase
   * @param <S> its summary's type
   * @return the summary and wall time
   * @throws IOException if the phase or its marker fails
   */
  public <S> PhaseOutcome<S> run(IterationScope scope, LoopPhase<S> phase) throws IOException {
    String marker = marker(scope, phase.phase());
    if (store.exists(marker)) {
      PhaseOutcome<S> done = read(marker, phase);
      for (SelfIterativeListener l : listeners) {
        l.onPhaseEnd(scope.iteration(), phase.phase(), done.seconds(), true);
      }
      return done;
    }
    for (SelfIterativeListener l : listeners) {
      l.onPhaseStart(scope.iteration(), phase.phase());
    }
    long t0 = System.nanoTime();
    S summary = phase.run(scope);
    double seconds = (System.nanoTime() - t0) / 1e9;
    JsonObject json = Json.GSON.toJsonTree(summary).getAsJsonObject();
    json.addProperty(SECONDS, seconds);
    store.writeJson(marker, json);
    LOG.info("iteration {}: {} done in {} s", scope.iteration(), phase.phase().key(),
        String.format(Locale.ROOT, "%.1f", seconds));
    for (SelfIterativeListener l : listeners) {
      l.onPhaseEnd(scope.iteration(), phase.phase(), seconds, false);
    }
    return new PhaseOutcome<>(phase.phase(), summary, seconds, false);
  }

  private <S> PhaseOutcome<S> read(String marker, LoopPhase<S> phase) throws IOException {
    JsonObject json = store.readJson(marker);
    JsonElement seconds = json.get(SECONDS);
    if (seconds == null || !seconds.isJsonPrimitive() || !seconds.getAsJsonPrimitive().isNumber()) {
      throw new DataFormatException(store.location(marker), 1, SECONDS, "missing or not a number: the marker of a "
          + "finished phase records its wall time; delete the marker to run the phase again");
    }
    try {
      S summary = Json.GSON.fromJson(json, phase.summaryType());
      return new PhaseOutcome<>(phase.phase(), summary, seconds.getAsDouble(), true);
    } catch (JsonParseException | IllegalArgumentException e) {
      throw new DataFormatException(store.location(marker), 1, null, "not the summary of phase "
          + phase.phase().key() + ": " + e.getMessage() + "; delete the marker to run the phase again", e);
    }
  }
}
