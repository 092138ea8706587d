package io.github.sipf4j.examples.run;

import com.google.gson.JsonObject;
import com.google.gson.JsonParser;
import io.github.sipf4j.orpo.loss.NllScope;
import io.github.sipf4j.orpo.loss.OrpoLoss;
import io.github.sipf4j.orpo.model.CausalLm;
import io.github.sipf4j.orpo.sample.Sample;
import io.github.sipf4j.orpo.sample.Sampler;
import io.github.sipf4j.orpo.sample.SamplingConfig;
import io.github.sipf4j.orpo.text.EncodedSequence;
import io.github.sipf4j.orpo.text.PromptTemplate;
import io.github.sipf4j.orpo.text.SequenceEncoder;
import io.github.sipf4j.orpo.text.TextTokenizer;
import io.github.sipf4j.orpo.train.EncodedPair;
import io.github.sipf4j.orpo.train.OrpoTrainer;
import io.github.sipf4j.orpo.train.SftTrainer;
import io.github.sipf4j.orpo.train.TrainerConfig;
import io.github.sipf4j.orpo.util.HeapOnlyRelaunch;
import io.github.sipf4j.orpo.util.MallocTuning;
import io.github.sipf4j.prm.iterate.Phase;
import io.github.sipf4j.prm.iterate.PolicyTrainingConfig;
import io.github.sipf4j.prm.report.PhaseEstimate;
import io.github.sipf4j.prm.rollout.VerifierSpec;
import io.github.sipf4j.prm.rollout.VerifierSpecs;
import io.github.sipf4j.prm.task.ReasoningTask;
import io.github.sipf4j.prm.task.TaskSet;
import io.github.sipf4j.prm.verify.OutcomeVerifier;
import java.io.IOException;
import java.io.PrintWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.Random;

/**
 * Estimates what a run will cost before it runs: it loads the run's model on the run's device, measures the
 * per-token costs of decoding (at the configured batch and at an eighth of it, so that the cost of a step splits
 * into a fixed part and a part per active row, and the process's first decoding apart), of SFT and ORPO optimizer
 * steps (at the configured batch; the marginal step and what a training phase costs beyond its steps), and of
 * verifying a few answers; then it multiplies out every phase of every iteration.
 *
 * <p>What it multiplies by: when the policy that starts the iterations exists (the model without a warm start, or a
 * warm start finished in the output directory), a {@link RolloutProbe} of it on a few of the run's questions says
 * how long its samples and greedy answers are, what share of the samples the iteration simulates and what share of
 * their step prefixes the simulator reaches. Before a warm start has run the rollouts are upper bounds (samples and
 * answers as long as the gold rationales, every step prefix of every sample simulated) and {@code sipf4j run}
 * revises the plan ({@link #revise}) once the warm start is done. Both assume that every question yields the most
 * pairs allowed and that a forward pass without gradients costs a third of a training step; {@link RunPlan#basis()}
 * states what a plan rests on. Peak memory is the process's resident peak during the matching measurement (host
 * memory; on a GPU the device's memory is not measured).
 */
public final class RunPlanner {

  /** The basis key of the float32 logits of one ORPO forward pass (a micro-batch's chosen and rejected rows), MiB. */
  public static final String LOGITS_MIB = "orpo_step_logits_mib";
  /** The basis key that tells whether the planning JVM ran with one glibc heap ({@link MallocTuning#heapOnly()}). */
  public static final String ONE_HEAP = "one_heap_malloc";

  private static final int SHORT_STEPS = 4;
  private static final int LONG_STEPS = 48;
  private static final int LENGTH_PROBES = 256;
  private static final int DEFAULT_STEPS_PER_RATIONALE = 4;
  private static final int REPEATS = 3;
  /** The sampler's default token limit of a chunk ({@code SamplingConfig}'s {@code maxBatchTokens}). */
  private static final long MAX_BATCH_TOKENS = SamplingConfig.builder().build().maxBatchTokens();
  private static final int LONG_FIT = 6;
  /** The share of finished rows at which the sampler drops them from its batch ({@code compactThreshold}). */
  private static final double COMPACT_SHARE = SamplingConfig.builder().build().compactThreshold();

  private RunPlanner() {}

  /**
   * Measured decoding cost: seconds per step = fixed + perRow * rows, plus prefill per prompt token; {@code warmup}
   * is what the process's first decoding took beyond the same decoding warm (paid once per run, by its first
   * decoding phase).
   */
  record DecodeCost(double fixed, double perRow, double prefillPerToken, double warmup, long peakBytes) {
    double step(double rows) {
      return fixed + perRow * rows;
    }

    /**
     * Seconds to decode sequences of the given lengths as the sampler does: rows cut into chunks of at most {@code
     * batch} rows and {@link #MAX_BATCH_TOKENS} tokens (prompt plus new tokens), each distinct prompt of a chunk
     * encoded once ({@code rowsPerPrompt} rows share one), then one step per position up to the chunk's longest
     * sequence, each step costing the fixed part and the per-row part of the rows still in the batch: finished rows
     * stay until they are {@link #COMPACT_SHARE} of it, when the sampler drops them.
     */
    double seconds(List<Integer> lengths, int batch, double promptTokens, int maxNew, int rowsPerPrompt) {
      int rows = (int) Math.max(1, Math.min(batch, MAX_BATCH_TOKENS / Math.max(1, promptTokens + maxNew)));
      double total = 0;
      for (int from = 0; from < lengths.size(); from += rows) {
        List<Integer> b = lengths.subList(from, Math.min(lengths.size(), from + rows));
        total += prefillPerToken * promptTokens * Math.ceil((double) b.size() / rowsPerPrompt) + chunk(b);
      }
      return total;
    }

