package io.github.sipf4j.orpo.model;

import com.google.common.base.Preconditions;

/**
 * The shape of a {@link DecoderLm}: an immutable value built with {@link #builder()}.
 *
 * <p>Defaults (each named once, here): {@code vocabSize} 96 (room for the 90 ids of the shipped character tokenizer),
 * {@code dModel} 128, {@code layers} 4, {@code heads} 4, {@code mlpHidden} 4·dModel, {@code maxLength} 320,
 * {@code positions} {@link PositionEncoding#ROTARY}, {@code ropeBase} 10000, {@code dropout} 0,
 * {@code layerNormEps} 1e-5, {@code initStd} 0.02. With the defaults the model has about 0.8 M parameters.
 *
 * @param vocabSize number of token ids the embedding and the tied output head cover
 * @param dModel width of the residual stream
 * @param layers number of decoder blocks
 * @param heads number of attention heads; must divide {@code dModel}, and the head size must be even for RoPE
 * @param mlpHidden hidden width of each block's MLP
 * @param maxLength longest sequence (prompt + response) the model accepts
 * @param positions the position encoding
 * @param ropeBase the base \( b \) of the rotary frequencies \( b^{-2j/d_h} \)
 * @param dropout dropout rate on attention probabilities and residual branches while training
 * @param layerNormEps epsilon of every layer norm
 * @param initStd standard deviation of the normal initialisation of every weight matrix and embedding
 */
