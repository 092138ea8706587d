package io.github.sipf4j.benchmarks;

import ai.djl.Device;
import ai.djl.engine.Engine;
import ai.djl.ndarray.NDManager;
import ai.djl.util.Utils;
import com.google.gson.Gson;
import com.google.gson.GsonBuilder;
import com.google.gson.JsonArray;
import com.google.gson.JsonObject;
import io.github.sipf4j.orpo.loss.NllScope;
import io.github.sipf4j.orpo.loss.OrpoLoss;
import io.github.sipf4j.orpo.loss.OrpoOutput;
import io.github.sipf4j.orpo.model.DecoderConfig;
import io.github.sipf4j.orpo.model.DecoderLm;
import io.github.sipf4j.orpo.text.EncodedSequence;
import io.github.sipf4j.orpo.text.TokenBatch;
import io.github.sipf4j.orpo.util.AtomicFiles;
import io.github.sipf4j.orpo.util.CpuTuning;
import io.github.sipf4j.orpo.util.HugePageTuning;
import io.github.sipf4j.orpo.util.MallocTuning;
import io.github.sipf4j.orpo.util.MklDispatch;
import io.github.sipf4j.prm.process.DecoderPrm;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Random;

/**
 * The performance report: sipf4j and a plain-PyTorch reference measured side by side in one run, on the same
 * architecture, sizes and thread count. Prints Markdown sections (machine and matmul peak, ORPO step with the
 * sipf4j/PyTorch ratio and model FLOP utilisation, log-probs, a parity check through safetensors, PRM step scoring
 * with its own parity check, peak memory of ORPO versus a DPO-style step with a frozen reference model, and scaling
 * with length and batch) and writes the numbers as JSON. {@code --no-steps} skips the ORPO step table only; the PRM
 * section still covers every size of {@code --sizes}.
 *
 * <p>Usage (see {@code benchmarks/run-benchmarks.sh}, which also installs the reference's Debian packages): {@code
 * java -cp benchmarks/target/benchmarks.jar io.github.sipf4j.benchmarks.BenchmarkRunner [--sizes M1,M5,M20]
 * [--warmup 2] [--repeats 5] [--python /usr/bin/python3] [--script benchmarks/python/torch_reference.py]
 * [--out benchmark-results.json] [--no-steps] [--no-prm] [--no-memory] [--no-scaling]}
 */
public final class BenchmarkRunner {

  private static final int VOCAB = 90;
  private static final int BATCH = 16;
  private static final int LENGTH = 128;
  private static final double PRM_TOLERANCE = 1e-4;
  private static final Gson GSON = new GsonBuilder().setPrettyPrinting().serializeSpecialFloatingPointValues()
      .create();

  private BenchmarkRunner() {}