    /** The decoding steps of one chunk, the rows in the batch changing only when the sampler compacts it. */
    private double chunk(List<Integer> lengths) {
      int[] sorted = lengths.stream().mapToInt(Integer::intValue).sorted().toArray();
      int n = sorted.length;
      int live = n;
      int done = 0;
      int step = 0;
      double total = 0;
      while (done < n) {
        int next = sorted[done];
        total += (double) (next - step) * step(live);
        step = next;
        while (done < n && sorted[done] == step) {
          done++;
        }
        if (live - (n - done) >= COMPACT_SHARE * live) {
          live = n - done;
        }
      }
      return total;
    }
  }

  /**
   * Makes the plan of a run file. Its rollouts (how long the samples and answers are, how many samples and step
   * prefixes are simulated) come from a probe of the policy the iterations start from when that policy exists: the
   * model itself without a warm start, or a warm start already finished in the output directory. Before a warm start
   * has run they are upper bounds (every step prefix of every sample simulated), and {@link #revise} replaces them
   * once it has.
   *
   * @param s the settings
   * @param log where progress lines go
   * @return the plan
   * @throws IOException if the model or tasks cannot be read
   */
  public static RunPlan plan(RunSettings s, PrintWriter log) throws IOException {
    TaskSet train = RunSetup.trainTasks(s);
    Map<String, TaskSet> eval = RunSetup.evalSets(s);
    boolean warmStartPending = s.section("warm_start") != null && !Files.exists(
        RunSetup.output(s).resolve(RunSetup.WARM_START_DIR).resolve(RunSetup.WARM_START_MARKER));
    // A finished warm start (in the output directory) is the policy the iterations start from: probe that one.
    try (RunSetup.OpenModel m = warmStartPending ? RunSetup.openModel(s)
        : RunSetup.warmStart(s, RunSetup.openModel(s))) {
      CausalLm lm = m.model();
      TextTokenizer tok = m.tokenizer();
      SequenceEncoder enc = new SequenceEncoder(tok, PromptTemplate.DEFAULT, lm.maxLength());
      int sampleBatch = s.getInt("sampling.batch_size");
      double promptTokens = meanPromptTokens(enc, train);
      List<String> prompts = prompts(train, sampleBatch);
      log.println("measuring decoding at batch " + sampleBatch + " and " + Math.max(1, sampleBatch / 8) + " ...");
      log.flush();
      DecodeCost decode = decodeCost(lm, tok, prompts, sampleBatch, promptTokens);
      Probed probed = probe(s, m, train, eval, !warmStartPending, log);
      Shape shape = shape(s, m, enc, train, eval, probed.probe(), prompts);
      log.println("measuring training steps ...");
      log.flush();
      List<EncodedSequence> examples = trainingExamples(enc, train, shape.lengths());
      TrainerConfig.Builder batching = batching(s);
      Measured sft = sftStep(lm, tok, examples, batching);
      Measured orpo = "rft".equals(s.getString("mode")) ? sft
          : orpoStep(lm, tok, examples, batching, (float) s.getDouble("orpo.lambda"));
      Costs costs = new Costs(promptTokens, decode, sft, orpo, probed.verifySeconds());
      Map<String, Object> basis = basis(s, lm, costs, shape, probed.probe());
      basis.put(ONE_HEAP, MallocTuning.heapOnly());
      // Before a warm start the run revises this plan, and the probe of that revision pays the decoding's warm-up.
      return estimate(s, train, shape, probed.probe(), costs, basis, !warmStartPending);
    }
  }

