package io.github.sipf4j.testkit;

import io.github.sipf4j.orpo.model.CausalLm;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The {@link CausalLm} contract as JUnit 5 tests: extend this class in your test sources, say how to make a fresh
 * model, and every check of {@link CausalLmChecks} runs on it, each on its own model:
 *
 * <pre>{@code
 * class MyLmContractTest extends CausalLmContract {
 *   @Override protected CausalLm newModel() throws Exception { return MyLm.create(MyConfig.tiny(), Device.cpu()); }
 * }
 * }</pre>
 *
 * <p>The checks: shapes and dtypes of {@code forward} and {@code forwardHidden}; left and right padding leave every
 * real token's logits unchanged (positions must come from the attention mask, since sipf4j's sampler left-pads);
 * where a cache is offered, cached decoding equals the full forward pass, also on a ragged batch and after {@code
 * selectRows}; {@code save} writes a folder that {@code CausalLms.load} recognises and loads back with the same
 * logits (register your model's {@code CausalLmKind} through {@code META-INF/services}); and a next-token loss has
 * finite gradients for every trainable parameter. Keep the model small: each check builds one.
 *
 * <p>Add {@code io.github.sipf4j:testkit} at test scope with JUnit Jupiter and a PyTorch native library (CPU or
 * CUDA) beside it. Override {@link #tolerance()} for models whose arithmetic is coarser than float32 (bf16 weights,
 * say), and {@link #idLimit()} when only a range of ids is meaningful.
 */
public abstract class CausalLmContract {

  /** Creates the contract; a subclass needs no constructor of its own. */
  protected CausalLmContract() {}

  /**
   * Makes a fresh model; each check calls this once and closes the model afterwards.
   *
   * @return a new model
   * @throws Exception if the model cannot be made
   */
  protected abstract CausalLm newModel() throws Exception;

  /**
   * Returns the tolerance of logit comparisons, relative to {@code max(1, |expected|)}.
   *
   * @return {@link CausalLmChecks#DEFAULT_TOLERANCE} unless overridden
   */
  protected double tolerance() {
    return CausalLmChecks.DEFAULT_TOLERANCE;
  }

  /**
   * Returns the bound below which test token ids are drawn (it is also capped at the vocabulary size).
   *
   * @return {@link Integer#MAX_VALUE} unless overridden: any id of the vocabulary
   */
  protected int idLimit() {
    return Integer.MAX_VALUE;
  }

  /**
   * Shapes and dtypes of {@code forward} and {@code forwardHidden}.
   *
   * @throws Exception if the model cannot be made
   */
  @Test
  void forwardHasTheContractsShapesAndTypes() throws Exception {
    try (CausalLm model = newModel()) {
      CausalLmChecks.shapesAndTypes(model, idLimit());
    }
  }

  /**
   * Right padding leaves real tokens' logits unchanged.
   *
   * @throws Exception if the model cannot be made
   */
  @Test
  void rightPaddingLeavesRealTokensUnchanged() throws Exception {
    try (CausalLm model = newModel()) {
      CausalLmChecks.paddingInvariance(model, false, idLimit(), tolerance());
    }
  }

  /**
   * Left padding leaves real tokens' logits unchanged.
   *
   * @throws Exception if the model cannot be made
   */
  @Test
  void leftPaddingLeavesRealTokensUnchanged() throws Exception {
    try (CausalLm model = newModel()) {
      CausalLmChecks.paddingInvariance(model, true, idLimit(), tolerance());
    }
  }

  /**
   * Cached decoding equals the full forward pass.
   *
   * @throws Exception if the model cannot be made
   */
  @Test
  void cachedDecodingEqualsTheFullForwardPass() throws Exception {
    try (CausalLm model = newModel()) {
      CausalLmChecks.cacheEqualsFullForward(model, idLimit(), tolerance());
    }
  }

  /**
   * Cached decoding of a ragged, left-padded batch, before and after {@code selectRows}, equals each sequence alone.
   *
   * @throws Exception if the model cannot be made
   */
  @Test
  void cachedDecodingOfARaggedBatchAndSelectedRowsEqualsEachSequenceAlone() throws Exception {
    try (CausalLm model = newModel()) {
      CausalLmChecks.raggedCacheAndSelectRows(model, idLimit(), tolerance());
    }
  }

  /**
   * Save, recognise and load through {@code CausalLms} give the same logits.
   *
   * @param dir a temporary directory
   * @throws Exception if the model cannot be made, saved or loaded
   */
  @Test
  void saveAndLoadThroughTheRegistryKeepTheLogits(@TempDir Path dir) throws Exception {
    try (CausalLm model = newModel()) {
      CausalLmChecks.saveLoadRoundTrip(model, dir.resolve("model"), idLimit(), tolerance());
    }
  }

  /**
   * A next-token loss has finite gradients for every trainable parameter.
   *
   * @throws Exception if the model cannot be made
   */
  @Test
  void aLossHasFiniteGradientsForEveryTrainableParameter() throws Exception {
    try (CausalLm model = newModel()) {
      CausalLmChecks.finiteGradients(model, idLimit());
    }
  }
}
