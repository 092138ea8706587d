package io.github.sipf4j.prm.iterate.phase;

import io.github.sipf4j.orpo.data.DataFormatException;
import io.github.sipf4j.orpo.data.PreferenceJsonl;
import io.github.sipf4j.orpo.data.PreferencePair;
import io.github.sipf4j.prm.rollout.LabelRecord;
import io.github.sipf4j.prm.rollout.PredictionRecord;
import io.github.sipf4j.prm.rollout.SampleRecord;
import io.github.sipf4j.prm.rollout.VerdictRecord;
import io.github.sipf4j.prm.task.ReasoningTask;
import java.io.BufferedReader;
import java.util.List;

/** The artefacts of an iteration, by the file each is kept in inside {@code iteration-NN/}. */
public final class Artefacts {

  /** The sampled rationales: {@code samples.jsonl}, checked against the iteration's questions when read. */
  public static final Artefact<List<SampleRecord>> SAMPLES = new Artefact<>("samples.jsonl", (scope, name) -> {
    List<SampleRecord> out = scope.store().readLines(name, SampleRecord.class);
    List<ReasoningTask> questions = scope.questions();
    for (int i = 0; i < out.size(); i++) {
      SampleRecord r = out.get(i);
      if (r.question() < 0 || r.question() >= questions.size() || !questions.get(r.question()).id().equals(r.task())
          || r.text() == null) {
        throw new DataFormatException(scope.store().location(name), i + 1L, "task",
            "sample does not belong to this iteration's question " + r.question()
                + " (the training tasks or their order changed since the run started)");
      }
    }
    return out;
  }, ArtefactStore::writeLines);

  /** The verdicts, one per sample in sample order: {@code verdicts.jsonl}. */
  public static final Artefact<List<VerdictRecord>> VERDICTS = new Artefact<>("verdicts.jsonl", (scope, name) -> {
    List<VerdictRecord> out = scope.store().readLines(name, VerdictRecord.class);
    int expected = scope.get(SAMPLES).size();
    if (out.size() != expected) {
      throw new DataFormatException(scope.store().location(name), out.size(), "correct",
          "holds " + out.size() + " verdicts for " + expected + " samples");
    }
    return out;
  }, ArtefactStore::writeLines);

  /** The Monte-Carlo step labels of the simulated samples: {@code labels.jsonl}. */
  public static final Artefact<List<LabelRecord>> LABELS = Artefact.lines("labels.jsonl", LabelRecord.class);

  /** The step scores and rewards of the scored samples: {@code scores.jsonl}. */
  public static final Artefact<List<ScoreRecord>> SCORES = Artefact.lines("scores.jsonl", ScoreRecord.class);

  /** This iteration's new pairs, in TRL's preference format: {@code pairs.jsonl}. */
  public static final Artefact<List<PreferencePair>> PAIRS = pairs("pairs.jsonl");

  /** Where each new pair came from (same order as {@link #PAIRS}): {@code pairs-info.jsonl}. */
  public static final Artefact<List<SelectedRecord>> PAIRS_INFO = Artefact.lines("pairs-info.jsonl",
      SelectedRecord.class);

  /** The pairs the policy trains on, accumulated over iterations: {@code dataset.jsonl}. */
  public static final Artefact<List<PreferencePair>> PAIR_DATASET = pairs("dataset.jsonl");

  /** RFT's new supervised examples: {@code sft-new.jsonl}. */
  public static final Artefact<List<SftRecord>> SFT_NEW = Artefact.lines("sft-new.jsonl", SftRecord.class);

  /** RFT's examples the policy trains on, accumulated over iterations: {@code dataset.jsonl}. */
  public static final Artefact<List<SftRecord>> SFT_DATASET = Artefact.lines("dataset.jsonl", SftRecord.class);

  /** The folder of the trained process reward model: {@code prm/}. */
  public static final String PRM_DIR = "prm";

  /** The folder of the policy an iteration trained: {@code policy/}. */
  public static final String POLICY_DIR = "policy";

  private Artefacts() {}

  /**
   * The greedy answers to one evaluation set: {@code eval-<set>.jsonl}.
   *
   * @param set the evaluation set's name
   * @return the artefact
   */
  public static Artefact<List<PredictionRecord>> predictions(String set) {
    return Artefact.lines("eval-" + set + ".jsonl", PredictionRecord.class);
  }

  private static Artefact<List<PreferencePair>> pairs(String file) {
    return new Artefact<>(file, (scope, name) -> {
      try (BufferedReader in = scope.store().reader(name)) {
        return PreferenceJsonl.read(in, scope.store().location(name));
      }
    }, (store, name, pairs) -> store.writeText(name, w -> PreferenceJsonl.write(w, pairs)));
  }
}
