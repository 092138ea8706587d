package io.github.sipf4j.benchmarks;

import ai.djl.Device;
import ai.djl.engine.Engine;
import com.google.gson.Gson;
import com.google.gson.GsonBuilder;
import com.google.gson.JsonArray;
import com.google.gson.JsonObject;
import io.github.sipf4j.orpo.loss.OrpoLoss;
import io.github.sipf4j.orpo.model.LoadOptions;
import io.github.sipf4j.orpo.model.hf.HfCausalLm;
import io.github.sipf4j.orpo.model.hf.LlamaConfig;
import io.github.sipf4j.orpo.model.hf.RopeScaling;
import io.github.sipf4j.orpo.sample.Sample;
import io.github.sipf4j.orpo.sample.Sampler;
import io.github.sipf4j.orpo.sample.SamplingConfig;
import io.github.sipf4j.orpo.text.TextTokenizer;
import io.github.sipf4j.orpo.train.EncodedPair;
import io.github.sipf4j.orpo.train.OptimizerConfig;
import io.github.sipf4j.orpo.train.OrpoTrainer;
import io.github.sipf4j.orpo.train.StepResult;
import io.github.sipf4j.orpo.train.TrainerConfig;
import io.github.sipf4j.orpo.train.TrainerListener;
import io.github.sipf4j.orpo.util.CpuTuning;
import io.github.sipf4j.orpo.util.MallocTuning;
import java.io.IOException;
import java.io.InputStream;
import java.lang.management.ManagementFactory;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Random;
import java.util.stream.Stream;

/**
 * Benchmarks {@link HfCausalLm} on random-weight Llama folders against the plain-PyTorch reference
 * {@code scripts/hf_reference.py} (which loads the same folder), in the same run, and prints Markdown tables:
 *
 * <ul>
 *   <li><b>sampling</b>: new tokens per second through {@link Sampler} with the key/value cache, temperature 1, every
 *       row exactly {@code --new-tokens} tokens after a {@code --prompt-tokens} prompt, at each of {@code --batches};
 *       the reference samples the same number of tokens with its own KV cache under {@code torch.no_grad};
 *   <li><b>ORPO step</b>: {@link OrpoTrainer}'s step (forward of chosen and rejected rows, loss, backward, clipping,
 *       AdamW) on {@code --orpo-pairs} random pairs of {@code --orpo-length} tokens, against the reference's eager
 *       step ({@code torch_reference.orpo_step});
 *   <li><b>loading</b>: wall time and peak resident memory of {@link HfCausalLm#load} in a fresh JVM per repeat
 *       ({@link HfLoadProbe}).
 * </ul>
 *
 * <p>The models ({@code --sizes}, any of {@code 39m,100m}): {@code 39m} is hidden 512, 8 layers, 8 heads / 2
 * key-value heads, intermediate 1408; {@code 100m} is hidden 768, 12 layers, 12 heads / 4 key-value heads,
 * intermediate 2048; both a 32,000-id vocabulary with a tied head, {@code max_position_embeddings} 512, float32. Each
 * is created once ({@link HfCausalLm#create}, seeded) and saved as a Hugging Face folder with a 32,000-token
 * word-level {@code tokenizer.json} into a temporary directory, deleted at the end. Every measurement is the median
 * of {@code --repeats} runs after {@code --warmup} untimed ones (min–max in the tables), in wall time and in the CPU
 * time of each side's process (which on a machine shared with other work counts only the benchmark's own work).
 *
 * <p>Options: {@code --sizes 39m,100m}, {@code --batches 1,16,64}, {@code --prompt-tokens 32}, {@code --new-tokens
 * 64}, {@code --orpo-pairs 4}, {@code --orpo-length 128}, {@code --warmup 1}, {@code --repeats 3}, {@code --threads 1}
 * (PyTorch intra-op threads on both sides; set before the engine starts), {@code --reference
 * scripts/hf_reference.py}, {@code --python /usr/bin/python3}, {@code --skip sampling,orpo,load}. A missing Python or
 * torch gives "n/a" in the PyTorch columns.
 *
 * <pre>
 * mvn -B -q -o package -DskipTests -pl benchmarks -am
 * java -cp benchmarks/target/benchmarks.jar io.github.sipf4j.benchmarks.HfBenchmark --threads 1
 * </pre>
 */
