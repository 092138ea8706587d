package io.github.sipf4j.orpo.model;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.NDScope;
import ai.djl.ndarray.index.NDIndex;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import com.google.common.base.Preconditions;
import io.github.sipf4j.orpo.util.Scalars;
import java.util.Arrays;

/**
 * A key/value cache for decoders with one attention per layer: per layer, keys and values in one preallocated buffer
 * of shape (2, batch, kvHeads, capacity, headSize), written in place, and per row the number of real tokens seen and
 * the additive padding bias of every cached key. Attention reads a view of the first {@link #length()} positions,
 * which batched matrix products take without a copy. A buffer grows (doubling, at most to the model's maximum length)
 * only when a step would overflow it, so decoding a token copies none of the earlier keys and values; {@link
 * #reserve} sizes the buffers up front. Because the cache keeps the rows' counts and key bias, a decoding step derives
 * its positions and its bias from its own mask alone, in a handful of native calls whatever the cached length.
 *
 * <p>A decoder's {@code forwardCached} calls {@link AttentionMasks#continued} with the cache, then, once per layer,
 * either {@link #append} for keys ({@code which} 0) and values (1) or {@link #appendKeysValues} for both, and
 * finally {@link #advance} with the step; a step that fails before {@link #advance} leaves the cache's length
 * unchanged.
 */
public final class PreallocatedKvCache implements KvCache {

