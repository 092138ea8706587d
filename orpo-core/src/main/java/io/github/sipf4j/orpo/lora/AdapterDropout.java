package io.github.sipf4j.orpo.lora;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.NDScope;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import com.google.common.hash.Hasher;
import com.google.common.hash.Hashing;
import java.nio.charset.StandardCharsets;
import java.util.SplittableRandom;

/**
 * Dropout masks for adapter inputs that depend on keys alone, never on DJL's or PyTorch's global generator: the
 * mask of one projection in one forward pass is a function of the adapter's seed, the projection's module path and
 * the micro-batch's token ids and attention mask. A resumed run therefore draws the same masks as an uninterrupted
 * one, and nothing process-wide is seeded or read.
 *
 * <p>The mask of an input with {@code R} rows of {@code C} features is made on the input's device from {@code 2R + C}
 * 32-bit integers drawn on the host from a {@link SplittableRandom} of that key: \( h = (u_i + v_j)^2 + w_i \) and
 * \( z = h \cdot 2654435761 \), both with 32-bit wrap-around, and element \( (i, j) \) is kept when the top bits of
 * \( z \), read as a float, lie above the drop quantile; the adapter scales its product by \( 1/(1-p) \) (inverted
 * dropout, as PyTorch's), so the mask itself is one byte per element and its integer intermediates are freed at once.
 * The square mixes row and column terms, so that no small set of elements determines another (measured: keep rates
 * and neighbour correlations are those of independent draws at the sizes of the tests).
 */
final class AdapterDropout {

  /** An odd 32-bit multiplier (the golden ratio's), as a signed int. */
  private static final int MIX = 0x9E3779B1;

  private AdapterDropout() {}

  /** The key of one adapter: the seed and its module path. */
  static long adapterKey(long seed, String module) {
    Hasher h = Hashing.sha256().newHasher();
    h.putLong(seed).putString(module, StandardCharsets.UTF_8);
    return h.hash().asLong();
  }

  /** The key of one micro-batch: its token ids and attention mask, on the host. */
  static long batchKey(long[] ids, long[] mask, long rows) {
    Hasher h = Hashing.murmur3_128().newHasher();
    h.putLong(rows);
    for (long v : ids) {
      h.putLong(v);
    }
    for (long v : mask) {
      h.putLong(v);
    }
    return h.hash().asLong();
  }

  /**
   * Returns the keep mask for {@code like}: a boolean array of its shape on its manager, true where kept. The
   * intermediate integer arrays are released at once; the caller scales by \( 1/(1-p) \) (on the adapter's narrow
   * product, where it costs nothing).
   */
  static NDArray keep(NDArray like, double p, long adapterKey, long batchKey) {
    Shape shape = like.getShape();
    int cols = Math.toIntExact(shape.get(shape.dimension() - 1));
    int rows = Math.toIntExact(shape.size() / Math.max(1, cols));
    SplittableRandom r = new SplittableRandom(Hashing.sha256().newHasher().putLong(adapterKey).putLong(batchKey)
        .hash().asLong());
    int[] u = new int[rows];
    int[] w = new int[rows];
    int[] v = new int[cols];
    for (int i = 0; i < rows; i++) {
      u[i] = r.nextInt();
      w[i] = r.nextInt();
    }
    for (int j = 0; j < cols; j++) {
      v[j] = r.nextInt();
    }
    NDManager m = like.getManager();
    NDArray keep;
    try (NDScope scope = new NDScope()) {
      scope.suppressNotUsedWarning();
      NDArray x = m.create(u, new Shape(rows, 1)).add(m.create(v, new Shape(1, cols)));
      NDArray z = x.mul(x).add(m.create(w, new Shape(rows, 1))).mul(MIX);
      // a float32 holds the top 24 bits of z; z is uniform over [-2^31, 2^31)
      keep = z.toType(DataType.FLOAT32, false).gte(-0x1p31 + p * 0x1p32).reshape(shape);
      NDScope.unregister(keep);
    }
    NDScope.register(keep); // into the caller's scope, if there is one
    return keep;
  }

}
