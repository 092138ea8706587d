package io.github.sipf4j.benchmarks;

import io.github.sipf4j.orpo.model.DecoderConfig;

/** The model sizes the benchmarks compare, named by their approximate parameter count. */
public enum ModelSize {
  /** About 1 M parameters: width 128, 5 layers, 4 heads. */
  M1(128, 5, 4),
  /** About 5 M parameters: width 256, 6 layers, 8 heads. */
  M5(256, 6, 8),
  /** About 20 M parameters: width 384, 11 layers, 6 heads. */
  M20(384, 11, 6);

  private final int dModel;
  private final int layers;
  private final int heads;

  ModelSize(int dModel, int layers, int heads) {
    this.dModel = dModel;
    this.layers = layers;
    this.heads = heads;
  }

  /**
   * Returns the width.
   *
   * @return d_model
   */
  public int dModel() {
    return dModel;
  }

  /**
   * Returns the number of layers.
   *
   * @return the layers
   */
  public int layers() {
    return layers;
  }

  /**
   * Returns the attention heads per layer.
   *
   * @return the heads
   */
  public int heads() {
    return heads;
  }

  /**
   * Returns the decoder configuration of this size.
   *
   * @param vocab the vocabulary size
   * @param maxLength the longest sequence
   * @return the configuration
   */
  public DecoderConfig config(int vocab, int maxLength) {
    return DecoderConfig.builder().vocabSize(vocab).dModel(dModel).layers(layers).heads(heads).maxLength(maxLength)
        .build();
  }
}
