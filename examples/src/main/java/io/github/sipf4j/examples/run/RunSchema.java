package io.github.sipf4j.examples.run;

import static io.github.sipf4j.examples.run.RunKey.above;
import static io.github.sipf4j.examples.run.RunKey.aboveUpTo;
import static io.github.sipf4j.examples.run.RunKey.atLeast;
import static io.github.sipf4j.examples.run.RunKey.nonEmpty;
import static io.github.sipf4j.examples.run.RunKey.within;
import static io.github.sipf4j.examples.run.RunKey.withinOpen;

import io.github.sipf4j.prm.iterate.SelfIterativeTrainer;
import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Every setting of a run file, its type, default and rule, as a tree of sections. The defaults are the
 * {@code SelfIterativeTrainer} builder's (and the configuration records' it composes), so a run file that names
 * only its model, tasks and output runs the library's defaults. {@code examples/run-files/reference.yaml} lists every
 * key with its default and meaning (a test keeps the two in step).
 */
public final class RunSchema {

  /** The task kinds a task list takes. */
  public static final List<String> TASK_KINDS = List.of("gsm8k", "mbpp", "humaneval", "mmlu", "synthetic");

  /** The synthetic splits. */
  public static final List<String> SYNTHETIC_SPLITS = List.of("in-domain", "validation", "ood-wording",
      "ood-length");

  /**
   * A section: named keys, sub-sections and lists of sections.
   *
   * @param children the keys ({@link RunKey}), sections ({@link Section}) and lists ({@link ListOf}) by name
   * @param optional whether the section is off unless it is written (its presence turns it on)
   */
  public record Section(Map<String, Object> children, boolean optional) {
    /**
     * Copies the children.
     *
     * @param children the {@code children} component
     * @param optional the {@code optional} component
     */
    public Section {
      children = Collections.unmodifiableMap(new LinkedHashMap<>(children));
    }
  }

  /**
   * A list of sections, such as the training tasks.
   *
   * @param element the section each item is
   * @param required whether the list must hold at least one item
   */
  public record ListOf(Section element, boolean required) {}

  private static final Section ROOT = build();

  private RunSchema() {}

  /**
   * Returns the root section.
   *
   * @return the schema
   */
  public static Section root() {
    return ROOT;
  }

  private static Section build() {
    S root = new S();
    root.key("output", RunKey.Type.PATH, null, true, nonEmpty());
    root.choice("device", "cpu", List.of(), null);
    root.key("seed", RunKey.Type.LONG, 42L, false, null);
    root.key("iterations", RunKey.Type.INT, SelfIterativeTrainer.DEFAULT_ITERATIONS, false, atLeast(1));
    root.choice("mode", "process", List.of("process", "outcome", "rft"), null);
    root.key("progress", RunKey.Type.BOOL, true, false, null);

    S model = new S();
    model.key("path", RunKey.Type.PATH, null, false, nonEmpty());
    model.key("embedded", RunKey.Type.BOOL, false, false, null);
    model.choice("dtype", "float32", List.of("float32", "float16", "bfloat16"), null);
    root.section("model", model, false);

    root.section("lora", lora(), true);

    S warm = new S();
    warm.section("tasks", taskSource(false), false);
    warm.key("steps", RunKey.Type.INT, 1000, false, atLeast(1));
    warm.key("learning_rate", RunKey.Type.DOUBLE, 1e-4, false, above(0));
    warm.key("batch_size", RunKey.Type.INT, 16, false, atLeast(1));
    warm.key("micro_batch_size", RunKey.Type.INT, null, false, atLeast(1));
    warm.key("group_by_length", RunKey.Type.BOOL, false, false, null);
    warm.key("warmup_steps", RunKey.Type.INT, 10, false, atLeast(0));
    root.section("warm_start", warm, true);

    root.list("tasks", taskSource(false), true);
    root.list("eval", taskSource(true), false);

    S sampling = new S();
    sampling.key("samples_per_question", RunKey.Type.INT, SelfIterativeTrainer.DEFAULT_SAMPLES_PER_QUESTION, false,
        atLeast(1));
    sampling.key("temperature", RunKey.Type.DOUBLE, 1.0, false, above(0));
    sampling.key("top_k", RunKey.Type.INT, 0, false, atLeast(0));
    sampling.key("top_p", RunKey.Type.DOUBLE, 1.0, false, aboveUpTo(0, 1));
    sampling.key("max_new_tokens", RunKey.Type.INT, 256, false, atLeast(1));
    sampling.key("batch_size", RunKey.Type.INT, 128, false, atLeast(1));
    sampling.key("questions_per_iteration", RunKey.Type.INT, 0, false, atLeast(0));
    root.section("sampling", sampling, false);

    S sim = new S();
    sim.key("rollouts_per_step", RunKey.Type.INT, 4, false, atLeast(1));
    sim.key("delta", RunKey.Type.DOUBLE, 0.0, false, withinOpen(0, 1));
    sim.key("early_stop", RunKey.Type.BOOL, true, false, null);
    sim.key("max_new_tokens", RunKey.Type.INT, 200, false, atLeast(1));
    sim.key("batch_size", RunKey.Type.INT, 256, false, atLeast(1));
    sim.key("max_samples", RunKey.Type.INT, SelfIterativeTrainer.DEFAULT_MAX_SIMULATED_SAMPLES, false, atLeast(1));
    root.section("simulation", sim, false);

    S prm = new S();
    prm.choice("rewards", "learned", List.of("learned", "monte_carlo"), null);
    prm.key("soft_labels", RunKey.Type.BOOL, false, false, null);
    prm.key("epochs", RunKey.Type.INT, 3, false, atLeast(1));
    prm.key("batch_size", RunKey.Type.INT, 16, false, atLeast(1));
    prm.key("micro_batch_size", RunKey.Type.INT, null, false, atLeast(1));
    prm.key("group_by_length", RunKey.Type.BOOL, false, false, null);
    prm.key("learning_rate", RunKey.Type.DOUBLE, 1e-3, false, above(0));
    prm.key("validation_fraction", RunKey.Type.DOUBLE, SelfIterativeTrainer.DEFAULT_PRM_VALIDATION_FRACTION, false,
        within(0, 0.9));
    prm.choice("aggregation", "mean", List.of("mean", "min", "product", "last"), null);
    prm.section("lora", lora(), true);
    root.section("prm", prm, false);

    S pairs = new S();
    pairs.key("margin", RunKey.Type.DOUBLE, 0.1, false, atLeast(0));
    pairs.key("max_per_question", RunKey.Type.INT, 2, false, atLeast(1));
    pairs.key("min_chosen_reward", RunKey.Type.DOUBLE, 0.0, false, within(0, 1));
    pairs.key("prefer_flawed_rejected", RunKey.Type.BOOL, false, false, null);
    pairs.key("use_gold_rationales", RunKey.Type.BOOL, true, false, null);
    pairs.key("accumulate", RunKey.Type.BOOL, true, false, null);
    root.section("pairs", pairs, false);

    S orpo = new S();
    orpo.key("lambda", RunKey.Type.DOUBLE, 0.1, false, atLeast(0));
    orpo.key("learning_rate", RunKey.Type.DOUBLE, 1e-4, false, above(0));
    orpo.key("batch_size", RunKey.Type.INT, 16, false, atLeast(1));
    orpo.key("micro_batch_size", RunKey.Type.INT, null, false, atLeast(1));
    orpo.key("group_by_length", RunKey.Type.BOOL, false, false, null);
    orpo.key("epochs", RunKey.Type.INT, 1, false, atLeast(1));
    orpo.key("max_steps", RunKey.Type.LONG, 0L, false, atLeast(0));
    orpo.key("warmup_steps", RunKey.Type.INT, 10, false, atLeast(0));
    orpo.key("weight_decay", RunKey.Type.DOUBLE, 0.01, false, atLeast(0));
    orpo.key("max_grad_norm", RunKey.Type.DOUBLE, 1.0, false, atLeast(0));
    root.section("orpo", orpo, false);

    S verifier = new S();
    verifier.key("timeout_seconds", RunKey.Type.INT, 10, false, atLeast(1));
    verifier.key("workers", RunKey.Type.INT, 0, false, atLeast(0));
    verifier.choice("sandbox", "auto", List.of("auto", "required", "disabled"), null);
    root.section("verifier", verifier, false);

    S rollout = new S();
    rollout.choice("engine", "local", List.of(), null);
    rollout.key("settings", RunKey.Type.STRING_LIST, List.of(), false, null);
    rollout.key("shard_tasks", RunKey.Type.INT, null, false, atLeast(1));
    rollout.key("shard_rationales", RunKey.Type.INT, null, false, atLeast(1));
    root.section("rollout", rollout, false);
    return root.done(false);
  }

