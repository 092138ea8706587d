package io.github.sipf4j.orpo.util;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;

import ai.djl.engine.Engine;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.training.GradientCollector;
import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

class InPlaceTest {

  /** Allocates and drops direct buffers and runs the collector, so freed Java memory would be reused. */
  static void churnDirectMemory() {
    for (int round = 0; round < 5; round++) {
      List<ByteBuffer> junk = new ArrayList<>();
      for (int i = 0; i < 64; i++) {
        ByteBuffer b = ByteBuffer.allocateDirect(1 << 16);
        for (int j = 0; j < b.capacity(); j += 4) {
          b.putFloat(j, 12345f);
        }
        junk.add(b);
      }
      junk.clear();
      System.gc();
    }
  }

  @Test
  void zeroClearsNanGradientsAndTheStorageStaysTheTensorsOwn() {
    try (NDManager m = NDManager.newBaseManager()) {
      NDArray w = m.create(new float[] {1, 2, 3});
      w.setRequiresGradient(true);
      try (GradientCollector gc = Engine.getInstance().newGradientCollector()) {
        gc.backward(w.mul(Float.NaN).sum());
      }
      try (NDArray g = w.getGradient()) {
        InPlace.zero(g);
      }
      churnDirectMemory();
      try (NDArray g = w.getGradient()) {
        assertArrayEquals(new float[] {0, 0, 0}, g.toFloatArray());
      }
      try (GradientCollector gc = Engine.getInstance().newGradientCollector()) {
        gc.backward(w.mul(2).sum());
      }
      churnDirectMemory();
      try (NDArray g = w.getGradient()) {
        assertArrayEquals(new float[] {2, 2, 2}, g.toFloatArray());
      }
    }
  }

  @Test
  void copyOverwritesValuesAndConvertsTheType() {
    try (NDManager m = NDManager.newBaseManager()) {
      NDArray target = m.create(new float[][] {{1, 2}, {3, 4}});
      try (NDManager tmp = NDManager.newBaseManager()) {
        InPlace.copy(target, tmp.create(new double[][] {{5, 6}, {7, 8}}));
      }
      churnDirectMemory();
      target.addi(1);
      assertArrayEquals(new float[] {6, 7, 8, 9}, target.toFloatArray());
    }
  }
}
