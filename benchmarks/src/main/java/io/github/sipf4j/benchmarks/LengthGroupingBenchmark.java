package io.github.sipf4j.benchmarks;

import ai.djl.Device;
import ai.djl.engine.Engine;
import com.google.gson.Gson;
import com.google.gson.JsonObject;
import io.github.sipf4j.orpo.loss.OrpoLoss;
import io.github.sipf4j.orpo.model.DecoderLm;
import io.github.sipf4j.orpo.text.EncodedSequence;
import io.github.sipf4j.orpo.text.PromptTemplate;
import io.github.sipf4j.orpo.text.SequenceEncoder;
import io.github.sipf4j.orpo.text.TextTokenizer;
import io.github.sipf4j.orpo.train.EncodedPair;
import io.github.sipf4j.orpo.train.EpochBatches;
import io.github.sipf4j.orpo.train.OptimizerConfig;
import io.github.sipf4j.orpo.train.OrpoTrainer;
import io.github.sipf4j.orpo.train.StepResult;
import io.github.sipf4j.orpo.train.TrainerConfig;
import io.github.sipf4j.orpo.train.TrainerListener;
import io.github.sipf4j.orpo.util.CpuTuning;
import io.github.sipf4j.prm.synthetic.SyntheticRegime;
import io.github.sipf4j.prm.task.ReasoningTask;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Random;

/**
 * What grouping batches by length ({@code TrainerConfig.builder().groupByLength(true)}, a run file's
 * {@code orpo.group_by_length}) saves: one epoch of ORPO on preference pairs whose lengths vary as the synthetic
 * regime's rationales do, in plain permutation order and grouped by length, through the production
 * {@link OrpoTrainer}, and the same steps (the same pairs' shapes, batch by batch) in plain PyTorch; prints a
 * Markdown table of padding and epoch time.
 *
 * <p>The pairs: the distractor regime's questions (in domain and with longer chains, so that lengths vary), each
 * with its gold rationale as the chosen response and another question's gold rationale as the rejected one, encoded
 * character by character as the quickstart's model reads them.
 *
 * <p>Usage: {@code java -cp benchmarks/target/benchmarks.jar io.github.sipf4j.benchmarks.LengthGroupingBenchmark
 * [--size M1] [--pairs 512] [--batch 16] [--micro 16] [--threads 1] [--python /usr/bin/python3]
 * [--reference benchmarks/python/torch_reference.py]}
 */
public final class LengthGroupingBenchmark {

  /** Untimed steps first, on both sides. */
  private static final int WARMUP_STEPS = 3;

  private LengthGroupingBenchmark() {}

  /**
   * One order of the data.
   *
   * @param grouped whether batches were grouped by length
   * @param paddedTokens tokens of the padded batches (rows times the micro-batch's longest row), over the epoch
   * @param realTokens tokens of the pairs themselves
   * @param djlMs the DJL epoch's milliseconds (the sum of its steps)
   * @param djlStep the DJL steps' milliseconds
   * @param torchMs the PyTorch epoch's milliseconds, or null when the reference is unavailable
   */
  public record Row(boolean grouped, long paddedTokens, long realTokens, double djlMs, Stats djlStep,
      Double torchMs) {

    /**
     * Returns the share of the padded batches' tokens that are padding.
     *
     * @return a fraction in [0, 1)
     */
    public double paddingShare() {
      return 1 - (double) realTokens / paddedTokens;
    }
  }