  /** The keys of LoRA adapters' settings (the policy's {@code lora}, the PRM's {@code prm.lora}). */
  private static S lora() {
    S lora = new S();
    lora.key("r", RunKey.Type.INT, 8, false, atLeast(1));
    lora.key("alpha", RunKey.Type.DOUBLE, 8.0, false, above(0));
    lora.key("dropout", RunKey.Type.DOUBLE, 0.0, false, withinOpen(0, 1));
    lora.key("target_modules", RunKey.Type.STRING_LIST, List.of("all-linear"), false, nonEmpty());
    lora.key("use_rslora", RunKey.Type.BOOL, false, false, null);
    return lora;
  }

  /** The keys of one task source: a file of a known kind, or synthetic tasks. */
  private static Section taskSource(boolean named) {
    S s = new S();
    if (named) {
      s.key("name", RunKey.Type.STRING, null, false, nonEmpty());
    }
    s.choice("kind", null, TASK_KINDS, null);
    s.key("file", RunKey.Type.PATH, null, false, nonEmpty());
    s.key("limit", RunKey.Type.INT, 0, false, atLeast(0));
    s.choice("split", "in-domain", SYNTHETIC_SPLITS, null);
    s.key("count", RunKey.Type.INT, 1000, false, atLeast(1));
    s.key("seed", RunKey.Type.LONG, 1L, false, null);
    return s.done(false);
  }

  /** A section under construction. */
  private static final class S {
    private final Map<String, Object> children = new LinkedHashMap<>();

    void key(String name, RunKey.Type type, Object def, boolean required, RunKey.Rule rule) {
      children.put(name, new RunKey(name, type, def, required, List.of(), rule));
    }

    /** A choice; an empty list of choices takes any name (checked later, such as the device or engine). */
    void choice(String name, String def, List<String> choices, RunKey.Rule rule) {
      children.put(name, new RunKey(name, choices.isEmpty() ? RunKey.Type.STRING : RunKey.Type.CHOICE, def,
          def == null, new ArrayList<>(choices), rule));
    }

    void section(String name, S s, boolean optional) {
      children.put(name, s.done(optional));
    }

    void section(String name, Section s, boolean optional) {
      children.put(name, new Section(s.children(), optional));
    }

    void list(String name, Section element, boolean required) {
      children.put(name, new ListOf(element, required));
    }

    Section done(boolean optional) {
      return new Section(children, optional);
    }
  }
}