  /**
   * Revises the plan in the output directory once the warm start has run: the plan's measured costs stay, its
   * rollouts come from a probe of the warm-started policy (see {@link #plan}). The plan made before is kept as
   * {@value #PLAN_BEFORE_WARM_START}. Nothing happens without a plan, with a plan whose rollouts were probed
   * already, or with one written before plans kept their costs.
   *
   * @param s the settings
   * @param model the warm-started policy, left as it was
   * @param log where progress lines go
   * @return the revised plan, written to {@code plan.json}, or empty
   * @throws IOException if the plan or tasks cannot be read or the plan cannot be written
   */
  public static Optional<RunPlan> revise(RunSettings s, RunSetup.OpenModel model, PrintWriter log)
      throws IOException {
    Path out = RunSetup.output(s);
    Path file = out.resolve(RunPlan.FILE);
    if (!Files.exists(file)) {
      return Optional.empty();
    }
    String before = Files.readString(file);
    JsonObject json = JsonParser.parseString(before).getAsJsonObject();
    JsonObject oldBasis = json.has("basis") && json.get("basis").isJsonObject() ? json.getAsJsonObject("basis")
        : new JsonObject();
    if (!oldBasis.has(COSTS) || oldBasis.has(PROBED) && oldBasis.get(PROBED).getAsBoolean()) {
      return Optional.empty();
    }
    Costs costs;
    try {
      costs = Costs.fromJson(oldBasis.getAsJsonObject(COSTS));
    } catch (RuntimeException e) {
      throw new IllegalArgumentException(file + ": basis.costs cannot be read: " + e.getMessage(), e);
    }
    TaskSet train = RunSetup.trainTasks(s);
    Map<String, TaskSet> eval = RunSetup.evalSets(s);
    CausalLm lm = model.model();
    SequenceEncoder enc = new SequenceEncoder(model.tokenizer(), PromptTemplate.DEFAULT, lm.maxLength());
    Probed probed = probe(s, model, train, eval, true, log);
    Shape shape = shape(s, model, enc, train, eval, probed.probe(), prompts(train, s.getInt("sampling.batch_size")));
    Map<String, Object> basis = basis(s, lm, costs, shape, probed.probe());
    if (oldBasis.has(ONE_HEAP)) {
      basis.put(ONE_HEAP, oldBasis.get(ONE_HEAP).getAsBoolean());
    }
    basis.put("revised", "after the warm start, with the warm-started policy's rollouts; the plan made before it is "
        + PLAN_BEFORE_WARM_START);
    RunPlan plan = estimate(s, train, shape, probed.probe(), costs, basis, false);
    io.github.sipf4j.orpo.util.AtomicFiles.writeString(out.resolve(PLAN_BEFORE_WARM_START), before);
    write(plan, out);
    return Optional.of(plan);
  }

  /** The plan made before the warm start, kept beside {@code plan.json} by {@link #revise}. */
  public static final String PLAN_BEFORE_WARM_START = "plan-before-warm-start.json";
  /** The basis key of the measured costs, at full precision, that {@link #revise} multiplies out again. */
  static final String COSTS = "costs";
  /** The basis key that says whether the rollouts were probed (true) or upper bounds (false). */
  static final String PROBED = "rollouts_probed";

  /** The probe (null when not probed) and the verifier's seconds per answer. */
  private record Probed(RolloutProbe probe, double verifySeconds) {}

  private static Probed probe(RunSettings s, RunSetup.OpenModel m, TaskSet train, Map<String, TaskSet> eval,
      boolean probe, PrintWriter log) {
    List<TaskSet> all = new ArrayList<>(eval.values());
    all.add(train);
    boolean code = RunSetup.hasCode(all);
    OutcomeVerifier verifier = VerifierSpecs.create(code ? VerifierSpec.forTaskKind(RunSetup.executor(s))
        : VerifierSpec.forTaskKind());
    try {
      RolloutProbe p = null;
      if (probe) {
        log.println("probing the starting policy on " + (code ? RolloutProbe.CODE_QUESTIONS
            : RolloutProbe.QUESTIONS) + " of the run's questions ...");
        log.flush();
        CausalLm lm = m.model();
        p = RolloutProbe.run(s, lm, new Sampler(lm, new SequenceEncoder(m.tokenizer(), PromptTemplate.DEFAULT,
            lm.maxLength())), verifier, train, eval, code);
      }
      return new Probed(p, verifySeconds(verifier, code, code ? RunSetup.executor(s).workers() : 1, train));
    } finally {
      VerifierSpecs.release(verifier);
    }
  }

  /**
   * What the estimate multiplies the costs by: sampled rationale lengths, steps per rationale, evaluation answers.
   */
  record Shape(List<Integer> lengths, String lengthSource, double stepsPerRationale, Map<String, EvalShape> eval) {}

  private static Shape shape(RunSettings s, RunSetup.OpenModel m, SequenceEncoder enc, TaskSet train,
      Map<String, TaskSet> eval, RolloutProbe probe, List<String> prompts) {
    int maxNew = s.getInt("sampling.max_new_tokens");
    List<Integer> lengths = goldLengths(m.tokenizer(), train, maxNew);
    String lengthSource = "gold rationales of the training tasks";
    if (probe != null) {
      lengths = probe.sampleLengths();
      lengthSource = "the starting policy's samples of " + probe.questions() + " training questions";
    } else if (lengths.isEmpty()) {
      lengths = sampledLengths(m.model(), m.tokenizer(), prompts, RunSetup.sampling(s));
      lengthSource = "the model's own samples of " + lengths.size() + " training questions";
    }
    double steps = probe != null && probe.stepsPerSample() > 0 ? probe.stepsPerSample() : meanSteps(train);
    Map<String, EvalShape> evalShapes = new LinkedHashMap<>();
    for (Map.Entry<String, TaskSet> e : eval.entrySet()) {
      List<Integer> l = probe != null ? probe.evalLengths().get(e.getKey())
          : goldLengths(m.tokenizer(), e.getValue(), maxNew);
      evalShapes.put(e.getKey(), new EvalShape(e.getValue().size(), meanPromptTokens(enc, e.getValue()),
          l.isEmpty() ? lengths : l));
    }
    return new Shape(lengths, lengthSource, steps, evalShapes);
  }

