package io.github.sipf4j.examples.run;

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
 * into a fixed part and a part per active row), of one SFT and one ORPO optimizer step (at the configured batch),
 * and of verifying a few answers, and the token lengths of the run's prompts and gold rationales; then it multiplies
 * out every phase of every iteration.
 *
 * <p>What the estimate assumes, stated in {@link RunPlan#basis()}: sampled rationales are as long as the gold ones
 * (or, without gold rationales, as the model's own samples of a few questions); every simulated sample is
 * simulated from every step prefix (no early stop) and, with Monte-Carlo rewards, every sample is simulated; every
 * question yields the most pairs allowed; a forward pass without gradients costs a third of a training step. Peak
 * memory is the process's resident peak during the matching measurement (host memory; on a GPU the device's memory
 * is not measured).
 */
public final class RunPlanner {

  /** The basis key of the float32 logits of one ORPO forward pass (a micro-batch's chosen and rejected rows), MiB. */
  public static final String LOGITS_MIB = "orpo_step_logits_mib";
  /** The basis key that tells whether the planning JVM ran with one glibc heap ({@link MallocTuning#heapOnly()}). */
  public static final String ONE_HEAP = "one_heap_malloc";

  private static final int SHORT_STEPS = 4;
  private static final int LONG_STEPS = 20;
  private static final int LENGTH_PROBES = 256;
  private static final int DEFAULT_STEPS_PER_RATIONALE = 4;
  private static final int REPEATS = 2;
  /** The sampler's default token limit of a chunk ({@code SamplingConfig}'s {@code maxBatchTokens}). */
  private static final long MAX_BATCH_TOKENS = SamplingConfig.builder().build().maxBatchTokens();
  private static final int LONG_FIT = 4;

  private RunPlanner() {}

  /** Measured decoding cost: seconds per step = fixed + perRow * rows, plus prefill per prompt token. */
  record DecodeCost(double fixed, double perRow, double prefillPerToken, long peakBytes) {
    double step(double rows) {
      return fixed + perRow * rows;
    }

    /**
     * Seconds to decode sequences of the given lengths as the sampler does: rows cut into chunks of at most {@code
     * batch} rows and {@link #MAX_BATCH_TOKENS} tokens (prompt plus new tokens), each distinct prompt of a chunk
     * encoded once ({@code rowsPerPrompt} rows share one), then one step per position up to the chunk's longest
     * sequence, each step costing the fixed part and the per-row part of its still active rows.
     */
    double seconds(List<Integer> lengths, int batch, double promptTokens, int maxNew, int rowsPerPrompt) {
      int rows = (int) Math.max(1, Math.min(batch, MAX_BATCH_TOKENS / Math.max(1, promptTokens + maxNew)));
      double total = 0;
      for (int from = 0; from < lengths.size(); from += rows) {
        List<Integer> b = lengths.subList(from, Math.min(lengths.size(), from + rows));
        int max = 0;
        long sum = 0;
        for (int l : b) {
          max = Math.max(max, l);
          sum += l;
        }
        total += prefillPerToken * promptTokens * Math.ceil((double) b.size() / rowsPerPrompt) + fixed * max
            + perRow * sum;
      }
      return total;
    }
  }

  /**
   * Makes the plan of a run file.
   *
   * @param s the settings
   * @param log where progress lines go
   * @return the plan
   * @throws IOException if the model or tasks cannot be read
   */
  public static RunPlan plan(RunSettings s, PrintWriter log) throws IOException {
    TaskSet train = RunSetup.trainTasks(s);
    Map<String, TaskSet> eval = RunSetup.evalSets(s);
    Map<String, Object> basis = new LinkedHashMap<>();
    try (RunSetup.OpenModel m = RunSetup.openModel(s)) {
      CausalLm lm = m.model();
      TextTokenizer tok = m.tokenizer();
      SequenceEncoder enc = new SequenceEncoder(tok, PromptTemplate.DEFAULT, lm.maxLength());
      int sampleBatch = s.getInt("sampling.batch_size");
      int maxNew = s.getInt("sampling.max_new_tokens");
      double promptTokens = meanPromptTokens(enc, train);
      List<String> prompts = prompts(train, sampleBatch);
      log.println("measuring decoding at batch " + sampleBatch + " and " + Math.max(1, sampleBatch / 8) + " ...");
      log.flush();
      DecodeCost decode = decodeCost(lm, tok, prompts, sampleBatch, promptTokens);
      List<Integer> lengths = goldLengths(tok, train, maxNew);
      String lengthSource = "gold rationales of the training tasks";
      if (lengths.isEmpty()) {
        lengths = sampledLengths(lm, tok, prompts, RunSetup.sampling(s));
        lengthSource = "the model's own samples of " + lengths.size() + " training questions";
      }
      double stepsPerRationale = meanSteps(train);
      log.println("measuring training steps ...");
      log.flush();
      List<EncodedSequence> examples = trainingExamples(enc, train, lengths);
      TrainerConfig.Builder batching = batching(s);
      Measured sft = sftStep(lm, tok, examples, batching);
      Measured orpo = "rft".equals(s.getString("mode")) ? sft
          : orpoStep(lm, tok, examples, batching, (float) s.getDouble("orpo.lambda"));
      double verifySeconds = verifySeconds(s, train, eval);

      basis.put("prompt_tokens", round(promptTokens));
      double rationaleTokens = mean(lengths);
      basis.put("rationale_tokens", round(rationaleTokens));
      basis.put("rationale_tokens_from", lengthSource);
      basis.put("steps_per_rationale", round(stepsPerRationale));
      basis.put("decode_step_fixed_ms", round(decode.fixed() * 1e3));
      basis.put("decode_step_per_row_ms", round(decode.perRow() * 1e3));
      basis.put("prefill_per_token_ms", round(decode.prefillPerToken() * 1e3));
      basis.put("sft_seconds_per_example", round(sft.seconds()));
      basis.put("orpo_seconds_per_pair", round(orpo.seconds()));
      basis.put("verify_seconds_per_sample", round(verifySeconds));
      basis.put(LOGITS_MIB, round(2.0 * batching.build().microBatchSize() * (promptTokens + rationaleTokens)
          * lm.vocabSize() * Float.BYTES / (1 << 20)));
      basis.put(ONE_HEAP, MallocTuning.heapOnly());
      basis.put("assumptions", "sampled rationales as long as the measured ones; every step prefix simulated "
          + "(no early stop), every sample simulated with Monte-Carlo rewards; every question yields the most pairs "
          + "allowed; a forward pass without gradients costs a third of a training step");
      return estimate(s, train, eval, lengths, promptTokens, stepsPerRationale, decode, sft, orpo, verifySeconds,
          basis);
    }
  }

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

  /** Seconds per training example and the process's peak memory while measuring. */
  record Measured(double seconds, long peakBytes) {}

  private static RunPlan estimate(RunSettings s, TaskSet train, Map<String, TaskSet> eval, List<Integer> lengths,
      double promptTokens, double stepsPerRationale, DecodeCost decode, Measured sft, Measured orpo,
      double verifySeconds, Map<String, Object> basis) {
    List<PhaseEstimate> rows = new ArrayList<>();
    int sampleBatch = s.getInt("sampling.batch_size");
    int maxNew = s.getInt("sampling.max_new_tokens");
    if (s.section("warm_start") != null) {
      double sec = s.getInt("warm_start.steps") * s.getInt("warm_start.batch_size") * sft.seconds();
      rows.add(new PhaseEstimate(0, RunSetup.WARM_START_PHASE, sec, 0, sft.peakBytes()));
    }
    if (!eval.isEmpty()) {
      rows.add(evaluate(0, eval, lengths, sampleBatch, promptTokens, maxNew, decode));
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
      rows.add(new PhaseEstimate(it, Phase.SAMPLE.key(),
          decode.seconds(sampled, sampleBatch, promptTokens, maxNew, s.getInt("sampling.samples_per_question")),
          sampledTokens, decode.peakBytes()));
      rows.add(new PhaseEstimate(it, Phase.VERIFY.key(), samples * verifySeconds, 0, -1));
      int simulated = 0;
      if (process) {
        simulated = learned ? Math.min(samples, s.getInt("simulation.max_samples")) : samples;
        List<Integer> rollouts = new ArrayList<>();
        double prefixTokens = 0;
        int prefixes = Math.max(1, (int) Math.round(stepsPerRationale) - 1);
        List<Integer> simulatedLengths = cycle(lengths, simulated);
        for (int i = 1; i <= prefixes; i++) { // one round per step index, as the simulator batches them
          for (int l : simulatedLengths) {
            int rest = Math.min(simMax, (int) Math.ceil(l * (double) (prefixes + 1 - i) / (prefixes + 1)));
            for (int j = 0; j < k; j++) {
              rollouts.add(rest);
            }
            prefixTokens += k * (promptTokens + l * (double) i / (prefixes + 1));
          }
        }
        double avgPrefix = rollouts.isEmpty() ? promptTokens : prefixTokens / rollouts.size();
        rows.add(new PhaseEstimate(it, Phase.SIMULATE.key(),
            decode.seconds(rollouts, simBatch, avgPrefix, simMax, k), sum(rollouts), decode.peakBytes()));
      }
      double seqTokens = promptTokens + mean(lengths);
      if (learned) {
        int trainSamples = (int) Math.round(simulated * (1 - s.getDouble("prm.validation_fraction")));
        int prmBatch = s.getInt("prm.batch_size");
        long steps = (long) s.getInt("prm.epochs") * Math.max(1, (trainSamples + prmBatch - 1) / prmBatch);
        double sec = steps * prmBatch * sft.seconds() + (simulated - trainSamples) * sft.seconds() / 3;
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
      rows.add(new PhaseEstimate(it, Phase.TRAIN_POLICY.key(), steps * batch * orpo.seconds(), 0,
          orpo.peakBytes()));
      if (!eval.isEmpty()) {
        rows.add(evaluate(it, eval, lengths, sampleBatch, promptTokens, maxNew, decode));
      }
      basis.putIfAbsent("sequence_tokens", round(seqTokens));
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

  private static PhaseEstimate evaluate(int it, Map<String, TaskSet> eval, List<Integer> lengths, int batch,
      double promptTokens, int maxNew, DecodeCost decode) {
    double sec = 0;
    long tokens = 0;
    for (TaskSet set : eval.values()) {
      List<Integer> l = cycle(lengths, set.size());
      sec += decode.seconds(l, batch, promptTokens, maxNew, 1);
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
   * twice, keeping the faster (other work on the machine only ever slows a run down).
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
    double bigShort = fastest(() -> sampler.sample(prompts, base));
    double bigLong = fastest(() -> sampler.sample(prompts, base.toBuilder().maxNewTokens(LONG_STEPS).build()));
    long peak = Memory.peak();
    double smallShort = fastest(() -> sampler.sample(few, smallBase));
    double smallLong = fastest(() -> sampler.sample(few, smallBase.toBuilder().maxNewTokens(LONG_STEPS).build()));
    double stepBig = Math.max(0, (bigLong - bigShort) / (LONG_STEPS - SHORT_STEPS));
    double stepSmall = Math.max(0, (smallLong - smallShort) / (LONG_STEPS - SHORT_STEPS));
    double perRow = batch == small ? 0 : Math.max(0, (stepBig - stepSmall) / (batch - small));
    double fixed = Math.max(0, stepSmall - perRow * small);
    double prefill = Math.max(0, bigShort - SHORT_STEPS * stepBig) / (batch * Math.max(1, promptTokens));
    return new DecodeCost(fixed, perRow, prefill, peak);
  }

  /** Runs the work once to warm up, then {@value #REPEATS} times; returns the fastest time. */
  private static double fastest(Work work) {
    time(work);
    double best = Double.MAX_VALUE;
    for (int i = 0; i < REPEATS; i++) {
      best = Math.min(best, time(work));
    }
    return best;
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
   * Seconds per example of an SFT step at the batch: the fastest of ({@value #LONG_FIT} steps - 1 step) / {@value
   * #LONG_FIT}-1 after a warm-up, so that setup costs cancel.
   */
  static Measured sftStep(CausalLm lm, TextTokenizer tok, List<EncodedSequence> data,
      TrainerConfig.Builder batching) {
    int batch = batching.build().batchSize();
    Memory.resetPeak();
    double perStep = perStep(steps -> new SftTrainer(lm, steps(batching, steps), tok.padId(), NllScope.RESPONSE)
        .fit(data));
    return new Measured(perStep / batch, Memory.peak());
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
    double perStep = perStep(steps -> new OrpoTrainer(lm, steps(batching, steps), loss, tok.padId()).fit(pairs));
    return new Measured(perStep / batch, Memory.peak());
  }

  /** A training run of a number of steps. */
  @FunctionalInterface
  private interface Fit {
    Object run(long steps) throws IOException;
  }

  private static double perStep(Fit fit) {
    time(() -> fit.run(1));
    double best = Double.MAX_VALUE;
    for (int i = 0; i < REPEATS; i++) {
      double one = time(() -> fit.run(1));
      double many = time(() -> fit.run(LONG_FIT));
      // The marginal cost of a step; when the fit's fixed costs vary more than the steps cost, the difference can
      // come out at or below zero, and the whole fit's average is the honest (upper) figure.
      best = Math.min(best, many > one ? (many - one) / (LONG_FIT - 1) : many / LONG_FIT);
    }
    return best;
  }

  /** Seconds per answer of the run's verifier on gold answers (code tasks: divided among the workers). */
  private static double verifySeconds(RunSettings s, TaskSet train, Map<String, TaskSet> eval) {
    List<TaskSet> all = new ArrayList<>(eval.values());
    all.add(train);
    boolean code = RunSetup.hasCode(all);
    VerifierSpec spec = code ? VerifierSpec.forTaskKind(RunSetup.executor(s)) : VerifierSpec.forTaskKind();
    OutcomeVerifier v = VerifierSpecs.create(spec);
    try {
      int n = Math.min(code ? 4 : 64, train.size());
      double sec = time(() -> {
        for (int i = 0; i < n; i++) {
          ReasoningTask t = train.get(i);
          v.verify(t, t.goldSteps().isEmpty() ? t.answer() : t.goldRationale());
        }
        return null;
      });
      double per = sec / n;
      return code ? per / RunSetup.executor(s).workers() : per;
    } finally {
      VerifierSpecs.release(v);
    }
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
