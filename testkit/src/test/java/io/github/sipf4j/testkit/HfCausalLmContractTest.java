package io.github.sipf4j.testkit;

import ai.djl.Device;
import io.github.sipf4j.orpo.model.CausalLm;
import io.github.sipf4j.orpo.model.hf.HfCausalLm;
import java.nio.file.Path;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * The Hugging Face families on orpo-core's tiny parity folders (made by {@code scripts/make_hf_fixtures.py}). The
 * contract's own tests run on the llama folder; the other families run the padding, cache and gradient checks below.
 */
class HfCausalLmContractTest extends CausalLmContract {

  private static Path fixture(String name) {
    return Path.of(System.getProperty("sipf4j.hf.fixtures", "../orpo-core/src/test/resources/hf")).resolve(name);
  }

  @Override
  protected CausalLm newModel() throws Exception {
    return HfCausalLm.load(fixture("llama"), Device.cpu());
  }

  @ParameterizedTest(name = "{0}")
  @ValueSource(strings = {"llama-llama3", "qwen2", "gemma", "phi"})
  void everyFamilyKeepsTheContract(String family) throws Exception {
    try (CausalLm lm = HfCausalLm.load(fixture(family), Device.cpu())) {
      int ids = lm.vocabSize();
      CausalLmChecks.shapesAndTypes(lm, ids);
      CausalLmChecks.paddingInvariance(lm, true, ids, CausalLmChecks.DEFAULT_TOLERANCE);
      CausalLmChecks.paddingInvariance(lm, false, ids, CausalLmChecks.DEFAULT_TOLERANCE);
      CausalLmChecks.cacheEqualsFullForward(lm, ids, CausalLmChecks.DEFAULT_TOLERANCE);
      CausalLmChecks.raggedCacheAndSelectRows(lm, ids, CausalLmChecks.DEFAULT_TOLERANCE);
      CausalLmChecks.finiteGradients(lm, ids);
    }
  }
}