  /** The measured costs an estimate multiplies out, kept at full precision in the plan's basis. */
  record Costs(double promptTokens, DecodeCost decode, Measured sft, Measured orpo, double verifySeconds) {
    Map<String, Object> toMap() {
      Map<String, Object> m = new LinkedHashMap<>();
      m.put("prompt_tokens", promptTokens);
      m.put("decode_fixed_seconds", decode.fixed());
      m.put("decode_per_row_seconds", decode.perRow());
      m.put("prefill_seconds_per_token", decode.prefillPerToken());
      m.put("decode_warmup_seconds", decode.warmup());
      m.put("decode_peak_bytes", decode.peakBytes());
      m.put("sft_seconds_per_example", sft.seconds());
      m.put("sft_setup_seconds", sft.setupSeconds());
      m.put("sft_peak_bytes", sft.peakBytes());
      m.put("orpo_seconds_per_pair", orpo.seconds());
      m.put("orpo_setup_seconds", orpo.setupSeconds());
      m.put("orpo_peak_bytes", orpo.peakBytes());
      m.put("verify_seconds_per_sample", verifySeconds);
      return m;
    }

    static Costs fromJson(JsonObject o) {
      return new Costs(o.get("prompt_tokens").getAsDouble(),
          new DecodeCost(o.get("decode_fixed_seconds").getAsDouble(), o.get("decode_per_row_seconds").getAsDouble(),
              o.get("prefill_seconds_per_token").getAsDouble(), o.get("decode_warmup_seconds").getAsDouble(),
              o.get("decode_peak_bytes").getAsLong()),
          new Measured(o.get("sft_seconds_per_example").getAsDouble(), o.get("sft_setup_seconds").getAsDouble(),
              o.get("sft_peak_bytes").getAsLong()),
          new Measured(o.get("orpo_seconds_per_pair").getAsDouble(), o.get("orpo_setup_seconds").getAsDouble(),
              o.get("orpo_peak_bytes").getAsLong()),
          o.get("verify_seconds_per_sample").getAsDouble());
    }
  }

  private static Map<String, Object> basis(RunSettings s, CausalLm lm, Costs costs, Shape shape,
      RolloutProbe probe) {
    Map<String, Object> basis = new LinkedHashMap<>();
    basis.put("prompt_tokens", round(costs.promptTokens()));
    double rationaleTokens = mean(shape.lengths());
    basis.put("rationale_tokens", round(rationaleTokens));
    basis.put("rationale_tokens_from", shape.lengthSource());
    basis.put("steps_per_rationale", round(shape.stepsPerRationale()));
    basis.put(PROBED, probe != null);
    if (probe != null) {
      basis.put("simulated_share", round(probe.simulatedShare()));
      basis.put("simulated_prefix_share", round(probe.prefixShare()));
    }
    Map<String, Object> evalBasis = new LinkedHashMap<>();
    shape.eval().forEach((name, e) -> evalBasis.put(name, Map.of("prompt_tokens", round(e.promptTokens()),
        "answer_tokens", round(mean(e.lengths())))));
    if (!evalBasis.isEmpty()) {
      basis.put("evaluation", evalBasis);
      basis.put("evaluation_tokens_from", probe != null ? "the starting policy's greedy answers to the first "
          + RolloutProbe.EVAL_TASKS + " tasks of each set" : "each set's gold rationales, where it has them");
    }
    basis.put("decode_step_fixed_ms", round(costs.decode().fixed() * 1e3));
    basis.put("decode_step_per_row_ms", round(costs.decode().perRow() * 1e3));
    basis.put("prefill_per_token_ms", round(costs.decode().prefillPerToken() * 1e3));
    basis.put("decode_warmup_seconds", round(costs.decode().warmup()));
    basis.put("sft_seconds_per_example", round(costs.sft().seconds()));
    basis.put("orpo_seconds_per_pair", round(costs.orpo().seconds()));
    basis.put("training_setup_seconds", round(costs.orpo().setupSeconds()));
    basis.put("verify_seconds_per_sample", round(costs.verifySeconds()));
    basis.put(LOGITS_MIB, round(2.0 * batching(s).build().microBatchSize() * (costs.promptTokens() + rationaleTokens)
        * lm.vocabSize() * Float.BYTES / (1 << 20)));
    basis.put("assumptions", (probe != null
        ? "sampled rationales, simulated shares and answers as the starting policy's on the probed questions; "
        : "the warm start has not run, so the rollouts are upper bounds: sampled rationales and answers as long as "
            + "the gold ones, every step prefix of every sample simulated (`sipf4j run` revises the plan once the "
            + "warm start is done); ")
        + "every question yields the most pairs allowed; a forward pass without gradients costs a third of a "
        + "training step");
    basis.put(COSTS, costs.toMap());
    return basis;
  }

  /** An evaluation set's size, mean prompt tokens and the answer lengths its estimate assumes. */
  record EvalShape(int size, double promptTokens, List<Integer> lengths) {}

