package io.github.sipf4j.orpo.model;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.NDScope;
import ai.djl.ndarray.index.NDIndex;
import ai.djl.ndarray.types.Shape;
import com.google.common.base.Preconditions;
import java.util.Arrays;

/**
 * A key/value cache for decoders with one attention per layer: per layer, keys and values in preallocated buffers of
 * shape (batch, kvHeads, capacity, headSize), written in place, and the padding mask of every cached position.
 * Attention reads a view of the first {@link #length()} positions. A buffer grows (doubling, at most to the model's
 * maximum length) only when a step would overflow it, so decoding a token copies none of the earlier keys and
 * values; {@link #reserve} sizes the buffers up front.
 *
 * <p>A decoder's {@code forwardCached} calls {@link AttentionMasks#continued} with {@link #mask()}, then {@link
 * #append} once per layer for keys ({@code which} 0) and values (1), and finally {@link #advance} with the step's
 * whole mask; a step that fails before {@link #advance} leaves the cache's length unchanged.
 */
public final class PreallocatedKvCache implements KvCache {

  private final NDManager owner;
  private final NDManager memory;
  private final NDArray[][] kv;
  private final int maxLength;
  private NDArray mask;
  private int batch;
  private int reserved;

  /**
   * Creates an empty cache.
   *
   * @param owner the manager of the model that decodes with it (the cache's memory is a sub-manager of it)
   * @param layers the number of attention layers
   * @param batch the number of rows
   * @param maxLength the model's maximum length: no buffer grows beyond it
   */
  public PreallocatedKvCache(NDManager owner, int layers, int batch, int maxLength) {
    Preconditions.checkArgument(layers > 0 && batch > 0 && maxLength > 0,
        "layers, batch and maxLength must be positive, got %s, %s, %s", layers, batch, maxLength);
    this.owner = owner;
    this.memory = owner.newSubManager();
    this.kv = new NDArray[layers][2];
    this.batch = batch;
    this.maxLength = maxLength;
  }

  /**
   * Tells whether the cache was created for the model owning {@code manager}.
   *
   * @param manager a model's manager
   * @return true when it is the manager the cache was created with
   */
  public boolean belongsTo(NDManager manager) {
    return owner == manager;
  }

  /**
   * Returns the padding mask of the cached positions.
   *
   * @return int64 (batch, length), or null while nothing is cached
   */
  public NDArray mask() {
    return mask;
  }

  /**
   * Writes the keys or values of the new positions into a layer's buffer and returns a view of all cached positions,
   * the new ones included.
   *
   * @param layer the layer
   * @param which 0 for keys, 1 for values
   * @param fresh (batch, kvHeads, newTime, headSize) the new positions' keys or values
   * @return a (batch, kvHeads, length + newTime, headSize) view, attached to {@code fresh}'s manager
   */
  public NDArray append(int layer, int which, NDArray fresh) {
    int past = length();
    int end = past + (int) fresh.getShape().get(2);
    NDArray buffer = kv[layer][which];
    if (buffer == null || buffer.getShape().get(2) < end) {
      int capacity = buffer == null ? 0 : (int) buffer.getShape().get(2);
      int wanted = Math.min(maxLength, Math.max(Math.max(end, reserved), Math.max(2 * capacity, end + 32)));
      Shape shape = fresh.getShape();
      NDArray grown = memory.create(new Shape(shape.get(0), shape.get(1), wanted, shape.get(3)), fresh.getDataType());
      NDScope.unregister(grown);
      if (past > 0) {
        try (NDArray old = buffer.get(new NDIndex().addAllDim(2).addSliceDim(0, past))) {
          grown.set(new NDIndex().addAllDim(2).addSliceDim(0, past), old);
        }
      }
      if (buffer != null) {
        buffer.close();
      }
      kv[layer][which] = grown;
      buffer = grown;
    }
    buffer.set(new NDIndex().addAllDim(2).addSliceDim(past, end), fresh);
    return buffer.get(fresh.getManager(), new NDIndex().addAllDim(2).addSliceDim(0, end));
  }

  /**
   * Ends a step: the cache now holds the positions of {@code allMask}, which it takes over (closing the previous
   * mask).
   *
   * @param allMask int64 (batch, length + newTime), as {@link AttentionMasks#continued} returned it
   */
  public void advance(NDArray allMask) {
    NDArray old = mask;
    NDScope.unregister(allMask);
    allMask.attach(memory);
    mask = allMask;
    if (old != null && old != allMask) {
      old.close();
    }
  }

  /** {@inheritDoc} */
  @Override
  public int batchSize() {
    return batch;
  }

  /** {@inheritDoc} */
  @Override
  public int length() {
    return mask == null ? 0 : (int) mask.getShape().get(1);
  }

  /** {@inheritDoc} */
  @Override
  public void reserve(int length) {
    reserved = Math.max(reserved, Math.min(length, maxLength));
  }

  /** {@inheritDoc} */
  @Override
  public void selectRows(int[] rows) {
    if (mask == null) {
      batch = rows.length;
      return;
    }
    try (NDManager tmp = memory.newSubManager()) {
      NDArray index = tmp.create(Arrays.stream(rows).asLongStream().toArray());
      for (NDArray[] layer : kv) {
        for (int i = 0; i < 2; i++) {
          NDArray picked = layer[i].get(index);
          picked.attach(memory);
          NDScope.unregister(picked);
          layer[i].close();
          layer[i] = picked;
        }
      }
      NDArray m = mask.get(index);
      m.attach(memory);
      NDScope.unregister(m);
      mask.close();
      mask = m;
    }
    batch = rows.length;
  }

  /** {@inheritDoc} */
  @Override
  public void close() {
    memory.close();
  }
}
