package io.github.sipf4j.testkit;

import ai.djl.engine.Engine;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import ai.djl.nn.Parameter;
import ai.djl.training.GradientCollector;
import ai.djl.util.Pair;
import io.github.sipf4j.orpo.model.CausalLm;
import io.github.sipf4j.orpo.model.CausalLmKind;
import io.github.sipf4j.orpo.model.CausalLms;
import io.github.sipf4j.orpo.model.KvCache;
import java.io.IOException;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.SplittableRandom;

/**
 * The checks of the {@link CausalLm} contract, one static method each, for use inside or outside JUnit: each throws
 * an {@link AssertionError} whose message names the check, the shapes and the largest difference found. {@link
 * CausalLmContract} runs them as JUnit 5 tests.
 *
 * <p>Token ids are drawn from a seeded generator in {@code [0, idLimit)}; padding positions hold id 0 (a model must
 * ignore whatever a masked position holds). Logits are compared with an absolute-or-relative tolerance:
 * \( |a - b| \le \mathrm{tol} \cdot \max(1, |b|) \).
 */
public final class CausalLmChecks {

  /** The tolerance {@link CausalLmContract} uses unless told otherwise: float32 noise of a few reductions. */
  public static final double DEFAULT_TOLERANCE = 1e-4;

  private CausalLmChecks() {}

  /**
   * Checks the shapes and types of {@link CausalLm#forward} and, where offered, {@link CausalLm#forwardHidden}: a
   * (2, T) int64 batch gives float32 logits of shape (2, T, vocab) and float32 hidden states of shape (2, T, hidden),
   * all finite; {@link CausalLm#vocabSize()} and {@link CausalLm#maxLength()} are positive.
   *
   * @param model the model
   * @param idLimit token ids are drawn below this (at most the vocabulary size)
   */
  public static void shapesAndTypes(CausalLm model, int idLimit) {
    check(model.vocabSize() > 0, "vocabSize() must be positive, got %d", model.vocabSize());
    check(model.maxLength() > 0, "maxLength() must be positive, got %d", model.maxLength());
    int t = Math.min(6, model.maxLength());
    try (NDManager m = model.getManager().newSubManager()) {
      long[][] ids = randomIds(new SplittableRandom(1), 2, t, limit(model, idLimit));
      NDArray input = m.create(ids);
      NDArray mask = m.ones(new Shape(2, t), DataType.INT64);
      NDArray logits = model.forward(input, mask, false);
      expectShape("forward", logits, new Shape(2, t, model.vocabSize()));
      check(logits.getDataType() == DataType.FLOAT32, "forward must return float32 logits, got %s",
          logits.getDataType());
      expectFinite("forward", logits.toFloatArray());
      if (model.supportsHiddenStates()) {
        NDArray hidden = model.forwardHidden(input, mask, false);
        expectShape("forwardHidden", hidden, new Shape(2, t, model.hiddenSize()));
        check(hidden.getDataType() == DataType.FLOAT32, "forwardHidden must return float32, got %s",
            hidden.getDataType());
        expectFinite("forwardHidden", hidden.toFloatArray());
      }
    }
  }