  /**
   * Advises one heap for a plan made on a CPU by a JVM without it (the command line relaunches itself with it unless
   * {@code -Dsipf4j.malloc.relaunch=false}): every training step would otherwise page-fault its largest tensors in
   * afresh, the logits once they exceed glibc's 32 MiB mmap threshold and, on the JVM's own threads, whatever
   * overflows glibc's 64 MiB per-thread heaps; see {@link MallocTuning} and {@link HeapOnlyRelaunch}.
   *
   * @param device the plan's device
   * @param basis the plan's basis
   * @return the advice, or empty when it does not apply (a GPU, one heap already, an older plan)
   */
  public static Optional<String> mallocAdvice(String device, Map<String, Object> basis) {
    if (device == null || !device.startsWith("cpu") || basis == null || !Boolean.FALSE.equals(basis.get(ONE_HEAP))) {
      return Optional.empty();
    }
    String logits = basis.get(LOGITS_MIB) instanceof Number mib
        && mib.doubleValue() > MallocTuning.MMAP_THRESHOLD >> 20
        ? String.format(Locale.ROOT, " with %.0f MiB of logits per ORPO forward pass", mib.doubleValue()) : "";
    return Optional.of("Training on the CPU" + logits + " without one glibc heap: start the JVM with GLIBC_TUNABLES="
        + MallocTuning.HEAP_ONLY + " so that every step reuses its memory instead of page-faulting it in (on the "
        + "project's machine a whole quickstart.yaml run took 0.78 of its time and a 32,000-token llama's step 0.21); "
        + "the sipf4j command line does this itself unless -Dsipf4j.malloc.relaunch=false. The estimate above was "
        + "measured without it.");
  }

  /**
   * Seconds per training example, the seconds a training phase spends beyond its steps (setting up the trainer and
   * optimizer, the first step's warm-up, saving) and the process's peak memory while measuring.
   */
  record Measured(double seconds, double setupSeconds, long peakBytes) {}

  private static RunPlan estimate(RunSettings s, TaskSet train, Shape shape, RolloutProbe probe, Costs costs,
      Map<String, Object> basis, boolean firstDecodingWarmsUp) {
    Map<String, EvalShape> eval = shape.eval();
    List<Integer> lengths = shape.lengths();
    double promptTokens = costs.promptTokens();
    double stepsPerRationale = shape.stepsPerRationale();
    DecodeCost decode = costs.decode();
    Measured sft = costs.sft();
    Measured orpo = costs.orpo();
    double verifySeconds = costs.verifySeconds();
    List<PhaseEstimate> rows = new ArrayList<>();
    int sampleBatch = s.getInt("sampling.batch_size");
    int maxNew = s.getInt("sampling.max_new_tokens");
    if (s.section("warm_start") != null) {
      double sec = sft.setupSeconds() + s.getInt("warm_start.steps") * s.getInt("warm_start.batch_size")
          * sft.seconds();
      rows.add(new PhaseEstimate(0, RunSetup.WARM_START_PHASE, sec, 0, sft.peakBytes()));
    }
    // The process's first decoding pays the warm-up once (unless the run's own probe has paid it).
    double warmup = firstDecodingWarmsUp ? decode.warmup() : 0;
    if (!eval.isEmpty()) {
      rows.add(evaluate(0, eval, sampleBatch, maxNew, decode, warmup));
      warmup = 0;
    }
    int q = s.getInt("sampling.questions_per_iteration");
    int questions = q > 0 ? Math.min(q, train.size()) : train.size();
    int samples = questions * s.getInt("sampling.samples_per_question");
    String mode = s.getString("mode");
    boolean process = "process".equals(mode);
    boolean learned = process && "learned".equals(s.getString("prm.rewards"));
    int k = s.getInt("simulation.rollouts_per_step");
    int simBatch = s.getInt("simulation.batch_size");
    int simMax = s.getInt("simulation.max_new_tokens");
    int maxPairs = s.getInt("pairs.max_per_question");
    for (int it = 1; it <= s.getInt("iterations"); it++) {
      List<Integer> sampled = cycle(lengths, samples);
      long sampledTokens = sum(sampled);
      rows.add(new PhaseEstimate(it, Phase.SAMPLE.key(), warmup + decode.seconds(sampled, sampleBatch, promptTokens, maxNew, s.getInt("sampling.samples_per_question")),
          sampledTokens, decode.peakBytes()));
      warmup = 0;
      rows.add(new PhaseEstimate(it, Phase.VERIFY.key(), samples * verifySeconds, 0, -1));
      int simulated = 0;
      if (process) {
        simulated = probe == null ? samples : (int) Math.round(samples * probe.simulatedShare());
        if (learned) {
          simulated = Math.min(simulated, s.getInt("simulation.max_samples"));
        }
        rows.add(simulate(it, cycle(lengths, simulated), stepsPerRationale,
            probe == null ? 1 : probe.prefixShare(), promptTokens, k, simBatch, simMax, decode));
      }
      if (learned) {
        int trainSamples = (int) Math.round(simulated * (1 - s.getDouble("prm.validation_fraction")));
        int prmBatch = s.getInt("prm.batch_size");
        long steps = (long) s.getInt("prm.epochs") * Math.max(1, (trainSamples + prmBatch - 1) / prmBatch);
        double sec = sft.setupSeconds() + steps * prmBatch * sft.seconds()
            + (simulated - trainSamples) * sft.seconds() / 3;
        rows.add(new PhaseEstimate(it, Phase.TRAIN_PRM.key(), sec, 0, sft.peakBytes()));
        rows.add(new PhaseEstimate(it, Phase.SCORE.key(), samples * sft.seconds() / 3, 0,
            sft.peakBytes()));
      } else if (process || "outcome".equals(mode)) {
        rows.add(new PhaseEstimate(it, Phase.SCORE.key(), 0, 0, -1));
      }
      rows.add(new PhaseEstimate(it, Phase.SELECT.key(), 0, 0, -1));
      long pairs = (long) questions * maxPairs * (s.getBool("pairs.accumulate") ? it : 1);
      int batch = s.getInt("orpo.batch_size");
      long steps = (long) s.getInt("orpo.epochs") * Math.max(1, (pairs + batch - 1) / batch);
      long maxSteps = s.getLong("orpo.max_steps");
      if (maxSteps > 0) {
        steps = Math.min(steps, maxSteps);
      }
      rows.add(new PhaseEstimate(it, Phase.TRAIN_POLICY.key(), orpo.setupSeconds() + steps * batch * orpo.seconds(),
          0, orpo.peakBytes()));
      if (!eval.isEmpty()) {
        rows.add(evaluate(it, eval, sampleBatch, maxNew, decode, 0));
      }
      basis.putIfAbsent("sequence_tokens", round(promptTokens + mean(lengths)));
    }
    double total = 0;
    long tokens = 0;
    Map<String, Double> byPhase = new LinkedHashMap<>();
    for (PhaseEstimate r : rows) {
      total += r.seconds();
      tokens += r.generatedTokens();
      byPhase.merge(r.phase(), r.seconds(), Double::sum);
    }
    String dominant = byPhase.entrySet().stream().max(Map.Entry.comparingByValue()).map(Map.Entry::getKey)
        .orElse("");
    String model = s.getBool("model.embedded") ? "embedded DecoderLm" : s.getString("model.path");
    return new RunPlan(1, Instant.now().toString(), s.getString("device"), model, s.getInt("iterations"), rows, total,
        tokens, dominant, basis);
  }

