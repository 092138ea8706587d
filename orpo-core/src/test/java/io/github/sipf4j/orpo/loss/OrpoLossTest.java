package io.github.sipf4j.orpo.loss;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ai.djl.engine.Engine;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import ai.djl.training.GradientCollector;
import java.util.Map;
import java.util.Random;
import java.util.function.Function;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;
import org.junit.jupiter.params.provider.ValueSource;

class OrpoLossTest {

  /** Reference log(1 - e^x) in double precision through Java's expm1. */
  static double log1mexp(double x) {
    return Math.log(-Math.expm1(x));
  }

  static double softplus(double z) {
    return Math.max(z, 0) + Math.log1p(Math.exp(-Math.abs(z)));
  }

  static double referenceOrLoss(double w, double l) {
    double logOdds = (w - l) - (log1mexp(w) - log1mexp(l));
    return softplus(-logOdds);
  }

  @ParameterizedTest
  @ValueSource(strings = {"float32", "float64"})
  void log1mexpIsAccurateFromMinus30DownToMinus1eMinus9(String type) {
    DataType dt = type.equals("float32") ? DataType.FLOAT32 : DataType.FLOAT64;
    double[] xs = {-30, -5, -1, -0.6931, -0.5, -0.1, -1e-2, -1e-3, -1e-4, -1e-5, -1e-6, -1e-7, -1e-8, -1e-9, -1e-12};
    try (NDManager m = NDManager.newBaseManager()) {
      double[] got = OrpoLoss.log1mexp(m.create(xs).toType(dt, false)).toType(DataType.FLOAT64, false)
          .toDoubleArray();
      for (int i = 0; i < xs.length; i++) {
        double want = log1mexp(xs[i]);
        double tol = dt == DataType.FLOAT32 ? 2e-6 * Math.max(1, Math.abs(want)) : 1e-12 * Math.max(1, Math.abs(want));
        assertEquals(want, got[i], tol, type + " x=" + xs[i]);
      }
    }
  }

  @ParameterizedTest
  @ValueSource(strings = {"float32", "float64"})
  void oddsRatioLossIsFiniteForEveryLogpUpToExactlyZero(String type) {
    DataType dt = type.equals("float32") ? DataType.FLOAT32 : DataType.FLOAT64;
    double[] logps = {0.0, -0.0, -1e-45, -1e-30, -1e-20, -1e-12, -1e-9, -1e-6, -0.01, -1, -10, -100, -1000};
    try (NDManager m = NDManager.newBaseManager()) {
      for (double w : logps) {
        for (double l : logps) {
          NDArray loss = OrpoLoss.oddsRatioLoss(m.create(new double[] {w}).toType(dt, false),
              m.create(new double[] {l}).toType(dt, false));
          double v = loss.toType(DataType.FLOAT64, false).getDouble(0);
          assertTrue(Double.isFinite(v), type + " w=" + w + " l=" + l + " loss=" + v);
          assertTrue(v >= 0, "a softplus is never negative: " + v);
        }
      }
    }
  }

  @ParameterizedTest(name = "seed {0}")
  @ValueSource(longs = {1, 2, 3, 4, 5, 6, 7, 8, 9, 10})
  void matchesHandComputedValuesAndIsAccurateNearZero(long seed) {
    Random r = new Random(seed);
    int n = 16;
    double[] w = new double[n];
    double[] l = new double[n];
    for (int i = 0; i < n; i++) {
      // log-uniform magnitudes from 1e-9 to 1e2: the whole range a model visits, confident ones included.
      w[i] = -Math.pow(10, -9 + 11 * r.nextDouble());
      l[i] = -Math.pow(10, -9 + 11 * r.nextDouble());
    }
    try (NDManager m = NDManager.newBaseManager()) {
      double[] got64 = OrpoLoss.oddsRatioLoss(m.create(w), m.create(l)).toDoubleArray();
      double[] got32 = OrpoLoss.oddsRatioLoss(m.create(w).toType(DataType.FLOAT32, false),
          m.create(l).toType(DataType.FLOAT32, false)).toType(DataType.FLOAT64, false).toDoubleArray();
      for (int i = 0; i < n; i++) {
        double want = referenceOrLoss(w[i], l[i]);
        assertEquals(want, got64[i], 1e-10 * Math.max(1, Math.abs(want)), "seed " + seed + " w=" + w[i] + " l=" + l[i]);
        // float32 rounds the inputs themselves; compare with the reference at the rounded inputs.
        double want32 = referenceOrLoss((float) w[i], (float) l[i]);
        assertEquals(want32, got32[i], 1e-4 * Math.max(1, Math.abs(want32)),
            "seed " + seed + " float32 w=" + w[i] + " l=" + l[i]);
      }
    }
  }