  /**
   * Runs the report.
   *
   * @param args see the class comment
   * @throws Exception if a measurement fails
   */
  public static void main(String[] args) throws Exception {
    CpuTuning.Status cpu = CpuTuning.apply(); // before any DJL call
    MklDispatch.Status mkl = cpu.mklDispatch();
    String malloc = cpu.mallocTuning();
    List<ModelSize> sizes = List.of(ModelSize.M1, ModelSize.M5, ModelSize.M20);
    int warmup = 2;
    int repeats = 5;
    String python = "/usr/bin/python3";
    Path script = Path.of("benchmarks/python/torch_reference.py");
    Path out = Path.of("benchmark-results.json");
    boolean memory = true;
    boolean scaling = true;
    boolean steps = true;
    boolean prm = true;
    for (int i = 0; i < args.length; i++) {
      switch (args[i]) {
        case "--sizes":
          sizes = new ArrayList<>();
          for (String s : args[++i].split(",")) {
            sizes.add(ModelSize.valueOf(s.trim()));
          }
          break;
        case "--warmup":
          warmup = Integer.parseInt(args[++i]);
          break;
        case "--repeats":
          repeats = Integer.parseInt(args[++i]);
          break;
        case "--python":
          python = args[++i];
          break;
        case "--script":
          script = Path.of(args[++i]);
          break;
        case "--out":
          out = Path.of(args[++i]);
          break;
        case "--no-memory":
          memory = false;
          break;
        case "--no-scaling":
          scaling = false;
          break;
        case "--no-steps":
          steps = false;
          break;
        case "--no-prm":
          prm = false;
          break;
        default:
          throw new IllegalArgumentException("unknown option " + args[i]);
      }
    }
    String threadsProperty = Utils.getEnvOrSystemProperty("ai.djl.pytorch.num_threads");
    int threads = !Engine.getInstance().getEngineName().equals("PyTorch") ? 1
        : threadsProperty != null ? Integer.parseInt(threadsProperty.trim())
        : Runtime.getRuntime().availableProcessors();
    TorchReference torch = new TorchReference(python, script);
    Map<String, Object> results = new LinkedHashMap<>();
    System.out.printf(Locale.ROOT, "## Machine%n%n%s, %d cores, DJL %s with %s %s, %d intra-op threads; reference: %s%n%n",
        cpuModel(), Runtime.getRuntime().availableProcessors(), Engine.getDjlVersion(),
        Engine.getInstance().getEngineName(), Engine.getInstance().getVersion(), threads,
        torch.available() == null ? "PyTorch eager (" + python + ")" : "unavailable: " + torch.available());
    int branch = MklDispatch.mklBranch();
    System.out.printf(Locale.ROOT, "oneMKL dispatch shim: %s%s (off: -D%s=false); malloc tuning: %s (off: -D%s=false)"
        + "; huge pages: %s (on: -D%s=true)%n%n", mkl, branch < 0 ? "" : ", MKL code branch " + branch,
        MklDispatch.PROPERTY, malloc, MallocTuning.PROPERTY, cpu.hugePages(), HugePageTuning.PROPERTY);
    results.put("mkl_dispatch", mkl.state().name());
    results.put("mkl_branch", branch);
    results.put("malloc_tuning", malloc);
    results.put("huge_pages", cpu.hugePages());

    double peak = MatmulPeak.gflops(5);
    Double torchPeak = null;
    if (torch.available() == null) {
      torchPeak = torch.run("--mode", "matmul-peak", "--threads", String.valueOf(threads)).get("gflops")
          .getAsDouble();
    }
    results.put("djl_matmul_peak_gflops", peak);
    results.put("torch_matmul_peak_gflops", torchPeak);
    System.out.printf(Locale.ROOT, "Float32 matmul peak: %.0f GFLOP/s through DJL%s; MFU below is relative to the "
        + "higher of the two (the machine's limit as measured).%n%n", peak,
        torchPeak == null ? "" : String.format(Locale.ROOT, ", %.0f GFLOP/s through the reference", torchPeak));
    if (torchPeak != null) {
      peak = Math.max(peak, torchPeak);
    }

    List<ModelSize> stepSizes = steps ? sizes : List.of();
    System.out.printf(Locale.ROOT, "## ORPO step (batch %d pairs = %d sequences, length %d, AdamW, clip 1.0)%n%n",
        BATCH, 2 * BATCH, LENGTH);
    System.out.println("| model | params | sipf4j ms | PyTorch ms | sipf4j/PyTorch | sipf4j tokens/s | sipf4j MFU "
        + "| PyTorch MFU | sipf4j log-probs ms | PyTorch log-probs ms | ratio |");
    System.out.println("|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|");
    List<Map<String, Object>> rows = new ArrayList<>();
    for (ModelSize size : stepSizes) {
      TrainingBenchmark.Row r = TrainingBenchmark.run(size, BATCH, LENGTH, warmup, repeats);
      JsonObject ts = null;
      JsonObject tl = null;
      if (torch.available() == null) {
        String[] common = referenceArgs(size.config(VOCAB, LENGTH), threads, warmup, repeats);
        ts = torch.run(concat(common, "--mode", "orpo-step"));
        tl = torch.run(concat(common, "--mode", "logps"));
      }
      double flops = stepFlops(size.config(VOCAB, LENGTH), r.params(), 2 * BATCH, LENGTH);
      double mfu = flops / (r.stepMs().median() / 1000) / (peak * 1e9);
      Map<String, Object> row = new LinkedHashMap<>();
      row.put("size", size.name());
      row.put("params", r.params());
      row.put("sipf4j_step_ms", r.stepMs());
      row.put("sipf4j_logps_ms", r.logpsMs());
      row.put("sipf4j_mfu", mfu);
      String torchStep = "n/a";
      String torchLogps = "n/a";
      String ratio = "n/a";
      String ratioLogps = "n/a";
      String torchMfu = "n/a";
      if (ts != null) {
        Stats tstep = new Stats(ts.get("median_ms").getAsDouble(), ts.get("min_ms").getAsDouble(),
            ts.get("max_ms").getAsDouble());
        Stats tlog = new Stats(tl.get("median_ms").getAsDouble(), tl.get("min_ms").getAsDouble(),
            tl.get("max_ms").getAsDouble());
        torchStep = tstep.toString();
        torchLogps = tlog.toString();
        ratio = String.format(Locale.ROOT, "%.2f", r.stepMs().median() / tstep.median());
        ratioLogps = String.format(Locale.ROOT, "%.2f", r.logpsMs().median() / tlog.median());
        torchMfu = String.format(Locale.ROOT, "%.0f%%", 100 * flops / (tstep.median() / 1000) / (peak * 1e9));
        row.put("torch_step_ms", tstep);
        row.put("torch_logps_ms", tlog);
        row.put("ratio_step", r.stepMs().median() / tstep.median());
        row.put("ratio_logps", r.logpsMs().median() / tlog.median());
      }
      rows.add(row);
      System.out.printf(Locale.ROOT, "| %s | %.2f M | %s | %s | %s | %.0f | %.0f%% | %s | %s | %s | %s |%n",
          size, r.params() / 1e6, r.stepMs(), torchStep, ratio, r.tokensPerStep() / (r.stepMs().median() / 1000),
          100 * mfu, torchMfu, r.logpsMs(), torchLogps, ratioLogps);
    }
    results.put("orpo_step", rows);
    System.out.println();
    System.out.println("Times are median (min–max) over the repeats; MFU = (6·params·tokens + 12·layers·length²·width·"
        + "sequences) / time / measured matmul peak.");
    System.out.println();

    if (torch.available() == null) {
      results.put("parity", parity(torch));
    }
    if (prm) {
      results.put("prm_scoring", prmScoring(torch, sizes, threads, warmup, repeats));
    }
    if (memory) {
      results.put("memory", memory(torch, threads));
    }
    if (scaling) {
      results.put("scaling", scaling(warmup, repeats));
    }
    Files.writeString(out, GSON.toJson(results), StandardCharsets.UTF_8);
    System.out.println("Results written to " + out);
  }

