package io.github.sipf4j.benchmarks;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * LoRA against full fine-tuning on the ~100 M-parameter llama of {@link LoraProbe#config} (hidden 768, 12 layers, 12
 * query / 4 key-value heads, MLP 2048, vocabulary 32,000, tied head: 100,092,672 parameters): one ORPO step each of
 * full fine-tuning (float32) and LoRA r 16 and r 256 (alpha r/2, dropout 0.05, q/k/v/o/gate/up/down) over a float32
 * and a float16 base, every configuration in a fresh JVM ({@link LoraProbe}); prints a Markdown table of step time and
 * peak resident memory, then an estimate of what Gemma-2B needs with a bfloat16 base and the paper's adapters (r 256,
 * alpha 128, dropout 0.05, q/k/v/o/gate/up/down), built from costs measured here in float32: bytes per base
 * parameter, bytes per adapter parameter, and activation bytes per token (split into the output layer's share per
 * vocabulary entry and the layers' share), with the base and the activations halved for 2-byte types. bfloat16
 * cannot be measured: DJL 0.36's PyTorch engine has no bfloat16 in its type table, and a bfloat16 array ends the
 * process; a float16 base on a CPU is no stand-in either (it measured 6.2 resident bytes per base parameter there).
 *
 * <p>Options: {@code --pairs N} (preference pairs per step, default 2), {@code --length T} (tokens per sequence,
 * default 64), {@code --steps S} (timed steps after an untimed one, default 2), {@code --no-estimate},
 * {@code --no-float16} (skips the float16 rows, which are slow on a CPU).
 */
public final class LoraBenchmark {

  private static final int VOCAB = 32_000;

  private LoraBenchmark() {}

  /** One probe's line, parsed. */
  record Probe(Map<String, String> fields) {
    double num(String key) {
      return Double.parseDouble(fields.get(key));
    }

    long integer(String key) {
      return Long.parseLong(fields.get(key));
    }
  }

  /**
   * Runs the benchmark.
   *
   * @param args the options
   * @throws IOException if a probe fails
   * @throws InterruptedException if interrupted while a probe runs
   */
  public static void main(String[] args) throws IOException, InterruptedException {
    int pairs = 2;
    int length = 64;
    int steps = 2;
    boolean estimate = true;
    boolean float16 = true;
    for (int i = 0; i < args.length; i++) {
      switch (args[i]) {
        case "--pairs" -> pairs = Integer.parseInt(args[++i]);
        case "--length" -> length = Integer.parseInt(args[++i]);
        case "--steps" -> steps = Integer.parseInt(args[++i]);
        case "--no-estimate" -> estimate = false;
        case "--no-float16" -> float16 = false;
        default -> throw new IllegalArgumentException("unknown option " + args[i]);
      }
    }
    System.out.printf(Locale.ROOT, "## LoRA against full fine-tuning: ORPO step, llama 100 M (batch %d pairs of %d "
        + "tokens, %d timed steps after one untimed, fresh JVM each)%n%n", pairs, length, steps);
    System.out.println("| training | base | trainable parameters | step ms (median) | peak RSS MB | peak / full |");
    System.out.println("|---|---|---:|---:|---:|---:|");
    Probe full = probe("full", 0, "float32", pairs, length, VOCAB, steps);
    row("full fine-tune", full, full);
    Map<String, Probe> lora = new HashMap<>();
    for (String dtype : float16 ? List.of("float32", "float16") : List.of("float32")) {
      for (int r : new int[] {16, 256}) {
        Probe p = probe("lora", r, dtype, pairs, length, VOCAB, steps);
        lora.put(r + dtype, p);
        row("LoRA r " + r, p, full);
      }
    }
    System.out.println();
    System.out.printf(Locale.ROOT, "Parameters: %d. Peak RSS is the process's (JVM, PyTorch and the model; %.0f MB "
        + "before the model was made), reset after the model was made.%n%n", full.integer("parameters"),
        full.num("baseline_mb"));
    if (estimate) {
      estimate(lora.get("16float32"), lora.get("256float32"), pairs, length);
    }
  }

  private static void row(String name, Probe p, Probe full) {
    System.out.printf(Locale.ROOT, "| %s | %s | %,d | %.0f | %.0f | %.2f |%n", name, p.fields().get("dtype")
        .toLowerCase(Locale.ROOT), p.integer("trainable"), p.num("median_ms"), p.num("peak_mb"),
        p.num("peak_mb") / full.num("peak_mb"));
  }

  /**
   * Gemma-2B with a bfloat16 base and r 256 adapters, from costs measured on the 100 M llama in float32: the base's
   * bytes per parameter and the activations' bytes per token are halved for a 2-byte type, the adapters stay float32.
   */
  private static void estimate(Probe r16, Probe r256, int pairs, int length) throws IOException,
      InterruptedException {
    Probe fewer = probe("lora", 256, "float32", Math.max(1, pairs / 2), length, VOCAB, 0);
    Probe wider = probe("lora", 256, "float32", pairs, length, 2 * VOCAB, 0);
    double mb = 1 << 20;
    // bytes per base parameter: the model's resident memory less the runtime's and the r 16 adapters' float32 weights
    double perBase = ((r16.num("model_mb") - r16.num("baseline_mb")) * mb - 4.0 * r16.integer("trainable"))
        / r16.integer("parameters");
    // bytes per adapter parameter (weights, gradients, AdamW moments): r 256 against r 16 at the same tokens
    double perAdapter = (r256.num("peak_mb") - r16.num("peak_mb")) * mb
        / (r256.integer("trainable") - r16.integer("trainable"));
    // activation bytes per token, and the share of each vocabulary entry (logits and their gradient per token;
    // the wider model's larger embedding is left out through each run's own model memory)
    double perToken = (r256.num("peak_mb") - fewer.num("peak_mb")) * mb
        / (r256.integer("tokens") - fewer.integer("tokens"));
    double perTokenVocab = ((wider.num("peak_mb") - wider.num("model_mb")) - (r256.num("peak_mb")
        - r256.num("model_mb"))) * mb / ((double) r256.integer("tokens") * VOCAB);
    double layersPerToken = perToken - VOCAB * perTokenVocab;
    // Gemma-2B: hidden 2048, MLP 16384, 18 layers, 8 query heads / 1 key-value head of 256, vocabulary 256,000
    long gemmaParams = 2_506_172_416L;
    int h = 2048;
    int f = 16384;
    int layers = 18;
    int kv = 256;
    long adapterPerLayer = 256L * ((h + h) + (h + kv) + (h + kv) + (h + h) + 3L * (h + f));
    long gemmaAdapters = adapterPerLayer * layers;
    double widthRatio = (double) layers * (h + f) / (12.0 * (768 + 2048));
    double half = 0.5; // bfloat16 against float32
    // the output layer's share is resolved only when the wider vocabulary measurably raised the peak; otherwise the
    // whole per-token cost (output layer included) is scaled like the layers, as Gemma's vocabulary grows about as
    // much (x 8) as its layers (x 9.8)
    boolean vocabResolved = perTokenVocab > 0;
    double gemmaPerToken = half * (vocabResolved ? layersPerToken * widthRatio + 256_000 * perTokenVocab
        : perToken * widthRatio);
    double gemmaBase = gemmaParams * 2.0;
    System.out.println("## Memory estimate: Gemma-2B, bfloat16 base, LoRA r 256 on q/k/v/o/gate/up/down");
    System.out.println();
    System.out.println("| cost | measured on the 100 M llama, float32 | Gemma-2B, bfloat16 base and compute |");
    System.out.println("|---|---:|---:|");
    System.out.printf(Locale.ROOT, "| base weights | %.2f resident bytes per parameter (the JVM's heap, which held "
        + "the initial values, included) | %,d parameters at 2 bytes: %.1f GB |%n", perBase, gemmaParams,
        gemmaBase / 1e9);
    System.out.printf(Locale.ROOT, "| adapters (weights, gradients, AdamW moments, float32) | %.1f bytes per "
        + "parameter | %,d parameters: %.1f GB |%n", perAdapter, gemmaAdapters, gemmaAdapters * perAdapter / 1e9);
    if (vocabResolved) {
      System.out.printf(Locale.ROOT, "| activations per token, output layer | %.1f bytes per vocabulary entry | %.2f "
          + "MB per token |%n", perTokenVocab, half * 256_000 * perTokenVocab / 1e6);
      System.out.printf(Locale.ROOT, "| activations per token, layers | %.0f KB per token (12 layers of width 768 + "
          + "2048) | x %.2f (18 layers of 2048 + 16384), halved: %.2f MB per token |%n", layersPerToken / 1e3,
          widthRatio, half * layersPerToken * widthRatio / 1e6);
    } else {
      System.out.printf(Locale.ROOT, "| activations per token (the output layer's share not resolved: %.1f bytes per "
          + "vocabulary entry) | %.0f KB per token | x %.2f, halved: %.2f MB per token |%n", perTokenVocab,
          perToken / 1e3, widthRatio, gemmaPerToken / 1e6);
    }
    for (int tokens : new int[] {256, 1024, 4096}) {
      System.out.printf(Locale.ROOT, "| total, %,d tokens per micro-batch | | %.1f GB |%n", tokens,
          (gemmaBase + gemmaAdapters * perAdapter + tokens * gemmaPerToken) / 1e9);
    }
    System.out.println();
    System.out.printf(Locale.ROOT, "Measured: r 16 and r 256 at %d tokens, r 256 at %d tokens and at a 64,000 "
        + "vocabulary. The layers' activations are scaled by layers x (hidden + MLP width); attention scores grow "
        + "with the sequence length on top (measured at %d tokens per sequence). The base and the activations are "
        + "halved for bfloat16; the adapters, their gradients and AdamW moments stay float32. Not included: the "
        + "runtime (CUDA context and allocator slack on a GPU, the JVM here).%n", r256.integer("tokens"),
        fewer.integer("tokens"), length);
  }

  /** Runs {@link LoraProbe} in a fresh JVM and parses its line. */
  static Probe probe(String mode, int rank, String dtype, int pairs, int length, int vocab, int steps)
      throws IOException, InterruptedException {
    String java = Path.of(System.getProperty("java.home"), "bin", "java").toString();
    List<String> cmd = new ArrayList<>(List.of(java, "-Xmx512m", "-Dai.djl.offline=true"));
    // the probes apply CpuTuning themselves; its off switches (-Dsipf4j.thp=false, ...) pass through
    System.getProperties().stringPropertyNames().stream().filter(k -> k.startsWith("sipf4j.")).sorted()
        .forEach(k -> cmd.add("-D" + k + "=" + System.getProperty(k)));
    cmd.addAll(List.of("-cp", System.getProperty("java.class.path"), LoraProbe.class.getName(), mode,
        String.valueOf(rank), dtype, String.valueOf(pairs), String.valueOf(length), String.valueOf(vocab),
        String.valueOf(steps)));
    Process p = new ProcessBuilder(cmd).redirectError(ProcessBuilder.Redirect.DISCARD).start();
    Map<String, String> fields = null;
    try (BufferedReader in = new BufferedReader(new InputStreamReader(p.getInputStream(), StandardCharsets.UTF_8))) {
      String line;
      while ((line = in.readLine()) != null) {
        if (line.startsWith("LORA_PROBE ")) {
          fields = new HashMap<>();
          for (String kv : line.substring(11).trim().split(" ")) {
            String[] parts = kv.split("=", 2);
            fields.put(parts[0], parts[1]);
          }
        }
      }
    }
    if (p.waitFor() != 0 || fields == null) {
      throw new IOException("LoRA probe " + String.join(" ", cmd.subList(cmd.size() - 7, cmd.size()))
          + " failed with exit code " + p.exitValue());
    }
    return new Probe(fields);
  }
}
