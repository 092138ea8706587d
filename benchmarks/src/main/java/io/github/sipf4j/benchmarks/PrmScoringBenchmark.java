package io.github.sipf4j.benchmarks;

import ai.djl.Device;
import com.google.common.base.Preconditions;
import com.google.gson.Gson;
import com.google.gson.GsonBuilder;
import com.google.gson.JsonArray;
import com.google.gson.JsonObject;
import io.github.sipf4j.orpo.model.DecoderConfig;
import io.github.sipf4j.orpo.model.DecoderLm;
import io.github.sipf4j.orpo.text.PromptTemplate;
import io.github.sipf4j.orpo.text.TextTokenizer;
import io.github.sipf4j.prm.process.DecoderPrm;
import io.github.sipf4j.prm.process.PrmFeatures;
import io.github.sipf4j.prm.process.StepScoringInput;
import io.github.sipf4j.prm.process.StepSpans;
import io.github.sipf4j.prm.synthetic.SyntheticSplit;
import io.github.sipf4j.prm.synthetic.SyntheticTaskGenerator;
import io.github.sipf4j.prm.task.ReasoningTask;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * Times {@link DecoderPrm#scoreSteps} (backbone forward to the final hidden states, the state at the last token of
 * every step, the two-class head, softmax) on a fixed set of synthetic rationales, and exports what the PyTorch
 * reference ({@code torch_reference.py --mode prm-score}) needs to run the same computation on the same weights: the
 * backbone and head as safetensors (written by {@link DecoderPrm#save}) and the encoded rationales with their step
 * ends as JSON.
 *
 * <p>The rationales are the gold rationales of {@link SyntheticSplit#VALIDATION} tasks (seeded): the question as the
 * prompt, one step per rationale line, every step but the last ending with a newline. The backbone is a
 * {@link DecoderLm} of the given {@link ModelSize} over the vocabulary of {@link TextTokenizer#characterLevel()},
 * wrapped with {@link DecoderPrm#create(io.github.sipf4j.orpo.model.CausalLm, TextTokenizer, PromptTemplate, long)}
 * (hidden-state features, scoring batch {@value DecoderPrm#DEFAULT_SCORING_BATCH_SIZE}).
 */
public final class PrmScoringBenchmark {

  /** The number of rationales scored per timed call. */
  public static final int RATIONALES = 64;

  /** The longest sequence the backbones accept (a synthetic prompt plus rationale stays under 320 characters). */
  public static final int MAX_LENGTH = 512;

  private static final long DATA_SEED = 7;
  private static final long BACKBONE_SEED = 1;
  private static final long HEAD_SEED = 3;
  private static final Gson GSON = new GsonBuilder().create();

  private PrmScoringBenchmark() {}

  /**
   * The measurement of one size.
   *
   * @param size the backbone size
   * @param params the parameter count of backbone and head
   * @param config the backbone's configuration
   * @param rationales the rationales scored per call
   * @param steps the steps scored per call
   * @param scoreMs milliseconds per call of {@link DecoderPrm#scoreSteps} on all rationales
   * @param probabilities P(correct) of every step, rationale by rationale, from the last timed call
   * @param weights the backbone's safetensors
   * @param head the head's safetensors ({@code weight} (2, width), {@code bias} (2))
   * @param batch the JSON input of {@code torch_reference.py --mode prm-score}
   */
  public record Row(ModelSize size, long params, DecoderConfig config, int rationales, int steps, Stats scoreMs,
      double[] probabilities, Path weights, Path head, Path batch) {}

  /**
   * Returns the benchmark's rationales.
   *
   * @param count how many
   * @param seed the seed of the synthetic task generator
   * @return the inputs, each with the task's question and gold steps
   */
  public static List<StepScoringInput> rationales(int count, long seed) {
    List<StepScoringInput> out = new ArrayList<>(count);
    for (ReasoningTask t : SyntheticTaskGenerator.generate(SyntheticSplit.VALIDATION, count, seed).tasks()) {
      List<String> steps = new ArrayList<>(t.goldSteps().size());
      for (int i = 0; i < t.goldSteps().size(); i++) {
        steps.add(i + 1 < t.goldSteps().size() ? t.goldSteps().get(i) + "\n" : t.goldSteps().get(i));
      }
      out.add(StepScoringInput.of(t.prompt(), steps));
    }
    return out;
  }

  /**
   * Measures one size and exports its weights and inputs for the reference.
   *
   * @param size the backbone size
   * @param warmup untimed calls first
   * @param repeats timed calls, at least one
   * @param dir where to write the exported files; created if missing
   * @return the row
   * @throws IOException if the export fails
   */
  public static Row run(ModelSize size, int warmup, int repeats, Path dir) throws IOException {
    Preconditions.checkArgument(repeats > 0, "repeats must be positive, got %s", repeats);
    List<StepScoringInput> inputs = rationales(RATIONALES, DATA_SEED);
    try (TextTokenizer tok = TextTokenizer.characterLevel()) {
      DecoderConfig c = size.config(tok.vocabSize(), MAX_LENGTH);
      try (DecoderPrm prm = DecoderPrm.create(DecoderLm.create(c, Device.cpu(), BACKBONE_SEED), tok,
          PromptTemplate.DEFAULT, HEAD_SEED)) {
        Preconditions.checkState(prm.features() == PrmFeatures.HIDDEN, "expected hidden-state features");
        List<Double> times = new ArrayList<>();
        List<double[]> scores = null;
        for (int i = 0; i < warmup + repeats; i++) {
          long t0 = System.nanoTime();
          scores = prm.scoreSteps(inputs);
          if (i >= warmup) {
            times.add((System.nanoTime() - t0) / 1e6);
          }
        }
        int steps = scores.stream().mapToInt(s -> s.length).sum();
        double[] flat = new double[steps];
        int at = 0;
        for (double[] s : scores) {
          System.arraycopy(s, 0, flat, at, s.length);
          at += s.length;
        }
        prm.save(dir);
        Path batch = dir.resolve("prm-batch.json");
        Files.writeString(batch, GSON.toJson(batchJson(prm, c, inputs)), StandardCharsets.UTF_8);
        long params = ((DecoderLm) prm.backbone()).parameterCount() + 2L * prm.featureSize() + 2;
        return new Row(size, params, c, inputs.size(), steps, Stats.of(times), flat,
            dir.resolve(DecoderPrm.BACKBONE_DIR).resolve(DecoderLm.WEIGHTS_FILE), dir.resolve(DecoderPrm.HEAD_FILE),
            batch);
      }
    }
  }

  /** The reference's input: the rationales encoded exactly as the PRM encodes them, with every step's last token. */
  static JsonObject batchJson(DecoderPrm prm, DecoderConfig c, List<StepScoringInput> inputs) {
    JsonObject o = new JsonObject();
    o.add("config", BenchmarkRunner.configJson(c));
    o.addProperty("pad_id", prm.tokenizer().padId());
    o.addProperty("scoring_batch", prm.scoringBatchSize());
    JsonArray ids = new JsonArray();
    JsonArray ends = new JsonArray();
    for (StepScoringInput in : inputs) {
      StepSpans s = prm.encode(in.prompt(), in.steps());
      JsonArray row = new JsonArray();
      for (long id : s.ids()) {
        row.add(id);
      }
      JsonArray e = new JsonArray();
      for (int i = 0; i < s.stepCount(); i++) {
        e.add(s.lastToken(i));
      }
      ids.add(row);
      ends.add(e);
    }
    o.add("ids", ids);
    o.add("step_ends", ends);
    return o;
  }

  /**
   * Returns the largest absolute difference between two lists of probabilities.
   *
   * @param ours sipf4j's probabilities
   * @param theirs the reference's, in the same order
   * @return the max |diff|, or infinity when the lengths differ
   */
  public static double maxAbsDiff(double[] ours, double[] theirs) {
    if (ours.length != theirs.length) {
      return Double.POSITIVE_INFINITY;
    }
    double worst = 0;
    for (int i = 0; i < ours.length; i++) {
      worst = Math.max(worst, Math.abs(ours[i] - theirs[i]));
    }
    return worst;
  }
}
