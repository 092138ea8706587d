package io.github.sipf4j.prm.process;

import ai.djl.Device;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.index.NDIndex;
import ai.djl.ndarray.types.DataType;
import ai.djl.nn.Parameter;
import ai.djl.util.Pair;
import com.google.common.base.Preconditions;
import com.google.gson.Gson;
import com.google.gson.GsonBuilder;
import com.google.gson.JsonObject;
import com.google.gson.JsonParseException;
import com.google.gson.JsonParser;
import io.github.sipf4j.orpo.model.CausalLm;
import io.github.sipf4j.orpo.model.CausalLmKind;
import io.github.sipf4j.orpo.model.CausalLms;
import io.github.sipf4j.orpo.text.PromptTemplate;
import io.github.sipf4j.orpo.text.SequenceTooLongException;
import io.github.sipf4j.orpo.text.TextTokenizer;
import io.github.sipf4j.orpo.util.AtomicFiles;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Comparator;
import java.util.List;
import java.util.Map;

/**
 * A trainable process reward model: a {@link CausalLm} backbone (a {@link io.github.sipf4j.orpo.model.DecoderLm}, a
 * {@link io.github.sipf4j.orpo.model.TorchScriptLm}, or any other) with a two-class head read at the last token of
 * each step, the convention of TRL's {@code PRMTrainer} and of SIPF.
 *
 * <p>Input: {@code BOS + template.format(prompt) + step_1 + ... + step_n}, encoded step by step
 * ({@link StepSpans}). Features at the last token of step \( i \): the backbone's final hidden state when it
 * {@linkplain CausalLm#supportsHiddenStates() exposes one}, otherwise its next-token logits ({@link PrmFeatures}).
 * Head: \( z_i = W f_i + b \); the step score is \( P(\text{correct}) = \mathrm{softmax}(z_i)_1 \). Training
 * ({@link PrmTrainer}) minimises the per-step cross-entropy against the target distribution \( (1 - y_i, y_i) \),
 * which for hard labels \( y_i \in \{0, 1\} \) is the usual classification loss; every other position (prompt,
 * tokens inside a step, padding) is ignored.
 *
 * <p>Scoring is batched: up to {@link #scoringBatchSize()} rationales per forward pass, right-padded, the rationales
 * taken longest first so that each batch pads to little more than its own lengths (the scores come back in the
 * inputs' order, and padding does not change them). A sequence longer than the backbone's {@link CausalLm#maxLength()}
 * fails with {@link SequenceTooLongException} before any is scored. The model owns its backbone and closes it; a
 * tokenizer passed to {@link #create} stays the caller's, one read by {@link #load} is owned. Instances are not
 * thread-safe.
 *
 * <pre>{@code
 * try (TextTokenizer tok = TextTokenizer.characterLevel();
 *      DecoderPrm prm = DecoderPrm.create(DecoderLm.create(config, Device.cpu(), 1), tok, PromptTemplate.DEFAULT, 7)) {
 *   new PrmTrainer(prm, PrmTrainerConfig.builder().epochs(3).build()).fit(train, validation);
 *   double[] scores = prm.scoreSteps(StepScoringInput.of("3+4*2", List.of("4*2=8\n", "3+8=11\n")));
 *   prm.save(Path.of("prm"));
 * }
 * }</pre>
 */
public final class DecoderPrm implements ProcessRewardModel, AutoCloseable {

  /** The file holding the PRM's own settings inside a saved directory. */
  public static final String META_FILE = "prm.json";

  /** The safetensors file of the head inside a saved directory. */
  public static final String HEAD_FILE = "head.safetensors";

  /** The sub-directory holding the backbone, written by {@link CausalLm#save}. */
  public static final String BACKBONE_DIR = "backbone";

  /** The value of {@code "type"} in {@value #META_FILE}. */
  public static final String TYPE = "decoder-prm";

  /** The default number of rationales per scoring forward pass. */
  public static final int DEFAULT_SCORING_BATCH_SIZE = 16;

