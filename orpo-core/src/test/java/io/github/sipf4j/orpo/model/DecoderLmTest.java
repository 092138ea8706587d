package io.github.sipf4j.orpo.model;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ai.djl.Device;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.index.NDIndex;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Random;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;
import org.junit.jupiter.params.provider.ValueSource;

class DecoderLmTest {

  static DecoderConfig small(PositionEncoding pos) {
    return DecoderConfig.builder().vocabSize(40).dModel(32).layers(2).heads(4).maxLength(48).positions(pos).build();
  }

  static long[][] randomIds(Random r, int b, int t, int vocab) {
    long[][] ids = new long[b][t];
    for (long[] row : ids) {
      for (int i = 0; i < t; i++) {
        row[i] = r.nextInt(vocab);
      }
    }
    return ids;
  }

  @ParameterizedTest(name = "seed {0}")
  @ValueSource(longs = {1, 2, 3, 4, 5})
  void changingALaterTokenLeavesEarlierLogitsBitIdentical(long seed) {
    Random r = new Random(seed);
    try (DecoderLm lm = DecoderLm.create(small(seed % 2 == 0 ? PositionEncoding.LEARNED : PositionEncoding.ROTARY),
            Device.cpu(), seed);
        NDManager m = lm.getManager().newSubManager()) {
      int t = 5 + r.nextInt(20);
      long[][] ids = randomIds(r, 2, t, 40);
      int cut = r.nextInt(t - 1);
      long[][] changed = new long[2][];
      for (int b = 0; b < 2; b++) {
        changed[b] = ids[b].clone();
        for (int i = cut + 1; i < t; i++) {
          changed[b][i] = (ids[b][i] + 1 + r.nextInt(39)) % 40;
        }
      }
      NDArray a = lm.forward(m.create(ids), m.ones(new ai.djl.ndarray.types.Shape(2, t)), false);
      NDArray c = lm.forward(m.create(changed), m.ones(new ai.djl.ndarray.types.Shape(2, t)), false);
      NDIndex upToCut = new NDIndex(":, :{}, :", cut + 1);
      assertArrayEquals(a.get(upToCut).toFloatArray(), c.get(upToCut).toFloatArray(), "seed " + seed + " cut " + cut);
      NDIndex after = new NDIndex(":, {}:, :", cut + 1);
      assertTrue(a.get(after).sub(c.get(after)).abs().max().getFloat() > 0, "later logits must change");
    }
  }

  @ParameterizedTest
  @EnumSource(PositionEncoding.class)
  void kvCacheMatchesFullForward(PositionEncoding pos) {
    Random r = new Random(7);
    try (DecoderLm lm = DecoderLm.create(small(pos), Device.cpu(), 11);
        NDManager m = lm.getManager().newSubManager()) {
      int t = 20;
      long[][] ids = randomIds(r, 3, t, 40);
      NDArray full = lm.forward(m.create(ids), m.ones(new ai.djl.ndarray.types.Shape(3, t)), false);
      try (KvCache cache = lm.newCache(3)) {
        int prefill = 7;
        NDArray first = lm.forwardCached(m.create(ids).get(":, :{}", prefill),
            m.ones(new ai.djl.ndarray.types.Shape(3, prefill)), cache);
        assertClose(full.get(":, :{}, :", prefill), first, 1e-5f);
        for (int i = prefill; i < t; i++) {
          NDArray step = lm.forwardCached(m.create(ids).get(":, {}:{}", i, i + 1),
              m.ones(new ai.djl.ndarray.types.Shape(3, 1)), cache);
          assertClose(full.get(":, {}:{}, :", i, i + 1), step, 1e-5f);
        }
        assertEquals(t, cache.length());
      }
    }
  }

