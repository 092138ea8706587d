package io.github.sipf4j.orpo.util;

import com.google.common.base.Preconditions;
import com.google.common.hash.Hasher;
import com.google.common.hash.Hashing;
import java.nio.charset.StandardCharsets;
import java.util.SplittableRandom;
import java.util.function.ToDoubleFunction;
import java.util.stream.IntStream;

/**
 * Normally distributed initial weights from local random streams keyed by a seed and a parameter name, so that a
 * model's initialisation depends on nothing process-wide (DJL's engine generator is never seeded or read) and adding
 * or renaming one parameter leaves every other parameter's values unchanged.
 *
 * <p>A parameter's values are cut into chunks of {@value #CHUNK} elements; chunk {@code c} of parameter {@code name}
 * draws from its own {@link SplittableRandom} seeded by the first 8 bytes of SHA-256({@code seed}, {@code name},
 * {@code c}), with the JDK's ziggurat Gaussian. The chunks fill in parallel on the common fork-join pool; the values
 * are the same whatever the number of threads.
 */
public final class SeededNormal {

  /** Elements per independent stream: large enough to amortise a stream's set-up, small enough to share work. */
  public static final int CHUNK = 1 << 18;

  private SeededNormal() {}

  /**
   * Draws {@code count} values from \( \mathcal{N}(0, \sigma^2) \) for one parameter.
   *
   * @param seed the model's seed
   * @param name the parameter's name, which keys its streams
   * @param count the number of values
   * @param std the standard deviation \( \sigma \), non-negative
   * @return the values, in row-major order of the parameter
   */
  public static float[] sample(long seed, String name, int count, float std) {
    Preconditions.checkArgument(std >= 0 && Float.isFinite(std), "std must be finite and >= 0, got %s", std);
    return fill(seed, name, count, r -> r.nextGaussian() * std);
  }

  /**
   * Fills {@code count} values drawn by {@code draw} from the chunk streams of one parameter (shared with {@link
   * SeededUniform}).
   */
  static float[] fill(long seed, String name, int count, ToDoubleFunction<SplittableRandom> draw) {
    Preconditions.checkArgument(count >= 0, "count must be >= 0, got %s", count);
    float[] out = new float[count];
    int chunks = (count + CHUNK - 1) / CHUNK;
    IntStream range = IntStream.range(0, chunks);
    (chunks > 1 ? range.parallel() : range).forEach(c -> {
      SplittableRandom r = new SplittableRandom(streamSeed(seed, name, c));
      int end = Math.min(count, (c + 1) * CHUNK);
      for (int i = c * CHUNK; i < end; i++) {
        out[i] = (float) draw.applyAsDouble(r);
      }
    });
    return out;
  }

  /**
   * Returns the seed of one chunk's stream.
   *
   * @param seed the model's seed
   * @param name the parameter's name
   * @param chunk the chunk index
   * @return the first 8 bytes (little-endian) of SHA-256 over the seed, the UTF-8 name and the chunk index
   */
  static long streamSeed(long seed, String name, int chunk) {
    Hasher h = Hashing.sha256().newHasher();
    h.putLong(seed).putString(name, StandardCharsets.UTF_8).putInt(chunk);
    return h.hash().asLong();
  }
}
