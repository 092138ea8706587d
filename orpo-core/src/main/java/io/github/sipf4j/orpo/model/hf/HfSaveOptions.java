package io.github.sipf4j.orpo.model.hf;

import ai.djl.ndarray.types.DataType;
import com.google.common.base.Preconditions;

/**
 * How {@link HfCausalLm#save(java.nio.file.Path, HfSaveOptions)} writes a model folder.
 *
 * @param dtype the type the weights are written in: float32, float16 or bfloat16 (rounded to nearest even on the
 *     host), or null for the model's own type (the default)
 * @param maxShardBytes above this many bytes of weights the checkpoint is split into shards of at most this size
 *     (a single larger tensor gets a shard of its own) with a {@code model.safetensors.index.json}; default {@link
 *     #DEFAULT_MAX_SHARD_BYTES}
 */
public record HfSaveOptions(DataType dtype, long maxShardBytes) {

  /** The default shard limit, 5 GB, Hugging Face's {@code max_shard_size="5GB"}. */
  public static final long DEFAULT_MAX_SHARD_BYTES = 5_000_000_000L;

  /**
   * Checks the options.
   *
   * @param dtype see the record
   * @param maxShardBytes see the record
   * @throws IllegalArgumentException if the type is not a supported float type or the limit is not positive
   */
  public HfSaveOptions {
    Preconditions.checkArgument(dtype == null || dtype == DataType.FLOAT32 || dtype == DataType.FLOAT16
        || dtype == DataType.BFLOAT16, "dtype must be float32, float16, bfloat16 or null, got %s", dtype);
    Preconditions.checkArgument(maxShardBytes > 0, "maxShardBytes must be positive, got %s", maxShardBytes);
  }

  /**
   * Returns the defaults: the model's own type, shards of at most 5 GB.
   *
   * @return the defaults
   */
  public static HfSaveOptions defaults() {
    return new HfSaveOptions(null, DEFAULT_MAX_SHARD_BYTES);
  }

  /**
   * Returns a builder holding the defaults.
   *
   * @return a new builder
   */
  public static Builder builder() {
    return new Builder();
  }

  /** Builds {@link HfSaveOptions}. */
  public static final class Builder {
    private DataType dtype;
    private long maxShardBytes = DEFAULT_MAX_SHARD_BYTES;

    private Builder() {}

    /**
     * Sets the type of the written weights (default: the model's own).
     *
     * @param v float32, float16, bfloat16, or null for the model's own type
     * @return this builder
     */
    public Builder dtype(DataType v) {
      this.dtype = v;
      return this;
    }

    /**
     * Sets the shard limit (default {@link HfSaveOptions#DEFAULT_MAX_SHARD_BYTES}).
     *
     * @param v the largest shard, in bytes of tensor data
     * @return this builder
     */
    public Builder maxShardBytes(long v) {
      this.maxShardBytes = v;
      return this;
    }

    /**
     * Builds the options.
     *
     * @return the options
     */
    public HfSaveOptions build() {
      return new HfSaveOptions(dtype, maxShardBytes);
    }
  }
}