  @ParameterizedTest
  @EnumSource(PositionEncoding.class)
  void kvCacheGrowsItsBuffersAndSelectsRowsWithoutChangingTheLogits(PositionEncoding pos) {
    Random r = new Random(17);
    try (DecoderLm lm = DecoderLm.create(small(pos), Device.cpu(), 13);
        NDManager m = lm.getManager().newSubManager()) {
      int t = 46;
      long[][] ids = randomIds(r, 3, t, 40);
      NDArray all = m.create(ids);
      NDArray full = lm.forward(all, m.ones(new ai.djl.ndarray.types.Shape(3, t)), false);
      // Rows 2, 0, 0 after the selection: row 0 duplicated, as a shared prefix continued twice.
      long[][] picked = {ids[2], ids[0], ids[0]};
      NDArray pickedFull = lm.forward(m.create(picked), m.ones(new ai.djl.ndarray.types.Shape(3, t)), false);
      try (KvCache cache = lm.newCache(3)) {
        lm.forwardCached(all.get(":, :2"), m.ones(new ai.djl.ndarray.types.Shape(3, 2)), cache);
        int cut = 40;
        for (int i = 2; i < cut; i++) {
          // No reserve: the buffers start small and grow twice on the way.
          NDArray step = lm.forwardCached(all.get(":, {}:{}", i, i + 1),
              m.ones(new ai.djl.ndarray.types.Shape(3, 1)), cache);
          assertClose(full.get(":, {}:{}, :", i, i + 1), step, 1e-5f);
        }
        cache.selectRows(new int[] {2, 0, 0});
        assertEquals(3, cache.batchSize());
        assertEquals(cut, cache.length());
        for (int i = cut; i < t; i++) {
          NDArray step = lm.forwardCached(m.create(picked).get(":, {}:{}", i, i + 1),
              m.ones(new ai.djl.ndarray.types.Shape(3, 1)), cache);
          assertClose(pickedFull.get(":, {}:{}, :", i, i + 1), step, 1e-5f);
        }
      }
      try (KvCache reserved = lm.newCache(1)) {
        reserved.reserve(1000);
        NDArray step = lm.forwardCached(all.get("0:1, :5"), m.ones(new ai.djl.ndarray.types.Shape(1, 5)), reserved);
        assertClose(full.get("0:1, :5, :"), step, 1e-5f);
      }
    }
  }

  @ParameterizedTest
  @EnumSource(PositionEncoding.class)
  void leftAndRightPaddingGiveTheSameLogitsForRealTokens(PositionEncoding pos) {
    Random r = new Random(3);
    try (DecoderLm lm = DecoderLm.create(small(pos), Device.cpu(), 5);
        NDManager m = lm.getManager().newSubManager()) {
      long[] real = randomIds(r, 1, 9, 40)[0];
      long[][] right = new long[1][12];
      long[][] left = new long[1][12];
      float[][] rightMask = new float[1][12];
      float[][] leftMask = new float[1][12];
      for (int i = 0; i < 9; i++) {
        right[0][i] = real[i];
        rightMask[0][i] = 1;
        left[0][i + 3] = real[i];
        leftMask[0][i + 3] = 1;
      }
      NDArray a = lm.forward(m.create(right), m.create(rightMask), false).get(":, :9, :");
      NDArray b = lm.forward(m.create(left), m.create(leftMask), false).get(":, 3:, :");
      assertClose(a, b, 1e-5f);
      // A row made only of padding stays finite.
      NDArray pad = lm.forward(m.zeros(new ai.djl.ndarray.types.Shape(1, 4), ai.djl.ndarray.types.DataType.INT64),
          m.zeros(new ai.djl.ndarray.types.Shape(1, 4)), false);
      assertTrue(Float.isFinite(pad.sum().getFloat()));
    }
  }

