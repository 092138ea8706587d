package io.github.sipf4j.benchmarks;

import ai.djl.Device;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.index.NDIndex;
import ai.djl.ndarray.types.Shape;
import ai.djl.nn.Block;
import ai.djl.nn.Blocks;
import io.github.sipf4j.orpo.model.CausalLm;
import io.github.sipf4j.orpo.model.KvCache;
import java.nio.file.Path;
import java.util.SplittableRandom;

/**
 * A {@link CausalLm} that costs nothing to run: row {@code i} of every batch gets the same fixed random logits at
 * every position, a view of one table made at construction. Sampling from it measures what a
 * {@link io.github.sipf4j.orpo.sample.Sampler} step costs by itself (choosing the tokens, reading them back, the
 * bookkeeping) at a given vocabulary size, without a model's forward pass. The logits are \( 2 z \) with \( z \)
 * standard normal, drawn from a seeded {@link SplittableRandom}; it has a key/value cache that only counts positions.
 */
final class RandomLogitsLm implements CausalLm {

  private final NDManager manager;
  private final NDArray table;
  private final int vocab;
  private final int maxLength;
  private final Block block = Blocks.identityBlock();

  /**
   * Makes the table of logits.
   *
   * @param vocab the vocabulary size
   * @param rows the largest batch that will be asked for
   * @param maxLength the longest sequence accepted
   * @param seed the seed of the logits
   */
  RandomLogitsLm(int vocab, int rows, int maxLength, long seed) {
    this.vocab = vocab;
    this.maxLength = maxLength;
    this.manager = NDManager.newBaseManager(Device.cpu());
    float[] values = new float[rows * vocab];
    SplittableRandom r = new SplittableRandom(seed);
    for (int i = 0; i < values.length; i++) {
      values[i] = (float) (2 * r.nextGaussian());
    }
    this.table = manager.create(values, new Shape(rows, vocab));
  }

  @Override
  public NDArray forward(NDArray inputIds, NDArray attentionMask, boolean training) {
    return logits(inputIds);
  }

  private NDArray logits(NDArray ids) {
    long b = ids.getShape().get(0);
    long t = ids.getShape().get(1);
    NDArray rows = table.get(ids.getManager(), new NDIndex("0:{}", b)).expandDims(1);
    // A decoding step gets a contiguous view, as a model's fresh logits are; a prompt gets a broadcast view.
    return t == 1 ? rows : rows.broadcast(new Shape(b, t, vocab));
  }

  @Override
  public boolean supportsKvCache() {
    return true;
  }

  @Override
  public KvCache newCache(int batchSize) {
    return new CountingCache(batchSize);
  }

  @Override
  public NDArray forwardCached(NDArray newIds, NDArray newMask, KvCache cache) {
    CountingCache c = (CountingCache) cache;
    c.length += (int) newIds.getShape().get(1);
    return logits(newIds);
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
    return manager.getDevice();
  }

  @Override
  public int vocabSize() {
    return vocab;
  }

  @Override
  public int maxLength() {
    return maxLength;
  }

  @Override
  public void save(Path dir) {
    throw new UnsupportedOperationException("a benchmark's random-logits model is not saved");
  }

  @Override
  public void close() {
    manager.close();
  }

  /** Counts the positions and rows; there is nothing to cache. */
  private static final class CountingCache implements KvCache {
    private int batch;
    private int length;

    CountingCache(int batch) {
      this.batch = batch;
    }

    @Override
    public int batchSize() {
      return batch;
    }

    @Override
    public int length() {
      return length;
    }

    @Override
    public void selectRows(int[] rows) {
      batch = rows.length;
    }

    @Override
    public void close() {}
  }
}
