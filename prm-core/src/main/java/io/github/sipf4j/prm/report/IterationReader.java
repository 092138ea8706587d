package io.github.sipf4j.prm.report;

import com.google.common.hash.Hashing;
import com.google.gson.Gson;
import com.google.gson.JsonElement;
import com.google.gson.JsonObject;
import io.github.sipf4j.orpo.data.PreferenceJsonl;
import io.github.sipf4j.orpo.data.PreferencePair;
import io.github.sipf4j.prm.iterate.Phase;
import io.github.sipf4j.prm.iterate.phase.Artefacts;
import io.github.sipf4j.prm.iterate.phase.EvaluatePhase;
import io.github.sipf4j.prm.iterate.phase.LocalArtefactStore;
import io.github.sipf4j.prm.iterate.phase.PhaseRunner;
import io.github.sipf4j.prm.iterate.phase.SamplePhase;
import io.github.sipf4j.prm.iterate.phase.ScorePhase;
import io.github.sipf4j.prm.iterate.phase.ScoreRecord;
import io.github.sipf4j.prm.iterate.phase.SelectPhase;
import io.github.sipf4j.prm.iterate.phase.SelectedRecord;
import io.github.sipf4j.prm.iterate.phase.SimulatePhase;
import io.github.sipf4j.prm.iterate.phase.TrainPolicyPhase;
import io.github.sipf4j.prm.iterate.phase.TrainPrmPhase;
import io.github.sipf4j.prm.iterate.phase.VerifyPhase;
import io.github.sipf4j.prm.process.StepMetrics;
import io.github.sipf4j.prm.process.StepSplitter;
import io.github.sipf4j.prm.rollout.LabelRecord;
import io.github.sipf4j.prm.rollout.SampleRecord;
import io.github.sipf4j.prm.rollout.VerdictRecord;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.stream.IntStream;
import java.util.stream.Stream;

/**
 * Reads the folder of one iteration into an {@link IterationSnapshot}, through the loop's own record classes. Files
 * are written atomically, so each is complete or absent; one that cannot be read is named in the snapshot's problems
 * and the rest is still read. The rationales and pairs shown are chosen deterministically: simulated rationales
 * first, correct and incorrect ones in turn, ordered by a hash of the iteration, task id and sample index; pairs whose
 * rejected rationale reached a correct answer first.
 */
final class IterationReader {

  private static final Gson GSON = new Gson();

  private final LocalArtefactStore store;
  private final int maxRationales;
  private final int maxPairs;
  private final StepSplitter splitter = StepSplitter.newlines();

  IterationReader(LocalArtefactStore store, int maxRationales, int maxPairs) {
    this.store = store;
    this.maxRationales = maxRationales;
    this.maxPairs = maxPairs;
  }

  /** A read that may fail. */
  @FunctionalInterface
  private interface Read<T> {
    T get() throws IOException;
  }