  @ParameterizedTest
  @EnumSource(PositionEncoding.class)
  void saveAndLoadGiveIdenticalLogits(PositionEncoding pos, @TempDir Path dir) throws IOException {
    Random r = new Random(9);
    long[][] ids = randomIds(r, 2, 10, 40);
    float[] before;
    try (DecoderLm lm = DecoderLm.create(small(pos), Device.cpu(), 21);
        NDManager m = lm.getManager().newSubManager()) {
      before = lm.forward(m.create(ids), m.ones(new ai.djl.ndarray.types.Shape(2, 10)), false).toFloatArray();
      lm.save(dir);
      assertEquals(small(pos).parameterCount(), lm.getBlock().getParameters().stream()
          .mapToLong(p -> p.getValue().getArray().size()).sum());
    }
    assertTrue(Files.exists(dir.resolve(DecoderLm.WEIGHTS_FILE)));
    try (DecoderLm lm = DecoderLm.load(dir, Device.cpu());
        NDManager m = lm.getManager().newSubManager()) {
      float[] after = lm.forward(m.create(ids), m.ones(new ai.djl.ndarray.types.Shape(2, 10)), false).toFloatArray();
      assertArrayEquals(before, after);
    }
    try (DecoderLm other = DecoderLm.create(small(pos), Device.cpu(), 99);
        NDManager m = other.getManager().newSubManager()) {
      other.loadWeights(dir.resolve(DecoderLm.WEIGHTS_FILE));
      float[] after = other.forward(m.create(ids), m.ones(new ai.djl.ndarray.types.Shape(2, 10)), false)
          .toFloatArray();
      assertArrayEquals(before, after);
    }
  }

  @ParameterizedTest
  @EnumSource(PositionEncoding.class)
  void hiddenStatesTimesTheTiedEmbeddingAreTheLogits(PositionEncoding pos) {
    Random r = new Random(17);
    try (DecoderLm lm = DecoderLm.create(small(pos), Device.cpu(), 8);
        NDManager m = lm.getManager().newSubManager()) {
      NDArray ids = m.create(randomIds(r, 2, 9, 40));
      NDArray hidden = lm.forwardHidden(ids, ids.onesLike(), false);
      assertEquals(new ai.djl.ndarray.types.Shape(2, 9, lm.hiddenSize()), hidden.getShape());
      NDArray wte = lm.getBlock().getParameters().get("wte.weight").getArray();
      assertClose(lm.forward(ids, ids.onesLike(), false), hidden.matMul(wte.transpose()), 1e-5f);
    }
  }

