package io.github.sipf4j.orpo.model;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ai.djl.Device;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** A forwarding model supports what its delegate supports, gives its outputs, and one override changes one thing. */
class ForwardingCausalLmTest {

  private static DecoderLm decoder() {
    return DecoderLm.create(DecoderConfig.builder().vocabSize(19).dModel(16).layers(1).heads(2).maxLength(16).build(),
        Device.cpu(), 7);
  }

  @Test
  void everyCallReachesTheDelegate(@TempDir Path dir) throws Exception {
    try (DecoderLm inner = decoder(); NDManager m = inner.getManager().newSubManager()) {
      AtomicInteger forwards = new AtomicInteger();
      CausalLm lm = new ForwardingCausalLm(inner) {
        @Override
        public NDArray forward(NDArray ids, NDArray mask, boolean training) {
          forwards.incrementAndGet();
          return super.forward(ids, mask, training);
        }

        @Override
        public void close() {}
      };
      NDArray ids = m.create(new long[][] {{1, 4, 9, 2}});
      NDArray mask = ids.onesLike();
      assertArrayEquals(inner.forward(ids, mask, false).toFloatArray(), lm.forward(ids, mask, false).toFloatArray());
      assertEquals(1, forwards.get());
      assertEquals(inner.supportsHiddenStates(), lm.supportsHiddenStates());
      assertEquals(inner.hiddenSize(), lm.hiddenSize());
      assertArrayEquals(inner.forwardHidden(ids, mask, false).toFloatArray(),
          lm.forwardHidden(ids, mask, false).toFloatArray());
      assertTrue(lm.supportsKvCache());
      try (KvCache a = inner.newCache(1); KvCache b = lm.newCache(1)) {
        assertArrayEquals(inner.forwardCached(ids, mask, a).toFloatArray(),
            lm.forwardCached(ids, mask, b).toFloatArray());
        assertEquals(4, b.length());
      }
      assertSame(inner.getBlock(), lm.getBlock());
      assertSame(inner.getManager(), lm.getManager());
      assertEquals(inner.getDevice(), lm.getDevice());
      assertEquals(19, lm.vocabSize());
      assertEquals(16, lm.maxLength());
      assertEquals(inner.trainableParameters().size(), lm.trainableParameters().size());
      lm.save(dir.resolve("saved"));
      try (CausalLm back = CausalLms.load(dir.resolve("saved"), Device.cpu())) {
        assertArrayEquals(inner.forward(ids, mask, false).toFloatArray(),
            back.forward(ids, mask, false).toFloatArray());
      }
      lm.saveWeights(dir.resolve("w.safetensors"));
      assertTrue(Files.size(dir.resolve("w.safetensors")) > 0);
      lm.loadWeights(dir.resolve("w.safetensors"));
    }
  }

  @Test
  void anOverrideHidesACapabilityAndCloseClosesTheDelegate() {
    DecoderLm inner = decoder();
    CausalLm lm = new ForwardingCausalLm(inner) {
      @Override
      public boolean supportsKvCache() {
        return false;
      }
    };
    assertFalse(lm.supportsKvCache());
    lm.close();
    assertFalse(inner.getManager().isOpen());
    assertThrows(NullPointerException.class, () -> new ForwardingCausalLm(null));
  }
}
