package io.github.sipf4j.testkit;

import ai.djl.Device;
import io.github.sipf4j.orpo.lora.LoraConfig;
import io.github.sipf4j.orpo.lora.LoraInit;
import io.github.sipf4j.orpo.lora.LoraModel;
import io.github.sipf4j.orpo.model.CausalLm;
import io.github.sipf4j.orpo.model.DecoderConfig;
import io.github.sipf4j.orpo.model.DecoderLm;
import io.github.sipf4j.orpo.model.hf.HfCausalLm;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * LoRA-wrapped models keep the contract: the contract's own tests run on the PEFT adapter fixture on the llama
 * folder (non-zero B, so the adapters act; saved as an adapter folder that {@code CausalLms} loads with its base),
 * and the phi and gemma adapters and a {@link DecoderLm} with random adapters run the padding, cache and gradient
 * checks.
 */
class LoraModelContractTest extends CausalLmContract {

  private static Path resources() {
    return Path.of(System.getProperty("sipf4j.hf.fixtures", "../orpo-core/src/test/resources/hf")).getParent();
  }

  private static LoraModel adapter(String name) throws Exception {
    return LoraModel.load(HfCausalLm.load(resources().resolve("hf").resolve(name), Device.cpu()),
        resources().resolve("hf-lora").resolve(name));
  }

  @Override
  protected CausalLm newModel() throws Exception {
    return adapter("llama");
  }

  private static void checks(CausalLm lm) {
    int ids = lm.vocabSize();
    CausalLmChecks.shapesAndTypes(lm, ids);
    CausalLmChecks.paddingInvariance(lm, true, ids, CausalLmChecks.DEFAULT_TOLERANCE);
    CausalLmChecks.paddingInvariance(lm, false, ids, CausalLmChecks.DEFAULT_TOLERANCE);
    CausalLmChecks.cacheEqualsFullForward(lm, ids, CausalLmChecks.DEFAULT_TOLERANCE);
    CausalLmChecks.raggedCacheAndSelectRows(lm, ids, CausalLmChecks.DEFAULT_TOLERANCE);
    CausalLmChecks.finiteGradients(lm, ids);
  }

  @ParameterizedTest(name = "{0}")
  @ValueSource(strings = {"phi", "gemma"})
  void everyFamilysAdapterKeepsTheContract(String family) throws Exception {
    try (CausalLm lm = adapter(family)) {
      checks(lm);
    }
  }

  @Test
  void aDecoderLmWithAdaptersKeepsTheContract(@TempDir Path dir) throws Exception {
    try (DecoderLm base = DecoderLm.create(DecoderConfig.builder().vocabSize(37).dModel(32).layers(2).heads(4)
        .maxLength(24).build(), Device.cpu(), 11)) {
      base.save(dir.resolve("base"));
    }
    LoraConfig config = LoraConfig.builder().r(4).loraAlpha(8).init(LoraInit.RANDOM).build();
    try (CausalLm lm = LoraModel.create(DecoderLm.load(dir.resolve("base"), Device.cpu()), config, 5)) {
      checks(lm);
      CausalLmChecks.saveLoadRoundTrip(lm, dir.resolve("adapter"), lm.vocabSize(), CausalLmChecks.DEFAULT_TOLERANCE);
    }
  }
}