public final class HfBenchmark {

  private static final int VOCAB = 32_000;
  private static final int MAX_POSITIONS = 512;

  private HfBenchmark() {}

  /**
   * A benchmarked Llama shape.
   *
   * @param name the name on the command line
   * @param hidden {@code hidden_size}
   * @param layers {@code num_hidden_layers}
   * @param heads {@code num_attention_heads}
   * @param kvHeads {@code num_key_value_heads}
   * @param intermediate {@code intermediate_size}
   */
  record Shape(String name, int hidden, int layers, int heads, int kvHeads, int intermediate) {

    static Shape named(String name) {
      switch (name) {
        case "39m":
          return new Shape(name, 512, 8, 8, 2, 1408);
        case "100m":
          return new Shape(name, 768, 12, 12, 4, 2048);
        default:
          throw new IllegalArgumentException("unknown size " + name + " (39m or 100m)");
      }
    }

    /** The {@code config.json} of this shape, with Hugging Face's field names. */
    JsonObject configJson() {
      JsonObject c = new JsonObject();
      JsonArray arch = new JsonArray();
      arch.add("LlamaForCausalLM");
      c.add("architectures", arch);
      c.addProperty("model_type", "llama");
      c.addProperty("vocab_size", VOCAB);
      c.addProperty("hidden_size", hidden);
      c.addProperty("intermediate_size", intermediate);
      c.addProperty("num_hidden_layers", layers);
      c.addProperty("num_attention_heads", heads);
      c.addProperty("num_key_value_heads", kvHeads);
      c.addProperty("hidden_act", "silu");
      c.addProperty("max_position_embeddings", MAX_POSITIONS);
      c.addProperty("rms_norm_eps", 1e-5);
      c.addProperty("rope_theta", 10000.0);
      c.addProperty("tie_word_embeddings", true);
      c.addProperty("initializer_range", 0.02);
      c.addProperty("bos_token_id", 1);
      c.addProperty("eos_token_id", 2);
      c.addProperty("torch_dtype", "float32");
      return c;
    }

    LlamaConfig config() {
      return new LlamaConfig("llama", VOCAB, hidden, intermediate, layers, heads, kvHeads, hidden / heads, "silu",
          MAX_POSITIONS, 1e-5, 10000.0, RopeScaling.NONE, true, false, false, 0.0, 0.02, null, configJson());
    }
  }

  /**
   * Parsed options.
   *
   * @param sizes the model shapes
   * @param batches the sampling batch sizes
   * @param promptTokens the prompt length
   * @param newTokens the tokens sampled per row
   * @param orpoPairs the pairs per ORPO step
   * @param orpoLength the tokens per ORPO sequence
   * @param warmup the untimed runs
   * @param repeats the timed runs
   * @param threads the intra-op threads of both sides
   * @param reference the reference script
   * @param python the Python interpreter
   * @param skip the sections not run
   */
  record Options(List<Shape> sizes, int[] batches, int promptTokens, int newTokens, int orpoPairs, int orpoLength,
      int warmup, int repeats, int threads, Path reference, String python, List<String> skip) {}