  @Test
  void gradientIsNotFlattenedNearZero() {
    // d/dw of log(1 - e^w) is -e^w / (1 - e^w), about -1/|w| near 0: a clamp at 1e-7 would make it 0.
    try (NDManager m = NDManager.newBaseManager()) {
      NDArray w = m.create(new double[] {-1e-9, -1e-6});
      w.setRequiresGradient(true);
      try (GradientCollector gc = Engine.getInstance().newGradientCollector()) {
        gc.backward(OrpoLoss.log1mexp(w).sum());
      }
      double[] g = w.getGradient().toDoubleArray();
      assertEquals(-1e9, g[0], 1e9 * 1e-6);
      assertEquals(-1e6, g[1], 1e6 * 1e-6);
    }
  }

  @ParameterizedTest(name = "seed {0}")
  @ValueSource(longs = {21, 22, 23, 24, 25})
  void swappingChosenAndRejectedFlipsTheSignOfTheLogOdds(long seed) {
    Random r = new Random(seed);
    double[] w = new double[8];
    double[] l = new double[8];
    for (int i = 0; i < 8; i++) {
      w[i] = -5 * r.nextDouble() - 1e-6;
      l[i] = -5 * r.nextDouble() - 1e-6;
    }
    try (NDManager m = NDManager.newBaseManager()) {
      double[] a = OrpoLoss.logOdds(m.create(w), m.create(l)).toDoubleArray();
      double[] b = OrpoLoss.logOdds(m.create(l), m.create(w)).toDoubleArray();
      double[] la = OrpoLoss.oddsRatioLoss(m.create(w), m.create(l)).toDoubleArray();
      double[] lb = OrpoLoss.oddsRatioLoss(m.create(l), m.create(w)).toDoubleArray();
      for (int i = 0; i < 8; i++) {
        assertEquals(-a[i], b[i], 1e-12, "seed " + seed);
        // softplus(-z) - softplus(z) = -z
        assertEquals(a[i], lb[i] - la[i], 1e-9, "seed " + seed);
      }
    }
  }

  @ParameterizedTest(name = "seed {0}")
  @ValueSource(longs = {31, 32, 33, 34, 35})
  void lossDecreasesWhenChosenLogpRises(long seed) {
    Random r = new Random(seed);
    double l = -3 * r.nextDouble() - 0.01;
    double prev = Double.POSITIVE_INFINITY;
    try (NDManager m = NDManager.newBaseManager()) {
      for (double w = -8; w < 0; w += 0.25) {
        double v = OrpoLoss.oddsRatioLoss(m.create(new double[] {w}), m.create(new double[] {l})).getDouble(0);
        assertTrue(v < prev, "seed " + seed + " w=" + w + " loss " + v + " not below " + prev);
        prev = v;
      }
    }
  }

  /** Builds a small random concatenated batch: 2B rows, T positions, vocab V, with masks. */
  static NDList randomBatch(NDManager m, Random r, int pairs, int t, int v) {
    int rows = 2 * pairs;
    double[] logits = new double[rows * t * v];
    for (int i = 0; i < logits.length; i++) {
      logits[i] = r.nextGaussian() * 2;
    }
    long[][] labels = new long[rows][t];
    float[][] resp = new float[rows][t];
    float[][] tokens = new float[rows][t];
    for (int b = 0; b < rows; b++) {
      int len = 2 + r.nextInt(t - 1);
      int prompt = r.nextInt(len - 1);
      for (int i = 0; i < t; i++) {
        labels[b][i] = r.nextInt(v);
        tokens[b][i] = i < len ? 1 : 0;
        resp[b][i] = i >= prompt && i < len ? 1 : 0;
      }
    }
    return new NDList(m.create(logits, new Shape(rows, t, v)), m.create(labels), m.create(resp), m.create(tokens));
  }

