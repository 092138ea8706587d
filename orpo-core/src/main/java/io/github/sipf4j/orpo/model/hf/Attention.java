package io.github.sipf4j.orpo.model.hf;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.types.DataType;
import io.github.sipf4j.orpo.util.Casts;

/**
 * Causal self-attention with rotary positions and grouped-query attention: {@code heads} query heads share {@code
 * kvHeads} key/value heads, query head \( i \) reading key/value head \( \lfloor i / g \rfloor \) with \( g \) =
 * heads / kvHeads (Hugging Face's {@code repeat_kv} order). The keys and values are never repeated: the queries of a
 * group are stacked along time, (batch, kvHeads, g·time, headDim), so that one batched product per layer reads each
 * cached key once. Queries are scaled by \( 1/\sqrt{d_h} \) before the product; scores go to float32 for the bias and
 * the softmax (Hugging Face's "upcast attention to fp32") and the probabilities back to the model's type. With {@code
 * upcastScores} (Phi) the scores themselves are computed in float32.
 */
final class Attention {

  private final Linear q;
  private final Linear k;
  private final Linear v;
  private final Linear o;
  private final int heads;
  private final int kvHeads;
  private final int headDim;
  private final NDArray scale;
  private final boolean upcastScores;
  private final double dropout;

  Attention(Linear q, Linear k, Linear v, Linear o, int heads, int kvHeads, int headDim, boolean upcastScores,
      double dropout, DataType dtype, Constants c) {
    this.q = q;
    this.k = k;
    this.v = v;
    this.o = o;
    this.heads = heads;
    this.kvHeads = kvHeads;
    this.headDim = headDim;
    this.upcastScores = upcastScores;
    this.dropout = dropout;
    this.scale = c.of(1.0 / Math.sqrt(headDim), upcastScores ? DataType.FLOAT32 : dtype);
  }

  /** Attends from (batch, time, hidden) activations; writes keys and values into the cache when there is one. */
  NDArray forward(NDArray x, LayerInputs in, int layer) {
    long b = x.getShape().get(0);
    long t = x.getShape().get(1);
    DataType dtype = x.getDataType();
    NDArray qs = in.rope().apply(q.apply(x).reshape(b, t, heads, headDim).transpose(0, 2, 1, 3), in.cos(), in.sin());
    NDArray ks = in.rope().apply(k.apply(x).reshape(b, t, kvHeads, headDim).transpose(0, 2, 1, 3), in.cos(),
        in.sin());
    NDArray vs = v.apply(x).reshape(b, t, kvHeads, headDim).transpose(0, 2, 1, 3);
    if (in.cache() != null) {
      ks = in.cache().append(layer, 0, ks);
      vs = in.cache().append(layer, 1, vs);
    }
    long keys = ks.getShape().get(2);
    int groups = heads / kvHeads;
    if (upcastScores && dtype != DataType.FLOAT32) {
      qs = Casts.to(qs, DataType.FLOAT32);
      ks = Casts.to(ks, DataType.FLOAT32);
    }
    NDArray grouped = groups == 1 ? qs.mul(scale) : qs.mul(scale).reshape(b, kvHeads, groups * t, headDim);
    NDArray scores = grouped.matMul(ks.transpose(0, 1, 3, 2));
    if (groups > 1) {
      scores = scores.reshape(b, heads, t, keys);
    }
    scores = Casts.to(scores, DataType.FLOAT32);
    NDArray probs = scores.add(in.bias()).softmax(-1);
    probs = Casts.to(probs, dtype);
    probs = in.dropout(probs, dropout);
    if (groups > 1) {
      probs = probs.reshape(b, kvHeads, groups * t, keys);
    }
    NDArray y = probs.matMul(vs).reshape(b, heads, t, headDim).transpose(0, 2, 1, 3).reshape(b, t,
        (long) heads * headDim);
    return o.apply(y);
  }
}
