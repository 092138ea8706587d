package io.github.sipf4j.prm.iterate;

import com.google.common.base.Preconditions;
import com.google.gson.reflect.TypeToken;
import io.github.sipf4j.orpo.lora.LoraModel;
import io.github.sipf4j.prm.iterate.phase.ArtefactStore;
import java.io.IOException;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;

/**
 * {@code run.json}: the settings a run must keep when it resumes (the iteration count may grow). Written when a run
 * starts; a later {@code run()} on the same directory fails with the list of differences.
 */
final class RunSettingsFile {

  /** The file's name in the work directory. */
  static final String FILE = "run.json";

  /**
   * Settings added after runs were already being written, with the value that matches how earlier versions behaved:
   * a {@code run.json} without the key resumes as if it held this value.
   */
  static final Map<String, String> ADDED_LATER = Map.of("prefer_flawed_rejected", "false",
      "anchor_tasks", "none", "anchors_per_step", "0", "anchor_weight", "1.0", "min_chosen_reward", "0.0",
      "lora", "none", "group_by_length", "false", "prm_adapters", "none");

  private RunSettingsFile() {}

  /**
   * Returns the settings that must not change when a run resumes.
   *
   * @param s the run's settings
   * @return the values by key, as strings, in a stable order
   */
  static Map<String, String> of(LoopSettings s) {
    Map<String, Object> m = new LinkedHashMap<>();
    m.put("mode", s.mode().name());
    m.put("reward_source", s.rewardSource().name());
    m.put("soft_labels", s.softLabels());
    m.put("train_tasks", s.trainTasks().name() + " (" + s.trainTasks().size() + ")");
    m.put("first_task", s.trainTasks().size() == 0 ? "" : s.trainTasks().get(0).id());
    m.put("questions_per_iteration", s.questionsPerIteration());
    m.put("samples_per_question", s.sampling().samplesPerPrompt());
    m.put("temperature", (double) s.sampling().temperature());
    m.put("max_new_tokens", s.sampling().maxNewTokens());
    m.put("rollouts_per_step", s.simulator().rolloutsPerStep());
    m.put("delta", s.simulator().delta());
    m.put("max_simulated_samples", s.maxSimulatedSamples());
    m.put("aggregation", s.aggregationName());
    m.put("pair_margin", s.pairSelector().config().margin());
    m.put("pairs_per_question", s.pairSelector().config().maxPairsPerQuestion());
    m.put("prefer_flawed_rejected", s.pairSelector().config().preferFlawedRejected());
    m.put("min_chosen_reward", s.pairSelector().config().minChosenReward());
    m.put("gold_rationales", s.useGoldRationales());
    m.put("accumulate", s.accumulate());
    PolicyTrainingConfig t = s.training();
    m.put("lambda", (double) t.lambda());
    m.put("learning_rate", (double) t.optimizer().learningRate());
    m.put("epochs", t.epochs());
    m.put("max_steps", t.maxSteps());
    m.put("batch_size", t.batchSize());
    m.put("nll_scope", t.nllScope().name());
    m.put("group_by_length", t.groupByLength());
    m.put("anchor_tasks", s.anchorTasks() == null ? "none"
        : s.anchorTasks().name() + " (" + s.anchorTasks().size() + ")");
    m.put("anchors_per_step", t.anchorsPerStep());
    m.put("anchor_weight", (double) t.anchorWeight());
    m.put("lora", s.policy() instanceof LoraModel lora ? lora.config().toString() : "none");
    m.put("prm_adapters", s.prmAdapters() == null ? "none" : s.prmAdapters().toString());
    m.put("seed", s.seed());
    m.put("template", s.template().format("{question}"));
    Map<String, String> out = new LinkedHashMap<>();
    m.forEach((k, v) -> out.put(k, String.valueOf(v)));
    return out;
  }

  /**
   * Writes the settings when the store has none, or checks them against the stored ones.
   *
   * @param store the run's store
   * @param now the settings of this run
   * @throws IOException if the file cannot be read or written
   * @throws IllegalStateException if the stored settings differ; the message lists every difference
   */
  static void check(ArtefactStore store, Map<String, String> now) throws IOException {
    if (!store.exists(FILE)) {
      store.writeJson(FILE, now);
      return;
    }
    Map<String, String> then = store.readJson(FILE, new TypeToken<LinkedHashMap<String, String>>() {}.getType());
    List<String> differ = new ArrayList<>();
    for (String key : now.keySet()) {
      String old = then.containsKey(key) ? then.get(key) : ADDED_LATER.get(key);
      if (!Objects.equals(old, now.get(key))) {
        differ.add(key + ": " + old + " -> " + now.get(key));
      }
    }
    Preconditions.checkState(differ.isEmpty(), "%s holds a run with other settings (%s); use another work "
        + "directory or the same settings", store.location(""), String.join("; ", differ));
  }
}