  /**
   * The simulation of an iteration: each simulated sample continued {@code k} times from its step prefixes (all
   * steps but the last, split evenly over its tokens), one round per step index as the simulator batches them. With
   * a {@code prefixShare} below 1 (the simulator stops at a sample's first step labelled wrong) each sample keeps
   * that share of its prefixes, the earliest ones, spread evenly over the samples.
   */
  static PhaseEstimate simulate(int it, List<Integer> simulatedLengths, double stepsPerRationale,
      double prefixShare, double promptTokens, int k, int batch, int maxNew, DecodeCost decode) {
    int prefixes = Math.max(1, (int) Math.round(stepsPerRationale) - 1);
    int[] kept = new int[simulatedLengths.size()];
    double acc = 0;
    for (int n = 0; n < kept.length; n++) {
      double next = acc + prefixShare * prefixes;
      kept[n] = (int) Math.floor(next + 1e-9) - (int) Math.floor(acc + 1e-9);
      acc = next;
    }
    List<Integer> rollouts = new ArrayList<>();
    double prefixTokens = 0;
    for (int i = 1; i <= prefixes; i++) {
      for (int n = 0; n < kept.length; n++) {
        if (i > kept[n]) {
          continue;
        }
        int l = simulatedLengths.get(n);
        int rest = Math.min(maxNew, (int) Math.ceil(l * (double) (prefixes + 1 - i) / (prefixes + 1)));
        for (int j = 0; j < k; j++) {
          rollouts.add(rest);
        }
        prefixTokens += k * (promptTokens + l * (double) i / (prefixes + 1));
      }
    }
    double avgPrefix = rollouts.isEmpty() ? promptTokens : prefixTokens / rollouts.size();
    return new PhaseEstimate(it, Phase.SIMULATE.key(), decode.seconds(rollouts, batch, avgPrefix, maxNew, k),
        sum(rollouts), decode.peakBytes());
  }

  private static PhaseEstimate evaluate(int it, Map<String, EvalShape> eval, int batch, int maxNew,
      DecodeCost decode, double warmup) {
    double sec = warmup;
    long tokens = 0;
    for (EvalShape set : eval.values()) {
      List<Integer> l = cycle(set.lengths(), set.size());
      sec += decode.seconds(l, batch, set.promptTokens(), maxNew, 1);
      tokens += sum(l);
    }
    return new PhaseEstimate(it, Phase.EVALUATE.key(), sec, tokens, decode.peakBytes());
  }

  /** The first {@code n} lengths of the list repeated, in a fixed shuffled order. */
  private static List<Integer> cycle(List<Integer> lengths, int n) {
    List<Integer> shuffled = new ArrayList<>(lengths);
    Collections.shuffle(shuffled, new Random(17));
    List<Integer> out = new ArrayList<>(n);
    for (int i = 0; i < n; i++) {
      out.add(shuffled.get(i % shuffled.size()));
    }
    return out;
  }

  private static double meanPromptTokens(SequenceEncoder enc, TaskSet train) {
    double sum = 0;
    int n = Math.min(LENGTH_PROBES, train.size());
    for (int i = 0; i < n; i++) {
      sum += enc.encodePrompt(PromptTemplate.DEFAULT.format(train.get(i).prompt())).length;
    }
    return sum / n;
  }

