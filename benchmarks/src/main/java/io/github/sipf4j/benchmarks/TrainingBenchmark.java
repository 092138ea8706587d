package io.github.sipf4j.benchmarks;

import ai.djl.Device;
import ai.djl.engine.Engine;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.NDScope;
import io.github.sipf4j.orpo.loss.OrpoLoss;
import io.github.sipf4j.orpo.loss.SequenceLogProbs;
import io.github.sipf4j.orpo.model.DecoderLm;
import io.github.sipf4j.orpo.text.EncodedSequence;
import io.github.sipf4j.orpo.text.TokenBatch;
import io.github.sipf4j.orpo.train.EncodedPair;
import io.github.sipf4j.orpo.train.OptimizerConfig;
import io.github.sipf4j.orpo.train.OrpoTrainer;
import io.github.sipf4j.orpo.train.StepResult;
import io.github.sipf4j.orpo.train.TrainerConfig;
import io.github.sipf4j.orpo.train.TrainerListener;
import io.github.sipf4j.orpo.util.CpuTuning;
import java.io.IOException;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Random;

/**
 * Times the ORPO training step of {@link DecoderLm} (concatenated chosen+rejected forward, loss, backward, clipping,
 * AdamW) through the production {@link OrpoTrainer}, and the sequence log-probs alone (forward without gradients),
 * and prints a Markdown table. Batch = pairs per step; each step reads 2·batch sequences of {@code length} tokens.
 *
 * <p>Usage: {@code java -cp benchmarks/target/benchmarks.jar io.github.sipf4j.benchmarks.TrainingBenchmark
 * [--sizes M1,M5,M20] [--batch 16] [--length 128] [--warmup 3] [--repeats 10]}
 */
public final class TrainingBenchmark {

  private TrainingBenchmark() {}

  /**
   * One row of the table.
   *
   * @param size the model size
   * @param params the parameter count
   * @param stepMs ORPO step milliseconds
   * @param logpsMs log-probs milliseconds
   * @param tokensPerStep tokens read per step
   */
  public record Row(ModelSize size, long params, Stats stepMs, Stats logpsMs, long tokensPerStep) {}

  /**
   * Runs the benchmark.
   *
   * @param args see the class comment
   * @throws IOException never in practice (no work directory is used)
   */
  public static void main(String[] args) throws IOException {
    CpuTuning.apply(); // before any DJL call: MKL dispatch on AMD AVX-512 CPUs, malloc thresholds
    List<ModelSize> sizes = List.of(ModelSize.M1, ModelSize.M5, ModelSize.M20);
    int batch = 16;
    int length = 128;
    int warmup = 3;
    int repeats = 10;
    for (int i = 0; i < args.length; i++) {
      switch (args[i]) {
        case "--sizes":
          sizes = new ArrayList<>();
          for (String s : args[++i].split(",")) {
            sizes.add(ModelSize.valueOf(s.trim()));
          }
          break;
        case "--batch":
          batch = Integer.parseInt(args[++i]);
          break;
        case "--length":
          length = Integer.parseInt(args[++i]);
          break;
        case "--warmup":
          warmup = Integer.parseInt(args[++i]);
          break;
        case "--repeats":
          repeats = Integer.parseInt(args[++i]);
          break;
        default:
          throw new IllegalArgumentException("unknown option " + args[i]);
      }
    }
    System.out.printf(Locale.ROOT, "# ORPO step, DJL %s, %s, %d intra-op threads, batch %d pairs, length %d%n%n",
        Engine.getDjlVersion(), Engine.getInstance().getEngineName() + " " + Engine.getInstance().getVersion(),
        Runtime.getRuntime().availableProcessors(), batch, length);
    System.out.println("| model | params | ORPO step ms, median (min–max) | tokens/s | log-probs ms | tokens/s |");
    System.out.println("|---|---:|---:|---:|---:|---:|");
    for (ModelSize size : sizes) {
      Row r = run(size, batch, length, warmup, repeats);
      System.out.printf(Locale.ROOT, "| %s | %.2f M | %s | %.0f | %s | %.0f |%n", size, r.params() / 1e6, r.stepMs(),
          r.tokensPerStep() / (r.stepMs().median() / 1000), r.logpsMs(),
          r.tokensPerStep() / (r.logpsMs().median() / 1000));
    }
  }

  /**
   * Measures one size.
   *
   * @param size the model size
   * @param batch pairs per step
   * @param length tokens per sequence
   * @param warmup untimed steps first
   * @param repeats timed steps
   * @return the row
   * @throws IOException never in practice
   */
  public static Row run(ModelSize size, int batch, int length, int warmup, int repeats) throws IOException {
    int vocab = 90;
    Random r = new Random(1);
    List<EncodedPair> pairs = new ArrayList<>();
    for (int i = 0; i < batch * (warmup + repeats); i++) {
      pairs.add(new EncodedPair(randomSequence(r, length, vocab), randomSequence(r, length, vocab)));
    }
    try (DecoderLm lm = DecoderLm.create(size.config(vocab, length), Device.cpu(), 1)) {
      List<Double> times = new ArrayList<>();
      TrainerConfig cfg = TrainerConfig.builder().batchSize(batch).epochs(1).progressBar(false)
          .optimizer(OptimizerConfig.builder().learningRate(1e-4f).build()).build();
      OrpoTrainer trainer = new OrpoTrainer(lm, cfg, OrpoLoss.builder().build(), 0);
      final int skip = warmup;
      trainer.addListener(new TrainerListener() {
        @Override
        public void onStep(int epoch, StepResult result) {
          if (result.step() >= skip) {
            times.add(result.millis());
          }
        }
      });
      trainer.fit(pairs);
      List<Double> logps = new ArrayList<>();
      List<EncodedSequence> rows = new ArrayList<>();
      for (EncodedPair p : pairs.subList(0, batch)) {
        rows.add(p.chosen());
      }
      for (EncodedPair p : pairs.subList(0, batch)) {
        rows.add(p.rejected());
      }
      for (int i = 0; i < warmup + repeats; i++) {
        long t0 = System.nanoTime();
        try (NDScope scope = new NDScope(); NDManager m = lm.getManager().newSubManager()) {
          scope.suppressNotUsedWarning();
          TokenBatch b = TokenBatch.collate(rows, 0, m);
          NDArray lp = SequenceLogProbs.mean(lm.forward(b.inputIds(), b.attentionMask(), false), b.labels(),
              b.responseMask());
          lp.toFloatArray();
        }
        if (i >= warmup) {
          logps.add((System.nanoTime() - t0) / 1e6);
        }
      }
      return new Row(size, lm.parameterCount(), Stats.of(times), Stats.of(logps), 2L * batch * (length - 1));
    }
  }

  static EncodedSequence randomSequence(Random r, int length, int vocab) {
    long[] ids = new long[length];
    for (int i = 0; i < length; i++) {
      ids[i] = 4 + r.nextInt(vocab - 4);
    }
    return new EncodedSequence(ids, length / 4, false);
  }
}