  IterationSnapshot read(int iteration, String folder) {
    List<String> problems = new ArrayList<>();
    Map<String, JsonObject> markers = markers(folder, problems);
    Map<String, Double> seconds = new LinkedHashMap<>();
    markers.forEach((k, m) -> {
      JsonElement s = m.get(PhaseRunner.SECONDS);
      if (s != null && s.isJsonPrimitive() && s.getAsJsonPrimitive().isNumber()) {
        seconds.put(k, s.getAsDouble());
      }
    });
    boolean complete = iteration == 0 ? markers.containsKey(Phase.EVALUATE.key())
        : store.exists(folder + "/report.json");
    EvaluatePhase.Summary eval = summary(markers, Phase.EVALUATE, EvaluatePhase.Summary.class, folder, problems);
    String prmMetricsFile = folder + "/prm-metrics.json";
    StepMetrics prmMetrics = store.exists(prmMetricsFile)
        ? attempt(prmMetricsFile, problems, () -> StepMetrics.fromJson(store.readJson(prmMetricsFile))) : null;
    List<SampleRecord> samples = lines(folder, Artefacts.SAMPLES.file(), SampleRecord.class, problems);
    List<VerdictRecord> verdicts = lines(folder, Artefacts.VERDICTS.file(), VerdictRecord.class, problems);
    if (verdicts != null && (samples == null || verdicts.size() != samples.size())) {
      problems.add(folder + "/" + Artefacts.VERDICTS.file() + ": " + verdicts.size() + " verdicts for "
          + (samples == null ? 0 : samples.size()) + " samples; verdicts not shown");
      verdicts = null;
    }
    Map<Integer, LabelRecord> labels = bySample(lines(folder, Artefacts.LABELS.file(), LabelRecord.class, problems),
        LabelRecord::sample);
    Map<Integer, ScoreRecord> scores = bySample(lines(folder, Artefacts.SCORES.file(), ScoreRecord.class, problems),
        ScoreRecord::sample);
    List<PreferencePair> pairs = pairs(folder, problems);
    List<SelectedRecord> info = lines(folder, Artefacts.PAIRS_INFO.file(), SelectedRecord.class, problems);
    if (pairs != null && (info == null || info.size() != pairs.size())) {
      problems.add(folder + "/" + Artefacts.PAIRS_INFO.file() + " does not describe the "
          + pairs.size() + " pairs of " + Artefacts.PAIRS.file() + "; pairs not shown");
      pairs = null;
    }
    Map<String, String> prompts = new HashMap<>();
    if (pairs != null) {
      for (int i = 0; i < pairs.size(); i++) {
        prompts.putIfAbsent(info.get(i).task(), pairs.get(i).prompt());
      }
    }
    List<RationaleView> rationales = samples == null ? List.of()
        : rationales(iteration, samples, verdicts, labels, scores, prompts);
    List<PairView> pairViews = pairs == null ? List.of() : pairViews(iteration, pairs, info, samples, scores);
    return new IterationSnapshot(iteration, folder, complete, seconds, eval == null ? Map.of() : eval.results(),
        summary(markers, Phase.SAMPLE, SamplePhase.Summary.class, folder, problems),
        summary(markers, Phase.VERIFY, VerifyPhase.Summary.class, folder, problems),
        summary(markers, Phase.SIMULATE, SimulatePhase.Summary.class, folder, problems),
        summary(markers, Phase.TRAIN_PRM, TrainPrmPhase.Summary.class, folder, problems), prmMetrics,
        summary(markers, Phase.SCORE, ScorePhase.Summary.class, folder, problems),
        summary(markers, Phase.SELECT, SelectPhase.Summary.class, folder, problems),
        summary(markers, Phase.TRAIN_POLICY, TrainPolicyPhase.Summary.class, folder, problems),
        rationales, pairViews, problems);
  }

  /** The phase markers, by key: the loop's phases in their order, any other marker (a warm start) before them. */
  private Map<String, JsonObject> markers(String folder, List<String> problems) {
    Path dir = store.location(folder + "/phases");
    Map<String, JsonObject> found = new TreeMap<>();
    if (Files.isDirectory(dir)) {
      List<Path> files = attempt(folder + "/phases", problems, () -> {
        try (Stream<Path> s = Files.list(dir)) {
          return s.filter(p -> p.getFileName().toString().endsWith(".json")).sorted().toList();
        }
      });
      for (Path f : files == null ? List.<Path>of() : files) {
        String name = folder + "/phases/" + f.getFileName();
        JsonObject m = attempt(name, problems, () -> store.readJson(name));
        if (m != null) {
          String key = f.getFileName().toString();
          found.put(key.substring(0, key.length() - ".json".length()), m);
        }
      }
    }
    Map<String, JsonObject> ordered = new LinkedHashMap<>();
    found.forEach((k, v) -> {
      if (Stream.of(Phase.values()).noneMatch(p -> p.key().equals(k))) {
        ordered.put(k, v);
      }
    });
    for (Phase p : Phase.values()) {
      if (found.containsKey(p.key())) {
        ordered.put(p.key(), found.get(p.key()));
      }
    }
    return ordered;
  }

  private static <S> S summary(Map<String, JsonObject> markers, Phase phase, Class<S> type, String folder,
      List<String> problems) {
    JsonObject m = markers.get(phase.key());
    return m == null ? null
        : attempt(folder + "/phases/" + phase.key() + ".json", problems, () -> GSON.fromJson(m, type));
  }

  private <T> List<T> lines(String folder, String file, Class<T> type, List<String> problems) {
    String name = folder + "/" + file;
    return store.exists(name) ? attempt(name, problems, () -> store.readLines(name, type)) : null;
  }

  private List<PreferencePair> pairs(String folder, List<String> problems) {
    String name = folder + "/" + Artefacts.PAIRS.file();
    return store.exists(name) ? attempt(name, problems, () -> PreferenceJsonl.read(store.location(name))) : null;
  }