  /**
   * Runs the benchmark.
   *
   * @param args the options of the class comment
   * @throws IOException if a folder cannot be written or loaded
   * @throws InterruptedException if interrupted while a child process runs
   */
  public static void main(String[] args) throws IOException, InterruptedException {
    Options o = parse(args);
    CpuTuning.Status tuning = CpuTuning.apply(); // before any DJL call: MKL dispatch, malloc thresholds, huge pages
    if (System.getProperty("ai.djl.offline") == null) {
      System.setProperty("ai.djl.offline", "true");
    }
    System.setProperty("ai.djl.pytorch.num_threads", String.valueOf(o.threads()));
    TorchReference torch = new TorchReference(o.python(), o.reference());
    System.out.printf(Locale.ROOT, "# Hugging Face llama: DJL %s, PyTorch engine %s, %d available processors, %d "
            + "intra-op thread(s) on both sides, reference %s, median of %d run(s) after %d warm-up(s); load average "
            + "at the start %s%n%n",
        Engine.getDjlVersion(), Engine.getEngine("PyTorch").getVersion(), Runtime.getRuntime().availableProcessors(),
        ai.djl.pytorch.jni.JniUtils.getNumThreads(),
        torch.available() == null ? "torch " + torchVersion(o) : "unavailable (" + torch.available() + ")",
        o.repeats(), o.warmup(), loadAverage());
    System.out.println("CPU tuning of sipf4j's side: " + tuning + " (the reference, PyTorch 1.13, has none of these"
        + (MallocTuning.heapOnly() ? " but GLIBC_TUNABLES, which it inherits)" : ")"));
    System.out.println();
    StringBuilder sampling = new StringBuilder("| model | params | batch | sipf4j tok/s, median (min–max) "
        + "| PyTorch tok/s, median (min–max) | sipf4j / PyTorch | sipf4j tok/CPU-s | PyTorch tok/CPU-s "
        + "| sipf4j / PyTorch, CPU |\n|---|---:|---:|---:|---:|---:|---:|---:|---:|\n");
    StringBuilder orpo = new StringBuilder("| model | params | pairs × length | sipf4j ms, median (min–max) "
        + "| PyTorch ms, median (min–max) | sipf4j / PyTorch | sipf4j CPU ms | PyTorch CPU ms "
        + "| sipf4j / PyTorch, CPU |\n|---|---:|---:|---:|---:|---:|---:|---:|---:|\n");
    StringBuilder load = new StringBuilder("| model | params | float32 MB | load s, median (min–max) "
        + "| peak RSS MB (engine alone) | above engine + parameters MB |\n|---|---:|---:|---:|---:|---:|\n");
    Path root = Files.createTempDirectory("sipf4j-hfbench");
    try {
      for (Shape shape : o.sizes()) {
        Path folder = root.resolve("llama-" + shape.name());
        long params = writeFolder(shape, folder);
        String p = String.format(Locale.ROOT, "%.1f M", params / 1e6);
        if (!o.skip().contains("load")) {
          String row = loadRow(shape, folder, p, o);
          load.append(row);
          System.err.print("done: load " + row);
        }
        try (HfCausalLm lm = HfCausalLm.load(folder, Device.cpu());
            TextTokenizer tok = TextTokenizer.fromFile(folder)) {
          if (!o.skip().contains("sampling")) {
            Sampler sampler = new Sampler(lm, tok);
            sampler.sampleIds(prompts(new Random(0), 4, o.promptTokens()), samplingConfig(8, 4)); // warm the engine
            for (int batch : o.batches()) {
              List<long[]> prompts = prompts(new Random(batch), batch, o.promptTokens());
              SamplingConfig cfg = samplingConfig(o.newTokens(), batch);
              List<Double> wall = new ArrayList<>();
              List<Double> cpu = new ArrayList<>();
              for (int i = 0; i < o.warmup() + o.repeats(); i++) {
                long c0 = processCpuNanos();
                long w0 = System.nanoTime();
                long tokens = sampler.sampleIds(prompts, cfg).stream().mapToLong(Sample::length).sum();
                double w = (System.nanoTime() - w0) / 1e6;
                double c = (processCpuNanos() - c0) / 1e6;
                if (tokens != (long) batch * o.newTokens()) {
                  throw new IllegalStateException("sampled " + tokens + " tokens, expected " + batch * o.newTokens());
                }
                if (i >= o.warmup()) {
                  wall.add(w);
                  cpu.add(c);
                }
              }
              Timing ours = new Timing(Stats.of(wall), Stats.of(cpu));
              Timing ref = reference(torch, "--mode", "sample", "--folder", folder.toString(),
                  "--batch", String.valueOf(batch), "--prompt-len", String.valueOf(o.promptTokens()),
                  "--new-tokens", String.valueOf(o.newTokens()), "--threads", String.valueOf(o.threads()),
                  "--warmup", String.valueOf(o.warmup()), "--repeats", String.valueOf(o.repeats()));
              double tokens = (double) batch * o.newTokens();
              String row = String.format(Locale.ROOT, "| %s | %s | %d | %s | %s | %s | %.0f | %s | %s |%n",
                  shape.name(), p, batch, rate(tokens, ours.wall()), ref == null ? "n/a" : rate(tokens, ref.wall()),
                  ratio(ref == null ? null : ref.wall().median(), ours.wall().median()),
                  tokens / ours.cpu().median() * 1000,
                  ref == null ? "n/a" : String.format(Locale.ROOT, "%.0f", tokens / ref.cpu().median() * 1000),
                  ratio(ref == null ? null : ref.cpu().median(), ours.cpu().median()));
              sampling.append(row);
              System.err.print("done: sampling " + row);
            }
          }
          if (!o.skip().contains("orpo")) {
            Timing ours = orpoStep(lm, o);
            Timing ref = reference(torch, "--mode", "orpo-step", "--folder", folder.toString(),
                "--batch", String.valueOf(o.orpoPairs()), "--seq-len", String.valueOf(o.orpoLength()),
                "--prompt-len", String.valueOf(o.orpoLength() / 4), "--threads", String.valueOf(o.threads()),
                "--warmup", String.valueOf(o.warmup()), "--repeats", String.valueOf(o.repeats()));
            String row = String.format(Locale.ROOT, "| %s | %s | %d × %d | %s | %s | %s | %.0f | %s | %s |%n",
                shape.name(), p, o.orpoPairs(), o.orpoLength(), ours.wall(), ref == null ? "n/a" : ref.wall(),
                ratio(ours.wall().median(), ref == null ? null : ref.wall().median()), ours.cpu().median(),
                ref == null ? "n/a" : String.format(Locale.ROOT, "%.0f", ref.cpu().median()),
                ratio(ours.cpu().median(), ref == null ? null : ref.cpu().median()));
            orpo.append(row);
            System.err.print("done: ORPO " + row);
          }
        }
      }
    } finally {
      deleteRecursively(root);
    }
    if (!o.skip().contains("sampling")) {
      System.out.printf(Locale.ROOT, "## Sampling: new tokens per second, prompt %d tokens, %d new tokens per row, "
          + "temperature 1, KV cache (higher is better)%n%n%s%n", o.promptTokens(), o.newTokens(), sampling);
    }
    if (!o.skip().contains("orpo")) {
      System.out.printf(Locale.ROOT, "## ORPO step: forward, loss, backward, clipping, AdamW (lower is better)%n%n%s%n",
          orpo);
    }
    if (!o.skip().contains("load")) {
      System.out.printf(Locale.ROOT, "## Loading a float32 folder in a fresh JVM (HfLoadProbe)%n%n%s%n", load);
    }
    System.out.println("Load average at the end: " + loadAverage());
  }

