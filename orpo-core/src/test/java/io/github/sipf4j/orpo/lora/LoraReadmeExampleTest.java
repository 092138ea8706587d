package io.github.sipf4j.orpo.lora;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ai.djl.Device;
import io.github.sipf4j.orpo.data.PreferencePair;
import io.github.sipf4j.orpo.loss.OrpoLoss;
import io.github.sipf4j.orpo.model.CausalLm;
import io.github.sipf4j.orpo.model.CausalLms;
import io.github.sipf4j.orpo.model.hf.HfCausalLm;
import io.github.sipf4j.orpo.model.hf.HfFixtures;
import io.github.sipf4j.orpo.text.PromptTemplate;
import io.github.sipf4j.orpo.text.SequenceEncoder;
import io.github.sipf4j.orpo.text.TextTokenizer;
import io.github.sipf4j.orpo.train.EncodedPair;
import io.github.sipf4j.orpo.train.OptimizerConfig;
import io.github.sipf4j.orpo.train.OrpoTrainer;
import io.github.sipf4j.orpo.train.TrainerConfig;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.stream.Collectors;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The README's "Train adapters (LoRA)" example, run on the llama fixture folder: an adapter trained on a Hugging Face
 * folder, saved in PEFT's format, loaded back, exported merged and merged in place; a second test checks that the
 * README shows exactly this code.
 */
class LoraReadmeExampleTest {

  private static final String BEGIN = "// README:begin";
  private static final String END = "// README:end";

  @Test
  void theReadmeExampleRuns(@TempDir Path tmp) throws IOException {
    Path folder = HfFixtures.dir("llama"); // the README: Path.of("SmolLM2-135M")
    Path adapter = tmp.resolve("smollm2-lora");
    Path merged = tmp.resolve("smollm2-merged");
    float[] adapted;
    // README:begin
    LoraConfig lora = LoraConfig.builder().r(16).loraAlpha(32).loraDropout(0.05)
        .targetModules("q_proj", "k_proj", "v_proj", "o_proj", "gate_proj", "up_proj", "down_proj").build();
    try (TextTokenizer tok = TextTokenizer.fromFile(folder);
         LoraModel lm = LoraModel.create(HfCausalLm.load(folder, Device.cpu()), lora, 42)) {   // the base is frozen
      SequenceEncoder encoder = new SequenceEncoder(tok, PromptTemplate.DEFAULT, lm.maxLength());
      List<EncodedPair> pairs = OrpoTrainer.encode(List.of(new PreferencePair("question: 3+4*2=?\nanswer:",
          " 4*2=8, 3+8=11", " 3+4=7, 7*2=14")), encoder);
      TrainerConfig config = TrainerConfig.builder().batchSize(1).maxSteps(2).progressBar(false)
          .optimizer(OptimizerConfig.builder().learningRate(1e-3f).build()).build();
      new OrpoTrainer(lm, config, OrpoLoss.builder().build(), tok.padId()).fit(pairs);   // only the adapters train
      System.out.println(lm.adapterParameterCount() + " adapter parameters trained");
      lm.save(adapter);   // adapter_config.json + adapter_model.safetensors, as PEFT writes them
    }
    try (LoraModel lm = LoraModel.load(HfCausalLm.load(folder, Device.cpu()), adapter)) {   // or CausalLms.load
      lm.saveMerged(merged);   // W + s·B·A: a plain Hugging Face folder, the base left as it was
      lm.merge();              // or merge in place: decoding at the base's own cost
    // README:end
      adapted = LoraFixtures.logits(lm);
    }
    assertTrue(Files.isRegularFile(adapter.resolve(LoraModel.CONFIG_FILE)));
    assertTrue(Files.isRegularFile(adapter.resolve(LoraModel.WEIGHTS_FILE)));
    try (CausalLm again = CausalLms.load(adapter, Device.cpu());
        CausalLm plain = CausalLms.load(merged, Device.cpu());
        HfCausalLm base = HfCausalLm.load(folder, Device.cpu())) {
      assertEquals(LoraModel.class, again.getClass());
      assertEquals(HfCausalLm.class, plain.getClass());
      float[] fromAdapter = LoraFixtures.logits(again);
      assertTrue(LoraFixtures.maxAbsDiff(fromAdapter, adapted) < 1e-5, "merged in place");
      assertTrue(LoraFixtures.maxAbsDiff(fromAdapter, LoraFixtures.logits(plain)) < 1e-5, "merged export");
      assertTrue(LoraFixtures.maxAbsDiff(fromAdapter, LoraFixtures.logits(base)) > 1e-4, "the adapter was trained");
    }
  }

  @Test
  void theReadmeShowsThisExample() throws IOException {
    Path root = Path.of("").toAbsolutePath();
    while (!Files.isRegularFile(root.resolve("README.md")) || !Files.isDirectory(root.resolve("orpo-core"))) {
      root = root.getParent();
    }
    List<String> readme = Files.readAllLines(root.resolve("README.md"), StandardCharsets.UTF_8);
    int section = readme.indexOf("## Train adapters (LoRA)");
    assertTrue(section >= 0, "README.md has no section \"Train adapters (LoRA)\"");
    int from = section;
    while (!readme.get(from).startsWith("Path merged = ")) {
      from++;
    }
    int to = from + 1;
    while (!readme.get(to).equals("```")) {
      to++;
    }
    Path source = root.resolve("orpo-core/src/test/java/io/github/sipf4j/orpo/lora/LoraReadmeExampleTest.java");
    List<String> lines = Files.readAllLines(source, StandardCharsets.UTF_8);
    List<String> trimmed = lines.stream().map(String::trim).toList();
    List<String> shown = readme.subList(from + 1, to);
    assertEquals(normalise(lines.subList(trimmed.indexOf(BEGIN) + 1, trimmed.indexOf(END))),
        normalise(shown.subList(0, shown.size() - 1)), "README.md's example differs from the code this test runs");
    assertEquals("}", shown.get(shown.size() - 1).trim(), "the README's block closes the last try");
  }

  private static String normalise(List<String> lines) {
    return lines.stream().map(String::trim).filter(l -> !l.isEmpty()).collect(Collectors.joining("\n"));
  }
}