  /**
   * Checks padding invariance: in a batch of a longer and a shorter sequence, padded on the right or on the left,
   * every real token's logits equal those of the sequence run alone without padding. This holds only for a model
   * that derives positions from the attention mask (samplers left-pad prompts).
   *
   * @param model the model
   * @param left true to pad on the left, false on the right
   * @param idLimit token ids are drawn below this
   * @param tolerance the tolerance of the comparison
   */
  public static void paddingInvariance(CausalLm model, boolean left, int idLimit, double tolerance) {
    int longLen = Math.min(9, model.maxLength());
    int shortLen = Math.max(1, longLen - 4);
    SplittableRandom r = new SplittableRandom(left ? 2 : 3);
    long[] a = randomIds(r, 1, longLen, limit(model, idLimit))[0];
    long[] b = randomIds(r, 1, shortLen, limit(model, idLimit))[0];
    try (NDManager m = model.getManager().newSubManager()) {
      float[] aloneA = forwardAlone(model, m, a);
      float[] aloneB = forwardAlone(model, m, b);
      long[][] ids = new long[2][longLen];
      long[][] mask = new long[2][longLen];
      ids[0] = a;
      Arrays.fill(mask[0], 1);
      int offset = left ? longLen - shortLen : 0;
      System.arraycopy(b, 0, ids[1], offset, shortLen);
      Arrays.fill(mask[1], offset, offset + shortLen, 1);
      NDArray logits = model.forward(m.create(ids), m.create(mask), false);
      expectShape("forward", logits, new Shape(2, longLen, model.vocabSize()));
      float[] got = logits.toFloatArray();
      int v = model.vocabSize();
      String what = (left ? "left" : "right") + " padding";
      compare(what + ", unpadded row", aloneA, 0, got, 0, longLen * v, tolerance);
      compare(what + ", padded row (" + shortLen + " of " + longLen + " tokens real)", aloneB, 0, got,
          (longLen + offset) * v, shortLen * v, tolerance);
    }
  }

  /**
   * Checks that incremental decoding with the model's cache gives the logits of the full forward pass: a batch of
   * two rows fed as a prompt of three tokens and then one token at a time. Models without a cache pass trivially.
   *
   * @param model the model
   * @param idLimit token ids are drawn below this
   * @param tolerance the tolerance of the comparison
   */
  public static void cacheEqualsFullForward(CausalLm model, int idLimit, double tolerance) {
    if (!model.supportsKvCache()) {
      return;
    }
    int t = Math.min(8, model.maxLength());
    int prompt = Math.min(3, t);
    long[][] ids = randomIds(new SplittableRandom(4), 2, t, limit(model, idLimit));
    int v = model.vocabSize();
    try (NDManager m = model.getManager().newSubManager();
        KvCache cache = model.newCache(2)) {
      cache.reserve(t);
      float[] full = model.forward(m.create(ids), m.ones(new Shape(2, t), DataType.INT64), false).toFloatArray();
      for (int from = 0; from < t; ) {
        int to = from == 0 ? prompt : from + 1;
        long[][] piece = new long[2][];
        for (int row = 0; row < 2; row++) {
          piece[row] = Arrays.copyOfRange(ids[row], from, to);
        }
        NDArray logits = model.forwardCached(m.create(piece), m.ones(new Shape(2, to - from), DataType.INT64), cache);
        expectShape("forwardCached", logits, new Shape(2, to - from, v));
        float[] got = logits.toFloatArray();
        for (int row = 0; row < 2; row++) {
          compare("cached positions " + from + ".." + (to - 1) + " of row " + row, full, (row * t + from) * v, got,
              row * (to - from) * v, (to - from) * v, tolerance);
        }
        check(cache.length() == to, "after %d tokens the cache reports length %d", to, cache.length());
        from = to;
      }
    }
  }

