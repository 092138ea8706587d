package io.github.sipf4j.testkit;

import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ai.djl.Device;
import ai.djl.ndarray.NDArray;
import io.github.sipf4j.orpo.model.DecoderConfig;
import io.github.sipf4j.orpo.model.DecoderLm;
import io.github.sipf4j.orpo.model.ForwardingCausalLm;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;

/** The checks fail, with a message that says why, on models that break the contract. */
class CausalLmChecksTest {

  /** Wraps a decoder and breaks one rule: it ignores the mask (absolute positions) or drops the last position. */
  private static final class Broken extends ForwardingCausalLm {
    private final boolean ignoreMask;

    Broken(boolean ignoreMask) {
      super(DecoderLm.create(DecoderConfig.builder().vocabSize(23).dModel(16).layers(1).heads(2).maxLength(16).build(),
          Device.cpu(), 5));
      this.ignoreMask = ignoreMask;
    }

    @Override
    public NDArray forward(NDArray inputIds, NDArray attentionMask, boolean training) {
      if (ignoreMask) {
        return super.forward(inputIds, attentionMask.onesLike(), training);
      }
      return super.forward(inputIds, attentionMask, training).get(":, :-1, :");
    }

    @Override
    public boolean supportsHiddenStates() {
      return false;
    }

    @Override
    public boolean supportsKvCache() {
      return false;
    }

    @Override
    public void save(Path dir) {
      throw new UnsupportedOperationException("not saved");
    }
  }

  @Test
  void aModelThatIgnoresTheMaskFailsLeftPaddingButNotRightPadding() {
    try (Broken lm = new Broken(true)) {
      CausalLmChecks.paddingInvariance(lm, false, Integer.MAX_VALUE, 1e-4); // causal: later padding is invisible
      AssertionError e = assertThrows(AssertionError.class,
          () -> CausalLmChecks.paddingInvariance(lm, true, Integer.MAX_VALUE, 1e-4));
      assertTrue(e.getMessage().startsWith("left padding, padded row"), e.getMessage());
    }
  }

  @Test
  void aWrongShapeIsNamedWithTheExpectedOne() {
    try (Broken lm = new Broken(false)) {
      AssertionError e = assertThrows(AssertionError.class, () -> CausalLmChecks.shapesAndTypes(lm, 100));
      assertTrue(e.getMessage().equals("forward returned shape (2, 5, 23), the contract says (2, 6, 23)"),
          e.getMessage());
    }
  }
}
