package io.github.sipf4j.orpo.model;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;

/**
 * Position ids and additive attention biases from padding masks, for causal decoders that accept left or right
 * padding: positions count real tokens only ({@code cumsum(mask) - 1}, padding clamped to 0), so a sequence has the
 * same logits wherever its padding sits, and the bias is 0 where a query may see a key (the key is no later and not
 * padding) and {@value #MASKED} elsewhere, finite so that a row made only of padding stays finite.
 */
public final class AttentionMasks {

  /** The additive bias of a masked (query, key) pair. */
  public static final float MASKED = -1e9f;

  private AttentionMasks() {}

  /**
   * Positions and bias of a step.
   *
   * @param positions int64 (batch, time) position ids of the step's tokens
   * @param bias float32 (batch, 1, time, keys) additive attention bias
   * @param mask int64 (batch, keys) the padding mask of every key the step attends to
   */
  public record Step(NDArray positions, NDArray bias, NDArray mask) {}

  /**
   * Prepares a full forward pass.
   *
   * @param attentionMask (batch, time) 1 for real tokens, 0 for padding
   * @return positions, the (batch, 1, time, time) bias and the mask as int64
   */
  public static Step full(NDArray attentionMask) {
    long b = attentionMask.getShape().get(0);
    long t = attentionMask.getShape().get(1);
    NDArray mask = attentionMask.toType(DataType.INT64, false);
    NDArray positions = mask.cumSum(1).sub(1).maximum(0);
    NDArray keyBias = mask.toType(DataType.FLOAT32, false).sub(1f).mul(-MASKED).reshape(b, 1, 1, t);
    return new Step(positions, keyBias.add(causal(attentionMask.getManager(), t, t)), mask);
  }

  /**
   * Positions and bias of a decoding step, and what the cache keeps of it.
   *
   * @param positions int64 (batch, newTime) position ids of the step's tokens
   * @param bias float32 (batch, 1, 1 or newTime, past + newTime) additive attention bias (one query row broadcast
   *     when the step has one token)
   * @param seen int64 (batch, 1) each row's real tokens, this step's included
   * @param keyBias float32 (batch, 1, 1, past + newTime) the padding bias of every key, this step's included
   * @param newTokens the step's number of new positions
   */
  public record Continuation(NDArray positions, NDArray bias, NDArray seen, NDArray keyBias, int newTokens) {}

  /**
   * Prepares a step that continues cached sequences: the new tokens' positions continue from the real tokens seen
   * so far, and their queries see every earlier real token and the new ones up to themselves. It reads only the
   * cache's per-row counts and key bias, never the whole mask, so its cost does not grow with the cached length;
   * hand the result to {@link PreallocatedKvCache#advance} once the step's keys and values are written.
   *
   * @param cache the cache the step continues (empty for the first step)
   * @param newMask (batch, newTime) 1 for real new tokens, 0 for padding
   * @return positions, bias, and the counts and key bias the cache keeps
   */
  public static Continuation continued(PreallocatedKvCache cache, NDArray newMask) {
    long b = newMask.getShape().get(0);
    long tn = newMask.getShape().get(1);
    NDArray mask = newMask.toType(DataType.INT64, false);
    // Real tokens seen so far, this step's included: a row's positions continue from its count.
    NDArray seen = tn == 1 ? mask : mask.cumSum(1);
    if (cache.seen() != null) {
      seen = seen.add(cache.seen());
    } else if (seen == mask) {
      seen = mask.duplicate(); // the cache keeps it, and toType may have returned the caller's own array
    }
    NDArray positions = seen.sub(cache.oneLong).maximum(cache.zeroLong);
    NDArray newBias = mask.toType(DataType.FLOAT32, false).sub(cache.oneFloat).muli(cache.padScale)
        .reshape(b, 1, 1, tn);
    NDArray keyBias = cache.keyBias() == null ? newBias : cache.keyBias().concat(newBias, 3);
    long keys = cache.length() + tn;
    NDArray bias = tn == 1 ? keyBias : keyBias.add(causal(newMask.getManager(), tn, keys));
    NDArray rowSeen = tn == 1 ? seen : seen.max(new int[] {1}, true);
    return new Continuation(positions, bias, rowSeen, keyBias, (int) tn);
  }

  /** Additive causal bias (tq, tk): query i (absolute position tk - tq + i) sees keys j &lt;= its position. */
  static NDArray causal(NDManager m, long tq, long tk) {
    NDArray keys = m.arange(0, (int) tk, 1, DataType.INT64).reshape(1, tk);
    NDArray queries = m.arange((int) (tk - tq), (int) tk, 1, DataType.INT64).reshape(tq, 1);
    return keys.gt(queries).toType(DataType.FLOAT32, false).mul(MASKED);
  }
}