  /**
   * Runs the benchmark.
   *
   * @param args see the class comment
   * @throws IOException if the reference's batch file cannot be written
   */
  public static void main(String[] args) throws IOException {
    CpuTuning.apply(); // before any DJL call: MKL dispatch on AMD AVX-512 CPUs, malloc thresholds
    ModelSize size = ModelSize.M1;
    int pairs = 512;
    int batch = 16;
    int micro = -1;
    int threads = 1;
    String python = "/usr/bin/python3";
    Path reference = Path.of("benchmarks/python/torch_reference.py");
    for (int i = 0; i < args.length; i++) {
      switch (args[i]) {
        case "--size" -> size = ModelSize.valueOf(args[++i].trim());
        case "--pairs" -> pairs = Integer.parseInt(args[++i]);
        case "--batch" -> batch = Integer.parseInt(args[++i]);
        case "--micro" -> micro = Integer.parseInt(args[++i]);
        case "--threads" -> threads = Integer.parseInt(args[++i]);
        case "--python" -> python = args[++i];
        case "--reference" -> reference = Path.of(args[++i]);
        default -> throw new IllegalArgumentException("unknown option " + args[i]);
      }
    }
    if (micro < 0) {
      micro = batch;
    }
    if (System.getProperty("ai.djl.pytorch.num_threads") == null) {
      System.setProperty("ai.djl.pytorch.num_threads", Integer.toString(threads));
    }
    TorchReference torch = new TorchReference(python, reference);
    try (TextTokenizer tok = TextTokenizer.characterLevel()) {
      List<EncodedPair> data = regimePairs(tok, pairs, 1);
      System.out.printf(Locale.ROOT, "# ORPO epoch grouped by length, DJL %s with %s %s, %d intra-op threads; "
          + "model %s; %d pairs, batch %d, micro-batch %d; reference: %s%n%n", Engine.getDjlVersion(),
          Engine.getInstance().getEngineName(), Engine.getInstance().getVersion(), threads, size, data.size(), batch,
          micro, torch.available() == null ? "PyTorch eager" : "unavailable: " + torch.available());
      System.out.println("| batches | padding, share of tokens | DJL epoch s | DJL step ms, median (min–max) "
          + "| PyTorch epoch s | DJL / PyTorch |");
      System.out.println("|---|---:|---:|---:|---:|---:|");
      List<Row> rows = new ArrayList<>();
      for (boolean grouped : new boolean[] {false, true}) {
        Row r = run(tok, data, size, batch, micro, grouped, threads, torch);
        rows.add(r);
        System.out.printf(Locale.ROOT, "| %s | %.1f%% | %.2f | %s | %s | %s |%n",
            grouped ? "grouped by length" : "random (permutation)", 100 * r.paddingShare(), r.djlMs() / 1000,
            r.djlStep(), r.torchMs() == null ? "n/a" : String.format(Locale.ROOT, "%.2f", r.torchMs() / 1000),
            r.torchMs() == null ? "n/a" : String.format(Locale.ROOT, "%.2f×", r.djlMs() / r.torchMs()));
      }
      System.out.printf(Locale.ROOT, "%nGrouping: %.2f× the DJL epoch's speed%s%n",
          rows.get(0).djlMs() / rows.get(1).djlMs(), rows.get(0).torchMs() == null || rows.get(1).torchMs() == null
              ? "" : String.format(Locale.ROOT, ", %.2f× PyTorch's", rows.get(0).torchMs() / rows.get(1).torchMs()));
    }
  }

