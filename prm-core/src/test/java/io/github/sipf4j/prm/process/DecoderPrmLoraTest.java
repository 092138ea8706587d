package io.github.sipf4j.prm.process;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ai.djl.Device;
import ai.djl.nn.Parameter;
import ai.djl.util.Pair;
import io.github.sipf4j.orpo.lora.LoraConfig;
import io.github.sipf4j.orpo.lora.LoraModel;
import io.github.sipf4j.orpo.model.DecoderConfig;
import io.github.sipf4j.orpo.model.DecoderLm;
import io.github.sipf4j.orpo.text.PromptTemplate;
import io.github.sipf4j.orpo.text.TextTokenizer;
import io.github.sipf4j.orpo.util.SafetensorsFile;
import java.io.IOException;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A process reward model on a LoRA backbone, as the paper trains its PRM (an adapter under a trainable head):
 * training updates the adapters and the head alone, its checkpoint holds nothing else, the base stays bit-identical,
 * and the saved PRM (an adapter folder naming its base, the head, the settings) loads back with the same scores.
 */
class DecoderPrmLoraTest {

  static TextTokenizer tok;

  @BeforeAll
  static void setUp() {
    tok = TextTokenizer.characterLevel();
  }

  @AfterAll
  static void tearDown() {
    tok.close();
  }

  private static Map<String, float[]> values(List<Pair<String, Parameter>> params) {
    Map<String, float[]> out = new LinkedHashMap<>();
    params.forEach(p -> out.put(p.getKey(), p.getValue().getArray().toFloatArray()));
    return out;
  }

  @Test
  void aLoraBackboneTrainsItsAdaptersAndHeadAndSavesAsAnAdapter(@TempDir Path dir) throws IOException {
    Path base = dir.resolve("base");
    try (DecoderLm lm = DecoderLm.create(DecoderConfig.builder().vocabSize(tok.vocabSize()).dModel(32).layers(2)
        .heads(4).maxLength(64).build(), Device.cpu(), 3)) {
      lm.save(base);
    }
    List<StepScoringInput> inputs = List.of(StepScoringInput.of("add", List.of("1+2=3\n", "2+2=5\n")),
        StepScoringInput.of("add", List.of("1+1=2\n")));
    LoraConfig config = LoraConfig.builder().r(4).loraAlpha(8).build();
    List<double[]> scores;
    try (DecoderPrm prm = DecoderPrm.create(LoraModel.create(DecoderLm.load(base, Device.cpu()), config, 1), tok,
        PromptTemplate.DEFAULT, 2)) {
      List<Pair<String, Parameter>> trained = prm.trainableParameters(true);
      assertTrue(trained.stream().allMatch(p -> p.getKey().contains(".lora_") || p.getKey().startsWith("head.")),
          trained.toString());
      LoraModel backbone = (LoraModel) prm.backbone();
      Map<String, float[]> frozen = values(backbone.base().getBlock().getParameters().stream().toList());
      Map<String, float[]> before = values(trained);
      PrmTrainerConfig cfg = PrmTrainerConfig.builder().maxSteps(3).batchSize(4).microBatchSize(4).progressBar(false)
          .optimizer(io.github.sipf4j.orpo.train.OptimizerConfig.builder().learningRate(1e-2f).build())
          .workDir(dir.resolve("run")).build();
      new PrmTrainer(prm, cfg).fit(DecoderPrmTest.additions(8, 1), List.of());
      Map<String, float[]> after = values(trained);
      assertFalse(java.util.Arrays.equals(before.get(trained.get(1).getKey()), after.get(trained.get(1).getKey())),
          "lora_B of the first projection moved");
      Map<String, float[]> unchanged = values(backbone.base().getBlock().getParameters().stream().toList());
      frozen.forEach((k, v) -> assertArrayEquals(v, unchanged.get(k), k));
      try (SafetensorsFile f = SafetensorsFile.open(dir.resolve("run/checkpoint/model.safetensors"))) {
        assertEquals(before.keySet(), f.tensors().keySet(), "the checkpoint holds the adapters and the head");
      }
      scores = prm.scoreSteps(inputs);
      prm.save(dir.resolve("prm"));
    }
    assertTrue(java.nio.file.Files.isRegularFile(dir.resolve("prm").resolve(DecoderPrm.BACKBONE_DIR)
        .resolve(LoraModel.CONFIG_FILE)), "the backbone is saved as a PEFT adapter folder");
    try (DecoderPrm loaded = DecoderPrm.load(dir.resolve("prm"), Device.cpu())) {
      assertEquals(LoraModel.class, loaded.backbone().getClass());
      List<double[]> again = loaded.scoreSteps(inputs);
      for (int i = 0; i < inputs.size(); i++) {
        assertArrayEquals(scores.get(i), again.get(i), 0.0, "input " + i);
      }
    }
  }
}
