package io.github.sipf4j.orpo.model.hf;

import ai.djl.ndarray.NDArray;

/** One decoder layer: (batch, time, hidden) in and out. */
interface DecoderLayer {

  NDArray forward(NDArray x, LayerInputs in, int layer);

  /**
   * The pre-norm layer of llama, qwen2 and gemma: \( x \leftarrow x + \mathrm{attn}(n_1(x)) \), then
   * \( x \leftarrow x + \mathrm{mlp}(n_2(x)) \).
   */
  static DecoderLayer sequential(Norm inputNorm, Attention attention, Norm postAttentionNorm, Mlp mlp) {
    return (x, in, layer) -> {
      NDArray h = x.add(attention.forward(inputNorm.apply(x), in, layer));
      return h.add(mlp.apply(postAttentionNorm.apply(h)));
    };
  }

  /**
   * Phi's parallel layer: attention and MLP read the same normalised input,
   * \( x \leftarrow \mathrm{drop}(\mathrm{attn}(n(x))) + \mathrm{drop}(\mathrm{mlp}(n(x))) + x \).
   */
  static DecoderLayer parallel(Norm norm, Attention attention, Mlp mlp, double residDropout) {
    return (x, in, layer) -> {
      NDArray h = norm.apply(x);
      NDArray a = in.dropout(attention.forward(h, in, layer), residDropout);
      NDArray f = in.dropout(mlp.apply(h), residDropout);
      return a.add(f).add(x);
    };
  }
}
