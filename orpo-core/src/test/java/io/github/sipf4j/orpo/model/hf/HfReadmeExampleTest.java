package io.github.sipf4j.orpo.model.hf;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ai.djl.Device;
import io.github.sipf4j.orpo.data.PreferencePair;
import io.github.sipf4j.orpo.loss.OrpoLoss;
import io.github.sipf4j.orpo.sample.Sample;
import io.github.sipf4j.orpo.sample.Sampler;
import io.github.sipf4j.orpo.sample.SamplingConfig;
import io.github.sipf4j.orpo.text.PromptTemplate;
import io.github.sipf4j.orpo.text.SequenceEncoder;
import io.github.sipf4j.orpo.text.TextTokenizer;
import io.github.sipf4j.orpo.train.EncodedPair;
import io.github.sipf4j.orpo.train.OptimizerConfig;
import io.github.sipf4j.orpo.train.OrpoTrainer;
import io.github.sipf4j.orpo.train.TrainerConfig;
import io.github.sipf4j.orpo.train.TrainingSummary;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;
import java.util.stream.Collectors;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The README's "Bring a Hugging Face model" example, run on the llama fixture folder; a second test checks that the
 * README shows exactly this code, so that neither can drift from the other.
 */
class HfReadmeExampleTest {

  private static final String BEGIN = "// README:begin";
  private static final String END = "// README:end";

  @Test
  void theReadmeExampleRuns(@TempDir Path tmp) throws IOException {
    Path folder = HfFixtures.dir("llama"); // the README: Path.of("SmolLM2-135M")
    Path out = tmp.resolve("smollm2-orpo");
    // README:begin
    try (HfCausalLm lm = HfCausalLm.load(folder, Device.cpu());   // or Device.gpu() with float16, see below
         TextTokenizer tok = TextTokenizer.fromFile(folder)) {    // BOS, EOS and PAD as the folder's configs say
      // Sample: batched, with the KV cache.
      SamplingConfig sampling = SamplingConfig.builder().temperature(0.7f).maxNewTokens(32).samplesPerPrompt(2)
          .seed(1).build();
      for (Sample s : new Sampler(lm, tok).sample(List.of("question: 3+4*2=?\nanswer:"), sampling)) {
        System.out.println(s.finishReason() + ": " + s.text());
      }
      // One ORPO step on one preference pair (TRL's prompt/chosen/rejected).
      SequenceEncoder encoder = new SequenceEncoder(tok, PromptTemplate.DEFAULT, lm.maxLength());
      List<EncodedPair> pairs = OrpoTrainer.encode(List.of(new PreferencePair("question: 3+4*2=?\nanswer:",
          " 4*2=8, 3+8=11", " 3+4=7, 7*2=14")), encoder);
      TrainerConfig config = TrainerConfig.builder().batchSize(1).maxSteps(1).progressBar(false)
          .optimizer(OptimizerConfig.builder().learningRate(1e-5f).build()).build();
      TrainingSummary summary = new OrpoTrainer(lm, config, OrpoLoss.builder().build(), tok.padId()).fit(pairs);
      System.out.println(summary.lastMetrics());   // TRL's names: loss, nll_loss, log_odds_ratio, ...
      // Save a folder that Hugging Face's from_pretrained loads; the tokenizer files come along.
      lm.save(out);
    }
    // README:end
    for (String f : List.of("config.json", "model.safetensors", "tokenizer.json", "tokenizer_config.json",
        "generation_config.json")) {
      assertTrue(Files.isRegularFile(out.resolve(f)), f);
    }
    try (HfCausalLm before = HfCausalLm.load(folder, Device.cpu());
        HfCausalLm after = HfCausalLm.load(out, Device.cpu())) {
      String w = "model.layers.0.mlp.up_proj.weight";
      assertFalse(Arrays.equals(before.getBlock().getParameters().get(w).getArray().toFloatArray(),
          after.getBlock().getParameters().get(w).getArray().toFloatArray()), "the saved model is the trained one");
    }
  }

  @Test
  void theReadmeShowsThisExample() throws IOException {
    Path root = HfSaveLoadTest.repositoryRoot();
    List<String> readme = Files.readAllLines(root.resolve("README.md"), StandardCharsets.UTF_8);
    int section = readme.indexOf("## Bring a Hugging Face model");
    assertTrue(section >= 0, "README.md has no section \"Bring a Hugging Face model\"");
    int from = section;
    while (!readme.get(from).startsWith("Path out = ")) {
      from++;
    }
    int to = from + 1;
    while (!readme.get(to).equals("```")) {
      to++;
    }
    String shown = normalise(readme.subList(from + 1, to));
    Path source = root.resolve("orpo-core/src/test/java/io/github/sipf4j/orpo/model/hf/HfReadmeExampleTest.java");
    List<String> lines = Files.readAllLines(source, StandardCharsets.UTF_8);
    int begin = indexOfTrimmed(lines, BEGIN);
    int end = indexOfTrimmed(lines, END);
    assertEquals(normalise(lines.subList(begin + 1, end)), shown,
        "README.md's example differs from the code HfReadmeExampleTest runs");
  }

  private static int indexOfTrimmed(List<String> lines, String marker) {
    for (int i = 0; i < lines.size(); i++) {
      if (lines.get(i).trim().equals(marker)) {
        return i;
      }
    }
    throw new AssertionError("marker " + marker + " not found");
  }

  private static String normalise(List<String> lines) {
    return lines.stream().map(String::trim).filter(l -> !l.isEmpty()).collect(Collectors.joining("\n"));
  }
}
