package io.github.sipf4j.orpo.model.hf;

import ai.djl.ndarray.NDArray;

/** The feed-forward part of a decoder layer. */
interface Mlp {

  NDArray apply(NDArray x);

  /** The gated MLP of llama, qwen2 and gemma: \( \mathrm{down}(\mathrm{act}(\mathrm{gate}(x)) \odot \mathrm{up}(x)) \). */
  static Mlp gated(Linear gate, Linear up, Linear down, Activation act, Constants k) {
    return x -> down.apply(act.apply(gate.apply(x), k).mul(up.apply(x)));
  }

  /** Phi's two-layer MLP: \( \mathrm{fc2}(\mathrm{act}(\mathrm{fc1}(x))) \). */
  static Mlp dense(Linear fc1, Linear fc2, Activation act, Constants k) {
    return x -> fc2.apply(act.apply(fc1.apply(x), k));
  }
}