  /**
   * Times one epoch in one order, in DJL and in PyTorch.
   *
   * @param tok the tokenizer (its vocabulary sizes the model)
   * @param data the pairs
   * @param size the model size
   * @param batch pairs per step
   * @param micro pairs per forward pass
   * @param grouped whether to group by length
   * @param threads PyTorch's intra-op threads
   * @param torch the reference
   * @return the row
   * @throws IOException if the reference's batch file cannot be written
   */
  public static Row run(TextTokenizer tok, List<EncodedPair> data, ModelSize size, int batch, int micro,
      boolean grouped, int threads, TorchReference torch) throws IOException {
    long seed = 7;
    EpochBatches<EncodedPair> plan = new EpochBatches<>(data, batch, micro, seed, grouped ? EncodedPair::length : null);
    List<List<List<int[]>>> steps = new ArrayList<>();
    long[] tokens = new long[2];
    for (long s = 0; s < plan.stepsPerEpoch(); s++) {
      steps.add(shapes(plan.microBatches(s), tokens));
    }
    long padded = tokens[0];
    long real = tokens[1];
    // Both orders warm up on the same steps: the first of the grouped order, which hold the longest batch, so that
    // neither epoch pays for growing the allocator's memory to its peak and the comparison is of the steps alone.
    EpochBatches<EncodedPair> warmPlan = new EpochBatches<>(data, batch, micro, seed, EncodedPair::length);
    List<List<List<int[]>>> warmup = new ArrayList<>();
    for (long s = 0; s < WARMUP_STEPS; s++) {
      warmup.add(shapes(warmPlan.microBatches(s), new long[2]));
    }
    int maxLength = data.stream().mapToInt(EncodedPair::length).max().orElseThrow();
    List<Double> times = new ArrayList<>();
    try (DecoderLm lm = DecoderLm.create(size.config(tok.vocabSize(), maxLength), Device.cpu(), 1)) {
      TrainerConfig.Builder cfg = TrainerConfig.builder().batchSize(batch).microBatchSize(micro).epochs(1)
          .seed(seed).progressBar(false)
          .optimizer(OptimizerConfig.builder().learningRate(1e-4f).build());
      new OrpoTrainer(lm, cfg.groupByLength(true).maxSteps(WARMUP_STEPS).build(), OrpoLoss.builder().build(),
          tok.padId()).fit(data);
      OrpoTrainer trainer = new OrpoTrainer(lm, cfg.groupByLength(grouped).maxSteps(0).build(),
          OrpoLoss.builder().build(), tok.padId());
      trainer.addListener(new TrainerListener() {
        @Override
        public void onStep(int epoch, StepResult result) {
          times.add(result.millis());
        }
      });
      trainer.fit(data);
    }
    double djlMs = times.stream().mapToDouble(Double::doubleValue).sum();
    Double torchMs = null;
    if (torch.available() == null) {
      Path file = Files.createTempFile("sipf4j-grouping", ".json");
      try {
        Files.writeString(file, new Gson().toJson(Map.of("warmup", warmup, "steps", steps)),
            StandardCharsets.UTF_8);
        JsonObject r = torch.result("--mode", "orpo-epoch", "--batch", file.toString(), "--vocab",
            Integer.toString(tok.vocabSize()), "--d-model", Integer.toString(size.dModel()), "--layers",
            Integer.toString(size.layers()), "--heads", Integer.toString(size.heads()), "--threads",
            Integer.toString(threads), "--lr", "1e-4");
        if (r != null) {
          torchMs = r.get("total_ms").getAsDouble();
          if (r.get("padded_tokens").getAsLong() != padded) {
            System.err.println("the reference padded " + r.get("padded_tokens") + " tokens, DJL " + padded);
          }
        }
      } finally {
        Files.deleteIfExists(file);
      }
    }
    return new Row(grouped, padded, real, djlMs, Stats.of(times), torchMs);
  }

  /** The shapes of a step's micro-batches; adds the padded and the real tokens to {@code tokens[0]} and [1]. */
  private static List<List<int[]>> shapes(List<List<EncodedPair>> microBatches, long[] tokens) {
    List<List<int[]>> step = new ArrayList<>();
    for (List<EncodedPair> mb : microBatches) {
      List<int[]> shapes = new ArrayList<>();
      int longest = 0;
      for (EncodedPair p : mb) {
        shapes.add(new int[] {p.chosen().promptLength(), p.chosen().length(), p.rejected().length()});
        longest = Math.max(longest, p.length());
        tokens[1] += p.chosen().length() + p.rejected().length();
      }
      tokens[0] += 2L * mb.size() * longest;
      step.add(shapes);
    }
    return step;
  }

  /**
   * Preference pairs of the distractor regime: in-domain questions and questions with longer chains, each with its
   * gold rationale chosen and another question's gold rationale rejected.
   *
   * @param tok the tokenizer
   * @param count how many pairs
   * @param seed the seed of the questions and of the rejected rationales' choice
   * @return the pairs, encoded
   */
  public static List<EncodedPair> regimePairs(TextTokenizer tok, int count, long seed) {
    List<ReasoningTask> tasks = new ArrayList<>();
    tasks.addAll(SyntheticRegime.DISTRACTORS.generate(SyntheticRegime.IN_DOMAIN, count - count / 3, seed).tasks());
    tasks.addAll(SyntheticRegime.DISTRACTORS.generate("ood-length", count / 3, seed).tasks());
    SequenceEncoder enc = new SequenceEncoder(tok, PromptTemplate.DEFAULT, 2048);
    Random r = new Random(seed);
    List<EncodedPair> out = new ArrayList<>(tasks.size());
    for (ReasoningTask t : tasks) {
      ReasoningTask other = tasks.get(r.nextInt(tasks.size()));
      EncodedSequence chosen = enc.encodeQuestion(t.prompt(), t.goldRationale());
      EncodedSequence rejected = enc.encodeQuestion(t.prompt(), other.goldRationale());
      out.add(new EncodedPair(chosen, rejected));
    }
    return out;
  }
}
