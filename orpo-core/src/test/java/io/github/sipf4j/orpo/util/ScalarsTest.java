package io.github.sipf4j.orpo.util;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;

import ai.djl.engine.Engine;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.training.GradientCollector;
import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.List;
import java.util.function.BiFunction;
import org.junit.jupiter.api.Test;

class ScalarsTest {

  /** Frees unreachable direct buffers and refills their memory with NaN, as a busy training loop would. */
  private static void churn() throws InterruptedException {
    for (int round = 0; round < 5; round++) {
      System.gc();
      Thread.sleep(20);
      List<ByteBuffer> filler = new ArrayList<>();
      for (int i = 0; i < 2000; i++) {
        ByteBuffer b = ByteBuffer.allocateDirect(8);
        b.putDouble(0, Double.NaN);
        filler.add(b);
      }
      filler.clear();
    }
  }

  private static float[] gradientAfterChurn(BiFunction<NDArray, Double, NDArray> scale) throws Exception {
    try (NDManager m = NDManager.newBaseManager()) {
      NDArray x = m.create(new float[] {1f, 2f, 3f});
      x.setRequiresGradient(true);
      try (GradientCollector gc = Engine.getInstance().newGradientCollector()) {
        NDArray y = scale.apply(x, 3.0).sum();
        churn();
        gc.backward(y);
      }
      return x.getGradient().toFloatArray();
    }
  }

  @Test
  void aScalarOperandStaysValidInTheGraphAcrossGarbageCollection() throws Exception {
    for (int trial = 0; trial < 5; trial++) {
      assertArrayEquals(new float[] {3f, 3f, 3f}, gradientAfterChurn((x, v) -> x.mul(Scalars.of(x, v))), 0f);
      assertArrayEquals(new float[] {1f / 3, 1f / 3, 1f / 3},
          gradientAfterChurn((x, v) -> x.div(Scalars.of(x, v))), 1e-7f);
    }
  }

  @Test
  void theScalarHasTheDataTypeAndValueAsked() {
    try (NDManager m = NDManager.newBaseManager()) {
      NDArray f64 = m.create(new double[] {1.0});
      NDArray s = Scalars.of(f64, -1e-20);
      assertEquals(DataType.FLOAT64, s.getDataType());
      assertEquals(0, s.getShape().dimension());
      assertEquals(-1e-20, s.getDouble(), 0.0);
      assertEquals(DataType.FLOAT32, Scalars.of(m.create(new float[] {1f}), 2.5).getDataType());
    }
  }
}
