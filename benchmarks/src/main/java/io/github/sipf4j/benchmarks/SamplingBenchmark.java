package io.github.sipf4j.benchmarks;

import ai.djl.Device;
import ai.djl.engine.Engine;
import com.google.gson.JsonObject;
import com.sun.management.OperatingSystemMXBean;
import io.github.sipf4j.orpo.model.DecoderConfig;
import io.github.sipf4j.orpo.model.DecoderLm;
import io.github.sipf4j.orpo.sample.Sample;
import io.github.sipf4j.orpo.sample.Sampler;
import io.github.sipf4j.orpo.sample.SamplingConfig;
import io.github.sipf4j.orpo.text.TextTokenizer;
import io.github.sipf4j.orpo.util.CpuTuning;
import java.io.IOException;
import java.lang.management.ManagementFactory;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.Random;
import java.util.function.Supplier;

/**
 * Measures the sampling throughput of the built-in {@link DecoderLm} and prints Markdown tables: new tokens per
 * second at several batch sizes with and without the key/value cache, and the prefix continuation of the
 * Monte-Carlo step labelling (K continuations of several prefixes of one rationale). Samples never stop early (EOS
 * and stop strings off), so every row generates exactly the requested number of tokens. This is a program, not a
 * timed test.
 *
 * <p>Options: {@code --sizes 1m,5m} (1m: dModel 128, 5 layers, 4 heads; 5m: dModel 256, 6 layers, 8 heads; both
 * with the 90-id character vocabulary), {@code --batches 1,16,64,256}, {@code --prompt-tokens 16},
 * {@code --new-tokens 128}, {@code --no-cache-max-tokens 32} (the no-cache path generates at most this many tokens at
 * batches of 256 and more, where the full forward per step is slow; the table says so), {@code --repeats 3} (the
 * median is reported), {@code --quick} (one repeat, and the no-cache cap applies from batch 64 on),
 * {@code --threads N} (PyTorch intra-op threads; on a shared machine 1 avoids spinning threads stalling each other),
 * {@code --cpu-time} (the table gains tokens per CPU second of the whole process, beside the reference's: with one
 * thread on a machine that other jobs share, these move far less with the load than wall-clock rates),
 * {@code --no-prefixes} (leave out the prefix-continuation table), {@code --torch-reference PATH} and
 * {@code --python python3} (run a PyTorch reference script, see below).
 *
 * <p>The PyTorch reference hook: for each (model, batch) the program runs {@code PYTHON PATH --mode sample
 * --d-model D --layers L --heads H --vocab V --max-len M --batch B --prompt-len P --new-tokens N --threads T} (the
 * {@code benchmarks/python/torch_reference.py} of this repository) and reads {@code "new_tokens_per_s"} (and
 * {@code "new_tokens_per_cpu_s"}) from the JSON object it prints; the table then gains the reference's tokens per
 * second and the ratio of this library's cached throughput to it. A failing or missing script gives "n/a".
 *
 * <pre>
 * mvn -B -q -o package -DskipTests
 * java -cp "examples/target/sipf4j.jar:benchmarks/target/benchmarks.jar" \
 *     io.github.sipf4j.benchmarks.SamplingBenchmark --quick --threads 1
 * </pre>
 */
public final class SamplingBenchmark {

  /** The maximum length of the benchmarked models. */
  static final int MAX_LENGTH = 192;

  private SamplingBenchmark() {}

  /**
   * The shape of a benchmarked model.
   *
   * @param name the short name used on the command line
   * @param config the decoder configuration
   */
  record ModelSize(String name, DecoderConfig config) {}

  /**
   * Parsed command-line options.
   *
   * @param sizes the model sizes
   * @param batches the batch sizes
   * @param promptTokens the prompt length
   * @param newTokens the tokens generated per row
   * @param noCacheMaxTokens the cap on new tokens for the no-cache path at large batches
   * @param noCacheCapFrom the smallest batch at which the no-cache path is capped
   * @param repeats the timed runs per measurement
   * @param torchReference the PyTorch reference script, or null
   * @param python the Python interpreter
   * @param threads the PyTorch intra-op threads, or 0 for PyTorch's default
   * @param cpuTime whether to report tokens per CPU second too
   * @param prefixes whether to measure prefix continuation
   */
  record Options(List<ModelSize> sizes, int[] batches, int promptTokens, int newTokens, int noCacheMaxTokens,
      int noCacheCapFrom, int repeats, Path torchReference, String python, int threads, boolean cpuTime,
      boolean prefixes) {}