  /** The prefix of the backbone's parameter names in {@link #trainableParameters}. */
  public static final String BACKBONE_PREFIX = "backbone.";

  /** The prefix of the head's parameter names in {@link #trainableParameters}. */
  public static final String HEAD_PREFIX = "head.";

  private static final Gson GSON = new GsonBuilder().setPrettyPrinting().create();

  private final CausalLm backbone;
  private final TextTokenizer tokenizer;
  private final boolean ownsTokenizer;
  private final PromptTemplate template;
  private final PrmFeatures features;
  private final StepHead head;
  private int scoringBatchSize = DEFAULT_SCORING_BATCH_SIZE;

  private DecoderPrm(CausalLm backbone, TextTokenizer tokenizer, boolean ownsTokenizer, PromptTemplate template,
      PrmFeatures features, long seed) {
    this.backbone = Preconditions.checkNotNull(backbone, "backbone");
    this.tokenizer = Preconditions.checkNotNull(tokenizer, "tokenizer");
    this.template = Preconditions.checkNotNull(template, "template");
    this.features = Preconditions.checkNotNull(features, "features");
    Preconditions.checkArgument(features != PrmFeatures.HIDDEN || backbone.supportsHiddenStates(),
        "%s exposes no hidden states: use PrmFeatures.LOGITS", backbone.getClass().getSimpleName());
    this.ownsTokenizer = ownsTokenizer;
    int size = features == PrmFeatures.HIDDEN ? backbone.hiddenSize() : backbone.vocabSize();
    this.head = new StepHead(size, NDManager.newBaseManager(backbone.getDevice()), seed);
  }

  /**
   * Puts a freshly initialised head on a backbone, reading hidden states when the backbone exposes them and logits
   * otherwise.
   *
   * @param backbone the backbone; the PRM owns it from now on
   * @param tokenizer the backbone's tokenizer; it stays the caller's and must outlive the PRM
   * @param template the prompt template applied to every {@code prompt}
   * @param seed the seed of the head's initialisation
   * @return the PRM
   */
  public static DecoderPrm create(CausalLm backbone, TextTokenizer tokenizer, PromptTemplate template, long seed) {
    PrmFeatures kind = backbone.supportsHiddenStates() ? PrmFeatures.HIDDEN : PrmFeatures.LOGITS;
    return new DecoderPrm(backbone, tokenizer, false, template, kind, seed);
  }

  /**
   * Puts a freshly initialised head reading the given features on a backbone.
   *
   * @param backbone the backbone; the PRM owns it from now on
   * @param tokenizer the backbone's tokenizer; it stays the caller's and must outlive the PRM
   * @param template the prompt template applied to every {@code prompt}
   * @param features what the head reads
   * @param seed the seed of the head's initialisation
   * @return the PRM
   * @throws IllegalArgumentException if hidden states are asked of a backbone without them
   */
  public static DecoderPrm create(
      CausalLm backbone, TextTokenizer tokenizer, PromptTemplate template, PrmFeatures features, long seed) {
    return new DecoderPrm(backbone, tokenizer, false, template, features, seed);
  }

  /**
   * Loads a PRM saved by {@link #save}: the backbone through {@link CausalLms#load}, the tokenizer, the head and the
   * settings.
   *
   * @param dir the directory
   * @param device where the parameters will live
   * @return the PRM, owning its backbone and tokenizer
   * @throws IOException if a file is missing or malformed
   */
  public static DecoderPrm load(Path dir, Device device) throws IOException {
    return load(dir, device, null);
  }

