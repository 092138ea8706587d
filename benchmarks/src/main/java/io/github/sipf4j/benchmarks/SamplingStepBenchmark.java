package io.github.sipf4j.benchmarks;

import ai.djl.Device;
import ai.djl.engine.Engine;
import io.github.sipf4j.orpo.sample.Sample;
import io.github.sipf4j.orpo.sample.Sampler;
import io.github.sipf4j.orpo.sample.SamplingConfig;
import io.github.sipf4j.orpo.text.TextTokenizer;
import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;

/**
 * Measures the per-token cost of choosing the next token at large vocabularies, without a model: a
 * {@link Sampler} decodes from {@link RandomLogitsLm} (fixed random logits, nothing to compute), so the time of a
 * step is the choice (temperature, top-k, top-p, the draw), the log-probabilities recorded with it, the read-back of
 * the chosen ids and the sampler's bookkeeping. Prints a Markdown table of milliseconds per decoding step (all rows
 * of the batch) by vocabulary, batch and sampling setting, beside PyTorch doing the same choice on the same shapes
 * ({@code torch_reference.py --mode choice}: the Hugging Face warpers, {@code softmax}, {@code torch.multinomial},
 * the two log-probabilities, and the ids read back as a list). This is a program, not a timed test.
 *
 * <p>Options: {@code --vocabs 32000,151936,256000} (Llama 2's, Qwen2's and Gemma's vocabulary sizes),
 * {@code --batches 1,16,64}, {@code --settings plain,nucleus} (plain: temperature 1; nucleus: temperature 0.7 and
 * top-p 0.9, which sorts the whole vocabulary; topk: temperature 0.7, top-k 50 and top-p 0.9), {@code --steps 8}
 * (decoding steps per timed run), {@code --repeats 3} (the median is reported), {@code --threads N} (PyTorch
 * intra-op threads on both sides), {@code --torch-reference PATH} and {@code --python python3}.
 *
 * <pre>
 * mvn -B -q -o package -DskipTests
 * java -Dai.djl.offline=true -cp benchmarks/target/benchmarks.jar io.github.sipf4j.benchmarks.SamplingStepBenchmark \
 *     --threads 2 --torch-reference benchmarks/python/torch_reference.py
 * </pre>
 */
public final class SamplingStepBenchmark {

  private static final int ROWS = 64;
  private static final int MAX_LENGTH = 4096;

  private SamplingStepBenchmark() {}

  /**
   * A sampling setting of the table.
   *
   * @param name the name on the command line and in the table
   * @param temperature the temperature
   * @param topK top-k, 0 for off
   * @param topP top-p, 1 for off
   */
  record Setting(String name, float temperature, int topK, float topP) {

    String describe() {
      return String.format(Locale.ROOT, "T %s%s%s", temperature, topK > 0 ? ", top-k " + topK : "",
          topP < 1 ? ", top-p " + topP : "");
    }
  }

  /**
   * Parsed command-line options.
   *
   * @param vocabs the vocabulary sizes
   * @param batches the batch sizes
   * @param settings the sampling settings
   * @param steps the decoding steps per timed run
   * @param repeats the timed runs per measurement
   * @param threads the PyTorch intra-op threads, or 0 for the default
   * @param torchReference the PyTorch reference script, or null
   * @param python the Python interpreter
   */
  record Options(int[] vocabs, int[] batches, List<Setting> settings, int steps, int repeats, int threads,
      Path torchReference, String python) {}

  /**
   * Runs the benchmark.
   *
   * @param args the options described in the class comment
   * @throws IOException if the tokenizer cannot be loaded
   */
  public static void main(String[] args) throws IOException {
    Options o = parse(args);
    SamplingBenchmark.prepareEngine(o.threads());
    System.out.printf(Locale.ROOT, "Sampling step benchmark: DJL %s, PyTorch engine %s, %s, %d available processors, "
            + "%d PyTorch intra-op thread(s), %d steps per run, median of %d run(s)%n%n",
        Engine.getDjlVersion(), Engine.getEngine("PyTorch").getVersion(), Device.cpu(),
        Runtime.getRuntime().availableProcessors(), ai.djl.pytorch.jni.JniUtils.getNumThreads(), o.steps(),
        o.repeats());
    boolean torch = o.torchReference() != null;
    StringBuilder table = new StringBuilder("| vocab | batch | sampling | sipf4j ms/step | sipf4j µs/token |")
        .append(torch ? " PyTorch ms/step | sipf4j / PyTorch |" : "").append('\n')
        .append("|---:|---:|---|---:|---:|").append(torch ? "---:|---:|" : "").append('\n');
    try (TextTokenizer tok = TextTokenizer.characterLevel()) {
      for (int vocab : o.vocabs()) {
        try (RandomLogitsLm lm = new RandomLogitsLm(vocab, ROWS, MAX_LENGTH, 1)) {
          Sampler sampler = new Sampler(lm, tok);
          for (int batch : o.batches()) {
            for (Setting s : o.settings()) {
              double ms = msPerStep(sampler, o, batch, s);
              table.append(String.format(Locale.ROOT, "| %d | %d | %s | %.2f | %.1f |", vocab, batch, s.describe(), ms,
                  1000 * ms / batch));
              if (torch) {
                Double ref = torchReference(o, vocab, batch, s);
                table.append(ref == null ? " n/a | n/a |"
                    : String.format(Locale.ROOT, " %.2f | %.2f |", ref, ms / ref));
              }
              table.append('\n');
              System.err.println("done: vocab " + vocab + " batch " + batch + " " + s.name());
            }
          }
        }
      }
    }
    System.out.println("Milliseconds per decoding step, choosing one token for every row (lower is better):\n");
    System.out.println(table);
  }

