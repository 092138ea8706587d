package io.github.sipf4j.prm.report;

import com.google.gson.annotations.SerializedName;
import io.github.sipf4j.orpo.data.DataFormatException;
import io.github.sipf4j.prm.iterate.phase.LocalArtefactStore;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Optional;

/**
 * The cost estimate of a run, kept as {@code plan.json} in its run directory so that the {@link HtmlReport} can set
 * the measured phase times against it. Its JSON fields are these components' names in snake case
 * ({@code total_seconds}, {@code dominant_phase}, and per phase {@code generated_tokens} and
 * {@code peak_memory_bytes}).
 *
 * @param version the file format's version ({@link #VERSION})
 * @param created when the estimate was made, ISO-8601
 * @param device the device it was made for, such as {@code cpu} or {@code gpu(0)}
 * @param model the model it was made for
 * @param iterations the iterations the run is planned for
 * @param phases one estimate per phase of every iteration, in the order they run
 * @param totalSeconds the estimated wall time of the whole run
 * @param totalGeneratedTokens the tokens the whole run is expected to generate
 * @param dominantPhase the key of the phase expected to take the most time over the run
 */
public record RunPlan(int version, String created, String device, String model, int iterations,
    List<PhaseEstimate> phases, @SerializedName("total_seconds") double totalSeconds,
    @SerializedName("total_generated_tokens") long totalGeneratedTokens,
    @SerializedName("dominant_phase") String dominantPhase) {

  /** The file's name in the run directory. */
  public static final String FILE = "plan.json";

  /** The format version this class reads and writes. */
  public static final int VERSION = 1;

  /**
   * Copies the list of phases (null reads as empty).
   *
   * @param version the {@code version} component (see the record)
   * @param created the {@code created} component (see the record)
   * @param device the {@code device} component (see the record)
   * @param model the {@code model} component (see the record)
   * @param iterations the {@code iterations} component (see the record)
   * @param phases the {@code phases} component (see the record)
   * @param totalSeconds the {@code totalSeconds} component (see the record)
   * @param totalGeneratedTokens the {@code totalGeneratedTokens} component (see the record)
   * @param dominantPhase the {@code dominantPhase} component (see the record)
   */
  public RunPlan {
    phases = phases == null ? List.of() : List.copyOf(phases);
  }

  /**
   * Returns the estimate of one phase of one iteration.
   *
   * @param iteration the iteration (0 before the first)
   * @param phase the phase's key
   * @return the estimate, if the plan has one
   */
  public Optional<PhaseEstimate> estimate(int iteration, String phase) {
    return phases.stream().filter(p -> p.iteration() == iteration && p.phase().equals(phase)).findFirst();
  }

  /**
   * Reads the plan of a run directory.
   *
   * @param runDir the run directory
   * @return the plan, or empty when the directory has no {@value #FILE}
   * @throws IOException if the file cannot be read
   * @throws DataFormatException if it is not a plan of a version this class reads
   */
  public static Optional<RunPlan> read(Path runDir) throws IOException {
    if (!Files.isRegularFile(runDir.resolve(FILE))) {
      return Optional.empty();
    }
    LocalArtefactStore store = new LocalArtefactStore(runDir);
    RunPlan plan = store.readJson(FILE, RunPlan.class);
    if (plan.version() != VERSION) {
      throw new DataFormatException(store.location(FILE), 1, "version", "is " + plan.version()
          + "; this version of sipf4j reads plans of version " + VERSION);
    }
    for (int i = 0; i < plan.phases().size(); i++) {
      PhaseEstimate p = plan.phases().get(i);
      if (p == null || p.phase() == null || !(p.seconds() >= 0)) {
        throw new DataFormatException(store.location(FILE), 1, "phases[" + i + "]",
            "needs a phase key and seconds >= 0, got " + p);
      }
    }
    return Optional.of(plan);
  }

  /**
   * Writes the plan into a run directory, replacing any earlier one atomically.
   *
   * @param runDir the run directory (created when missing)
   * @return the file written
   * @throws IOException if it cannot be written
   */
  public Path write(Path runDir) throws IOException {
    Files.createDirectories(runDir);
    LocalArtefactStore store = new LocalArtefactStore(runDir);
    store.writeJson(FILE, this);
    return store.location(FILE);
  }
}
