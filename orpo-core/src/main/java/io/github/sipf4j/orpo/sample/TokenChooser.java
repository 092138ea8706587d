package io.github.sipf4j.orpo.sample;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDArrays;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.NDScope;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import io.github.sipf4j.orpo.util.Scalars;

/**
 * Chooses the next token of every row from its logits on the device the logits live on, and reads back only what
 * the host needs: per row the chosen id and the numbers its two log-probabilities are made of, in one transfer of
 * {@code 5 * rows} doubles (2 for greedy decoding).
 *
 * <p>The draw. Hugging Face's order: the logits \( z \) are divided by the temperature, \( s = z / T \); top-k keeps
 * the logits at or above the k-th largest (ties at the boundary are all kept, as {@code TopKLogitsWarper} does); top-p
 * then keeps a token when the probability mass of the tokens ranked above it, renormalised over the top-k survivors, is
 * below {@code topP} (equal logits are kept or dropped together, whatever order a sort puts them in). The kept tokens
 * get the float32 weights \( w_i = e^{s_i - \max s} \) (0 for the others), and the token is drawn by inverse-CDF
 * sampling with one uniform \( u \in (0, 1) \) per row: the first \( i \) whose running sum
 * \( c_i = \sum_{j \le i} w_j \), taken in float64 in vocabulary order, reaches \( u \, c_{V-1} \). That draws token
 * \( i \) with probability \( w_i / \sum_j w_j \), the filtered softmax. Up to {@value #FLAT_MAX} ids the running sums
 * run over the whole vocabulary; above, the draw goes in two levels ({@link #drawInBlocks}): a block of {@value #BLOCK}
 * consecutive ids, then the token within it, so that no (rows, vocabulary) float64 array is made. The draw departs from
 * the exact distribution only where float32 does anyway: a block sum is a float32 sum, off by about \( 10^{-7} \) of
 * itself like the weights it adds up; a weight that underflows float32 (\( s_i - \max s &lt; -103 \)) is 0; and
 * \( u \) has 53 random bits. (Float32 running sums over the whole vocabulary would instead round every boundary to
 * about \( 6 \cdot 10^{-8} \) of the total: at 256k ids, tokens of probability \( 10^{-6} \) would be off by several
 * percent.)
 *
 * <p>Why this method. The Gumbel-max trick needs a uniform per row and vocabulary entry, and DJL has no seeded
 * device-side generator that could make them per row: the engine's generator is process-wide, so its numbers would
 * depend on the batch. Drawing them on the host made {@code rows * vocab} floats and a host-to-device copy per token
 * (64 MB per step at 64 rows and a 256k vocabulary). Inverse-CDF sampling needs one uniform per row, drawn on the host
 * from the row's own stream and uploaded as a {@code (rows, 1)} array: the same numbers reach a row whatever the batch,
 * the chunking, compaction or the other prompts, and everything else stays on the device. Each operation here works
 * row by row, so a row's result does not depend on the rows beside it.
 *
 * <p>The log-probabilities (see {@link Sample}): the raw one is the log-softmax of the unscaled, unfiltered logits at
 * the chosen id, computed on the device in float32 exactly as {@link io.github.sipf4j.orpo.loss.SequenceLogProbs}
 * computes it; the sampling one is \( s_t - \max s - \log \sum_j w_j \), finished on the host in double precision.
 * With temperature 1 and no filter the two are the same quantity and the raw one is not computed again.
 *
 * <p>A chooser belongs to one sampling job: it holds a few scalar arrays on the model's device, made once instead of
 * per token, and is closed with the job. Not thread-safe.
 */
final class TokenChooser implements AutoCloseable {

  /** Vocabularies of more ids than this are drawn in two levels (see {@link #drawInBlocks}). */
  static final int FLAT_MAX = 16_384;

  /** The block size of the two-level draw. */
  static final int BLOCK = 512;

  /** The choices of one step, in row order. */
  static final class Choices {
    final long[] tokens;
    final float[] logProbs;
    final float[] samplingLogProbs;

    Choices(int rows) {
      tokens = new long[rows];
      logProbs = new float[rows];
      samplingLogProbs = new float[rows];
    }
  }

  private final NDManager manager;
  private final boolean greedy;
  private final int topK;
  private final boolean topP;
  private final boolean rawIsSampling;
  private final NDArray inverseTemperature;
  private final NDArray topPMass;
  private final NDArray zero;
  private final NDArray positiveInfinity;
  /** The number of blocks of the two-level draw, or 0 for the flat draw. */
  private final int blocks;
  private final int fullBlocks;
  private final NDArray blockSize;
  private final NDArray blockOffsets;
  private final NDArray vocabSize;
  private final NDArray lastId;

