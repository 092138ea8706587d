package io.github.sipf4j.benchmarks;

import ai.djl.Device;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import com.google.gson.JsonObject;
import io.github.sipf4j.orpo.lora.LoraConfig;
import io.github.sipf4j.orpo.lora.LoraModel;
import io.github.sipf4j.orpo.loss.OrpoLoss;
import io.github.sipf4j.orpo.model.CausalLm;
import io.github.sipf4j.orpo.model.LoadOptions;
import io.github.sipf4j.orpo.model.hf.HfCausalLm;
import io.github.sipf4j.orpo.model.hf.HfConfig;
import io.github.sipf4j.orpo.train.EncodedPair;
import io.github.sipf4j.orpo.train.OrpoTrainer;
import io.github.sipf4j.orpo.train.StepResult;
import io.github.sipf4j.orpo.train.TrainerConfig;
import io.github.sipf4j.orpo.train.TrainerListener;
import io.github.sipf4j.orpo.util.CpuTuning;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Random;

/**
 * Run in a fresh JVM by {@link LoraBenchmark}: ORPO steps through {@link OrpoTrainer} (AdamW, one micro-batch) on a
 * freshly initialised llama of {@link #config} (about 100 M parameters at a 32k vocabulary), fully fine-tuned or with
 * LoRA adapters on q/k/v/o/gate/up/down (alpha = r/2, dropout 0.05, as the paper's r 256 / alpha 128), over a float32
 * or float16 base, and prints one line: {@code LORA_PROBE mode=... rank=... dtype=... vocab=... parameters=...
 * trainable=... tokens=... baseline_mb=... model_mb=... peak_mb=... median_ms=... min_ms=... max_ms=...}, where {@code
 * baseline_mb} is the resident memory before the model was made (the JVM and the engine), {@code model_mb} right
 * after, and {@code peak_mb} the process's peak ({@code VmHWM}) while training, reset after the model was made.
 * Arguments: {@code full|lora RANK float32|float16 PAIRS LENGTH VOCAB STEPS}; one untimed step comes first, and with
 * STEPS 0 it is the only one (memory alone).
 */
public final class LoraProbe {

  private LoraProbe() {}

  /**
   * The benchmark's llama: hidden 768, 12 layers, 12 query heads over 4 key/value heads (head size 64), SiLU MLP of
   * 2048, tied embeddings, RoPE base 10000.
   *
   * @param vocab the vocabulary size
   * @param maxLength {@code max_position_embeddings}
   * @return the configuration
   * @throws IOException never for these fields
   */
  static HfConfig config(int vocab, int maxLength) throws IOException {
    JsonObject o = new JsonObject();
    o.addProperty("model_type", "llama");
    o.addProperty("vocab_size", vocab);
    o.addProperty("hidden_size", 768);
    o.addProperty("intermediate_size", 2048);
    o.addProperty("num_hidden_layers", 12);
    o.addProperty("num_attention_heads", 12);
    o.addProperty("num_key_value_heads", 4);
    o.addProperty("max_position_embeddings", maxLength);
    o.addProperty("hidden_act", "silu");
    o.addProperty("rms_norm_eps", 1e-6);
    o.addProperty("rope_theta", 10000.0);
    o.addProperty("tie_word_embeddings", true);
    o.addProperty("initializer_range", 0.02);
    return HfConfig.parse(o, Path.of("benchmark-llama-100m.json"));
  }

  /** The adapter settings at rank {@code r}: alpha r/2, dropout 0.05, the paper's seven projections. */
  static LoraConfig lora(int r) {
    return LoraConfig.builder().r(r).loraAlpha(r / 2.0).loraDropout(0.05).targetModules("q_proj", "k_proj", "v_proj",
        "o_proj", "gate_proj", "up_proj", "down_proj").build();
  }

  /**
   * Runs the probe.
   *
   * @param args {@code full|lora RANK float32|float16 PAIRS LENGTH VOCAB STEPS}
   * @throws IOException if {@code /proc/self/status} cannot be read
   */
  public static void main(String[] args) throws IOException {
    CpuTuning.apply(); // before any DJL call
    boolean lora = args[0].equals("lora");
    int rank = Integer.parseInt(args[1]);
    DataType dtype = args[2].equals("float16") ? DataType.FLOAT16 : DataType.FLOAT32;
    int pairs = Integer.parseInt(args[3]);
    int length = Integer.parseInt(args[4]);
    int vocab = Integer.parseInt(args[5]);
    int steps = Integer.parseInt(args[6]);
    try (NDManager warm = NDManager.newBaseManager(Device.cpu())) {
      NDArray a = warm.ones(new Shape(64, 64));
      a.matMul(a).sum().getFloat(); // the engine and its kernels are loaded before the model
    }
    long baselineKb = statusKb("VmRSS:");
    Random r = new Random(1);
    List<EncodedPair> data = new ArrayList<>();
    for (int i = 0; i < pairs; i++) {
      data.add(new EncodedPair(TrainingBenchmark.randomSequence(r, length, vocab),
          TrainingBenchmark.randomSequence(r, length, vocab)));
    }
    HfCausalLm base = HfCausalLm.create(config(vocab, length), Device.cpu(),
        LoadOptions.builder().dtype(dtype).build(), 1);
    long parameters = base.parameterCount();
    try (CausalLm model = lora ? LoraModel.create(base, lora(rank), 1) : base) {
      long trainable = model.trainableParameters().stream().mapToLong(p -> p.getValue().getArray().size()).sum();
      System.gc();
      resetPeak();
      long modelKb = statusKb("VmRSS:");
      List<Double> ms = new ArrayList<>();
      TrainerConfig config = TrainerConfig.builder().batchSize(pairs).maxSteps(steps + 1).progressBar(false).build();
      OrpoTrainer trainer = new OrpoTrainer(model, config, OrpoLoss.builder().build(), 0);
      trainer.addListener(new TrainerListener() {
        @Override
        public void onStep(int epoch, StepResult result) {
          if (result.step() > 0) { // the first step warms the kernels and allocates the optimizer state
            ms.add(result.millis());
          }
        }
      });
      trainer.fit(data);
      Stats s = ms.isEmpty() ? new Stats(Double.NaN, Double.NaN, Double.NaN) : Stats.of(ms);
      System.out.println(String.format(Locale.ROOT, "LORA_PROBE mode=%s rank=%d dtype=%s vocab=%d parameters=%d "
          + "trainable=%d tokens=%d baseline_mb=%.1f model_mb=%.1f peak_mb=%.1f median_ms=%.1f min_ms=%.1f "
          + "max_ms=%.1f", lora ? "lora" : "full", lora ? rank : 0, dtype, vocab, parameters, trainable,
          2L * pairs * length, baselineKb / 1024.0, modelKb / 1024.0, statusKb("VmHWM:") / 1024.0, s.median(),
          s.min(), s.max()));
    }
  }

  /**
   * Resets the peak resident memory to the current one (Linux's {@code clear_refs} value 5), so that the peak read
   * later is that of training, not of making the model (whose host-side initial values come and go).
   */
  static void resetPeak() throws IOException {
    Files.writeString(Path.of("/proc/self/clear_refs"), "5");
  }

  /** A {@code /proc/self/status} field in kB. */
  static long statusKb(String field) throws IOException {
    for (String line : Files.readAllLines(Path.of("/proc/self/status"))) {
      if (line.startsWith(field)) {
        return Long.parseLong(line.replaceAll("[^0-9]", ""));
      }
    }
    throw new IOException("/proc/self/status has no " + field);
  }
}