public record DecoderConfig(
    int vocabSize,
    int dModel,
    int layers,
    int heads,
    int mlpHidden,
    int maxLength,
    PositionEncoding positions,
    float ropeBase,
    float dropout,
    float layerNormEps,
    float initStd) {

  /**
   * Validates the configuration.
   *
   * @param vocabSize the {@code vocabSize} component (see the record)
   * @param dModel the {@code dModel} component (see the record)
   * @param layers the {@code layers} component (see the record)
   * @param heads the {@code heads} component (see the record)
   * @param mlpHidden the {@code mlpHidden} component (see the record)
   * @param maxLength the {@code maxLength} component (see the record)
   * @param positions the {@code positions} component (see the record)
   * @param ropeBase the {@code ropeBase} component (see the record)
   * @param dropout the {@code dropout} component (see the record)
   * @param layerNormEps the {@code layerNormEps} component (see the record)
   * @param initStd the {@code initStd} component (see the record)
   */
  public DecoderConfig {
    Preconditions.checkArgument(vocabSize > 0, "vocabSize must be positive, got %s", vocabSize);
    Preconditions.checkArgument(dModel > 0, "dModel must be positive, got %s", dModel);
    Preconditions.checkArgument(layers > 0, "layers must be positive, got %s", layers);
    Preconditions.checkArgument(heads > 0 && dModel % heads == 0,
        "heads (%s) must be positive and divide dModel (%s)", heads, dModel);
    Preconditions.checkArgument(positions != PositionEncoding.ROTARY || (dModel / heads) % 2 == 0,
        "rotary positions need an even head size, got %s", dModel / heads);
    Preconditions.checkArgument(mlpHidden > 0, "mlpHidden must be positive, got %s", mlpHidden);
    Preconditions.checkArgument(maxLength > 0, "maxLength must be positive, got %s", maxLength);
    Preconditions.checkNotNull(positions, "positions");
    Preconditions.checkArgument(ropeBase > 1, "ropeBase must exceed 1, got %s", ropeBase);
    Preconditions.checkArgument(dropout >= 0 && dropout < 1, "dropout must be in [0, 1), got %s", dropout);
    Preconditions.checkArgument(layerNormEps > 0, "layerNormEps must be positive, got %s", layerNormEps);
    Preconditions.checkArgument(initStd > 0, "initStd must be positive, got %s", initStd);
  }

  /**
   * Returns a builder holding the documented defaults.
   *
   * @return a new builder
   */
  public static Builder builder() {
    return new Builder();
  }

  /**
   * Returns a builder initialised with this configuration, to derive a variant.
   *
   * @return a builder holding this configuration's values
   */
  public Builder toBuilder() {
    Builder b = new Builder();
    b.vocabSize = vocabSize;
    b.dModel = dModel;
    b.layers = layers;
    b.heads = heads;
    b.mlpHidden = mlpHidden;
    b.maxLength = maxLength;
    b.positions = positions;
    b.ropeBase = ropeBase;
    b.dropout = dropout;
    b.layerNormEps = layerNormEps;
    b.initStd = initStd;
    return b;
  }

  /**
   * Returns the size of one attention head, {@code dModel / heads}.
   *
   * @return the head size
   */
  public int headSize() {
    return dModel / heads;
  }

  /**
   * Counts the trainable parameters of a model with this shape.
   *
   * @return the number of scalar parameters
   */
  public long parameterCount() {
    long d = dModel;
    long perLayer = 2 * 2 * d + (3 * d * d + 3 * d) + (d * d + d) + (mlpHidden * d + mlpHidden) + (d * mlpHidden + d);
    long pos = positions == PositionEncoding.LEARNED ? (long) maxLength * d : 0;
    return (long) vocabSize * d + pos + layers * perLayer + 2 * d;
  }

  /** Builds a {@link DecoderConfig}; every setter documents nothing new, see the record for defaults. */
  public static final class Builder {
    private int vocabSize = 96;
    private int dModel = 128;
    private int layers = 4;
    private int heads = 4;
    private int mlpHidden = -1;
    private int maxLength = 320;
    private PositionEncoding positions = PositionEncoding.ROTARY;
    private float ropeBase = 10000f;
    private float dropout = 0f;
    private float layerNormEps = 1e-5f;
    private float initStd = 0.02f;

    private Builder() {}

    /**
     * Sets the vocabulary size.
     *
     * @param v the number of token ids
     * @return this builder
     */
    public Builder vocabSize(int v) {
      this.vocabSize = v;
      return this;
    }

    /**
     * Sets the model width.
     *
     * @param v the width of the residual stream
     * @return this builder
     */
    public Builder dModel(int v) {
      this.dModel = v;
      return this;
    }

    /**
     * Sets the number of decoder blocks.
     *
     * @param v the number of layers
     * @return this builder
     */
    public Builder layers(int v) {
      this.layers = v;
      return this;
    }

    /**
     * Sets the number of attention heads.
     *
     * @param v the number of heads
     * @return this builder
     */
    public Builder heads(int v) {
      this.heads = v;
      return this;
    }

    /**
     * Sets the MLP hidden width; unset means 4·dModel.
     *
     * @param v the hidden width
     * @return this builder
     */
    public Builder mlpHidden(int v) {
      this.mlpHidden = v;
      return this;
    }

    /**
     * Sets the longest accepted sequence.
     *
     * @param v the maximum length in tokens
     * @return this builder
     */
    public Builder maxLength(int v) {
      this.maxLength = v;
      return this;
    }

    /**
     * Sets the position encoding.
     *
     * @param v the position encoding
     * @return this builder
     */
    public Builder positions(PositionEncoding v) {
      this.positions = v;
      return this;
    }

    /**
     * Sets the rotary base.
     *
     * @param v the base of the rotary frequencies
     * @return this builder
     */
    public Builder ropeBase(float v) {
      this.ropeBase = v;
      return this;
    }

    /**
     * Sets the dropout rate used while training.
     *
     * @param v the dropout rate in [0, 1)
     * @return this builder
     */
    public Builder dropout(float v) {
      this.dropout = v;
      return this;
    }

    /**
     * Sets the layer-norm epsilon.
     *
     * @param v the epsilon
     * @return this builder
     */
    public Builder layerNormEps(float v) {
      this.layerNormEps = v;
      return this;
    }

    /**
     * Sets the standard deviation of the weight initialisation.
     *
     * @param v the standard deviation
     * @return this builder
     */
    public Builder initStd(float v) {
      this.initStd = v;
      return this;
    }

    /**
     * Validates and builds the configuration.
     *
     * @return the configuration
     */
    public DecoderConfig build() {
      return new DecoderConfig(vocabSize, dModel, layers, heads, mlpHidden > 0 ? mlpHidden : 4 * dModel,
          maxLength, positions, ropeBase, dropout, layerNormEps, initStd);
    }
  }
}