  /**
   * Checks the cache on a ragged batch, the way samplers use it: two prompts of different lengths, left-padded to a
   * common width, then three decoding steps, then {@link KvCache#selectRows} with rows {@code {1, 0, 1}} (a row may
   * repeat) and two more steps with different tokens per row. Every real token's logits must equal those of its
   * sequence run alone through {@link CausalLm#forward}. Models without a cache pass trivially.
   *
   * @param model the model
   * @param idLimit token ids are drawn below this
   * @param tolerance the tolerance of the comparison
   */
  public static void raggedCacheAndSelectRows(CausalLm model, int idLimit, double tolerance) {
    if (!model.supportsKvCache()) {
      return;
    }
    int width = 5;
    int shorter = 3;
    int steps = 3;
    int after = 2;
    if (width + steps + after > model.maxLength()) {
      return; // too short a model for this check; the plain cache check covers it
    }
    int limit = limit(model, idLimit);
    SplittableRandom r = new SplittableRandom(5);
    long[][] seqs = {randomIds(r, 1, width, limit)[0], randomIds(r, 1, shorter, limit)[0]};
    int v = model.vocabSize();
    try (NDManager m = model.getManager().newSubManager();
        KvCache cache = model.newCache(2)) {
      long[][] ids = new long[2][width];
      long[][] mask = new long[2][width];
      ids[0] = seqs[0].clone();
      Arrays.fill(mask[0], 1);
      System.arraycopy(seqs[1], 0, ids[1], width - shorter, shorter);
      Arrays.fill(mask[1], width - shorter, width, 1);
      float[] got = model.forwardCached(m.create(ids), m.create(mask), cache).toFloatArray();
      for (int row = 0; row < 2; row++) {
        int real = seqs[row].length;
        compare("ragged prompt, row " + row, forwardAlone(model, m, seqs[row]), 0, got,
            (row * width + width - real) * v, real * v, tolerance);
      }
      for (int s = 0; s < steps + after; s++) {
        if (s == steps) {
          cache.selectRows(new int[] {1, 0, 1});
          seqs = new long[][] {seqs[1], seqs[0], seqs[1].clone()};
        }
        int rows = seqs.length;
        long[][] next = randomIds(r, rows, 1, limit);
        NDArray logits = model.forwardCached(m.create(next), m.ones(new Shape(rows, 1), DataType.INT64), cache);
        expectShape("forwardCached", logits, new Shape(rows, 1, v));
        got = logits.toFloatArray();
        for (int row = 0; row < rows; row++) {
          seqs[row] = append(seqs[row], next[row][0]);
          float[] alone = forwardAlone(model, m, seqs[row]);
          compare("ragged decoding step " + s + (s >= steps ? " after selectRows {1, 0, 1}" : "") + ", row " + row,
              alone, (seqs[row].length - 1) * v, got, row * v, v, tolerance);
        }
      }
    }
  }

  /**
   * Checks that {@link CausalLm#save} writes a folder that the registry of model kinds recognises and that {@link
   * CausalLms#load} turns back into a model with the same sizes and the same logits.
   *
   * @param model the model
   * @param dir an empty directory to save into
   * @param idLimit token ids are drawn below this
   * @param tolerance the tolerance of the comparison
   * @throws IOException if saving or loading fails
   */
  public static void saveLoadRoundTrip(CausalLm model, Path dir, int idLimit, double tolerance) throws IOException {
    model.save(dir);
    CausalLmKind kind;
    try {
      kind = CausalLms.recognise(dir);
    } catch (IOException e) {
      throw new AssertionError("no registered model kind recognises what " + model.getClass().getSimpleName()
          + ".save wrote (register a CausalLmKind through META-INF/services): " + e.getMessage(), e);
    }
    int t = Math.min(7, model.maxLength());
    long[][] ids = randomIds(new SplittableRandom(6), 2, t, limit(model, idLimit));
    try (CausalLm loaded = CausalLms.load(dir, model.getDevice())) {
      check(loaded.vocabSize() == model.vocabSize(), "kind %s loaded vocabSize %d, saved %d", kind.name(),
          loaded.vocabSize(), model.vocabSize());
      check(loaded.maxLength() == model.maxLength(), "kind %s loaded maxLength %d, saved %d", kind.name(),
          loaded.maxLength(), model.maxLength());
      float[] before;
      float[] after;
      try (NDManager m = model.getManager().newSubManager()) {
        before = model.forward(m.create(ids), m.ones(new Shape(2, t), DataType.INT64), false).toFloatArray();
      }
      try (NDManager m = loaded.getManager().newSubManager()) {
        after = loaded.forward(m.create(ids), m.ones(new Shape(2, t), DataType.INT64), false).toFloatArray();
      }
      compare("logits after save and CausalLms.load (kind " + kind.name() + ")", before, 0, after, 0, before.length,
          tolerance);
    }
  }

