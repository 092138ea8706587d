package io.github.sipf4j.orpo.train;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDArrays;
import ai.djl.ndarray.NDList;
import com.google.common.base.Preconditions;
import io.github.sipf4j.orpo.model.CausalLm;
import io.github.sipf4j.orpo.text.EncodedSequence;
import io.github.sipf4j.orpo.text.TokenBatch;
import io.github.sipf4j.orpo.util.Scalars;
import java.util.ArrayList;
import java.util.List;

/** Reads an {@link AnchorSet} as the endless, step-indexed stream its documentation describes. */
final class AnchorStream {

  /** The metric name of the anchors' mean token NLL. */
  static final String METRIC = "anchor_nll";

  /** Keeps the anchors' epoch permutations apart from the examples' ones, which use the same seed. */
  private static final long SEED_OFFSET = 0x5EEDA7C0L;

  private final AnchorSet anchors;
  private final long seed;
  private List<Integer> order;
  private long orderEpoch = -1;

  AnchorStream(AnchorSet anchors, long seed) {
    this.anchors = anchors;
    this.seed = seed + SEED_OFFSET;
  }

  /**
   * Returns the anchors of one micro-batch.
   *
   * @param step the 0-based optimizer step
   * @param micro the micro-batch's index within the step
   * @param micros the step's micro-batch count
   * @return the micro-batch's anchors, at least one
   */
  List<EncodedSequence> slice(long step, int micro, int micros) {
    int per = anchors.perStep();
    long base = step * per;
    long from = base + (long) per * micro / micros;
    long to = Math.max(from + 1, base + (long) per * (micro + 1) / micros);
    List<EncodedSequence> out = new ArrayList<>((int) (to - from));
    for (long p = from; p < to; p++) {
      out.add(at(p));
    }
    return out;
  }

  private EncodedSequence at(long position) {
    int n = anchors.sequences().size();
    long epoch = position / n;
    if (epoch != orderEpoch) {
      order = EpochBatches.permutation(n, seed + epoch);
      orderEpoch = epoch;
    }
    return anchors.sequences().get(order.get((int) (position % n)));
  }

  /**
   * Wraps an objective for one step: each micro-batch's loss gains {@code weight} times its anchors' NLL (one more
   * forward pass), its metrics gain {@value #METRIC}, and {@code loss} becomes the total.
   *
   * @param objective the trainer's own objective
   * @param model the model being trained
   * @param step the 0-based step
   * @param micros the step's micro-batch count
   * @param <B> the micro-batch type
   * @return the wrapped objective; call it once per micro-batch, in order
   */
  <B> MicroBatchObjective<B> wrap(MicroBatchObjective<B> objective, CausalLm model, long step, int micros) {
    int[] next = {0};
    return (batch, manager) -> {
      LossTerms own = objective.compute(batch, manager);
      Preconditions.checkState(!own.names().isEmpty() && own.names().get(0).equals("loss"),
          "an objective's first metric must be its loss, got %s", own.names());
      List<EncodedSequence> seqs = slice(step, next[0]++, micros);
      TokenBatch b = TokenBatch.collate(seqs, anchors.padId(), manager);
      NDArray logits = model.forward(b.inputIds(), b.attentionMask(), true);
      NDArray nll = SftTrainer.meanNll(logits, b, anchors.scope());
      NDArray total = own.loss().add(nll.mul(Scalars.of(nll, anchors.weight())));
      long n = own.metrics().getShape().get(0);
      NDList parts = new NDList(total.reshape(1).toType(own.metrics().getDataType(), false));
      if (n > 1) {
        parts.add(own.metrics().get("1:"));
      }
      parts.add(nll.reshape(1).toType(own.metrics().getDataType(), false));
      List<String> names = new ArrayList<>(own.names());
      names.add(METRIC);
      long tokens = own.tokens() + seqs.stream().mapToLong(s -> s.length() - 1).sum();
      return new LossTerms(total, NDArrays.concat(parts), names, own.examples(), tokens, own.labels(),
          own.predictions());
    };
  }
}
