package io.github.sipf4j.orpo.model.hf;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ai.djl.ndarray.NDArray;
import ai.djl.engine.Engine;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.nn.Parameter;
import ai.djl.training.GradientCollector;
import ai.djl.util.Pair;
import com.google.gson.JsonArray;
import com.google.gson.JsonElement;
import com.google.gson.JsonObject;
import com.google.gson.JsonParser;
import io.github.sipf4j.orpo.loss.NllScope;
import io.github.sipf4j.orpo.loss.OrpoLoss;
import io.github.sipf4j.orpo.model.CausalLm;
import io.github.sipf4j.orpo.text.EncodedSequence;
import io.github.sipf4j.orpo.text.TokenBatch;
import io.github.sipf4j.orpo.train.EncodedPair;
import io.github.sipf4j.orpo.train.LrScheduleType;
import io.github.sipf4j.orpo.train.OptimizerConfig;
import io.github.sipf4j.orpo.train.OrpoTrainer;
import io.github.sipf4j.orpo.train.TrainerConfig;
import io.github.sipf4j.orpo.train.TrainingSummary;
import io.github.sipf4j.orpo.util.InPlace;
import io.github.sipf4j.orpo.util.SafetensorsFile;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.URISyntaxException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Stream;

/**
 * The Hugging Face model folders in {@code src/test/resources/hf}, made by {@code scripts/make_hf_fixtures.py}, with
 * the reference values that {@code scripts/hf_reference.py} computed on them ({@code reference.json}). Public for the
 * tests of other packages (LoRA adapters on these folders).
 */
public final class HfFixtures {

  /** Every fixture folder: each family and variant. */
  public static final List<String> ALL = List.of("llama", "llama-llama3", "llama-sharded", "llama-bf16", "qwen2",
      "gemma", "phi");

  private HfFixtures() {}

  public static Stream<String> all() {
    return ALL.stream();
  }

  public static Path dir(String name) {
    try {
      return Path.of(HfFixtures.class.getResource("/hf/" + name + "/config.json").toURI()).getParent();
    } catch (URISyntaxException e) {
      throw new IllegalStateException(e);
    }
  }