  /** The 1, 5 and 15 minute load averages of the machine ({@code /proc/loadavg}), or "n/a". */
  private static String loadAverage() {
    try {
      String[] f = Files.readString(Path.of("/proc/loadavg")).split(" ");
      return f[0] + ", " + f[1] + ", " + f[2];
    } catch (IOException | RuntimeException e) {
      return "n/a";
    }
  }

  /** Creates the model of a shape, saves it as a Hugging Face folder with a tokenizer, returns its parameters. */
  static long writeFolder(Shape shape, Path folder) throws IOException {
    long params;
    try (HfCausalLm lm = HfCausalLm.create(shape.config(), Device.cpu(), LoadOptions.defaults(), 1)) {
      lm.save(folder);
      params = lm.parameterCount();
    }
    Gson gson = new GsonBuilder().disableHtmlEscaping().create();
    Files.writeString(folder.resolve(TextTokenizer.FILE_NAME), gson.toJson(wordLevelTokenizer()));
    JsonObject tc = new JsonObject();
    tc.addProperty("bos_token", "<s>");
    tc.addProperty("eos_token", "</s>");
    tc.addProperty("unk_token", "<unk>");
    tc.addProperty("add_bos_token", true);
    tc.addProperty("tokenizer_class", "PreTrainedTokenizerFast");
    Files.writeString(folder.resolve("tokenizer_config.json"), gson.toJson(tc));
    return params;
  }