  static String[] referenceArgs(DecoderConfig c, int threads, int warmup, int repeats) {
    return new String[] {"--vocab", String.valueOf(c.vocabSize()), "--d-model", String.valueOf(c.dModel()),
        "--layers", String.valueOf(c.layers()), "--heads", String.valueOf(c.heads()), "--seq-len",
        String.valueOf(LENGTH), "--batch", String.valueOf(BATCH), "--prompt-len", String.valueOf(LENGTH / 4),
        "--threads", String.valueOf(threads), "--warmup", String.valueOf(warmup), "--repeats",
        String.valueOf(repeats)};
  }

  static String[] concat(String[] a, String... b) {
    String[] c = new String[a.length + b.length];
    System.arraycopy(a, 0, c, 0, a.length);
    System.arraycopy(b, 0, c, a.length, b.length);
    return c;
  }

  /** Model FLOPs of one training step: \( 6 N \cdot \text{tokens} + 12 L T^2 d \cdot \text{sequences} \). */
  static double stepFlops(DecoderConfig c, long params, int sequences, int length) {
    double tokens = (double) sequences * (length - 1);
    return 6.0 * params * tokens + 12.0 * c.layers() * (double) (length - 1) * (length - 1) * c.dModel() * sequences;
  }

  /** Same weights and batch in both: the ORPO loss and logps/chosen must agree to 1e-4. */
  static Map<String, Object> parity(TorchReference torch) throws IOException {
    DecoderConfig c = ModelSize.M1.config(VOCAB, 64);
    Random r = new Random(11);
    List<EncodedSequence> chosen = new ArrayList<>();
    List<EncodedSequence> rejected = new ArrayList<>();
    for (int i = 0; i < 4; i++) {
      int prompt = 5 + r.nextInt(10);
      chosen.add(randomWithPrompt(r, prompt, prompt + 3 + r.nextInt(30)));
      rejected.add(randomWithPrompt(r, prompt, prompt + 3 + r.nextInt(30)));
    }
    Path dir = Files.createTempDirectory("sipf4j-parity");
    Map<String, Object> result = new LinkedHashMap<>();
    try (DecoderLm lm = DecoderLm.create(c, Device.cpu(), 3); NDManager m = lm.getManager().newSubManager()) {
      lm.saveWeights(dir.resolve("w.safetensors"));
      List<EncodedSequence> rows = new ArrayList<>(chosen);
      rows.addAll(rejected);
      TokenBatch b = TokenBatch.collate(rows, 0, m);
      OrpoOutput o = OrpoLoss.builder().nllScope(NllScope.PROMPT_AND_RESPONSE).build()
          .compute(lm.forward(b.inputIds(), b.attentionMask(), false), b.labels(), b.responseMask(), b.tokenMask());
      Map<String, Float> ours = o.metrics();
      JsonObject batch = new JsonObject();
      batch.add("config", configJson(c));
      addRows(batch, "chosen", chosen);
      addRows(batch, "rejected", rejected);
      batch.addProperty("lambda", 0.1);
      batch.addProperty("nll_response_only", false);
      Files.writeString(dir.resolve("batch.json"), GSON.toJson(batch));
      JsonObject theirs = torch.run("--mode", "parity", "--weights", dir.resolve("w.safetensors").toString(),
          "--batch", dir.resolve("batch.json").toString());
      double dLoss = Math.abs(ours.get("loss") - theirs.get("loss").getAsDouble());
      double dLogps = Math.abs(ours.get("logps/chosen")
          - theirs.getAsJsonObject("metrics").get("logps/chosen").getAsDouble());
      result.put("loss_sipf4j", ours.get("loss"));
      result.put("loss_torch", theirs.get("loss").getAsDouble());
      result.put("abs_diff_loss", dLoss);
      result.put("abs_diff_logps_chosen", dLogps);
      System.out.printf(Locale.ROOT, "## Parity (same weights through safetensors, same batch of 4 ragged pairs)%n%n"
          + "ORPO loss: sipf4j %.6f, PyTorch %.6f (|diff| %.1e); logps/chosen |diff| %.1e: %s%n%n",
          ours.get("loss"), theirs.get("loss").getAsDouble(), dLoss, dLogps,
          dLoss <= 1e-4 && dLogps <= 1e-4 ? "agree to 1e-4" : "DISAGREE");
    }
    return result;
  }