  /**
   * Runs the benchmark.
   *
   * @param args the options described in the class comment
   * @throws IOException if the tokenizer cannot be loaded
   */
  public static void main(String[] args) throws IOException {
    Options o = parse(args);
    prepareEngine(o.threads());
    System.out.printf(Locale.ROOT, "Sampling benchmark: DJL %s, PyTorch engine %s, %s, %d available processors, "
            + "%d PyTorch intra-op thread(s), prompt %d tokens, temperature 1, median of %d run(s)%n%n",
        Engine.getDjlVersion(), Engine.getEngine("PyTorch").getVersion(), Device.cpu(),
        Runtime.getRuntime().availableProcessors(), ai.djl.pytorch.jni.JniUtils.getNumThreads(), o.promptTokens(),
        o.repeats());
    try (TextTokenizer tok = TextTokenizer.characterLevel()) {
      StringBuilder throughput = new StringBuilder();
      StringBuilder prefixes = new StringBuilder();
      boolean torch = o.torchReference() != null;
      boolean cpu = o.cpuTime();
      throughput.append("| model | params | batch | new tokens | KV cache tok/s |")
          .append(cpu ? " KV cache tok/CPU-s |" : "").append(" no cache tok/s | speedup |")
          .append(torch ? " PyTorch tok/s | DJL / PyTorch |" : "")
          .append(torch && cpu ? " PyTorch tok/CPU-s | DJL / PyTorch, CPU |" : "").append('\n');
      throughput.append("|---|---:|---:|---:|---:|").append(cpu ? "---:|" : "").append("---:|---:|")
          .append(torch ? "---:|---:|" : "").append(torch && cpu ? "---:|---:|" : "").append('\n');
      prefixes.append("| model | prefixes x K | new tokens | shared prefix tok/s | KV cache, prefix per row tok/s "
          + "| no cache tok/s |\n|---|---|---:|---:|---:|---:|\n");
      for (ModelSize size : o.sizes()) {
        try (DecoderLm lm = DecoderLm.create(size.config(), Device.cpu(), 1)) {
          Sampler sampler = new Sampler(lm, tok);
          String params = String.format(Locale.ROOT, "%.1fM", lm.parameterCount() / 1e6);
          warmUp(sampler, o);
          for (int batch : o.batches()) {
            List<long[]> prompts = randomPrompts(new Random(batch), batch, o.promptTokens());
            SamplingConfig cached = config(o.newTokens(), batch, true);
            Rate cachedRate = medianRate(o.repeats(), () -> rate(() -> sampler.sampleIds(prompts, cached)));
            double withCache = cachedRate.perSecond();
            int uncachedTokens = batch >= o.noCacheCapFrom() ? Math.min(o.newTokens(), o.noCacheMaxTokens()) : o.newTokens();
            SamplingConfig uncached = config(uncachedTokens, batch, false);
            double noCache = median(o.repeats(), () -> tokensPerSecond(sampler, prompts, uncached));
            String tokens = uncachedTokens == o.newTokens() ? String.valueOf(o.newTokens())
                : o.newTokens() + " (no cache: " + uncachedTokens + ")";
            throughput.append(String.format(Locale.ROOT, "| %s | %s | %d | %s | %.0f |", size.name(), params, batch,
                tokens, withCache));
            if (cpu) {
              throughput.append(String.format(Locale.ROOT, " %.0f |", cachedRate.perCpuSecond()));
            }
            throughput.append(String.format(Locale.ROOT, " %.0f | %.1fx |", noCache, withCache / noCache));
            if (torch) {
              double[] ref = torchReference(o, size.config(), batch);
              throughput.append(ref == null ? " n/a | n/a |"
                  : String.format(Locale.ROOT, " %.0f | %.2f |", ref[0], withCache / ref[0]));
              if (cpu) {
                throughput.append(ref == null ? " n/a | n/a |" : String.format(Locale.ROOT, " %.0f | %.2f |", ref[1],
                    cachedRate.perCpuSecond() / ref[1]));
              }
            }
            throughput.append('\n');
            System.err.println("done: " + size.name() + " batch " + batch);
          }
          if (o.prefixes()) {
            prefixes.append(prefixContinuation(sampler, o, size, 8, 8, 32));
            System.err.println("done: " + size.name() + " prefix continuation");
          }
        }
      }
      System.out.println("New tokens per second (higher is better):\n");
      System.out.println(throughput);
      if (o.prefixes()) {
        System.out.println("Prefix continuation, K continuations of each of several prefixes of one rationale "
            + "(prefixes 16 tokens apart, the longest " + (o.promptTokens() + 7 * 16) + " tokens):\n");
        System.out.println(prefixes);
      }
    }
  }