  /**
   * Prepares the scalars of a job.
   *
   * @param parent the model's manager (its device is where the logits live)
   * @param config the sampling configuration
   * @param vocab the vocabulary size
   */
  TokenChooser(NDManager parent, SamplingConfig config, int vocab) {
    this.manager = parent.newSubManager();
    this.greedy = config.greedy();
    this.topK = config.topK() > 0 && config.topK() < vocab ? config.topK() : 0;
    this.topP = config.topP() < 1f;
    this.rawIsSampling = !greedy && config.temperature() == 1f && topK == 0 && !topP;
    try {
      this.inverseTemperature = greedy || config.temperature() == 1f ? null
          : scalar(1.0 / config.temperature());
      this.topPMass = topP ? scalar(config.topP()) : null;
      this.zero = scalar(0);
      this.positiveInfinity = scalar(Double.POSITIVE_INFINITY);
      boolean twoLevels = vocab > FLAT_MAX && !greedy;
      this.blocks = twoLevels ? (vocab + BLOCK - 1) / BLOCK : 0;
      this.fullBlocks = vocab / BLOCK;
      this.blockSize = twoLevels ? kept(Scalars.of(manager, BLOCK, DataType.INT64)) : null;
      this.blockOffsets = twoLevels ? kept(manager.arange(0, BLOCK, 1, DataType.INT64).reshape(1, BLOCK)) : null;
      this.vocabSize = twoLevels ? kept(Scalars.of(manager, vocab, DataType.INT64)) : null;
      this.lastId = twoLevels ? kept(Scalars.of(manager, vocab - 1, DataType.INT64)) : null;
    } catch (RuntimeException e) {
      manager.close();
      throw e;
    }
  }

  /** A float32 scalar of this job. */
  private NDArray scalar(double value) {
    return kept(Scalars.of(manager, value, DataType.FLOAT32));
  }

  /** Takes an array of this job out of any caller's {@link NDScope}: it lives until {@link #close()}. */
  private static NDArray kept(NDArray a) {
    NDScope.unregister(a);
    return a;
  }

  /**
   * Chooses one token per row. Every array made here belongs to the caller's current scope (the sampler runs each
   * step in its own {@link NDScope}).
   *
   * @param logits the next-token logits, shape (rows, vocab), any floating-point type
   * @param uniforms one uniform in (0, 1) per row, from the row's own stream; ignored (may be null) when greedy
   * @return the chosen ids and their log-probabilities
   */
  Choices choose(NDArray logits, double[] uniforms) {
    int rows = (int) logits.getShape().get(0);
    NDArray z = logits.toType(DataType.FLOAT32, false);
    Choices out = new Choices(rows);
    if (greedy) {
      NDArray token = z.argMax(1).expandDims(1);
      NDArray raw = z.logSoftmax(1).gather(token, 1);
      double[] host = token.toType(DataType.FLOAT64, false).concat(raw.toType(DataType.FLOAT64, false), 1)
          .toDoubleArray();
      for (int i = 0; i < rows; i++) {
        out.tokens[i] = (long) host[2 * i];
        out.logProbs[i] = (float) host[2 * i + 1];
      }
      return out;
    }
    NDArray s = inverseTemperature == null ? z : z.mul(inverseTemperature);
    NDArray max = s.max(new int[] {1}, true);
    NDArray weights = s.sub(max).exp();
    if (topK > 0 || topP) {
      weights = filter(s, max, weights);
    }
    NDArray u = z.getManager().create(uniforms, new Shape(rows, 1));
    NDList drawn = blocks == 0 ? drawFlat(weights, u) : drawInBlocks(weights, u);
    NDArray token = drawn.get(0);
    NDArray total = drawn.get(1);
    NDList parts = new NDList(token.toType(DataType.FLOAT64, false),
        s.gather(token, 1).toType(DataType.FLOAT64, false), max.toType(DataType.FLOAT64, false), total);
    if (!rawIsSampling) {
      parts.add(z.logSoftmax(1).gather(token, 1).toType(DataType.FLOAT64, false));
    }
    int width = parts.size();
    double[] host = NDArrays.concat(parts, 1).toDoubleArray();
    for (int i = 0; i < rows; i++) {
      int o = width * i;
      double sampling = host[o + 1] - host[o + 2] - Math.log(host[o + 3]);
      out.tokens[i] = (long) host[o];
      out.samplingLogProbs[i] = (float) sampling;
      out.logProbs[i] = rawIsSampling ? (float) sampling : (float) host[o + 4];
    }
    return out;
  }

