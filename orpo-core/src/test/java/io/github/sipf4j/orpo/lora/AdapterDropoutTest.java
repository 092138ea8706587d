package io.github.sipf4j.orpo.lora;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import java.util.Arrays;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;
import org.junit.jupiter.api.Test;

/**
 * The keyed dropout masks behave as independent Bernoulli draws: the keep rate, the spread of row and column rates,
 * and the correlation of neighbours along rows, columns and diagonals are within a few standard errors of
 * independence (seeded cases, so the test cannot flake); the same key gives the same mask, another key another, and
 * only the one-byte mask outlives the call.
 */
class AdapterDropoutTest {

  private static final int ROWS = 512;
  private static final int COLS = 384;

  @ParameterizedTest
  @ValueSource(doubles = {0.05, 0.3, 0.5})
  void masksLookLikeIndependentDraws(double p) {
    try (NDManager m = NDManager.newBaseManager()) {
      NDArray like = m.zeros(new Shape(2, ROWS / 2, COLS));
      NDArray mask = AdapterDropout.keep(like, p, 11, 29);
      assertEquals(DataType.BOOLEAN, mask.getDataType());
      assertEquals(like.getShape(), mask.getShape());
      boolean[] kept = mask.toBooleanArray();
      int[] keep = new int[kept.length];
      for (int i = 0; i < kept.length; i++) {
        keep[i] = kept[i] ? 1 : 0;
      }
      double n = keep.length;
      double rate = Arrays.stream(keep).sum() / n;
      double se = Math.sqrt(p * (1 - p) / n);
      assertEquals(1 - p, rate, 5 * se, "keep rate");
      // neighbours: correlation ~ N(0, 1/n) under independence
      for (int[] d : new int[][] {{0, 1}, {1, 0}, {1, 1}, {0, 7}, {64, 0}}) {
        double c = correlation(keep, d[0], d[1], rate);
        assertTrue(Math.abs(c) < 5 / Math.sqrt(n), "correlation at offset " + Arrays.toString(d) + ": " + c);
      }
      // the spread of per-row keep rates is binomial's
      double[] rows = new double[ROWS];
      for (int r = 0; r < ROWS; r++) {
        for (int c = 0; c < COLS; c++) {
          rows[r] += keep[r * COLS + c];
        }
        rows[r] /= COLS;
      }
      double var = Arrays.stream(rows).map(x -> (x - rate) * (x - rate)).sum() / (ROWS - 1);
      double want = p * (1 - p) / COLS;
      assertTrue(var > 0.7 * want && var < 1.3 * want, "row rate variance " + var + " against " + want);
    }
  }

  private static double correlation(int[] keep, int dr, int dc, double mean) {
    double sum = 0;
    int count = 0;
    for (int r = 0; r + dr < ROWS; r++) {
      for (int c = 0; c + dc < COLS; c++) {
        sum += (keep[r * COLS + c] - mean) * (keep[(r + dr) * COLS + c + dc] - mean);
        count++;
      }
    }
    return sum / count / (mean * (1 - mean));
  }

  @Test
  void theKeyAloneDecidesTheMaskAndItsIntermediatesAreFreed() {
    try (NDManager m = NDManager.newBaseManager()) {
      NDArray like = m.zeros(new Shape(3, 5, 16), DataType.FLOAT16);
      boolean[] one = AdapterDropout.keep(like, 0.2, 1, 2).toBooleanArray();
      assertArrayEquals(one, AdapterDropout.keep(like, 0.2, 1, 2).toBooleanArray());
      assertFalse(Arrays.equals(one, AdapterDropout.keep(like, 0.2, 1, 3).toBooleanArray()), "another batch");
      assertFalse(Arrays.equals(one, AdapterDropout.keep(like, 0.2, 4, 2).toBooleanArray()), "another adapter");
      int before = m.getManagedArrays().size();
      AdapterDropout.keep(like, 0.2, 1, 2);
      assertEquals(before + 1, m.getManagedArrays().size(), "only the mask stays");
    }
  }
}