  private static double msPerStep(Sampler sampler, Options o, int batch, Setting s) {
    List<long[]> prompts = new ArrayList<>(batch);
    for (int i = 0; i < batch; i++) {
      prompts.add(new long[] {1, 4 + i % 80});
    }
    SamplingConfig cfg = SamplingConfig.builder().temperature(s.temperature()).topK(s.topK()).topP(s.topP())
        .maxNewTokens(o.steps()).stopAtEos(false).batchSize(batch).maxBatchTokens(Long.MAX_VALUE).seed(7).build();
    sampler.sampleIds(prompts, cfg.toBuilder().maxNewTokens(2).build());
    double[] ms = new double[o.repeats()];
    for (int r = 0; r < ms.length; r++) {
      long start = System.nanoTime();
      List<Sample> out = sampler.sampleIds(prompts, cfg);
      ms[r] = (System.nanoTime() - start) / 1e6 / o.steps();
      if (out.stream().mapToInt(Sample::length).sum() != batch * o.steps()) {
        throw new IllegalStateException("a row stopped early");
      }
    }
    Arrays.sort(ms);
    return ms[ms.length / 2];
  }

  private static Double torchReference(Options o, int vocab, int batch, Setting s) {
    return new TorchReference(o.python(), o.torchReference()).number("ms_per_step", "--mode", "choice", "--vocab",
        String.valueOf(vocab), "--batch", String.valueOf(batch), "--temperature", String.valueOf(s.temperature()),
        "--top-k", String.valueOf(s.topK()), "--top-p", String.valueOf(s.topP()), "--new-tokens",
        String.valueOf(o.steps()), "--threads",
        String.valueOf(o.threads() > 0 ? o.threads() : Runtime.getRuntime().availableProcessors()), "--warmup", "1",
        "--repeats", String.valueOf(o.repeats()));
  }

  static Setting setting(String name) {
    switch (name) {
      case "plain":
        return new Setting(name, 1f, 0, 1f);
      case "nucleus":
        return new Setting(name, 0.7f, 0, 0.9f);
      case "topk":
        return new Setting(name, 0.7f, 50, 0.9f);
      default:
        throw new IllegalArgumentException("unknown setting " + name + " (plain, nucleus or topk)");
    }
  }

  static Options parse(String[] args) {
    int[] vocabs = {32000, 151936, 256000};
    int[] batches = {1, 16, 64};
    List<Setting> settings = List.of(setting("plain"), setting("nucleus"));
    int steps = 8;
    int repeats = 3;
    int threads = 0;
    Path torch = null;
    String python = "/usr/bin/python3";
    for (int i = 0; i < args.length; i++) {
      String a = args[i];
      switch (a) {
        case "--vocabs":
          vocabs = Arrays.stream(args[++i].split(",")).mapToInt(Integer::parseInt).toArray();
          break;
        case "--batches":
          batches = Arrays.stream(args[++i].split(",")).mapToInt(Integer::parseInt).toArray();
          break;
        case "--settings":
          settings = Arrays.stream(args[++i].split(",")).map(SamplingStepBenchmark::setting).toList();
          break;
        case "--steps":
          steps = Integer.parseInt(args[++i]);
          break;
        case "--repeats":
          repeats = Integer.parseInt(args[++i]);
          break;
        case "--threads":
          threads = Integer.parseInt(args[++i]);
          break;
        case "--torch-reference":
          torch = Path.of(args[++i]);
          break;
        case "--python":
          python = args[++i];
          break;
        default:
          throw new IllegalArgumentException("unknown option " + a + "; see the Javadoc of SamplingStepBenchmark");
      }
    }
    for (int b : batches) {
      if (b < 1 || b > ROWS) {
        throw new IllegalArgumentException("batches must be between 1 and " + ROWS + ", got " + b);
      }
    }
    if (steps < 1 || repeats < 1 || steps + 2 > MAX_LENGTH) {
      throw new IllegalArgumentException("steps and repeats must be positive");
    }
    return new Options(vocabs, batches, settings, steps, repeats, threads, torch, python);
  }
}
