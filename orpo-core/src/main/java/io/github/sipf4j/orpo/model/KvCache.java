package io.github.sipf4j.orpo.model;

/**
 * Keys and values of the tokens a {@link CausalLm} has already seen, for incremental decoding. A cache belongs to
 * the model that created it, holds one row per sequence, and owns its native memory: close it when done.
 */
public interface KvCache extends AutoCloseable {

  /**
   * Returns the number of rows (sequences).
   *
   * @return the batch size
   */
  int batchSize();

  /**
   * Returns the number of positions cached so far, padding included.
   *
   * @return the cached length
   */
  int length();

  /**
   * Tells the cache that it will grow to about {@code length} positions, so that it can allocate its memory once
   * instead of growing step by step. It is only a hint: the cache still grows past it when needed, and the default
   * does nothing.
   *
   * @param length the expected number of cached positions, padding included
   */
  default void reserve(int length) {}

  /**
   * Keeps the given rows, in the given order; a row may appear several times (this is how a shared prefix encoded
   * once is continued K times). The cache is changed in place.
   *
   * @param rows the indices of the rows to keep
   */
  void selectRows(int[] rows);

  /** Releases the cached arrays. */
  @Override
  void close();
}