  @ParameterizedTest
  @ValueSource(ints = {49, 100})
  void rejectsSequencesLongerThanMaxLength(int t) {
    try (DecoderLm lm = DecoderLm.create(small(PositionEncoding.ROTARY), Device.cpu(), 1);
        NDManager m = lm.getManager().newSubManager()) {
      NDArray ids = m.zeros(new ai.djl.ndarray.types.Shape(1, t), ai.djl.ndarray.types.DataType.INT64);
      IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
          () -> lm.forward(ids, ids.onesLike(), false));
      assertTrue(e.getMessage().contains("maxLength"), e.getMessage());
    }
  }

  @Test
  void cachedStepsRejectAForeignCacheAWrongBatchAndTooManyTokensBeforeAnyWork() {
    try (DecoderLm lm = DecoderLm.create(small(PositionEncoding.ROTARY), Device.cpu(), 1);
        DecoderLm other = DecoderLm.create(small(PositionEncoding.ROTARY), Device.cpu(), 2);
        NDManager m = lm.getManager().newSubManager();
        KvCache cache = lm.newCache(2);
        KvCache foreign = other.newCache(2)) {
      NDArray two = m.zeros(new ai.djl.ndarray.types.Shape(2, 3), ai.djl.ndarray.types.DataType.INT64);
      String e = assertThrows(IllegalArgumentException.class,
          () -> lm.forwardCached(two, two.onesLike(), foreign)).getMessage();
      assertTrue(e.contains("not created by this model"), e);
      NDArray three = m.zeros(new ai.djl.ndarray.types.Shape(3, 3), ai.djl.ndarray.types.DataType.INT64);
      e = assertThrows(IllegalArgumentException.class,
          () -> lm.forwardCached(three, three.onesLike(), cache)).getMessage();
      assertTrue(e.contains("must be (2, time), got (3, 3)"), e);
      int max = lm.maxLength();
      lm.forwardCached(two, two.onesLike(), cache).close();
      NDArray rest = m.zeros(new ai.djl.ndarray.types.Shape(2, max - 2), ai.djl.ndarray.types.DataType.INT64);
      e = assertThrows(IllegalArgumentException.class,
          () -> lm.forwardCached(rest, rest.onesLike(), cache)).getMessage();
      assertTrue(e.contains("sequence length " + (max + 1) + " exceeds the model's maxLength " + max), e);
      assertEquals(3, cache.length(), "a rejected step leaves the cache as it was");
    }
  }

  @ParameterizedTest
  @EnumSource(PositionEncoding.class)
  void cachedDecodingOfLeftPaddedRowsEqualsTheFullForwardAtEveryRealPosition(PositionEncoding pos) {
    // Ten rows, so that the prefill and the steps both turn the rotary halves elementwise and by the matrix product
    // (up to eight new tokens per step); rows are left-padded by 0 to 4 positions, one starts with a single token.
    Random r = new Random(23);
    int rows = 10;
    int t = 14;
    try (DecoderLm lm = DecoderLm.create(small(pos), Device.cpu(), 17);
        NDManager m = lm.getManager().newSubManager()) {
      long[][] ids = randomIds(r, rows, t, 40);
      long[][] mask = new long[rows][t];
      for (int i = 0; i < rows; i++) {
        int pad = i == 0 ? 4 : r.nextInt(5);
        for (int j = pad; j < t; j++) {
          mask[i][j] = 1;
        }
      }
      NDArray full = lm.forward(m.create(ids), m.create(mask), false);
      for (int split : new int[] {5, 1}) {
        try (KvCache cache = lm.newCache(rows);
            NDManager step = m.newSubManager()) {
          NDArray first = lm.forwardCached(step.create(ids).get(":, :{}", split),
              step.create(mask).get(":, :{}", split), cache);
          for (int j = 0; j < rows; j++) {
            for (int k = 0; k < split; k++) {
              if (mask[j][k] == 1) {
                assertClose(full.get("{}, {}, :", j, k), first.get("{}, {}, :", j, k), 1e-5f);
              }
            }
          }
          step.close(); // the cache keeps what it needs of the caller's arrays
          for (int i = split; i < t; i++) {
            try (NDManager now = m.newSubManager()) {
              NDArray out = lm.forwardCached(now.create(ids).get(":, {}:{}", i, i + 1),
                  now.create(mask).get(":, {}:{}", i, i + 1), cache);
              for (int j = 0; j < rows; j++) {
                if (mask[j][i] == 1) {
                  assertClose(full.get("{}, {}, :", j, i), out.get("{}, 0, :", j), 1e-5f);
                }
              }
            }
          }
        }
      }
    }
  }

  /**
   * Grad mode on (inside a collector, or a thread libtorch starts with it on, such as a Spark executor's worker):
   * cached decoding gives the same logits, records no gradient, and leaves the thread's mode as it was.
   */
  @Test
  void cachedDecodingRunsWithoutGradientsWhateverTheThreadsGradMode() throws Exception {
    try (DecoderLm lm = DecoderLm.create(small(PositionEncoding.ROTARY), Device.cpu(), 3);
        NDManager m = lm.getManager().newSubManager()) {
      NDArray ids = m.create(new long[][] {{1, 2, 3}});
      float[] expected;
      try (KvCache cache = lm.newCache(1)) {
        expected = lm.forwardCached(ids, ids.onesLike(), cache).toFloatArray();
      }
      try (KvCache cache = lm.newCache(1);
          ai.djl.training.GradientCollector gc = ai.djl.engine.Engine.getInstance().newGradientCollector()) {
        NDArray logits = lm.forwardCached(ids, ids.onesLike(), cache);
        assertFalse(logits.hasGradient());
        assertTrue(ai.djl.pytorch.jni.JniUtils.isGradMode(), "the collector's grad mode is restored");
        assertArrayEquals(expected, logits.toFloatArray(), 0f);
      }
      float[][] fromThread = new float[1][];
      Thread t = new Thread(() -> {
        ai.djl.pytorch.jni.JniUtils.setGradMode(true);
        try (KvCache cache = lm.newCache(1)) {
          fromThread[0] = lm.forwardCached(ids, ids.onesLike(), cache).toFloatArray();
        }
        assertTrue(ai.djl.pytorch.jni.JniUtils.isGradMode());
      });
      t.start();
      t.join();
      assertArrayEquals(expected, fromThread[0], 0f);
    }
  }

  static void assertClose(NDArray expected, NDArray actual, float tol) {
    assertEquals(expected.getShape(), actual.getShape());
    float diff = expected.sub(actual).abs().max().getFloat();
    assertTrue(diff <= tol, "max abs difference " + diff + " > " + tol);
  }

  private static java.util.Map<String, float[]> weights(DecoderLm lm) {
    java.util.Map<String, float[]> out = new java.util.LinkedHashMap<>();
    for (ai.djl.util.Pair<String, ai.djl.nn.Parameter> p : lm.getBlock().getParameters()) {
      out.put(p.getKey(), p.getValue().getArray().toFloatArray());
    }
    return out;
  }

  /**
   * Initial weights depend on the seed and each parameter's name only: the same seed gives bit-identical weights,
   * another seed other weights, and a model with one more parameter (learned positions add {@code wpe.weight})
   * keeps every shared parameter bit for bit.
   */
  @ParameterizedTest(name = "seed {0}")
  @ValueSource(longs = {1, 17, -5})
  void initialWeightsAreKeyedBySeedAndParameterName(long seed) {
    try (DecoderLm a = DecoderLm.create(small(PositionEncoding.ROTARY), Device.cpu(), seed);
        DecoderLm b = DecoderLm.create(small(PositionEncoding.ROTARY), Device.cpu(), seed);
        DecoderLm other = DecoderLm.create(small(PositionEncoding.ROTARY), Device.cpu(), seed + 1);
        DecoderLm learned = DecoderLm.create(small(PositionEncoding.LEARNED), Device.cpu(), seed)) {
      java.util.Map<String, float[]> wa = weights(a);
      java.util.Map<String, float[]> wb = weights(b);
      java.util.Map<String, float[]> wo = weights(other);
      java.util.Map<String, float[]> wl = weights(learned);
      assertEquals(wa.size() + 1, wl.size());
      for (String name : wa.keySet()) {
        assertArrayEquals(wa.get(name), wb.get(name), name);
        assertArrayEquals(wa.get(name), wl.get(name), name + " moved when a parameter was added");
      }
      assertTrue(!java.util.Arrays.equals(wa.get("wte.weight"), wo.get("wte.weight")), "another seed, same wte");
      float[] w = wa.get("h.0.attn.qkv.weight");
      double sum = 0;
      double sq = 0;
      for (float v : w) {
        sum += v;
        sq += v * v;
      }
      double std = Math.sqrt(sq / w.length - (sum / w.length) * (sum / w.length));
      assertEquals(0.02, std, 0.002, "initStd of h.0.attn.qkv.weight (" + w.length + " values)");
    }
  }

  /** Creating a model neither seeds nor draws from DJL's global random generator. */
  @Test
  void creatingAModelLeavesTheEngineGeneratorAlone() {
    ai.djl.engine.Engine engine = ai.djl.engine.Engine.getInstance();
    try (NDManager m = NDManager.newBaseManager(Device.cpu())) {
      engine.setRandomSeed(99);
      float[] expected = m.randomUniform(0f, 1f, new ai.djl.ndarray.types.Shape(8)).toFloatArray();
      engine.setRandomSeed(99);
      try (DecoderLm lm = DecoderLm.create(small(PositionEncoding.LEARNED), Device.cpu(), 5)) {
        lm.vocabSize();
      }
      float[] after = m.randomUniform(0f, 1f, new ai.djl.ndarray.types.Shape(8)).toFloatArray();
      assertArrayEquals(expected, after, "DecoderLm.create changed the engine's random stream");
    }
  }
}
