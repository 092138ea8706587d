package io.github.sipf4j.prm.report;

import com.google.gson.reflect.TypeToken;
import io.github.sipf4j.prm.iterate.SelfIterativeTrainer;
import io.github.sipf4j.prm.iterate.phase.LocalArtefactStore;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;

/**
 * A run directory as it is now: its settings ({@code run.json}), its plan ({@code plan.json}) and one snapshot per
 * iteration folder found ({@code baseline/} first, then {@code iteration-NN/} in order). A run in progress simply has
 * fewer files.
 *
 * @param dir the run directory
 * @param settings the run's settings, or empty before the run started
 * @param plan the run's cost estimate, or null without {@code plan.json}
 * @param iterations the snapshots, baseline (iteration 0) first when present
 * @param problems files that exist but could not be read, each with the reason
 */
record RunSnapshot(Path dir, Map<String, String> settings, RunPlan plan, List<IterationSnapshot> iterations,
    List<String> problems) {

  /** The settings file a run keeps in its directory. */
  static final String SETTINGS_FILE = "run.json";

  /** The folder of the starting policy's evaluation. */
  static final String BASELINE = SelfIterativeTrainer.iterationFolder(0);

  private static final Pattern ITERATION = Pattern.compile("iteration-(\\d+)");

  /**
   * Reads a run directory.
   *
   * @param dir the run directory
   * @param reader reads one iteration's folder
   * @param finished snapshots of finished iterations read earlier, by folder, reused as they are; the snapshots of
   *     iterations found finished now are added
   * @return the snapshot
   * @throws IOException if the directory cannot be listed
   */
  static RunSnapshot read(Path dir, IterationReader reader, Map<String, IterationSnapshot> finished)
      throws IOException {
    List<String> problems = new ArrayList<>();
    LocalArtefactStore store = new LocalArtefactStore(dir);
    Map<String, String> settings = Map.of();
    if (store.exists(SETTINGS_FILE)) {
      try {
        settings = store.readJson(SETTINGS_FILE, new TypeToken<LinkedHashMap<String, String>>() {}.getType());
      } catch (IOException | RuntimeException e) {
        problems.add(SETTINGS_FILE + ": " + e.getMessage());
      }
    }
    RunPlan plan = null;
    try {
      plan = RunPlan.read(dir).orElse(null);
    } catch (IOException | RuntimeException e) {
      problems.add(RunPlan.FILE + ": " + e.getMessage());
    }
    Map<Integer, String> folders = new java.util.TreeMap<>();
    if (Files.isDirectory(dir.resolve(BASELINE))) {
      folders.put(0, BASELINE);
    }
    try (Stream<Path> s = Files.list(dir)) {
      s.filter(Files::isDirectory).forEach(p -> {
        Matcher m = ITERATION.matcher(p.getFileName().toString());
        if (m.matches() && m.group(1).length() < 9) {
          folders.put(Integer.parseInt(m.group(1)), p.getFileName().toString());
        }
      });
    }
    List<IterationSnapshot> iterations = new ArrayList<>();
    folders.forEach((k, folder) -> {
      IterationSnapshot it = finished.get(folder);
      if (it == null) {
        it = reader.read(k, folder);
        if (it.complete() && it.problems().isEmpty()) {
          finished.put(folder, it);
        }
      }
      iterations.add(it);
      it.problems().forEach(problems::add);
    });
    return new RunSnapshot(dir, settings, plan, iterations, problems);
  }
}