  /** A word-level {@code tokenizer.json} of {@link #VOCAB} ids: {@code <unk>}, {@code <s>}, {@code </s>}, w3, .... */
  private static JsonObject wordLevelTokenizer() {
    JsonObject vocab = new JsonObject();
    JsonArray added = new JsonArray();
    String[] specials = {"<unk>", "<s>", "</s>"};
    for (int i = 0; i < VOCAB; i++) {
      String token = i < specials.length ? specials[i] : "w" + i;
      vocab.addProperty(token, i);
      if (i < specials.length) {
        JsonObject a = new JsonObject();
        a.addProperty("id", i);
        a.addProperty("content", token);
        a.addProperty("single_word", false);
        a.addProperty("lstrip", false);
        a.addProperty("rstrip", false);
        a.addProperty("normalized", false);
        a.addProperty("special", true);
        added.add(a);
      }
    }
    JsonObject model = new JsonObject();
    model.addProperty("type", "WordLevel");
    model.add("vocab", vocab);
    model.addProperty("unk_token", "<unk>");
    JsonObject pre = new JsonObject();
    pre.addProperty("type", "WhitespaceSplit");
    JsonObject t = new JsonObject();
    t.addProperty("version", "1.0");
    t.add("truncation", null);
    t.add("padding", null);
    t.add("added_tokens", added);
    t.add("normalizer", null);
    t.add("pre_tokenizer", pre);
    t.add("post_processor", null);
    t.add("decoder", null);
    t.add("model", model);
    return t;
  }

  private static String loadRow(Shape shape, Path folder, String params, Options o)
      throws IOException, InterruptedException {
    List<Double> seconds = new ArrayList<>();
    List<Double> peaks = new ArrayList<>();
    List<Double> transients = new ArrayList<>();
    Map<String, String> last = null;
    for (int i = 0; i < o.repeats(); i++) {
      last = probe(folder, o);
      seconds.add(Double.parseDouble(last.get("seconds")));
      peaks.add(Double.parseDouble(last.get("peak_mb")));
      transients.add(Double.parseDouble(last.get("transient_mb")));
    }
    return String.format(Locale.ROOT, "| %s | %s | %s | %s | %.0f (%s) | %.0f |%n", shape.name(), params,
        last.get("param_mb"), String.format(Locale.ROOT, "%.2f (%.2f–%.2f)", Stats.of(seconds).median(),
            Stats.of(seconds).min(), Stats.of(seconds).max()), Stats.of(peaks).median(),
        last.get("baseline_peak_mb"), Stats.of(transients).median());
  }

