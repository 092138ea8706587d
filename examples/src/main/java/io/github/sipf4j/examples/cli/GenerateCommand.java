package io.github.sipf4j.examples.cli;

import com.google.gson.JsonObject;
import io.github.sipf4j.orpo.data.DataFormatException;
import io.github.sipf4j.orpo.model.CausalLm;
import io.github.sipf4j.orpo.sample.Sample;
import io.github.sipf4j.orpo.sample.Sampler;
import io.github.sipf4j.orpo.sample.SamplingConfig;
import io.github.sipf4j.orpo.text.TextTokenizer;
import java.io.IOException;
import java.io.Writer;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/**
 * {@code sipf4j generate}: continues every input line with the model, through {@link Sampler}.
 *
 * <p>For each request (see {@link TokenRequests}; a {@code text} line is the prompt) it writes, in input
 * order, one JSON object: {@code line}, {@code output_ids} (the new tokens, a stop token included),
 * {@code text} (their decoding, without a stop token, cut after a stop string), {@code finish_reason}
 * ({@code eos}, {@code stop} or {@code length}), {@code token_logprobs} (the model's own log-probability of each new
 * token) and {@code sum_logprob}. {@code --temperature 0} is greedy decoding. Sampling is reproducible: request
 * {@code i} of the file (counting from 0) draws from the random stream of {@code (seed, i)}, so its output does not
 * depend on the batch size or on the other lines. Lines are decoded in blocks of {@value #BLOCKS} batches, each
 * block written and flushed before the next is read. The whole input is checked before the model runs.
 */
@Command(
    name = "generate",
    mixinStandardHelpOptions = true,
    description = "Continues every input line with the model (JSON lines in, JSON lines out).")
public final class GenerateCommand implements Callable<Integer> {

  /** How many batches of lines one block holds. */
  static final int BLOCKS = 4;

  @Spec CommandSpec spec;

  @Mixin ModelInputOptions io;

  @Option(names = "--max-new-tokens", required = true, description = "The most new tokens per line.")
  int maxNewTokens;

  @Option(names = "--temperature", defaultValue = "1",
      description = "Sampling temperature; 0 is greedy decoding (default: ${DEFAULT-VALUE}).")
  float temperature;

  @Option(names = "--top-k", defaultValue = "0", description = "Keep the k most likely tokens; 0 is off (default).")
  int topK;

  @Option(names = "--top-p", defaultValue = "1",
      description = "Nucleus sampling mass in (0, 1]; 1 is off (default).")
  float topP;

  @Option(names = "--seed", defaultValue = "42", description = "The seed (default: ${DEFAULT-VALUE}).")
  long seed;

  @Option(names = "--stop", description = "A stop string (repeatable): the text ends right after it.")
  List<String> stops = new ArrayList<>();

  @Option(names = "--batch-size", defaultValue = "64",
      description = "The most lines decoded together (default: ${DEFAULT-VALUE}).")
  int batchSize;

  /** Creates the command; picocli fills in the options. */
  public GenerateCommand() {}

  /**
   * Generates for the input.
   *
   * @return 0 on success; 2, after one line on standard error, for a bad option, input line or model folder, or an
   *     output that cannot be written
   */
  @Override
  public Integer call() {
    try {
      SamplingConfig config = SamplingConfig.builder().maxNewTokens(maxNewTokens).temperature(temperature)
          .topK(topK).topP(topP).seed(seed).stopStrings(stops).batchSize(batchSize).build();
      io.check();
      try (TextTokenizer tok = io.tokenizer(true);
          CausalLm lm = io.load()) {
        Sampler sampler = new Sampler(lm, tok);
        TokenRequests requests = new TokenRequests(io.input, sampler::encodePrompt, lm.vocabSize(),
            lm.maxLength() - 1, "leaving no room for a new token within the model's maximum length of "
            + lm.maxLength());
        requests.validate();
        try (Writer w = io.open(spec.commandLine().getOut())) {
          List<TokenRequests.Request> block = new ArrayList<>();
          long[] index = new long[1];
          requests.read(r -> {
            block.add(r);
            if (block.size() == BLOCKS * batchSize) {
              generate(sampler, config, block, index[0], w);
              index[0] += block.size();
              block.clear();
            }
          });
          if (!block.isEmpty()) {
            generate(sampler, config, block, index[0], w);
          }
        }
      }
      return 0;
    } catch (IllegalArgumentException | DataFormatException | IOException e) {
      spec.commandLine().getErr().println(e.getMessage());
      return 2;
    }
  }

  /** Decodes one block whose first request is request {@code first} of the file, and writes its results. */
  private static void generate(Sampler sampler, SamplingConfig config, List<TokenRequests.Request> block,
      long first, Writer w) throws IOException {
    List<long[]> prompts = new ArrayList<>(block.size());
    List<Long> keys = new ArrayList<>(block.size());
    for (int i = 0; i < block.size(); i++) {
      prompts.add(block.get(i).ids());
      keys.add(first + i);
    }
    List<Sample> samples = sampler.sampleIds(prompts, keys, config, null);
    for (int i = 0; i < block.size(); i++) {
      Sample s = samples.get(i);
      JsonObject o = new JsonObject();
      o.addProperty("line", block.get(i).line());
      o.add("output_ids", ModelInputOptions.array(s.tokenIds()));
      o.addProperty("text", s.text());
      o.addProperty("finish_reason", s.finishReason().name().toLowerCase(Locale.ROOT));
      o.add("token_logprobs", ModelInputOptions.array(s.logProbs()));
      o.addProperty("sum_logprob", s.sumLogProb());
      ModelInputOptions.writeLine(w, o);
    }
    w.flush();
  }
}
