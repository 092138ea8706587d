package io.github.sipf4j.orpo.model;

import ai.djl.ndarray.types.DataType;
import com.google.common.base.Preconditions;

/**
 * How {@link CausalLms#load(java.nio.file.Path, ai.djl.Device, LoadOptions)} materialises a model: the data type of
 * its parameters and computations. The default, {@link #DEFAULT_DTYPE}, suits CPUs and training; float16 halves the
 * memory on GPUs. Logits are float32 whatever the type (the {@link CausalLm} contract).
 *
 * <p>bfloat16 is not offered: DJL 0.36's PyTorch engine has no bfloat16 in its type table and aborts the process on
 * the first bfloat16 array. Checkpoints stored in bfloat16 still load (exactly, widened to float32, or rounded to
 * float16).
 *
 * <pre>{@code
 * LoadOptions half = LoadOptions.builder().dtype(DataType.FLOAT16).build();
 * try (CausalLm lm = CausalLms.load(Path.of("Qwen2.5-0.5B"), Device.gpu(), half)) { ... }
 * }</pre>
 *
 * @param dtype the parameter and compute type: {@link DataType#FLOAT32} or {@link DataType#FLOAT16}
 */
public record LoadOptions(DataType dtype) {

  /** The default data type, float32. */
  public static final DataType DEFAULT_DTYPE = DataType.FLOAT32;

  /**
   * Checks the options.
   *
   * @param dtype the parameter and compute type
   * @throws IllegalArgumentException if the type is neither float32 nor float16
   */
  public LoadOptions {
    Preconditions.checkArgument(dtype != null, "dtype is required");
    Preconditions.checkArgument(dtype != DataType.BFLOAT16,
        "dtype bfloat16 is not supported: DJL 0.36's PyTorch engine cannot hold bfloat16 arrays; use float32, or "
            + "float16 on a GPU (bfloat16 checkpoints load into either)");
    Preconditions.checkArgument(dtype == DataType.FLOAT32 || dtype == DataType.FLOAT16,
        "dtype must be float32 or float16, got %s", dtype);
  }

  /**
   * Returns the default options: float32.
   *
   * @return the defaults
   */
  public static LoadOptions defaults() {
    return new LoadOptions(DEFAULT_DTYPE);
  }

  /**
   * Returns a builder holding the defaults.
   *
   * @return a new builder
   */
  public static Builder builder() {
    return new Builder();
  }

  /** Builds {@link LoadOptions}. */
  public static final class Builder {
    private DataType dtype = DEFAULT_DTYPE;

    private Builder() {}

    /**
     * Sets the parameter and compute type (default {@link LoadOptions#DEFAULT_DTYPE}).
     *
     * @param v float32 or float16
     * @return this builder
     */
    public Builder dtype(DataType v) {
      this.dtype = v;
      return this;
    }

    /**
     * Builds the options.
     *
     * @return the options
     * @throws IllegalArgumentException if the type is neither float32 nor float16
     */
    public LoadOptions build() {
      return new LoadOptions(dtype);
    }
  }
}