  /** The decoder configuration as {@code torch_reference.py} reads it ({@code "config"} of a batch file). */
  static JsonObject configJson(DecoderConfig c) {
    JsonObject cfg = new JsonObject();
    cfg.addProperty("vocab", c.vocabSize());
    cfg.addProperty("d_model", c.dModel());
    cfg.addProperty("layers", c.layers());
    cfg.addProperty("heads", c.heads());
    cfg.addProperty("mlp_hidden", c.mlpHidden());
    cfg.addProperty("max_len", c.maxLength());
    cfg.addProperty("positions", c.positions().name().toLowerCase(Locale.ROOT));
    cfg.addProperty("rope_base", c.ropeBase());
    return cfg;
  }

  /**
   * PRM step scoring: {@link DecoderPrm#scoreSteps} on {@value PrmScoringBenchmark#RATIONALES} synthetic rationales
   * against {@code torch_reference.py --mode prm-score} on the exported weights, with the step probabilities of the
   * two compared to {@value #PRM_TOLERANCE}.
   */
  static List<Map<String, Object>> prmScoring(TorchReference torch, List<ModelSize> sizes, int threads, int warmup,
      int repeats) throws IOException {
    System.out.printf(Locale.ROOT, "## PRM step scoring (%d rationales, scoring batch %d)%n%n",
        PrmScoringBenchmark.RATIONALES, DecoderPrm.DEFAULT_SCORING_BATCH_SIZE);
    System.out.println("| model | params | steps | sipf4j ms | PyTorch ms | sipf4j/PyTorch | sipf4j steps/s "
        + "| parity max \\|diff\\| |");
    System.out.println("|---|---:|---:|---:|---:|---:|---:|---:|");
    List<Map<String, Object>> rows = new ArrayList<>();
    boolean allAgree = true;
    for (ModelSize size : sizes) {
      Path dir = Files.createTempDirectory("sipf4j-prm-" + size.name().toLowerCase(Locale.ROOT));
      try {
        PrmScoringBenchmark.Row r = PrmScoringBenchmark.run(size, warmup, repeats, dir);
        double stepsPerS = r.steps() / (r.scoreMs().median() / 1000);
        Map<String, Object> row = new LinkedHashMap<>();
        row.put("size", size.name());
        row.put("params", r.params());
        row.put("rationales", r.rationales());
        row.put("steps", r.steps());
        row.put("scoring_batch", DecoderPrm.DEFAULT_SCORING_BATCH_SIZE);
        row.put("sipf4j_ms", r.scoreMs());
        row.put("sipf4j_steps_per_s", stepsPerS);
        String torchMs = "n/a";
        String ratio = "n/a";
        String parity = "n/a";
        if (torch.available() == null) {
          JsonObject t = torch.run("--mode", "prm-score", "--weights", r.weights().toString(), "--head",
              r.head().toString(), "--batch", r.batch().toString(), "--threads", String.valueOf(threads),
              "--warmup", String.valueOf(warmup), "--repeats", String.valueOf(repeats));
          Stats ts = new Stats(t.get("median_ms").getAsDouble(), t.get("min_ms").getAsDouble(),
              t.get("max_ms").getAsDouble());
          double[] theirs = GSON.fromJson(t.get("probabilities"), double[].class);
          double diff = PrmScoringBenchmark.maxAbsDiff(r.probabilities(), theirs);
          boolean agree = diff <= PRM_TOLERANCE;
          allAgree &= agree;
          torchMs = ts.toString();
          ratio = String.format(Locale.ROOT, "%.2f", r.scoreMs().median() / ts.median());
          parity = String.format(Locale.ROOT, "%.1e%s", diff, agree ? "" : " FAIL");
          row.put("torch_ms", ts);
          row.put("torch_steps_per_s", t.get("steps_per_s").getAsDouble());
          row.put("ratio", r.scoreMs().median() / ts.median());
          row.put("parity_max_abs_diff", diff);
          row.put("parity_ok", agree);
        }
        rows.add(row);
        System.out.printf(Locale.ROOT, "| %s | %.2f M | %d | %s | %s | %s | %.0f | %s |%n", size, r.params() / 1e6,
            r.steps(), r.scoreMs(), torchMs, ratio, stepsPerS, parity);
      } finally {
        AtomicFiles.deleteRecursively(dir);
      }
    }
    System.out.println();
    System.out.printf(Locale.ROOT, "Times are median (min–max) ms per call scoring all %d rationales (sipf4j: "
        + "DecoderPrm.scoreSteps, tokenisation included; PyTorch: the same ids, right-padded batches, final hidden "
        + "states, head, softmax). Parity: P(correct) of every step from PyTorch on the exported weights against "
        + "sipf4j's, tolerance %.0e%s.%n%n", PrmScoringBenchmark.RATIONALES, PRM_TOLERANCE,
        torch.available() != null || sizes.isEmpty() ? "" : allAgree ? ": all rows agree" : ": SOME ROWS FAIL");
    return rows;
  }