  /**
   * Loads a PRM saved by {@link #save}, its backbone by a given model kind: for a backbone whose kind is not
   * registered with {@link CausalLms}.
   *
   * @param dir the directory
   * @param device where the parameters will live
   * @param backboneKind the kind that loads the {@value #BACKBONE_DIR} folder, or null to find it among the
   *     registered kinds
   * @return the PRM, owning its backbone and tokenizer
   * @throws IOException if a file is missing or malformed
   */
  public static DecoderPrm load(Path dir, Device device, CausalLmKind backboneKind) throws IOException {
    Path metaFile = dir.resolve(META_FILE);
    JsonObject meta;
    PrmFeatures kind;
    PromptTemplate template;
    int featureSize;
    long bos;
    long eos;
    long pad;
    try {
      meta = JsonParser.parseString(Files.readString(metaFile, StandardCharsets.UTF_8)).getAsJsonObject();
      if (!meta.has("type") || !TYPE.equals(meta.get("type").getAsString())) {
        throw new IOException(metaFile + ": field \"type\" must be \"" + TYPE + "\"");
      }
      kind = PrmFeatures.valueOf(meta.get("features").getAsString());
      template = PromptTemplate.of(meta.get("template").getAsString());
      featureSize = meta.get("feature_size").getAsInt();
      bos = meta.get("bos_id").getAsLong();
      eos = meta.get("eos_id").getAsLong();
      pad = meta.get("pad_id").getAsLong();
    } catch (JsonParseException | IllegalStateException | IllegalArgumentException | NullPointerException
        | UnsupportedOperationException e) {
      throw new IOException(metaFile + ": malformed PRM settings: " + e.getMessage(), e);
    }
    TextTokenizer tok = TextTokenizer.fromFile(dir.resolve(TextTokenizer.FILE_NAME), bos, eos, pad);
    CausalLm lm = null;
    DecoderPrm prm = null;
    boolean loaded = false;
    try {
      Path backboneDir = dir.resolve(BACKBONE_DIR);
      lm = backboneKind == null ? CausalLms.load(backboneDir, device) : backboneKind.load(backboneDir, device);
      prm = new DecoderPrm(lm, tok, true, template, kind, 0);
      if (prm.head.featureSize() != featureSize) {
        throw new IOException(metaFile + ": field \"feature_size\" is " + featureSize + " but the backbone gives "
            + prm.head.featureSize());
      }
      prm.loadHead(dir.resolve(HEAD_FILE));
      loaded = true;
      return prm;
    } catch (RuntimeException e) {
      throw new IOException(dir + ": cannot load the PRM: " + e.getMessage(), e);
    } finally {
      if (!loaded) {
        if (prm != null) {
          prm.close();
        } else {
          if (lm != null) {
            lm.close();
          }
          tok.close();
        }
      }
    }
  }

  /**
   * Saves the PRM: the backbone into {@value #BACKBONE_DIR}, the head as {@value #HEAD_FILE}, the tokenizer and the
   * settings ({@value #META_FILE}, written last, so a directory with it is complete).
   *
   * @param dir the directory; created if missing
   * @throws IOException if writing fails
   */
  public void save(Path dir) throws IOException {
    Files.createDirectories(dir);
    backbone.save(dir.resolve(BACKBONE_DIR));
    tokenizer.save(dir);
    Map<String, NDArray> headArrays = new java.util.LinkedHashMap<>();
    headArrays.put(head.weight().getName(), head.weight().getArray());
    headArrays.put(head.bias().getName(), head.bias().getArray());
    io.github.sipf4j.orpo.util.Safetensors.write(dir.resolve(HEAD_FILE), headArrays);
    JsonObject meta = new JsonObject();
    meta.addProperty("type", TYPE);
    meta.addProperty("features", features.name());
    meta.addProperty("feature_size", head.featureSize());
    meta.addProperty("template", template.template());
    meta.addProperty("bos_id", tokenizer.bosId());
    meta.addProperty("eos_id", tokenizer.eosId());
    meta.addProperty("pad_id", tokenizer.padId());
    AtomicFiles.writeString(dir.resolve(META_FILE), GSON.toJson(meta));
  }

  private void loadHead(Path file) throws IOException {
    Map<String, NDArray> headArrays = new java.util.LinkedHashMap<>();
    headArrays.put(head.weight().getName(), head.weight().getArray());
    headArrays.put(head.bias().getName(), head.bias().getArray());
    io.github.sipf4j.orpo.util.Safetensors.loadInto(file, headArrays);
  }