  @ParameterizedTest
  @EnumSource(NllScope.class)
  void gradientOfTheFullLossMatchesFiniteDifferencesInFloat64(NllScope scope) {
    long seed = 4242 + scope.ordinal();
    Random r = new Random(seed);
    OrpoLoss loss = OrpoLoss.builder().lambda(0.7f).nllScope(scope).build();
    try (NDManager m = NDManager.newBaseManager()) {
      NDList batch = randomBatch(m, r, 2, 5, 6);
      NDArray logits = batch.get(0);
      Function<NDArray, NDArray> f = x -> loss.compute(x, batch.get(1), batch.get(2), batch.get(3)).loss();
      GradientCheck.check(m, logits, f, "seed " + seed + " " + scope);
    }
  }

  @Test
  void gradientOfSequenceLogProbsMatchesFiniteDifferencesInFloat64() {
    Random r = new Random(77);
    try (NDManager m = NDManager.newBaseManager()) {
      NDList batch = randomBatch(m, r, 2, 6, 5);
      double[] weights = {0.3, -1.1, 0.7, 2.0};
      NDArray wv = m.create(weights);
      GradientCheck.check(m, batch.get(0),
          x -> SequenceLogProbs.mean(x, batch.get(1), batch.get(2)).mul(wv).sum(), "mean");
      GradientCheck.check(m, batch.get(0),
          x -> SequenceLogProbs.sum(x, batch.get(1), batch.get(3)).mul(wv).sum(), "sum");
    }
  }

  @Test
  void computeMatchesHandComputedMetrics() {
    // Two pairs, vocab 2, one response token each, so logps are plain log-softmax values.
    try (NDManager m = NDManager.newBaseManager()) {
      double[][][] logits = {{{2, 0}}, {{0, 1}}, {{0, 0}}, {{3, 0}}};
      long[][] labels = {{0}, {1}, {1}, {1}};
      float[][] ones = {{1}, {1}, {1}, {1}};
      NDArray lg = m.create(flatten(logits), new Shape(4, 1, 2));
      OrpoOutput out = OrpoLoss.builder().build().compute(lg, m.create(labels), m.create(ones), m.create(ones));
      double w0 = -Math.log1p(Math.exp(-2));
      double w1 = -Math.log1p(Math.exp(-1));
      double l0 = -Math.log(2);
      double l1 = -Math.log1p(Math.exp(3));
      double nll = -(w0 + w1) / 2;
      double or = (referenceOrLoss(w0, l0) + referenceOrLoss(w1, l1)) / 2;
      Map<String, Float> metrics = out.metrics();
      assertEquals(nll + 0.1 * or, metrics.get("loss"), 1e-6);
      assertEquals(nll, metrics.get("nll_loss"), 1e-6);
      assertEquals((w0 + w1) / 2, metrics.get("logps/chosen"), 1e-6);
      assertEquals((l0 + l1) / 2, metrics.get("logps/rejected"), 1e-6);
      assertEquals(0.1 * (w0 + w1) / 2, metrics.get("rewards/chosen"), 1e-6);
      assertEquals(0.1 * (l0 + l1) / 2, metrics.get("rewards/rejected"), 1e-6);
      assertEquals(1.0, metrics.get("rewards/accuracies"), 1e-6);
      assertEquals(0.1 * ((w0 - l0) + (w1 - l1)) / 2, metrics.get("rewards/margins"), 1e-6);
      assertEquals(-or, metrics.get("log_odds_ratio"), 1e-6);
      double lo0 = (w0 - l0) - (log1mexp(w0) - log1mexp(l0));
      double lo1 = (w1 - l1) - (log1mexp(w1) - log1mexp(l1));
      assertEquals((lo0 + lo1) / 2, metrics.get("log_odds_chosen"), 1e-5);
      // As a DJL Loss: evaluate equals compute, and the accumulator reuses it.
      OrpoLoss asLoss = OrpoLoss.builder().build();
      NDList labelList = new NDList(m.create(labels), m.create(ones), m.create(ones));
      NDList preds = new NDList(lg.toType(DataType.FLOAT32, false));
      assertEquals(metrics.get("loss"), asLoss.evaluate(labelList, preds).getFloat(), 1e-6);
      asLoss.addAccumulator("train");
      asLoss.updateAccumulators(new String[] {"train"}, labelList, preds);
      assertEquals(metrics.get("loss"), asLoss.getAccumulator("train"), 1e-6);
    }
  }

  static double[] flatten(double[][][] a) {
    return java.util.Arrays.stream(a).flatMap(java.util.Arrays::stream).flatMapToDouble(java.util.Arrays::stream)
        .toArray();
  }
}