  private static <T> T attempt(String what, List<String> problems, Read<T> read) {
    try {
      return read.get();
    } catch (IOException | RuntimeException e) {
      // A damaged file must not cost the rest of the report: it is named, with the reason, and skipped.
      problems.add(what + ": " + e.getMessage());
      return null;
    }
  }

  private static <R> Map<Integer, R> bySample(List<R> records, java.util.function.ToIntFunction<R> sample) {
    Map<Integer, R> out = new HashMap<>();
    if (records != null) {
      records.forEach(r -> out.put(sample.applyAsInt(r), r));
    }
    return out;
  }

  private List<RationaleView> rationales(int iteration, List<SampleRecord> samples, List<VerdictRecord> verdicts,
      Map<Integer, LabelRecord> labels, Map<Integer, ScoreRecord> scores, Map<String, String> prompts) {
    Comparator<Integer> order = Comparator.comparingInt((Integer i) -> labels.containsKey(i) ? 0 : 1)
        .thenComparingInt(i -> rank(iteration, samples.get(i).task(), samples.get(i).sample()))
        .thenComparingInt(i -> i);
    List<Integer> right = new ArrayList<>();
    List<Integer> wrong = new ArrayList<>();
    IntStream.range(0, samples.size()).boxed().sorted(order)
        .forEach(i -> (verdicts != null && verdicts.get(i).correct() ? right : wrong).add(i));
    List<Integer> chosen = new ArrayList<>();
    for (int k = 0; chosen.size() < maxRationales && (k < right.size() || k < wrong.size()); k++) {
      if (k < wrong.size()) {
        chosen.add(wrong.get(k));
      }
      if (k < right.size() && chosen.size() < maxRationales) {
        chosen.add(right.get(k));
      }
    }
    chosen.sort(null);
    List<RationaleView> out = new ArrayList<>();
    for (int i : chosen) {
      SampleRecord s = samples.get(i);
      VerdictRecord v = verdicts == null ? null : verdicts.get(i);
      LabelRecord l = labels.get(i);
      ScoreRecord sc = scores.get(i);
      out.add(new RationaleView(s.task(), s.sample(), prompts.get(s.task()), splitter.split(s.text()),
          v == null ? null : v.correct(), v == null ? null : v.extracted(), l == null ? null : l.soft(),
          l == null ? null : l.rollouts(), sc == null ? null : sc.scores(), sc == null ? null : sc.reward()));
    }
    return out;
  }

  private List<PairView> pairViews(int iteration, List<PreferencePair> pairs, List<SelectedRecord> info,
      List<SampleRecord> samples, Map<Integer, ScoreRecord> scores) {
    Map<String, double[]> stepScores = new HashMap<>();
    if (samples != null) {
      scores.forEach((i, sc) -> {
        if (i >= 0 && i < samples.size()) {
          stepScores.put(samples.get(i).task() + '\u0000' + samples.get(i).text(), sc.scores());
        }
      });
    }
    List<Integer> chosen = new ArrayList<>(IntStream.range(0, pairs.size()).boxed()
        .sorted(Comparator.comparingInt((Integer i) -> info.get(i).rejectedCorrect() ? 0 : 1)
            .thenComparingInt(i -> info.get(i).goldChosen() ? 1 : 0)
            .thenComparingInt(i -> rank(iteration, info.get(i).task(), i)).thenComparingInt(i -> i))
        .limit(maxPairs).toList());
    chosen.sort(null);
    List<PairView> out = new ArrayList<>();
    for (int i : chosen) {
      PreferencePair p = pairs.get(i);
      SelectedRecord r = info.get(i);
      List<String> c = splitter.split(p.chosen());
      List<String> rej = splitter.split(p.rejected());
      boolean[][] differs = StepDiff.differing(c, rej);
      out.add(new PairView(r.task(), p.prompt(), c, rej, differs[0], differs[1],
          stepScores.get(r.task() + '\u0000' + p.chosen()), stepScores.get(r.task() + '\u0000' + p.rejected()),
          r.chosenReward(), r.rejectedReward(), r.rejectedCorrect(), r.goldChosen()));
    }
    return out;
  }

  /** A stable pseudo-random rank, so the rationales shown do not depend on the order of the file. */
  private static int rank(int iteration, String task, int index) {
    return Hashing.murmur3_32_fixed().hashString(iteration + "/" + task + "/" + index, StandardCharsets.UTF_8)
        .asInt();
  }
}
