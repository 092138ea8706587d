package io.github.sipf4j.prm.process;

import ai.djl.Device;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import ai.djl.nn.Block;
import ai.djl.nn.SequentialBlock;
import io.github.sipf4j.orpo.model.CausalLm;
import java.nio.file.Path;

/**
 * A stub causal LM with known answer probabilities: after a prefix holding {@code n} newlines it emits {@code Y}
 * with probability {@code pYes[n]} and {@code N} otherwise, then EOS. Logits are computed on the host.
 */
final class StubAnswerLm implements CausalLm {

  private final NDManager manager = NDManager.newBaseManager(Device.cpu());
  private final Block block = new SequentialBlock();
  private final int vocab;
  private final long newline;
  private final long yes;
  private final long no;
  private final long eos;
  private final double[] pYes;

  StubAnswerLm(int vocab, long newline, long yes, long no, long eos, double... pYes) {
    this.vocab = vocab;
    this.newline = newline;
    this.yes = yes;
    this.no = no;
    this.eos = eos;
    this.pYes = pYes.clone();
  }

  @Override
  public NDArray forward(NDArray inputIds, NDArray attentionMask, boolean training) {
    long[] ids = inputIds.toLongArray();
    long[] mask = attentionMask.toType(ai.djl.ndarray.types.DataType.INT64, false).toLongArray();
    int b = (int) inputIds.getShape().get(0);
    int t = (int) inputIds.getShape().get(1);
    float[] logits = new float[b * t * vocab];
    java.util.Arrays.fill(logits, -30f);
    for (int r = 0; r < b; r++) {
      int newlines = 0;
      for (int i = 0; i < t; i++) {
        long id = ids[r * t + i];
        if (mask[r * t + i] == 1 && id == newline) {
          newlines++;
        }
        int base = (r * t + i) * vocab;
        if (id == yes || id == no) {
          logits[base + (int) eos] = 0f;
        } else {
          double p = pYes[Math.min(newlines, pYes.length - 1)];
          logits[base + (int) yes] = (float) Math.log(Math.max(p, 1e-12));
          logits[base + (int) no] = (float) Math.log(Math.max(1 - p, 1e-12));
        }
      }
    }
    return inputIds.getManager().create(logits, new Shape(b, t, vocab));
  }

  @Override
  public Block getBlock() {
    return block;
  }

  @Override
  public NDManager getManager() {
    return manager;
  }

  @Override
  public Device getDevice() {
    return Device.cpu();
  }

  @Override
  public int vocabSize() {
    return vocab;
  }

  @Override
  public int maxLength() {
    return 256;
  }

  @Override
  public void save(Path dir) {
    throw new UnsupportedOperationException("a test stub is not saved");
  }

  @Override
  public void close() {
    manager.close();
  }
}
