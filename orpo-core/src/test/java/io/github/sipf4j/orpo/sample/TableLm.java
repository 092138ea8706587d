package io.github.sipf4j.orpo.sample;

import ai.djl.Device;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.SparseFormat;
import ai.djl.nn.Block;
import ai.djl.nn.Blocks;
import io.github.sipf4j.orpo.model.CausalLm;
import java.nio.file.Path;

/**
 * A language model for sampler tests at large vocabularies, whose next-token logits are known: at every position
 * they are row {@code id % rows} of a fixed table, {@code id} being the token at that position. With one row the
 * logits are the same everywhere; with several, rows of a batch see different distributions that change with what
 * they sampled. No key/value cache, so the sampler takes its full-forward path.
 */
final class TableLm implements CausalLm {

  private final NDManager manager = NDManager.newBaseManager(Device.cpu());
  private final NDArray table;
  private final NDArray rows;
  private final int vocab;
  private final Block block = Blocks.identityBlock();

  /**
   * Makes the model.
   *
   * @param logits the table, {@code logits[r]} the logits after a token {@code id} with {@code id % rows == r}
   */
  TableLm(float[][] logits) {
    this.vocab = logits[0].length;
    this.table = manager.create(logits);
    this.rows = manager.create((long) logits.length);
  }

  @Override
  public NDArray forward(NDArray inputIds, NDArray attentionMask, boolean training) {
    NDArray index = inputIds.toType(DataType.INT64, false).mod(rows);
    return index.getNDArrayInternal().embedding(index, table, SparseFormat.DENSE).singletonOrThrow();
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
    return 64;
  }

  @Override
  public void save(Path dir) {
    throw new UnsupportedOperationException("a test model is not saved");
  }

  @Override
  public void close() {
    manager.close();
  }
}
