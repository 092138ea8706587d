package io.github.sipf4j.testkit;

import ai.djl.Device;
import io.github.sipf4j.orpo.model.CausalLm;
import io.github.sipf4j.orpo.model.TorchScriptLm;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.AfterEach;

/**
 * A TorchScript export: orpo-core's parity fixture ({@code tiny_lm.pt}, made by {@code
 * scripts/make_tiny_torchscript.py}), whose positions come from the attention mask as the export script arranges.
 */
class TorchScriptLmContractTest extends CausalLmContract {

  private Path dir;

  @Override
  protected CausalLm newModel() throws Exception {
    Path fixture = Path.of(System.getProperty("sipf4j.torchscript.fixture",
        "../orpo-core/src/test/resources/torchscript"));
    dir = Files.createTempDirectory("torchscript-contract");
    Files.copy(fixture.resolve("tiny_lm.pt"), dir.resolve(TorchScriptLm.MODEL_FILE));
    Files.writeString(dir.resolve(TorchScriptLm.META_FILE), "{\"format\":\"torchscript\",\"vocab_size\":48,"
        + "\"max_length\":64,\"bos_id\":1,\"eos_id\":2,\"pad_id\":0}");
    TorchScriptLm lm = TorchScriptLm.load(dir, Device.cpu());
    lm.loadWeights(fixture.resolve("tiny_lm.safetensors"));
    return lm;
  }

  @AfterEach
  void deleteCopy() throws Exception {
    if (dir != null) {
      try (var files = Files.walk(dir)) {
        files.sorted(java.util.Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
      }
    }
  }
}