  public static JsonObject reference(String name) {
    try {
      return JsonParser.parseString(Files.readString(dir(name).resolve("reference.json"), StandardCharsets.UTF_8))
          .getAsJsonObject();
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  /** Copies a fixture folder (without its reference files) into {@code target}, for tests that change it. */
  public static Path copy(String name, Path target) throws IOException {
    Files.createDirectories(target);
    try (Stream<Path> files = Files.list(dir(name))) {
      for (Path f : files.toList()) {
        String n = f.getFileName().toString();
        if (!n.equals("reference.json") && !n.equals("adamw_step.safetensors")) {
          Files.copy(f, target.resolve(n));
        }
      }
    }
    return target;
  }

  public static long[] longs(JsonElement a) {
    JsonArray arr = a.getAsJsonArray();
    long[] out = new long[arr.size()];
    for (int i = 0; i < out.length; i++) {
      out[i] = arr.get(i).getAsLong();
    }
    return out;
  }

  public static List<long[]> rows(JsonElement a) {
    List<long[]> out = new ArrayList<>();
    for (JsonElement e : a.getAsJsonArray()) {
      out.add(longs(e));
    }
    return out;
  }

  public static double[] doubles(JsonElement a) {
    JsonArray arr = a.getAsJsonArray();
    double[] out = new double[arr.size()];
    for (int i = 0; i < out.length; i++) {
      out[i] = arr.get(i).getAsDouble();
    }
    return out;
  }

  /** The reference's preference pairs as encoded sequences. */
  public static List<EncodedPair> pairs(JsonObject reference) {
    List<EncodedPair> out = new ArrayList<>();
    for (JsonElement e : reference.getAsJsonObject("orpo").getAsJsonArray("pairs")) {
      JsonObject p = e.getAsJsonObject();
      long[] prompt = longs(p.get("prompt"));
      out.add(new EncodedPair(sequence(prompt, longs(p.get("chosen"))), sequence(prompt, longs(p.get("rejected")))));
    }
    return out;
  }

  private static EncodedSequence sequence(long[] prompt, long[] response) {
    long[] ids = new long[prompt.length + response.length];
    System.arraycopy(prompt, 0, ids, 0, prompt.length);
    System.arraycopy(response, 0, ids, prompt.length, response.length);
    return new EncodedSequence(ids, prompt.length, false);
  }

  /**
   * Runs the model on sequences padded to a common width, on the left or on the right, and returns per sequence the
   * log-probability of each next token (element t scores token t + 1), float32.
   */
  public static double[][] tokenLogProbs(CausalLm lm, List<long[]> sequences, long pad, boolean left) {
    int width = sequences.stream().mapToInt(s -> s.length).max().orElse(0);
    long[][] ids = new long[sequences.size()][width];
    long[][] mask = new long[sequences.size()][width];
    int[] offset = new int[sequences.size()];
    for (int b = 0; b < ids.length; b++) {
      long[] s = sequences.get(b);
      offset[b] = left ? width - s.length : 0;
      java.util.Arrays.fill(ids[b], pad);
      for (int t = 0; t < s.length; t++) {
        ids[b][offset[b] + t] = s[t];
        mask[b][offset[b] + t] = 1;
      }
    }
    try (NDManager m = lm.getManager().newSubManager()) {
      NDArray logits = lm.forward(m.create(ids), m.create(mask), false);
      float[] lp = logits.logSoftmax(2).toFloatArray();
      int v = (int) logits.getShape().get(2);
      double[][] out = new double[sequences.size()][];
      for (int b = 0; b < ids.length; b++) {
        long[] s = sequences.get(b);
        out[b] = new double[s.length - 1];
        for (int t = 0; t + 1 < s.length; t++) {
          out[b][t] = lp[(b * width + offset[b] + t) * v + (int) s[t + 1]];
        }
      }
      return out;
    }
  }

  /** Asserts that every element is within {@code tolerance}, naming the worst. */
  public static void assertClose(double[][] want, double[][] got, double tolerance, String what) {
    double worst = 0;
    String where = "";
    for (int i = 0; i < want.length; i++) {
      for (int j = 0; j < want[i].length; j++) {
        double d = Math.abs(want[i][j] - got[i][j]);
        if (d > worst) {
          worst = d;
          where = "[" + i + "][" + j + "] want " + want[i][j] + " got " + got[i][j];
        }
      }
    }
    assertTrue(worst <= tolerance, what + ": max |diff| " + worst + " > " + tolerance + " at " + where);
  }

  /**
   * Returns the gradient of TRL's ORPO loss (λ 0.1, NLL over prompt and response) on the reference's preference pairs
   * for every trainable parameter of a model, computed in the model's own types and returned as float32, in {@link
   * CausalLm#trainableParameters()} order; the gradients are zeroed afterwards.
   */
  public static List<float[]> orpoGradients(CausalLm lm, JsonObject reference) {
    List<EncodedPair> pairs = pairs(reference);
    List<EncodedSequence> rows = new ArrayList<>();
    pairs.forEach(p -> rows.add(p.chosen()));
    pairs.forEach(p -> rows.add(p.rejected()));
    long pad = reference.getAsJsonObject("orpo").get("pad_id").getAsLong();
    List<float[]> out = new ArrayList<>();
    try (NDManager m = lm.getManager().newSubManager()) {
      try (GradientCollector gc = Engine.getInstance().newGradientCollector()) {
        TokenBatch b = TokenBatch.collate(rows, pad, m);
        gc.backward(OrpoLoss.builder().nllScope(NllScope.PROMPT_AND_RESPONSE).build()
            .compute(lm.forward(b.inputIds(), b.attentionMask(), true), b.labels(), b.responseMask(), b.tokenMask())
            .loss());
      }
      for (Pair<String, Parameter> p : lm.trainableParameters()) {
        try (NDArray g = p.getValue().getArray().getGradient()) {
          out.add(g.toType(DataType.FLOAT32, false).toFloatArray());
          InPlace.zero(g);
        }
      }
    }
    return out;
  }

  /**
   * Runs one ORPO step through {@link OrpoTrainer} on the reference's pairs (TRL's NLL over prompt and response,
   * AdamW lr 1e-3, weight decay 0.01, clip 1, constant schedule) and asserts the loss before it within 1e-4 and after
   * it within 2e-4 of the given values.
   */
  public static void assertOneAdamWStep(CausalLm lm, JsonObject reference, double lossBefore, double lossAfter,
      String name) throws IOException {
    long pad = reference.getAsJsonObject("orpo").get("pad_id").getAsLong();
    List<EncodedPair> pairs = pairs(reference);
    OrpoLoss loss = OrpoLoss.builder().nllScope(NllScope.PROMPT_AND_RESPONSE).build();
    TrainerConfig cfg = TrainerConfig.builder().batchSize(pairs.size()).maxSteps(1).progressBar(false)
        .optimizer(OptimizerConfig.builder().learningRate(1e-3f).weightDecay(0.01f).maxGradNorm(1f)
            .schedule(LrScheduleType.CONSTANT).build()).build();
    TrainingSummary s = new OrpoTrainer(lm, cfg, loss, pad).fit(pairs);
    assertEquals(lossBefore, s.firstMetrics().get("loss"), 1e-4, name + " loss before");
    List<EncodedSequence> rows = new ArrayList<>();
    pairs.forEach(p -> rows.add(p.chosen()));
    pairs.forEach(p -> rows.add(p.rejected()));
    try (NDManager m = lm.getManager().newSubManager()) {
      TokenBatch b = TokenBatch.collate(rows, pad, m);
      float after = loss.compute(lm.forward(b.inputIds(), b.attentionMask(), false), b.labels(), b.responseMask(),
          b.tokenMask()).loss().getFloat();
      assertEquals(lossAfter, after, 2e-4, name + " loss after");
    }
  }

  /**
   * The largest difference between a safetensors file's tensors and the parameters of the same names.
   *
   * @param value the largest absolute difference
   * @param where the parameter and element where it is
   */
  public record Worst(double value, String where) {}

  /** Compares every given parameter with the tensor of its name in {@code file}. */
  public static Worst worstDifference(Path file, Iterable<Pair<String, Parameter>> parameters) throws IOException {
    double worst = 0;
    String where = "";
    try (SafetensorsFile f = SafetensorsFile.open(file);
        NDManager m = NDManager.newBaseManager(ai.djl.Device.cpu())) {
      for (Pair<String, Parameter> p : parameters) {
        float[] want = f.read(p.getKey(), m).toFloatArray();
        float[] got = p.getValue().getArray().toFloatArray();
        for (int i = 0; i < want.length; i++) {
          double d = Math.abs(want[i] - got[i]);
          if (d > worst) {
            worst = d;
            where = p.getKey() + "[" + i + "]";
          }
        }
      }
    }
    return new Worst(worst, where);
  }

  /** The cosine of the angle between two lists of tensors, each list read as one long vector. */
  public static double cosine(List<float[]> a, List<float[]> b) {
    double dot = 0;
    double na = 0;
    double nb = 0;
    for (int i = 0; i < a.size(); i++) {
      for (int j = 0; j < a.get(i).length; j++) {
        dot += (double) a.get(i)[j] * b.get(i)[j];
        na += (double) a.get(i)[j] * a.get(i)[j];
        nb += (double) b.get(i)[j] * b.get(i)[j];
      }
    }
    return dot / Math.sqrt(na * nb);
  }

  public static double[][] referenceLogProbs(JsonObject reference, String key) {
    JsonArray a = reference.getAsJsonArray(key);
    double[][] out = new double[a.size()][];
    for (int i = 0; i < out.length; i++) {
      out[i] = doubles(a.get(i));
    }
    return out;
  }
}