  /** Runs {@link HfLoadProbe} in a fresh JVM and returns its {@code key=value} fields. */
  private static Map<String, String> probe(Path folder, Options o) throws IOException, InterruptedException {
    String java = Path.of(System.getProperty("java.home"), "bin", "java").toString();
    Process p = new ProcessBuilder(java, "-Dai.djl.offline=true",
        "-Dai.djl.pytorch.num_threads=" + o.threads(), "-cp", System.getProperty("java.class.path"),
        HfLoadProbe.class.getName(), folder.toString(), "float32")
        .redirectError(ProcessBuilder.Redirect.INHERIT).start();
    String out;
    try (InputStream in = p.getInputStream()) {
      out = new String(in.readAllBytes(), StandardCharsets.UTF_8);
    }
    if (p.waitFor() != 0) {
      throw new IOException("HfLoadProbe exited with " + p.exitValue() + ": " + out);
    }
    Map<String, String> fields = new HashMap<>();
    for (String line : out.split("\n")) {
      if (line.startsWith("HF_LOAD ")) {
        for (String kv : line.substring(8).split(" ")) {
          int eq = kv.indexOf('=');
          fields.put(kv.substring(0, eq), kv.substring(eq + 1));
        }
      }
    }
    if (!fields.containsKey("seconds")) {
      throw new IOException("HfLoadProbe printed no HF_LOAD line: " + out);
    }
    return fields;
  }

  private static Timing orpoStep(HfCausalLm lm, Options o) throws IOException {
    Random r = new Random(1);
    List<EncodedPair> pairs = new ArrayList<>();
    for (int i = 0; i < o.orpoPairs() * (o.warmup() + o.repeats()); i++) {
      pairs.add(new EncodedPair(TrainingBenchmark.randomSequence(r, o.orpoLength(), VOCAB),
          TrainingBenchmark.randomSequence(r, o.orpoLength(), VOCAB)));
    }
    TrainerConfig cfg = TrainerConfig.builder().batchSize(o.orpoPairs()).epochs(1).progressBar(false)
        .optimizer(OptimizerConfig.builder().learningRate(1e-4f).build()).build();
    OrpoTrainer trainer = new OrpoTrainer(lm, cfg, OrpoLoss.builder().build(), 0);
    List<Double> wall = new ArrayList<>();
    List<Double> cpu = new ArrayList<>();
    long[] lastCpu = {processCpuNanos()};
    trainer.addListener(new TrainerListener() {
      @Override
      public void onStep(int epoch, StepResult result) {
        long now = processCpuNanos(); // from the end of the previous step: the trainer's step and its bookkeeping
        if (result.step() >= o.warmup()) {
          wall.add(result.millis());
          cpu.add((now - lastCpu[0]) / 1e6);
        }
        lastCpu[0] = now;
      }
    });
    trainer.fit(pairs);
    return new Timing(Stats.of(wall), Stats.of(cpu));
  }

  /**
   * Wall and process CPU milliseconds of repeated runs.
   *
   * @param wall wall-clock milliseconds
   * @param cpu CPU milliseconds of the whole process (every thread, the JIT and the collector included)
   */
  record Timing(Stats wall, Stats cpu) {}

  /** The CPU time of this process so far: on a shared machine it counts only this process's work. */
  private static long processCpuNanos() {
    return ((com.sun.management.OperatingSystemMXBean) ManagementFactory.getOperatingSystemMXBean())
        .getProcessCpuTime();
  }

  private static SamplingConfig samplingConfig(int newTokens, int batch) {
    return SamplingConfig.builder().temperature(1f).maxNewTokens(newTokens).stopAtEos(false).batchSize(batch)
        .maxBatchTokens(Long.MAX_VALUE).useKvCache(true).seed(7).build();
  }

  /** Random prompts: BOS, then ids drawn from the non-special vocabulary. */
  private static List<long[]> prompts(Random r, int n, int length) {
    List<long[]> out = new ArrayList<>(n);
    for (int i = 0; i < n; i++) {
      long[] p = new long[length];
      p[0] = 1;
      for (int j = 1; j < length; j++) {
        p[j] = 3 + r.nextInt(VOCAB - 3);
      }
      out.add(p);
    }
    return out;
  }