  private static SamplingConfig config(int newTokens, int batch, boolean kvCache) {
    return SamplingConfig.builder().temperature(1f).maxNewTokens(newTokens).stopAtEos(false).batchSize(batch)
        .maxBatchTokens(Long.MAX_VALUE).useKvCache(kvCache).seed(7).build();
  }

  private static void warmUp(Sampler sampler, Options o) {
    List<long[]> prompts = randomPrompts(new Random(0), 8, o.promptTokens());
    sampler.sampleIds(prompts, config(16, 8, true));
    sampler.sampleIds(prompts, config(16, 8, false));
  }

  private static String prefixContinuation(
      Sampler sampler, Options o, ModelSize size, int prefixCount, int k, int newTokens) {
    long[] prompt = randomPrompts(new Random(99), 1, o.promptTokens()).get(0);
    int gap = 16;
    SamplingConfig rationaleCfg = config((prefixCount - 1) * gap, 1, true);
    long[] rationale = sampler.sampleIds(List.of(prompt), rationaleCfg).get(0).tokenIds();
    List<long[]> prefixes = new ArrayList<>();
    List<long[]> repeated = new ArrayList<>();
    for (int i = 0; i < prefixCount; i++) {
      long[] p = Arrays.copyOf(prompt, prompt.length + i * gap);
      System.arraycopy(rationale, 0, p, prompt.length, i * gap);
      prefixes.add(p);
      for (int j = 0; j < k; j++) {
        repeated.add(p);
      }
    }
    int rows = prefixCount * k;
    SamplingConfig cached = config(newTokens, rows, true);
    SamplingConfig uncached = config(newTokens, rows, false);
    double shared = median(o.repeats(), () -> timed(() -> sampler.sampleContinuationIds(prefixes, k, cached)));
    double perRow = median(o.repeats(), () -> timed(() -> sampler.sampleIds(repeated, cached)));
    double full = median(o.repeats(), () -> timed(() -> sampler.sampleContinuationIds(prefixes, k, uncached)));
    return String.format(Locale.ROOT, "| %s | %d x %d | %d | %.0f | %.0f | %.0f |%n", size.name(), prefixCount, k,
        newTokens, shared, perRow, full);
  }

  private static double tokensPerSecond(Sampler sampler, List<long[]> prompts, SamplingConfig cfg) {
    return timed(() -> sampler.sampleIds(prompts, cfg));
  }

  /**
   * Throughput of one call.
   *
   * @param perSecond generated tokens per wall-clock second
   * @param perCpuSecond generated tokens per second of the process's CPU time (all its threads)
   */
  record Rate(double perSecond, double perCpuSecond) {}

  /** Runs a sampling call and returns its generated tokens per wall-clock and per CPU second. */
  private static Rate rate(Supplier<List<Sample>> call) {
    OperatingSystemMXBean os = (OperatingSystemMXBean) ManagementFactory.getOperatingSystemMXBean();
    long cpu = os.getProcessCpuTime();
    long start = System.nanoTime();
    List<Sample> out = call.get();
    double seconds = (System.nanoTime() - start) / 1e9;
    double cpuSeconds = (os.getProcessCpuTime() - cpu) / 1e9;
    long tokens = out.stream().mapToLong(Sample::length).sum();
    return new Rate(tokens / seconds, tokens / cpuSeconds);
  }

  /** The medians, each on its own, of both rates over repeated calls. */
  private static Rate medianRate(int repeats, Supplier<Rate> measure) {
    double[] wall = new double[repeats];
    double[] cpu = new double[repeats];
    for (int i = 0; i < repeats; i++) {
      Rate r = measure.get();
      wall[i] = r.perSecond();
      cpu[i] = r.perCpuSecond();
    }
    Arrays.sort(wall);
    Arrays.sort(cpu);
    return new Rate(wall[repeats / 2], cpu[repeats / 2]);
  }

  /** Runs a sampling call and returns its generated tokens per second. */
  private static double timed(Supplier<List<Sample>> call) {
    long start = System.nanoTime();
    List<Sample> out = call.get();
    double seconds = (System.nanoTime() - start) / 1e9;
    long tokens = out.stream().mapToLong(Sample::length).sum();
    return tokens / seconds;
  }

  private static double median(int repeats, java.util.function.DoubleSupplier measure) {
    double[] v = new double[repeats];
    for (int i = 0; i < repeats; i++) {
      v[i] = measure.getAsDouble();
    }
    Arrays.sort(v);
    return v[repeats / 2];
  }

  private static List<long[]> randomPrompts(Random r, int n, int length) {
    List<long[]> out = new ArrayList<>(n);
    for (int i = 0; i < n; i++) {
      long[] p = new long[length];
      p[0] = 1;
      for (int j = 1; j < length; j++) {
        p[j] = 4 + r.nextInt(86);
      }
      out.add(p);
    }
    return out;
  }