  /**
   * Scores every step of every rationale: the probability that the step is correct.
   *
   * @param inputs the rationales; {@link StepScoringInput#finalAnswerCorrect()} is ignored
   * @return for each input, one probability per step
   * @throws SequenceTooLongException if a prompt and rationale exceed the backbone's maximum length
   */
  @Override
  public List<double[]> scoreSteps(List<StepScoringInput> inputs) {
    List<StepSpans> encoded = new ArrayList<>(inputs.size());
    for (StepScoringInput in : inputs) {
      encoded.add(encode(in.prompt(), in.steps()));
    }
    return scoreAll(encoded);
  }

  /**
   * Scores encoded rationales in batches of {@link #scoringBatchSize()}, longest first, so that a batch pads to
   * little more than its own rationales' lengths.
   *
   * @param encoded the rationales
   * @return their step scores, in the order given
   */
  List<double[]> scoreAll(List<StepSpans> encoded) {
    Integer[] order = new Integer[encoded.size()];
    for (int i = 0; i < order.length; i++) {
      order[i] = i;
    }
    Arrays.sort(order, Comparator.comparingInt((Integer i) -> encoded.get(i).length()).reversed());
    double[][] out = new double[encoded.size()][];
    for (int from = 0; from < order.length; from += scoringBatchSize) {
      List<StepSpans> batch = new ArrayList<>();
      int to = Math.min(order.length, from + scoringBatchSize);
      for (int k = from; k < to; k++) {
        batch.add(encoded.get(order[k]));
      }
      List<double[]> scores = scoreEncoded(batch);
      for (int k = from; k < to; k++) {
        out[order[k]] = scores.get(k - from);
      }
    }
    return Arrays.asList(out);
  }

  /** Scores already encoded rationales in one forward pass. */
  List<double[]> scoreEncoded(List<StepSpans> batch) {
    float[] p;
    try (NDManager m = backbone.getManager().newSubManager()) {
      NDArray logits = stepLogits(batch, m, false);
      p = logits.softmax(1).get(new NDIndex(":, 1")).toType(DataType.FLOAT32, false).toFloatArray();
    }
    List<double[]> out = new ArrayList<>(batch.size());
    int at = 0;
    for (StepSpans s : batch) {
      double[] scores = new double[s.stepCount()];
      for (int i = 0; i < scores.length; i++) {
        scores[i] = p[at++];
      }
      out.add(scores);
    }
    return out;
  }

  /**
   * Encodes a prompt and steps as the PRM reads them: {@code BOS + template.format(prompt)} followed by the steps.
   *
   * @param prompt the question
   * @param steps the steps, at least one
   * @return the ids and step spans
   * @throws SequenceTooLongException if the result exceeds the backbone's maximum length
   */
  public StepSpans encode(String prompt, List<String> steps) {
    Preconditions.checkArgument(!steps.isEmpty(), "a rationale to score needs at least one step");
    long[] p = tokenizer.encode(template.format(prompt));
    long[] withBos = new long[p.length + 1];
    withBos[0] = tokenizer.bosId();
    System.arraycopy(p, 0, withBos, 1, p.length);
    StepSpans s = StepSpans.encode(tokenizer, withBos, steps);
    if (s.length() > backbone.maxLength()) {
      throw new SequenceTooLongException(String.format("prompt and rationale take %d tokens, the PRM backbone"
          + " accepts %d; prompt starts with: %s", s.length(), backbone.maxLength(), abbreviate(prompt)));
    }
    return s;
  }