  static EncodedSequence randomWithPrompt(Random r, int prompt, int length) {
    long[] ids = new long[length];
    ids[0] = 1;
    for (int i = 1; i < length; i++) {
      ids[i] = 4 + r.nextInt(VOCAB - 4);
    }
    return new EncodedSequence(ids, prompt, false);
  }

  static void addRows(JsonObject batch, String name, List<EncodedSequence> rows) {
    int width = rows.stream().mapToInt(EncodedSequence::length).max().orElse(0);
    JsonArray ids = new JsonArray();
    JsonArray mask = new JsonArray();
    JsonArray labels = new JsonArray();
    for (EncodedSequence s : rows) {
      JsonArray i = new JsonArray();
      JsonArray m = new JsonArray();
      JsonArray l = new JsonArray();
      for (int t = 0; t < width; t++) {
        boolean real = t < s.length();
        i.add(real ? s.ids()[t] : 0);
        m.add(real ? 1 : 0);
        l.add(real && t >= s.promptLength() ? 1 : 0);
      }
      ids.add(i);
      mask.add(m);
      labels.add(l);
    }
    batch.add(name + "_ids", ids);
    batch.add(name + "_mask", mask);
    batch.add(name + "_labels_mask", labels);
  }

  /** Peak resident memory of ORPO versus a DPO-style step with a frozen reference model, each in a fresh process. */
  static Map<String, Object> memory(TorchReference torch, int threads) throws IOException, InterruptedException {
    ModelSize size = ModelSize.M5;
    Map<String, Object> result = new LinkedHashMap<>();
    System.out.printf(Locale.ROOT, "## Peak resident memory (%s, batch %d pairs, length %d; fresh process each)%n%n",
        size, BATCH, LENGTH);
    System.out.println("| step | sipf4j peak RSS MB | PyTorch peak RSS MB |");
    System.out.println("|---|---:|---:|");
    for (String kind : new String[] {"orpo", "dpo"}) {
      long ours = probe(kind, size);
      String theirs = "n/a";
      if (torch.available() == null) {
        String[] a = referenceArgs(size.config(VOCAB, LENGTH), threads, 1, 2);
        JsonObject o = kind.equals("dpo") ? torch.run(concat(a, "--mode", "orpo-step", "--dpo"))
            : torch.run(concat(a, "--mode", "orpo-step"));
        theirs = String.format(Locale.ROOT, "%.0f", o.get("peak_rss_mb").getAsDouble());
        result.put("torch_" + kind + "_mb", o.get("peak_rss_mb").getAsDouble());
      }
      result.put("sipf4j_" + kind + "_mb", ours);
      System.out.printf(Locale.ROOT, "| %s | %d | %s |%n", kind.equals("dpo")
          ? "DPO-style (policy + frozen reference)" : "ORPO (policy only)", ours, theirs);
    }
    System.out.println();
    return result;
  }