  /**
   * Inverse-CDF draw over the whole vocabulary: float64 running sums of the weights, the first that reaches
   * {@code u} times the total.
   *
   * @param weights (rows, vocab) float32, not all 0 in a row
   * @param u (rows, 1) float64 uniforms
   * @return the chosen ids (rows, 1) int64 and the total weights (rows, 1) float64
   */
  private static NDList drawFlat(NDArray weights, NDArray u) {
    NDArray cdf = weights.toType(DataType.FLOAT64, false).cumSum(1);
    NDArray total = cdf.max(new int[] {1}, true); // the last running sum: they never decrease
    return new NDList(firstReaching(cdf, u.mul(total)), total);
  }

  /**
   * Inverse-CDF draw in two levels, for large vocabularies: the weights are summed in blocks of {@value #BLOCK}
   * consecutive ids (the last block may be shorter), a block is drawn from the float64 running sums of the block
   * sums, and the token within the block from the float64 running sums of its weights, the target carried over in
   * proportion. This reads the (rows, vocab) weights twice and makes no (rows, vocab) array of running sums, where the
   * flat draw makes two float64 ones: at 64 rows and 256k ids that is 256 MB less memory traffic per token. A block
   * sum is a float32 sum of at most {@value #BLOCK} weights (relative error about \( 10^{-7} \), the precision of the
   * float32 weights themselves), so a block is drawn with its probability to within that, and a token within its
   * block exactly.
   *
   * @param weights (rows, vocab) float32, not all 0 in a row
   * @param u (rows, 1) float64 uniforms
   * @return the chosen ids (rows, 1) int64 and the total weights (rows, 1) float64
   */
  private NDList drawInBlocks(NDArray weights, NDArray u) {
    int rows = (int) weights.getShape().get(0);
    NDList split = weights.split(new long[] {fullBlocks * (long) BLOCK}, 1);
    NDArray blockSums = split.get(0).reshape(rows, fullBlocks, BLOCK).sum(new int[] {2});
    if (fullBlocks < blocks) {
      blockSums = blockSums.concat(split.get(1).sum(new int[] {1}, true), 1);
    }
    NDArray sums = blockSums.toType(DataType.FLOAT64, false);
    NDArray cumulative = sums.cumSum(1);
    NDArray total = cumulative.max(new int[] {1}, true);
    NDArray target = u.mul(total);
    NDArray block = firstReaching(cumulative, target);
    NDArray blockSum = sums.gather(block, 1);
    NDArray before = cumulative.gather(block, 1).sub(blockSum);
    NDArray ids = block.mul(blockSize).add(blockOffsets); // (rows, BLOCK)
    NDArray inBlock;
    if (fullBlocks < blocks) {
      // Ids past the vocabulary (in the short last block) read the last id and weigh 0.
      inBlock = NDArrays.where(ids.lt(vocabSize), weights.gather(ids.minimum(lastId), 1), zero);
    } else {
      inBlock = weights.gather(ids, 1);
    }
    NDArray running = inBlock.toType(DataType.FLOAT64, false).cumSum(1);
    NDArray blockTotal = running.max(new int[] {1}, true);
    NDArray within = target.sub(before).div(blockSum).mul(blockTotal).minimum(blockTotal);
    return new NDList(block.mul(blockSize).add(firstReaching(running, within)), total);
  }

  /** The index of the first running sum at or above the target, per row: (rows, 1) int64. */
  private static NDArray firstReaching(NDArray running, NDArray target) {
    // argMax returns the first maximum; on bytes, not booleans, which it does not take.
    return running.gte(target).toType(DataType.UINT8, false).argMax(1).expandDims(1);
  }

  /**
   * Zeroes the weights of the tokens that top-k and top-p remove.
   *
   * @param s the scaled logits (rows, vocab)
   * @param max their row maxima (rows, 1)
   * @param weights \( e^{s - \max s} \), (rows, vocab)
   * @return the weights of the kept tokens, 0 elsewhere
   */
  private NDArray filter(NDArray s, NDArray max, NDArray weights) {
    int vocab = (int) s.getShape().get(1);
    NDArray sorted = s.topK(topK > 0 ? topK : vocab, 1, true, true).get(0);
    NDArray kept = weights;
    if (topK > 0) {
      NDArray kth = sorted.min(new int[] {1}, true);
      kept = NDArrays.where(s.gte(kth), weights, zero);
    }
    if (!topP) {
      return kept;
    }
    NDArray mass = kept.sum(new int[] {1}, true);
    NDArray sortedWeights = sorted.sub(max).exp();
    NDArray before = sortedWeights.cumSum(1).sub(sortedWeights);
    NDArray threshold = NDArrays.where(before.lt(mass.mul(topPMass)), sorted, positiveInfinity)
        .min(new int[] {1}, true);
    return NDArrays.where(s.gte(threshold), kept, zero);
  }

  /** Releases the scalars. */
  @Override
  public void close() {
    manager.close();
  }
}