  private final NDManager owner;
  private final NDManager memory;
  private final NDArray[] kv;
  /** Each layer's buffer capacity in positions (kept here: asking an array for its shape is a native call). */
  private final int[] capacity;
  private final int maxLength;
  /** Scalar operands of {@link AttentionMasks#continued}, made once (a Java number operand costs a temporary). */
  final NDArray zeroLong;
  final NDArray oneLong;
  final NDArray oneFloat;
  /** Scales {@code mask - 1} to the key bias: 0 for a real key, {@link AttentionMasks#MASKED} for padding. */
  final NDArray padScale;
  private NDArray seen;
  private NDArray keyBias;
  private int length;
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
    this.kv = new NDArray[layers];
    this.capacity = new int[layers];
    this.batch = batch;
    this.maxLength = maxLength;
    this.zeroLong = constant(0, DataType.INT64);
    this.oneLong = constant(1, DataType.INT64);
    this.oneFloat = constant(1, DataType.FLOAT32);
    this.padScale = constant(-AttentionMasks.MASKED, DataType.FLOAT32);
  }

  private NDArray constant(double value, DataType type) {
    NDArray c = Scalars.of(memory, value, type);
    NDScope.unregister(c);
    return c;
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
   * Checks one decoding step of a model that keeps its keys and values in this kind of cache: the cache was created
   * by the model owning {@code manager}, {@code newIds} and {@code newMask} are both (the cache's batch, time), and
   * the cached and the new tokens together fit the model's {@code maxLength}.
   *
   * @param kvCache the cache passed to {@code forwardCached}
   * @param manager the model's manager
   * @param newIds the new token ids
   * @param newMask their mask
   * @param maxLength the model's longest sequence
   * @return the cache, typed
   * @throws IllegalArgumentException naming what does not match
   */
  public static PreallocatedKvCache checkStep(KvCache kvCache, NDManager manager, NDArray newIds, NDArray newMask,
      int maxLength) {
    Preconditions.checkArgument(kvCache instanceof PreallocatedKvCache
        && ((PreallocatedKvCache) kvCache).belongsTo(manager), "the cache was not created by this model");
    PreallocatedKvCache cache = (PreallocatedKvCache) kvCache;
    Shape s = newIds.getShape();
    Preconditions.checkArgument(s.dimension() == 2 && s.get(0) == cache.batchSize()
        && newMask.getShape().equals(s), "newIds and newMask must be (%s, time), got %s and %s", cache.batchSize(),
        s, newMask.getShape());
    Preconditions.checkArgument(cache.length() + s.get(1) <= maxLength,
        "sequence length %s exceeds the model's maxLength %s", cache.length() + s.get(1), maxLength);
    return cache;
  }

  /**
   * Returns each row's number of real (unpadded) tokens cached so far.
   *
   * @return int64 (batch, 1), or null while nothing is cached
   */
  public NDArray seen() {
    return seen;
  }

  /**
   * Returns the additive padding bias of the cached keys: 0 for a real token, {@link AttentionMasks#MASKED} for
   * padding.
   *
   * @return float32 (batch, 1, 1, length), or null while nothing is cached
   */
  public NDArray keyBias() {
    return keyBias;
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
    Shape shape = fresh.getShape();
    int end = length + (int) shape.get(2);
    NDArray buffer = ensure(layer, fresh, shape.get(0), shape.get(1), shape.get(3), end);
    buffer.set(new NDIndex().addIndices(which).addAllDim(2).addSliceDim(length, end), fresh);
    return buffer.get(fresh.getManager(), new NDIndex().addIndices(which).addAllDim(2).addSliceDim(0, end));
  }

  /**
   * Writes the keys and the values of the new positions into a layer's buffer in one go and returns a view of all
   * cached positions, the new ones included (one write and one view instead of two of each).
   *
   * @param layer the layer
   * @param fresh (2, batch, kvHeads, newTime, headSize): the new positions' keys, then their values
   * @return a (2, batch, kvHeads, length + newTime, headSize) view, attached to {@code fresh}'s manager
   */
  public NDArray appendKeysValues(int layer, NDArray fresh) {
    Shape shape = fresh.getShape();
    Preconditions.checkArgument(shape.dimension() == 5 && shape.get(0) == 2,
        "keys and values must be (2, batch, kvHeads, time, headSize), got %s", shape);
    int end = length + (int) shape.get(3);
    NDArray buffer = ensure(layer, fresh, shape.get(1), shape.get(2), shape.get(4), end);
    buffer.set(new NDIndex().addAllDim(3).addSliceDim(length, end), fresh);
    // A split makes the view in one native call (an index makes several).
    NDList pieces = buffer.split(new long[] {end}, 3);
    pieces.attach(fresh.getManager());
    pieces.get(1).close();
    return pieces.get(0);
  }

  /**
   * Returns the layer's buffer, grown to hold {@code end} positions when it is smaller, in the type of {@code fresh}
   * (asked for only then: reading an array's type is a native call).
   */
  private NDArray ensure(int layer, NDArray fresh, long rows, long heads, long headSize, int end) {
    NDArray buffer = kv[layer];
    if (capacity[layer] >= end) {
      return buffer;
    }
    int wanted = Math.min(maxLength, Math.max(Math.max(end, reserved), Math.max(2 * capacity[layer], end + 32)));
    NDArray grown = memory.create(new Shape(2, rows, heads, wanted, headSize), fresh.getDataType());
    NDScope.unregister(grown);
    if (length > 0) {
      NDIndex cached = new NDIndex().addAllDim(3).addSliceDim(0, length);
      try (NDArray old = buffer.get(cached)) {
        grown.set(cached, old);
      }
    }
    if (buffer != null) {
      buffer.close();
    }
    kv[layer] = grown;
    capacity[layer] = wanted;
    return grown;
  }

  /**
   * Ends a step: the cache now holds its positions, and takes over the step's counts and key bias (closing the
   * previous ones).
   *
   * @param step the step, as {@link AttentionMasks#continued} returned it for this cache
   */
  public void advance(AttentionMasks.Continuation step) {
    seen = keep(seen, step.seen());
    keyBias = keep(keyBias, step.keyBias());
    length += step.newTokens();
  }

  private NDArray keep(NDArray old, NDArray kept) {
    NDScope.unregister(kept);
    kept.attach(memory);
    if (old != null && old != kept) {
      old.close();
    }
    return kept;
  }

  /** {@inheritDoc} */
  @Override
  public int batchSize() {
    return batch;
  }

  /** {@inheritDoc} */
  @Override
  public int length() {
    return length;
  }

  /** {@inheritDoc} */
  @Override
  public void reserve(int length) {
    reserved = Math.max(reserved, Math.min(length, maxLength));
  }

  /** {@inheritDoc} */
  @Override
  public void selectRows(int[] rows) {
    if (seen == null) {
      batch = rows.length;
      return;
    }
    try (NDManager tmp = memory.newSubManager()) {
      NDArray index = tmp.create(Arrays.stream(rows).asLongStream().toArray());
      for (int l = 0; l < kv.length; l++) {
        if (kv[l] != null) {
          kv[l] = replace(kv[l], kv[l].get(new NDIndex(":, {}", index)));
        }
      }
      seen = replace(seen, seen.get(index));
      keyBias = replace(keyBias, keyBias.get(index));
    }
    batch = rows.length;
  }

  private NDArray replace(NDArray old, NDArray picked) {
    picked.attach(memory);
    NDScope.unregister(picked);
    old.close();
    return picked;
  }

  /** {@inheritDoc} */
  @Override
  public void close() {
    memory.close();
  }
}