  /**
   * Checks that the mean next-token cross-entropy of a batch has a finite gradient for every trainable parameter,
   * and a non-zero one for at least one. The model's gradients are left accumulated; use a fresh model afterwards
   * or zero them.
   *
   * @param model the model
   * @param idLimit token ids are drawn below this
   */
  public static void finiteGradients(CausalLm model, int idLimit) {
    List<Pair<String, Parameter>> params = model.trainableParameters();
    check(!params.isEmpty(), "trainableParameters() is empty: nothing could be trained");
    int t = Math.min(6, model.maxLength());
    long[][] ids = randomIds(new SplittableRandom(7), 2, t, limit(model, idLimit));
    try (NDManager m = model.getManager().newSubManager()) {
      try (GradientCollector gc = Engine.getInstance().newGradientCollector()) {
        NDArray logits = model.forward(m.create(ids), m.ones(new Shape(2, t), DataType.INT64), true);
        NDArray logp = logits.get(":, :-1, :").logSoftmax(2);
        NDArray targets = m.create(ids).get(":, 1:").expandDims(2);
        NDArray loss = logp.gather(targets, 2).mean().neg();
        gc.backward(loss);
      }
      boolean anyNonZero = false;
      for (Pair<String, Parameter> p : params) {
        NDArray w = p.getValue().getArray();
        check(w.hasGradient(), "trainable parameter %s has no gradient attached", p.getKey());
        float[] g = w.getGradient().toType(DataType.FLOAT32, false).toFloatArray();
        for (int i = 0; i < g.length; i++) {
          check(Float.isFinite(g[i]), "gradient of %s %s is %s at flat index %d", p.getKey(), w.getShape(), g[i], i);
          anyNonZero |= g[i] != 0f;
        }
      }
      check(anyNonZero, "every gradient of the %d trainable parameters is zero", params.size());
    }
  }

  private static float[] forwardAlone(CausalLm model, NDManager m, long[] ids) {
    NDArray logits = model.forward(m.create(new long[][] {ids}), m.ones(new Shape(1, ids.length), DataType.INT64),
        false);
    expectShape("forward", logits, new Shape(1, ids.length, model.vocabSize()));
    return logits.toFloatArray();
  }

  private static long[] append(long[] a, long x) {
    long[] out = Arrays.copyOf(a, a.length + 1);
    out[a.length] = x;
    return out;
  }

  private static int limit(CausalLm model, int idLimit) {
    return Math.max(1, Math.min(idLimit, model.vocabSize()));
  }

  private static long[][] randomIds(SplittableRandom r, int rows, int t, int limit) {
    long[][] ids = new long[rows][t];
    for (long[] row : ids) {
      for (int i = 0; i < t; i++) {
        row[i] = r.nextInt(limit);
      }
    }
    return ids;
  }

  private static void compare(String what, float[] expected, int expectedFrom, float[] actual, int actualFrom,
      int count, double tolerance) {
    double worst = 0;
    int worstAt = -1;
    for (int i = 0; i < count; i++) {
      double e = expected[expectedFrom + i];
      double a = actual[actualFrom + i];
      double diff = Math.abs(a - e) / Math.max(1, Math.abs(e));
      if (!(diff <= worst)) {
        worst = diff;
        worstAt = i;
      }
    }
    check(worst <= tolerance, "%s: logits differ by %s (relative to max(1, |expected|)) at flat index %d, "
        + "tolerance %s", what, String.format(Locale.ROOT, "%.3g", worst), worstAt, tolerance);
  }

  private static void expectShape(String method, NDArray array, Shape expected) {
    check(array.getShape().equals(expected), "%s returned shape %s, the contract says %s", method, array.getShape(),
        expected);
  }

  private static void expectFinite(String method, float[] values) {
    for (int i = 0; i < values.length; i++) {
      check(Float.isFinite(values[i]), "%s returned %s at flat index %d", method, values[i], i);
    }
  }

  private static void check(boolean ok, String format, Object... args) {
    if (!ok) {
      throw new AssertionError(String.format(Locale.ROOT, format, args));
    }
  }
}