  private static List<String> prompts(TaskSet train, int n) {
    List<String> out = new ArrayList<>(n);
    for (int i = 0; i < n; i++) {
      out.add(PromptTemplate.DEFAULT.format(train.get(i % train.size()).prompt()));
    }
    return out;
  }

  /** Token counts (plus the end token) of the gold rationales, at most the new-token limit. */
  private static List<Integer> goldLengths(TextTokenizer tok, TaskSet train, int maxNew) {
    List<Integer> out = new ArrayList<>();
    for (ReasoningTask t : train.tasks()) {
      if (!t.goldSteps().isEmpty()) {
        out.add(Math.min(maxNew, tok.encode(t.goldRationale()).length + 1));
        if (out.size() == LENGTH_PROBES) {
          break;
        }
      }
    }
    return out;
  }

  private static List<Integer> sampledLengths(CausalLm lm, TextTokenizer tok, List<String> prompts,
      SamplingConfig sampling) {
    List<String> few = prompts.subList(0, Math.min(16, prompts.size()));
    List<Integer> out = new ArrayList<>();
    for (Sample x : new Sampler(lm, tok).sample(few, sampling.toBuilder().samplesPerPrompt(1).build())) {
      out.add(x.tokenIds().length);
    }
    return out;
  }

  private static double meanSteps(TaskSet train) {
    double sum = 0;
    int n = 0;
    for (ReasoningTask t : train.tasks()) {
      if (!t.goldSteps().isEmpty()) {
        sum += t.goldSteps().size();
        if (++n == LENGTH_PROBES) {
          break;
        }
      }
    }
    return n == 0 ? DEFAULT_STEPS_PER_RATIONALE : sum / n;
  }

  /**
   * Times decoding without end tokens, so every row decodes every step: each setting runs once to warm up and then
   * {@value #REPEATS} times, keeping the median (what a phase meets, not the best case); the first run of all, timed
   * apart, measures the process's warm-up.
   */
  static DecodeCost decodeCost(CausalLm lm, TextTokenizer tok, List<String> prompts, int batch,
      double promptTokens) {
    Sampler sampler = new Sampler(lm, tok);
    SamplingConfig base = SamplingConfig.builder().temperature(1f).stopAtEos(false).samplesPerPrompt(1).seed(5)
        .maxNewTokens(SHORT_STEPS).batchSize(batch).build();
    int small = Math.max(1, batch / 8);
    List<String> few = prompts.subList(0, small);
    SamplingConfig smallBase = base.toBuilder().batchSize(small).build();
    Memory.resetPeak();
    double first = time(() -> sampler.sample(prompts, base));
    double bigShort = typical(() -> sampler.sample(prompts, base));
    double bigLong = typical(() -> sampler.sample(prompts, base.toBuilder().maxNewTokens(LONG_STEPS).build()));
    long peak = Memory.peak();
    double smallShort = typical(() -> sampler.sample(few, smallBase));
    double smallLong = typical(() -> sampler.sample(few, smallBase.toBuilder().maxNewTokens(LONG_STEPS).build()));
    double stepBig = Math.max(0, (bigLong - bigShort) / (LONG_STEPS - SHORT_STEPS));
    double stepSmall = Math.max(0, (smallLong - smallShort) / (LONG_STEPS - SHORT_STEPS));
    double perRow = batch == small ? 0 : Math.max(0, (stepBig - stepSmall) / (batch - small));
    double fixed = Math.max(0, stepSmall - perRow * small);
    double prefill = Math.max(0, bigShort - SHORT_STEPS * stepBig) / (batch * Math.max(1, promptTokens));
    return new DecodeCost(fixed, perRow, prefill, Math.max(0, first - bigShort), peak);
  }

  /** Runs the work once to warm up, then {@value #REPEATS} times; returns the median time. */
  private static double typical(Work work) {
    time(work);
    double[] t = new double[REPEATS];
    for (int i = 0; i < REPEATS; i++) {
      t[i] = time(work);
    }
    return median(t);
  }

  /** Examples of typical length: each training question with a response of a measured length. */
  private static List<EncodedSequence> trainingExamples(SequenceEncoder enc, TaskSet train, List<Integer> lengths) {
    List<EncodedSequence> out = new ArrayList<>();
    List<Integer> l = cycle(lengths, Math.min(64, Math.max(train.size(), 16)));
    for (int i = 0; i < l.size(); i++) {
      ReasoningTask t = train.get(i % train.size());
      String response = t.goldSteps().isEmpty() ? "x".repeat(l.get(i)) : t.goldRationale();
      out.add(enc.encodeQuestion(t.prompt(), response));
    }
    return out;
  }

  /** The run's policy batching ({@code orpo.batch_size}, {@code micro_batch_size}, {@code group_by_length}). */
  static TrainerConfig.Builder batching(RunSettings s) {
    PolicyTrainingConfig t = RunSetup.training(s);
    return TrainerConfig.builder().batchSize(t.batchSize()).microBatchSize(t.microBatchSize())
        .groupByLength(t.groupByLength());
  }