  /** Runs the reference and returns its wall and CPU milliseconds, or null (reported) when it fails. */
  private static Timing reference(TorchReference torch, String... args) {
    if (torch.available() != null) {
      return null;
    }
    try {
      JsonObject r = torch.run(args);
      return new Timing(new Stats(r.get("median_ms").getAsDouble(), r.get("min_ms").getAsDouble(),
          r.get("max_ms").getAsDouble()), new Stats(r.get("cpu_median_ms").getAsDouble(),
          r.get("cpu_min_ms").getAsDouble(), r.get("cpu_max_ms").getAsDouble()));
    } catch (IOException | RuntimeException e) {
      System.err.println("PyTorch reference failed: " + e.getMessage());
      return null;
    }
  }

  private static String torchVersion(Options o) {
    try {
      Process p = new ProcessBuilder(o.python(), "-c", "import torch; print(torch.__version__)").start();
      String v;
      try (InputStream in = p.getInputStream()) {
        v = new String(in.readAllBytes(), StandardCharsets.UTF_8).strip();
      }
      p.waitFor();
      return v;
    } catch (IOException e) {
      return "?";
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      return "?";
    }
  }

  /** Tokens per second of the median, slowest and fastest run (milliseconds). */
  private static String rate(double tokens, Stats ms) {
    return String.format(Locale.ROOT, "%.0f (%.0f–%.0f)", tokens / ms.median() * 1000, tokens / ms.max() * 1000,
        tokens / ms.min() * 1000);
  }

  private static String ratio(Double numerator, Double denominator) {
    return numerator == null || denominator == null ? "n/a"
        : String.format(Locale.ROOT, "%.2f", numerator / denominator);
  }

  private static void deleteRecursively(Path root) throws IOException {
    try (Stream<Path> files = Files.walk(root)) {
      for (Path f : files.sorted(Comparator.reverseOrder()).toList()) {
        Files.deleteIfExists(f);
      }
    }
  }

  static Options parse(String[] args) {
    List<Shape> sizes = List.of(Shape.named("39m"), Shape.named("100m"));
    int[] batches = {1, 16, 64};
    int prompt = 32;
    int newTokens = 64;
    int pairs = 4;
    int length = 128;
    int warmup = 1;
    int repeats = 3;
    int threads = 1;
    Path reference = Path.of("scripts/hf_reference.py");
    String python = "/usr/bin/python3";
    List<String> skip = List.of();
    for (int i = 0; i < args.length; i++) {
      String a = args[i];
      if (i + 1 >= args.length) {
        throw new IllegalArgumentException("option " + a + " needs a value; see the Javadoc of HfBenchmark");
      }
      String v = args[++i];
      switch (a) {
        case "--sizes" -> sizes = Stream.of(v.split(",")).map(String::trim).map(Shape::named).toList();
        case "--batches" -> batches = Stream.of(v.split(",")).mapToInt(s -> Integer.parseInt(s.trim())).toArray();
        case "--prompt-tokens" -> prompt = Integer.parseInt(v);
        case "--new-tokens" -> newTokens = Integer.parseInt(v);
        case "--orpo-pairs" -> pairs = Integer.parseInt(v);
        case "--orpo-length" -> length = Integer.parseInt(v);
        case "--warmup" -> warmup = Integer.parseInt(v);
        case "--repeats" -> repeats = Integer.parseInt(v);
        case "--threads" -> threads = Integer.parseInt(v);
        case "--reference" -> reference = Path.of(v);
        case "--python" -> python = v;
        case "--skip" -> skip = List.of(v.split(","));
        default -> throw new IllegalArgumentException("unknown option " + a + "; see the Javadoc of HfBenchmark");
      }
    }
    if (prompt < 2 || newTokens < 1 || prompt + newTokens > MAX_POSITIONS || length < 8 || length > MAX_POSITIONS
        || pairs < 1 || warmup < 0 || repeats < 1 || threads < 1) {
      throw new IllegalArgumentException("prompt tokens (at least 2) plus new tokens and the ORPO length must fit "
          + MAX_POSITIONS + " positions; pairs, repeats and threads must be positive");
    }
    return new Options(sizes, batches, prompt, newTokens, pairs, length, warmup, repeats, threads, reference, python,
        skip);
  }
}