  static long probe(String kind, ModelSize size) throws IOException, InterruptedException {
    String java = Path.of(System.getProperty("java.home"), "bin", "java").toString();
    Process p = new ProcessBuilder(java, "-Xmx1g", "-Dai.djl.offline=true", "-cp",
        System.getProperty("java.class.path"), MemoryProbe.class.getName(), kind, size.name(),
        String.valueOf(BATCH), String.valueOf(LENGTH)).redirectError(ProcessBuilder.Redirect.DISCARD).start();
    long mb = -1;
    try (BufferedReader in = new BufferedReader(new InputStreamReader(p.getInputStream(), StandardCharsets.UTF_8))) {
      String line;
      while ((line = in.readLine()) != null) {
        if (line.startsWith("PEAK_RSS_MB ")) {
          mb = Long.parseLong(line.substring(12).trim());
        }
      }
    }
    if (p.waitFor() != 0 || mb < 0) {
      throw new IOException("memory probe " + kind + " failed with exit code " + p.exitValue());
    }
    return mb;
  }

  /** Time per ORPO step of the 1 M model as the length and the batch grow. */
  static List<Map<String, Object>> scaling(int warmup, int repeats) throws IOException {
    System.out.println("## Scaling (M1, ORPO step)");
    System.out.println();
    System.out.println("| batch (pairs) | length | ms per step | tokens/s |");
    System.out.println("|---:|---:|---:|---:|");
    List<Map<String, Object>> rows = new ArrayList<>();
    int[][] cases = {{16, 64}, {16, 128}, {16, 256}, {4, 128}, {32, 128}};
    for (int[] c : cases) {
      TrainingBenchmark.Row r = TrainingBenchmark.run(ModelSize.M1, c[0], c[1], warmup, repeats);
      System.out.printf(Locale.ROOT, "| %d | %d | %s | %.0f |%n", c[0], c[1], r.stepMs(),
          r.tokensPerStep() / (r.stepMs().median() / 1000));
      Map<String, Object> row = new LinkedHashMap<>();
      row.put("batch", c[0]);
      row.put("length", c[1]);
      row.put("step_ms", r.stepMs());
      rows.add(row);
    }
    System.out.println();
    return rows;
  }

  static String cpuModel() {
    try {
      for (String line : Files.readAllLines(Path.of("/proc/cpuinfo"))) {
        if (line.startsWith("model name")) {
          return line.substring(line.indexOf(':') + 1).trim();
        }
      }
    } catch (IOException e) {
      // not Linux
    }
    return System.getProperty("os.arch");
  }
}