  private static TrainerConfig steps(TrainerConfig.Builder batching, long steps) {
    return batching.maxSteps(steps).epochs(1000).progressBar(false).seed(3).build();
  }

  /**
   * Seconds per example of an SFT step at the batch, and what a fit costs beyond its steps (see {@link #perStep}).
   */
  static Measured sftStep(CausalLm lm, TextTokenizer tok, List<EncodedSequence> data,
      TrainerConfig.Builder batching) {
    int batch = batching.build().batchSize();
    Memory.resetPeak();
    double[] perStep = perStep(steps -> new SftTrainer(lm, steps(batching, steps), tok.padId(),
        NllScope.RESPONSE).fit(data));
    return new Measured(perStep[0] / batch, perStep[1], Memory.peak());
  }

  /** Seconds per pair of an ORPO step at the batch, measured like {@link #sftStep}. */
  static Measured orpoStep(CausalLm lm, TextTokenizer tok, List<EncodedSequence> data,
      TrainerConfig.Builder batching, float lambda) {
    int batch = batching.build().batchSize();
    List<EncodedPair> pairs = new ArrayList<>();
    for (int i = 0; i < data.size(); i++) {
      pairs.add(new EncodedPair(data.get(i), data.get((i + 1) % data.size())));
    }
    Memory.resetPeak();
    OrpoLoss loss = OrpoLoss.builder().lambda(lambda).build();
    double[] perStep = perStep(steps -> new OrpoTrainer(lm, steps(batching, steps), loss, tok.padId()).fit(pairs));
    return new Measured(perStep[0] / batch, perStep[1], Memory.peak());
  }

  /** A training run of a number of steps. */
  @FunctionalInterface
  private interface Fit {
    Object run(long steps) throws IOException;
  }

  /**
   * The marginal seconds of a step and the seconds of a fit beyond its steps: after a warm-up fit, {@value #REPEATS}
   * pairs of a fit of one step and one of {@value #LONG_FIT} steps, each pair giving a step's cost (the difference
   * over the extra steps) and the rest; the medians. (The fastest difference would be biased low: a slow one-step fit
   * makes the difference small.)
   */
  private static double[] perStep(Fit fit) {
    time(() -> fit.run(1));
    double[] steps = new double[REPEATS];
    double[] setups = new double[REPEATS];
    for (int i = 0; i < REPEATS; i++) {
      double one = time(() -> fit.run(1));
      double many = time(() -> fit.run(LONG_FIT));
      // When the fit's fixed costs vary more than the steps cost, the difference can come out at or below zero, and
      // the whole fit's average is the honest (upper) figure.
      steps[i] = many > one ? (many - one) / (LONG_FIT - 1) : many / LONG_FIT;
      setups[i] = Math.max(0, one - steps[i]);
    }
    return new double[] {median(steps), median(setups)};
  }

  private static double median(double[] v) {
    double[] sorted = v.clone();
    java.util.Arrays.sort(sorted);
    int n = sorted.length;
    return n % 2 == 1 ? sorted[n / 2] : (sorted[n / 2 - 1] + sorted[n / 2]) / 2;
  }

  /** Seconds per answer of the run's verifier on gold answers (code tasks: divided among the workers). */
  private static double verifySeconds(OutcomeVerifier v, boolean code, int workers, TaskSet train) {
    int n = Math.min(code ? 4 : 64, train.size());
    double sec = time(() -> {
      for (int i = 0; i < n; i++) {
        ReasoningTask t = train.get(i);
        v.verify(t, t.goldSteps().isEmpty() ? t.answer() : t.goldRationale());
      }
      return null;
    });
    double per = sec / n;
    return code ? per / Math.max(1, workers) : per;
  }

  /** Work to time. */
  @FunctionalInterface
  private interface Work {
    Object run() throws IOException;
  }

  private static double time(Work work) {
    long t0 = System.nanoTime();
    try {
      work.run();
    } catch (IOException e) {
      throw new java.io.UncheckedIOException(e);
    }
    return (System.nanoTime() - t0) / 1e9;
  }

  private static double mean(List<Integer> l) {
    return l.isEmpty() ? 0 : (double) sum(l) / l.size();
  }

  private static long sum(List<Integer> l) {
    long s = 0;
    for (int x : l) {
      s += x;
    }
    return s;
  }

  private static double round(double v) {
    return Math.round(v * 1e4) / 1e4;
  }

  /**
   * Writes the plan into the run's output directory.
   *
   * @param plan the plan
   * @param out the output directory
   * @return the file written
   * @throws IOException if it cannot be written
   */
  public static Path write(RunPlan plan, Path out) throws IOException {
    Files.createDirectories(out);
    Path f = out.resolve(RunPlan.FILE);
    io.github.sipf4j.orpo.util.AtomicFiles.writeString(f, plan.toJson());
    return f;
  }

  /**
   * Formats seconds for people: {@code 42 s}, {@code 12.5 min}, {@code 3.2 h}.
   *
   * @param s seconds
   * @return the text
   */
  public static String duration(double s) {
    return s < 120 ? String.format(Locale.ROOT, "%.0f s", s) : s < 7200 ? String.format(Locale.ROOT, "%.1f min",
        s / 60) : String.format(Locale.ROOT, "%.1f h", s / 3600);
  }
}
