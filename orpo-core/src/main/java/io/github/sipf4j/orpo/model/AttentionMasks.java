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
   * Prepares a step that continues cached sequences: the new tokens' positions continue from the real tokens seen
   * so far, and their queries see every earlier real token and the new ones up to themselves.
   *
   * @param pastMask int64 (batch, past) mask of the cached keys, or null when nothing is cached yet
   * @param newMask (batch, newTime) 1 for real new tokens, 0 for padding
   * @return positions, the (batch, 1, newTime, past + newTime) bias and the concatenated mask (a new array the
   *     caller keeps, for example in its cache)
   */
  public static Step continued(NDArray pastMask, NDArray newMask) {
    long b = newMask.getShape().get(0);
    long tn = newMask.getShape().get(1);
    NDArray mask = newMask.toType(DataType.INT64, false);
    NDArray all = pastMask == null ? mask.duplicate() : pastMask.concat(mask, 1);
    NDArray positions = mask.cumSum(1).sub(1);
    if (pastMask != null) {
      positions = positions.add(pastMask.sum(new int[] {1}, true));
    }
    positions = positions.maximum(0);
    long keys = all.getShape().get(1);
    NDArray bias = all.toType(DataType.FLOAT32, false).sub(1f).mul(-MASKED).reshape(b, 1, 1, keys);
    if (tn > 1) {
      bias = bias.add(causal(newMask.getManager(), tn, keys));
    }
    return new Step(positions, bias, all);
  }

  /** Additive causal bias (tq, tk): query i (absolute position tk - tq + i) sees keys j &lt;= its position. */
  static NDArray causal(NDManager m, long tq, long tk) {
    NDArray keys = m.arange(0, (int) tk, 1, DataType.INT64).reshape(1, tk);
    NDArray queries = m.arange((int) (tk - tq), (int) tk, 1, DataType.INT64).reshape(tq, 1);
    return keys.gt(queries).toType(DataType.FLOAT32, false).mul(MASKED);
  }
}
