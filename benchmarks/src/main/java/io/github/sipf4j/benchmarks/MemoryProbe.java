package io.github.sipf4j.benchmarks;

import ai.djl.Device;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDArrays;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.NDScope;
import io.github.sipf4j.orpo.loss.OrpoLoss;
import io.github.sipf4j.orpo.loss.OrpoOutput;
import io.github.sipf4j.orpo.loss.SequenceLogProbs;
import io.github.sipf4j.orpo.model.DecoderLm;
import io.github.sipf4j.orpo.text.EncodedSequence;
import io.github.sipf4j.orpo.text.TokenBatch;
import io.github.sipf4j.orpo.train.LossTerms;
import io.github.sipf4j.orpo.train.OptimizerConfig;
import io.github.sipf4j.orpo.train.OptimizerStep;
import io.github.sipf4j.orpo.util.CpuTuning;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;

/**
 * Run in a fresh JVM by {@link BenchmarkRunner}: trains a few steps of ORPO, or of a DPO-style objective that also
 * holds a frozen reference model and runs its forward pass without gradients, and prints the process's peak resident
 * memory ({@code VmHWM}) in MB. Arguments: {@code orpo|dpo SIZE BATCH LENGTH}.
 */
public final class MemoryProbe {

  private MemoryProbe() {}

  /**
   * Runs the probe.
   *
   * @param args {@code orpo|dpo SIZE BATCH LENGTH}
   * @throws IOException if {@code /proc/self/status} cannot be read
   */
  public static void main(String[] args) throws IOException {
    CpuTuning.apply(); // before any DJL call: MKL dispatch on AMD AVX-512 CPUs, malloc thresholds
    boolean dpo = args[0].equals("dpo");
    ModelSize size = ModelSize.valueOf(args[1]);
    int batch = Integer.parseInt(args[2]);
    int length = Integer.parseInt(args[3]);
    int vocab = 90;
    Random r = new Random(1);
    List<EncodedSequence> rows = new ArrayList<>();
    for (int i = 0; i < 2 * batch; i++) {
      rows.add(TrainingBenchmark.randomSequence(r, length, vocab));
    }
    try (DecoderLm policy = DecoderLm.create(size.config(vocab, length), Device.cpu(), 1);
        DecoderLm reference = dpo ? DecoderLm.create(size.config(vocab, length), Device.cpu(), 1) : null;
        OptimizerStep opt = new OptimizerStep(policy, OptimizerConfig.builder().build(), 10);
        NDManager keep = policy.getManager().newSubManager()) {
      OrpoLoss orpo = OrpoLoss.builder().build();
      for (int step = 0; step < 3; step++) {
        NDArray refLogps = null;
        if (dpo) {
          try (NDScope scope = new NDScope()) {
            scope.suppressNotUsedWarning();
            TokenBatch b = TokenBatch.collate(rows, 0, keep);
            refLogps = SequenceLogProbs.sum(reference.forward(b.inputIds(), b.attentionMask(), false), b.labels(),
                b.responseMask());
            NDScope.unregister(refLogps);
          }
        }
        final NDArray ref = refLogps;
        opt.step(List.of(rows), (list, m) -> {
          TokenBatch b = TokenBatch.collate(list, 0, m);
          NDArray logits = policy.forward(b.inputIds(), b.attentionMask(), true);
          NDArray loss;
          if (ref != null) {
            // Sigmoid DPO, beta 0.1, summed log-probs: -logsigmoid(beta * ((pw - pl) - (rw - rl))).
            NDArray lp = SequenceLogProbs.sum(logits, b.labels(), b.responseMask());
            NDArray diff = lp.sub(ref);
            NDArray z = diff.get("0:{}", batch).sub(diff.get("{}:", batch)).mul(0.1f);
            loss = z.neg().exp().add(1).log().mean();
          } else {
            OrpoOutput out = orpo.compute(logits, b.labels(), b.responseMask(), b.tokenMask());
            loss = out.loss();
          }
          return new LossTerms(loss, NDArrays.stack(new NDList(loss)), List.of("loss"), batch, 0, new NDList(),
              new NDList());
        });
        if (refLogps != null) {
          refLogps.close();
        }
      }
    }
    for (String line : Files.readAllLines(Path.of("/proc/self/status"))) {
      if (line.startsWith("VmHWM:")) {
        long kb = Long.parseLong(line.replaceAll("[^0-9]", ""));
        System.out.println("PEAK_RSS_MB " + kb / 1024);
      }
    }
  }
}