  /** The reference's new tokens per wall-clock and per CPU second, or null. */
  private static double[] torchReference(Options o, DecoderConfig c, int batch) {
    JsonObject r = new TorchReference(o.python(), o.torchReference()).result("--mode", "sample",
        "--d-model", String.valueOf(c.dModel()), "--layers", String.valueOf(c.layers()), "--heads",
        String.valueOf(c.heads()), "--vocab", String.valueOf(c.vocabSize()), "--max-len", String.valueOf(c.maxLength()),
        "--batch", String.valueOf(batch), "--prompt-len", String.valueOf(o.promptTokens()), "--new-tokens",
        String.valueOf(o.newTokens()), "--threads", String.valueOf(o.threads()), "--warmup", "1", "--repeats",
        String.valueOf(Math.max(1, o.repeats())));
    if (r == null) {
      return null;
    }
    if (!r.has("new_tokens_per_s") || !r.has("new_tokens_per_cpu_s")) {
      System.err.println("PyTorch reference printed no new_tokens_per_s or new_tokens_per_cpu_s: " + r);
      return null;
    }
    return new double[] {r.get("new_tokens_per_s").getAsDouble(), r.get("new_tokens_per_cpu_s").getAsDouble()};
  }

  /**
   * Prepares the process before the engine loads: the CPU settings ({@link CpuTuning}), offline unless said
   * otherwise, and the PyTorch intra-op threads.
   *
   * @param threads the intra-op threads, or 0 for PyTorch's default
   */
  static void prepareEngine(int threads) {
    CpuTuning.apply();
    if (System.getProperty("ai.djl.offline") == null) {
      System.setProperty("ai.djl.offline", "true");
    }
    if (threads > 0) {
      System.setProperty("ai.djl.pytorch.num_threads", String.valueOf(threads));
    }
  }

  static ModelSize size(String name) {
    DecoderConfig.Builder b = DecoderConfig.builder().vocabSize(90).maxLength(MAX_LENGTH);
    switch (name) {
      case "1m":
        return new ModelSize(name, b.dModel(128).layers(5).heads(4).build());
      case "5m":
        return new ModelSize(name, b.dModel(256).layers(6).heads(8).build());
      default:
        throw new IllegalArgumentException("unknown size " + name + " (1m or 5m)");
    }
  }

  static Options parse(String[] args) {
    List<ModelSize> sizes = List.of(size("1m"), size("5m"));
    int[] batches = {1, 16, 64, 256};
    int promptTokens = 16;
    int newTokens = 128;
    int noCacheMax = 32;
    int repeats = 3;
    Path torch = null;
    String python = "/usr/bin/python3";
    int threads = 0;
    boolean quick = false;
    boolean cpuTime = false;
    boolean prefixes = true;
    for (int i = 0; i < args.length; i++) {
      String a = args[i];
      switch (a) {
        case "--quick":
          repeats = 1;
          noCacheMax = 32;
          quick = true;
          break;
        case "--sizes":
          sizes = Arrays.stream(args[++i].split(",")).map(SamplingBenchmark::size).toList();
          break;
        case "--batches":
          batches = Arrays.stream(args[++i].split(",")).mapToInt(Integer::parseInt).toArray();
          break;
        case "--prompt-tokens":
          promptTokens = Integer.parseInt(args[++i]);
          break;
        case "--new-tokens":
          newTokens = Integer.parseInt(args[++i]);
          break;
        case "--no-cache-max-tokens":
          noCacheMax = Integer.parseInt(args[++i]);
          break;
        case "--repeats":
          repeats = Integer.parseInt(args[++i]);
          break;
        case "--torch-reference":
          torch = Path.of(args[++i]);
          break;
        case "--python":
          python = args[++i];
          break;
        case "--threads":
          threads = Integer.parseInt(args[++i]);
          break;
        case "--cpu-time":
          cpuTime = true;
          break;
        case "--no-prefixes":
          prefixes = false;
          break;
        default:
          throw new IllegalArgumentException("unknown option " + a + "; see the Javadoc of SamplingBenchmark");
      }
    }
    if (repeats < 1 || promptTokens < 1 || newTokens < 1 || promptTokens + newTokens > MAX_LENGTH
        || promptTokens + 7 * 16 + 32 > MAX_LENGTH) {
      throw new IllegalArgumentException("repeats, prompt and new tokens must be positive and fit maxLength "
          + MAX_LENGTH);
    }
    return new Options(sizes, batches, promptTokens, newTokens, noCacheMax, quick ? 64 : 256, repeats, torch,
        python, threads, cpuTime, prefixes);
  }
}