  /**
   * Runs the backbone and the head on a right-padded batch and returns the head's logits at every step end, in
   * batch order then step order.
   *
   * @param batch the encoded rationales
   * @param m the manager for the arrays (on the backbone's device)
   * @param training whether to apply training-only behaviour such as dropout
   * @return (total steps, 2) logits
   */
  NDArray stepLogits(List<StepSpans> batch, NDManager m, boolean training) {
    Preconditions.checkArgument(!batch.isEmpty(), "empty batch");
    int width = 0;
    int steps = 0;
    for (StepSpans s : batch) {
      width = Math.max(width, s.length());
      steps += s.stepCount();
    }
    long[][] ids = new long[batch.size()][width];
    long[][] mask = new long[batch.size()][width];
    long[] ends = new long[steps];
    int k = 0;
    for (int b = 0; b < batch.size(); b++) {
      StepSpans s = batch.get(b);
      java.util.Arrays.fill(ids[b], tokenizer.padId());
      System.arraycopy(s.ids(), 0, ids[b], 0, s.length());
      java.util.Arrays.fill(mask[b], 0, s.length(), 1L);
      for (int i = 0; i < s.stepCount(); i++) {
        ends[k++] = (long) b * width + s.lastToken(i);
      }
    }
    NDArray inputIds = m.create(ids);
    NDArray attention = m.create(mask);
    NDArray f = features == PrmFeatures.HIDDEN ? backbone.forwardHidden(inputIds, attention, training)
        : backbone.forward(inputIds, attention, training);
    long size = f.getShape().get(2);
    NDArray flat = f.reshape(-1, size);
    NDArray picked = flat.get(new NDIndex("{}", m.create(ends)));
    return head.apply(picked);
  }

  /**
   * Returns the parameters training updates, named {@value #BACKBONE_PREFIX}NAME and {@value #HEAD_PREFIX}NAME.
   *
   * @param includeBackbone whether the backbone is fine-tuned along with the head
   * @return the (name, parameter) pairs, backbone first
   */
  public List<Pair<String, Parameter>> trainableParameters(boolean includeBackbone) {
    List<Pair<String, Parameter>> out = new ArrayList<>();
    if (includeBackbone) {
      for (Pair<String, Parameter> p : backbone.trainableParameters()) {
        out.add(new Pair<>(BACKBONE_PREFIX + p.getKey(), p.getValue()));
      }
    }
    out.add(new Pair<>(HEAD_PREFIX + StepHead.WEIGHT, head.weight()));
    out.add(new Pair<>(HEAD_PREFIX + StepHead.BIAS, head.bias()));
    return out;
  }

  /**
   * Returns the backbone.
   *
   * @return the backbone, owned by this PRM
   */
  public CausalLm backbone() {
    return backbone;
  }

  /**
   * Returns the tokenizer.
   *
   * @return the tokenizer
   */
  public TextTokenizer tokenizer() {
    return tokenizer;
  }

  /**
   * Returns the prompt template.
   *
   * @return the template applied to every prompt
   */
  public PromptTemplate template() {
    return template;
  }

  /**
   * Returns what the head reads.
   *
   * @return the feature kind
   */
  public PrmFeatures features() {
    return features;
  }

  /**
   * Returns the head's input width.
   *
   * @return the feature size
   */
  public int featureSize() {
    return head.featureSize();
  }

  /**
   * Returns the number of rationales per scoring forward pass.
   *
   * @return the scoring batch size ({@value #DEFAULT_SCORING_BATCH_SIZE} unless set)
   */
  public int scoringBatchSize() {
    return scoringBatchSize;
  }

  /**
   * Sets the number of rationales per scoring forward pass (memory against speed).
   *
   * @param size the batch size, positive
   * @return this PRM
   */
  public DecoderPrm scoringBatchSize(int size) {
    Preconditions.checkArgument(size > 0, "the scoring batch size must be positive, got %s", size);
    this.scoringBatchSize = size;
    return this;
  }

  /** Releases the head, the backbone and, when owned, the tokenizer. */
  @Override
  public void close() {
    head.close();
    backbone.close();
    if (ownsTokenizer) {
      tokenizer.close();
    }
  }

  private static String abbreviate(String s) {
    return s.length() <= 40 ? s : s.substring(0, 37) + "...";
  }
}
