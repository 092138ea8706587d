package io.github.sipf4j.orpo.model;

import ai.djl.Device;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.internal.NDArrayEx;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import ai.djl.ndarray.types.SparseFormat;
import ai.djl.nn.Block;
import ai.djl.nn.Parameter;
import ai.djl.util.Pair;
import com.google.common.base.Preconditions;
import com.google.gson.Gson;
import com.google.gson.GsonBuilder;
import com.google.gson.JsonObject;
import com.google.gson.JsonParseException;
import com.google.gson.JsonParser;
import io.github.sipf4j.orpo.util.AtomicFiles;
import io.github.sipf4j.orpo.util.NoGradScope;
import io.github.sipf4j.orpo.util.Safetensors;
import io.github.sipf4j.orpo.util.Scalars;
import io.github.sipf4j.orpo.util.SeededNormal;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * The built-in GPT-style causal decoder: token embeddings, learned or rotary positions, pre-LayerNorm blocks of causal
 * multi-head self-attention and a GELU MLP, a final layer norm and an output head tied to the token embeddings.
 *
 * <p>One layer computes, with \( \mathrm{LN} \) a layer norm,
 * \( x \leftarrow x + W_o\,\mathrm{softmax}\big(q k^\top/\sqrt{d_h} + M\big) v \) where
 * \( (q, k, v) = W_{qkv}\,\mathrm{LN}_1(x) \) split per head, and
 * \( x \leftarrow x + W_2\,\mathrm{GELU}(W_1\,\mathrm{LN}_2(x)) \). The mask \( M \) is 0 where a query may see a key
 * (the key is not later and not padding) and \( -10^9 \) elsewhere, so that a row made only of padding stays finite.
 * Positions are counted over real tokens only ({@code cumsum(mask) - 1}), so left and right padding give the same
 * logits for the real tokens. Weights use the PyTorch {@code nn.Linear} layout and PyTorch-style names (see
 * {@link DecoderBlock}), and are saved as safetensors.
 *
 * <p>Incremental decoding: {@link #newCache} and {@link #forwardCached} reuse the keys and values of earlier tokens;
 * their logits equal the full forward pass. The cache keeps them in preallocated per-layer buffers written in place
 * ({@link PreallocatedKvCache}), so a decoding step copies nothing; the decoding path is built for few native calls
 * per token (see {@link #forwardCached}). A {@code DecoderLm} is not thread-safe.
 *
 * <p>The model is an {@link AdaptableLm}: the projections {@code h.N.attn.qkv} (fused query, key and value), {@code
 * h.N.attn.proj}, {@code h.N.mlp.fc} and {@code h.N.mlp.proj} take low-rank adapters through {@link
 * io.github.sipf4j.orpo.lora.LoraModel}, saved in PEFT's layout under these names.
 *
 * <pre>{@code
 * DecoderConfig config = DecoderConfig.builder().vocabSize(tokenizer.vocabSize()).build();
 * try (DecoderLm lm = DecoderLm.create(config, Device.cpu(), 42)) {
 *   lm.save(Path.of("policy"));
 * }
 * try (DecoderLm again = DecoderLm.load(Path.of("policy"), Device.cpu())) { ... }
 * }</pre>
 */
public final class DecoderLm implements AdaptableLm {

  /** The file name of the configuration inside a saved model directory. */
  public static final String CONFIG_FILE = "config.json";

  /** The file name of the weights inside a saved model directory. */
  public static final String WEIGHTS_FILE = "model.safetensors";

  /** The value of {@code "type"} in {@value #CONFIG_FILE} for this model. */
  public static final String TYPE = "decoder";

  /** Up to this many new tokens in a decoding step, the rotary embedding turns the halves with a matrix product. */
  private static final int ROTATE_BY_PRODUCT = 8;
  private static final Gson GSON = new GsonBuilder().setPrettyPrinting().create();

  /** The module names of a layer's projections, in {@link #projections()} order, after {@code h.N.}. */
  private static final String[] PROJECTIONS = {"attn.qkv", "attn.proj", "mlp.fc", "mlp.proj"};

  /** Where each projection's weight sits in a layer's parameters; its bias follows it. */
  private static final int[] PROJECTION_WEIGHTS = {2, 4, 8, 10};

  private final DecoderConfig config;
  private final NDManager manager;
  private final DecoderBlock block;
  private final NDArray ropeCos;
  private final NDArray ropeSin;
  /** 1/sqrt(head size), made once: engine-owned so autograd may keep it (see {@link Scalars}). */
  private final NDArray attentionScale;
  private final Parameter[][] layerParams;
  private final Parameter wte;
  private final Parameter wpe;
  private final Parameter lnfW;
  private final Parameter lnfB;
  private final List<LinearProjection> projections;
  private ProjectionHook hook;
  private Path sourceDir;
  /** The constants of {@link #forwardCached}. */
  private final DecodeConstants decode;

  private DecoderLm(DecoderConfig config, Device device, Map<String, NDArray> weights, long seed) {
    this.config = config;
    this.manager = NDManager.newBaseManager(device);
    this.block = new DecoderBlock(config);
    try {
      for (Pair<String, Parameter> p : block.getParameters()) {
        String name = p.getKey();
        Shape shape = block.shapeOf(name);
        NDArray array;
        if (weights != null) {
          NDArray w = weights.get(name);
          if (w == null) {
            throw new IllegalArgumentException("weights lack parameter " + name);
          }
          if (!w.getShape().equals(shape)) {
            throw new IllegalArgumentException(
                "parameter " + name + " has shape " + w.getShape() + ", the config needs " + shape);
          }
          array = manager.create(w.toType(DataType.FLOAT32, false).toByteBuffer(), shape, DataType.FLOAT32);
        } else {
          array = initialValue(name, p.getValue().getType(), shape, seed);
        }
        array.setName(name);
        p.getValue().setArray(array);
        array.setRequiresGradient(true);
      }
      block.setOwner(this);
      float[][] tables = ropeTables(config);
      this.ropeCos = manager.create(tables[0], new Shape(config.maxLength(), config.headSize() / 2));
      this.ropeSin = manager.create(tables[1], new Shape(config.maxLength(), config.headSize() / 2));
      this.attentionScale = Scalars.of(manager, 1.0 / Math.sqrt(config.headSize()), DataType.FLOAT32);
      this.decode = new DecodeConstants(manager, config);
      this.wte = block.parameter("wte.weight");
      this.wpe = config.positions() == PositionEncoding.LEARNED ? block.parameter("wpe.weight") : null;
      this.lnfW = block.parameter("ln_f.weight");
      this.lnfB = block.parameter("ln_f.bias");
      String[] names = {"ln_1.weight", "ln_1.bias", "attn.qkv.weight", "attn.qkv.bias", "attn.proj.weight",
          "attn.proj.bias", "ln_2.weight", "ln_2.bias", "mlp.fc.weight", "mlp.fc.bias", "mlp.proj.weight",
          "mlp.proj.bias"};
      this.layerParams = new Parameter[config.layers()][names.length];
      List<LinearProjection> linear = new ArrayList<>();
      for (int i = 0; i < config.layers(); i++) {
        for (int j = 0; j < names.length; j++) {
          layerParams[i][j] = block.parameter("h." + i + "." + names[j]);
        }
        for (int j = 0; j < PROJECTIONS.length; j++) {
          int w = PROJECTION_WEIGHTS[j];
          linear.add(new LinearProjection("h." + i + "." + PROJECTIONS[j], layerParams[i][w], layerParams[i][w + 1]));
        }
      }
      this.projections = Collections.unmodifiableList(linear);
    } catch (RuntimeException e) {
      manager.close();
      throw e;
    }
  }

  /**
   * Creates a freshly initialised model: weights and embeddings from \( \mathcal{N}(0, \sigma^2) \) with
   * \( \sigma \) = {@code initStd}, biases zero, layer-norm gains one. The values come from local random streams
   * keyed by {@code seed} and each parameter's name ({@link SeededNormal}): the same seed gives the same weights in
   * any process, adding a parameter leaves the others unchanged, and DJL's global random generator is neither seeded
   * nor read. (Dropout, when {@link DecoderConfig#dropout()} is positive, draws its masks from the engine's
   * generator; seed that with {@code Engine.getInstance().setRandomSeed} if you need reproducible dropout.)
   *
   * @param config the shape of the model
   * @param device where the parameters live
   * @param seed the seed of the initialisation
   * @return the model; the caller closes it
   */
  public static DecoderLm create(DecoderConfig config, Device device, long seed) {
    return new DecoderLm(config, device, null, seed);
  }

  /**
   * Loads a model saved by {@link #save}.
   *
   * @param dir the directory holding {@value #CONFIG_FILE} and {@value #WEIGHTS_FILE}
   * @param device where the parameters will live
   * @return the model; the caller closes it
   * @throws IOException if the files cannot be read or do not describe a {@code DecoderLm}
   */
  public static DecoderLm load(Path dir, Device device) throws IOException {
    DecoderConfig config = readConfig(dir);
    Path weightsFile = dir.resolve(WEIGHTS_FILE);
    try (NDManager tmp = NDManager.newBaseManager(Device.cpu())) {
      Map<String, NDArray> weights = Safetensors.read(weightsFile, tmp);
      try {
        DecoderLm lm = new DecoderLm(config, device, weights, 0);
        lm.sourceDir = dir;
        return lm;
      } catch (IllegalArgumentException e) {
        throw new IOException(weightsFile + ": " + e.getMessage(), e);
      }
    }
  }

  /**
   * Reads the configuration of a saved model.
   *
   * @param dir the directory holding {@value #CONFIG_FILE}
   * @return the configuration
   * @throws IOException if the file is missing, malformed or not of a {@code DecoderLm}
   */
  public static DecoderConfig readConfig(Path dir) throws IOException {
    Path file = dir.resolve(CONFIG_FILE);
    try {
      JsonObject o = JsonParser.parseString(Files.readString(file, StandardCharsets.UTF_8)).getAsJsonObject();
      if (!o.has("type") || !TYPE.equals(o.get("type").getAsString())) {
        throw new IOException(file + ": field \"type\" must be \"" + TYPE + "\"");
      }
      DecoderConfig c = GSON.fromJson(o.get("config"), DecoderConfig.class);
      if (c == null) {
        throw new IOException(file + ": field \"config\" is missing");
      }
      return c;
    } catch (JsonParseException | IllegalStateException | IllegalArgumentException | NullPointerException e) {
      throw new IOException(file + ": malformed model configuration: " + e.getMessage(), e);
    }
  }

  private NDArray initialValue(String name, Parameter.Type type, Shape shape, long seed) {
    switch (type) {
      case GAMMA:
        return manager.ones(shape);
      case BIAS:
      case BETA:
        return manager.zeros(shape);
      default:
        return manager.create(SeededNormal.sample(seed, name, Math.toIntExact(shape.size()), config.initStd()), shape);
    }
  }

  private static float[][] ropeTables(DecoderConfig c) {
    int half = c.headSize() / 2;
    float[] cos = new float[c.maxLength() * half];
    float[] sin = new float[c.maxLength() * half];
    for (int pos = 0; pos < c.maxLength(); pos++) {
      for (int j = 0; j < half; j++) {
        double invFreq = Math.pow(c.ropeBase(), -2.0 * j / c.headSize());
        double angle = pos * invFreq;
        cos[pos * half + j] = (float) Math.cos(angle);
        sin[pos * half + j] = (float) Math.sin(angle);
      }
    }
    return new float[][] {cos, sin};
  }

  /**
   * Returns the configuration.
   *
   * @return the configuration
   */
  public DecoderConfig getConfig() {
    return config;
  }

  /** {@inheritDoc} */
  @Override
  public NDArray forward(NDArray inputIds, NDArray attentionMask, boolean training) {
    Shape s = inputIds.getShape();
    Preconditions.checkArgument(s.dimension() == 2, "inputIds must be (batch, time), got %s", s);
    Preconditions.checkArgument(attentionMask.getShape().equals(s),
        "attentionMask %s must match inputIds %s", attentionMask.getShape(), s);
    long t = s.get(1);
    Preconditions.checkArgument(t <= config.maxLength(),
        "sequence length %s exceeds the model's maxLength %s", t, config.maxLength());
    AttentionMasks.Step step = AttentionMasks.full(attentionMask);
    return hidden(inputIds.toType(DataType.INT64, false), step.positions(), step.bias(), training)
        .matMul(wte.getArray().transpose());
  }

  /** {@inheritDoc} */
  @Override
  public boolean supportsHiddenStates() {
    return true;
  }

  /** {@inheritDoc} */
  @Override
  public int hiddenSize() {
    return config.dModel();
  }

  /** {@inheritDoc} */
  @Override
  public NDArray forwardHidden(NDArray inputIds, NDArray attentionMask, boolean training) {
    Shape s = inputIds.getShape();
    Preconditions.checkArgument(s.dimension() == 2 && attentionMask.getShape().equals(s),
        "inputIds and attentionMask must both be (batch, time), got %s and %s", s, attentionMask.getShape());
    Preconditions.checkArgument(s.get(1) <= config.maxLength(),
        "sequence length %s exceeds the model's maxLength %s", s.get(1), config.maxLength());
    AttentionMasks.Step step = AttentionMasks.full(attentionMask);
    return hidden(inputIds.toType(DataType.INT64, false), step.positions(), step.bias(), training);
  }

  /** {@inheritDoc} */
  @Override
  public boolean supportsKvCache() {
    return true;
  }

  /** {@inheritDoc} */
  @Override
  public KvCache newCache(int batchSize) {
    return new PreallocatedKvCache(manager, config.layers(), batchSize, config.maxLength());
  }

  /**
   * {@inheritDoc}
   *
   * <p>This is the decoding path, built to cost few native calls per token (DJL makes one or more per operation, and
   * at a batch of one they, not the arithmetic, set the speed): the cache keeps each row's count of real tokens and
   * the key-padding bias of every cached position, so a step derives its positions and its bias from the new mask
   * alone; keys and values of a layer share one buffer written in place; the rotary embedding turns queries, keys and
   * values in one go on the fused projection, in place (the halves swapped by one matrix product with a 0/±1 matrix
   * for up to {@value #ROTATE_BY_PRODUCT} new tokens, elementwise for more); residual additions are in place. The
   * logits equal {@link #forward}'s at the same positions (the rotation is the same arithmetic, so up to the rounding
   * of a different batch shape). It records no gradients, also inside a gradient collector or on a thread where
   * libtorch's grad mode is on (the decoding path updates its activations in place, so it runs with grad mode off
   * and restores the thread's mode afterwards).
   */
  @Override
  public NDArray forwardCached(NDArray newIds, NDArray newMask, KvCache kvCache) {
    PreallocatedKvCache cache =
        PreallocatedKvCache.checkStep(kvCache, manager, newIds, newMask, config.maxLength());
    // The in-place decoding path needs grad mode off, also on threads where it is on.
    try (NoGradScope noGrad = NoGradScope.open()) {
      AttentionMasks.Continuation step = AttentionMasks.continued(cache, newMask);
      NDArray logits = decode(newIds.toType(DataType.INT64, false), step.positions(), step.bias(), cache);
      cache.advance(step);
      return logits;
    }
  }

  private NDArray hidden(NDArray ids, NDArray positions, NDArray bias, boolean training) {
    NDArrayEx ex = ids.getNDArrayInternal();
    long b = ids.getShape().get(0);
    long t = ids.getShape().get(1);
    int d = config.dModel();
    int h = config.heads();
    int hd = config.headSize();
    float drop = training ? config.dropout() : 0f;
    NDArray x = embed(ex, ids, positions);
    NDArray cos = null;
    NDArray sin = null;
    if (config.positions() == PositionEncoding.ROTARY) {
      cos = ex.embedding(positions, ropeCos, SparseFormat.DENSE).singletonOrThrow().expandDims(1);
      sin = ex.embedding(positions, ropeSin, SparseFormat.DENSE).singletonOrThrow().expandDims(1);
    }
    Shape headsShape = new Shape(b, t, h, hd);
    for (int l = 0; l < config.layers(); l++) {
      Parameter[] p = layerParams[l];
      NDArray qkv = project(ex, l, 0, norm(ex, x, p[0], p[1]));
      NDList parts = qkv.split(3, 2);
      NDArray q = parts.get(0).reshape(headsShape).transpose(0, 2, 1, 3);
      NDArray k = parts.get(1).reshape(headsShape).transpose(0, 2, 1, 3);
      NDArray v = parts.get(2).reshape(headsShape).transpose(0, 2, 1, 3);
      if (cos != null) {
        q = rotate(q, cos, sin);
        k = rotate(k, cos, sin);
      }
      NDArray scores = q.mul(attentionScale).matMul(k.transpose(0, 1, 3, 2)).add(bias);
      NDArray att = scores.softmax(-1);
      if (drop > 0) {
        att = ex.dropout(att, drop, true).singletonOrThrow();
      }
      NDArray y = att.matMul(v).transpose(0, 2, 1, 3).reshape(b, t, d);
      NDArray o = project(ex, l, 1, y);
      if (drop > 0) {
        o = ex.dropout(o, drop, true).singletonOrThrow();
      }
      x = x.add(o);
      NDArray m = mlp(ex, x, l);
      if (drop > 0) {
        m = ex.dropout(m, drop, true).singletonOrThrow();
      }
      x = x.add(m);
    }
    return norm(ex, x, lnfW, lnfB);
  }

  /** The token embeddings, plus the learned position embeddings when the model has them. */
  private NDArray embed(NDArrayEx ex, NDArray ids, NDArray positions) {
    NDArray x = ex.embedding(ids, wte.getArray(), SparseFormat.DENSE).singletonOrThrow();
    return wpe == null ? x : x.add(ex.embedding(positions, wpe.getArray(), SparseFormat.DENSE).singletonOrThrow());
  }

  /** Layer norm over the model width. */
  private NDArray norm(NDArrayEx ex, NDArray x, Parameter weight, Parameter bias) {
    return ex.layerNorm(x, new Shape(config.dModel()), weight.getArray(), bias.getArray(), config.layerNormEps())
        .singletonOrThrow();
  }

  /**
   * The MLP of layer {@code l}, from its input norm to its output projection (no residual, no dropout), its
   * projections passed through the hook.
   */
  private NDArray mlp(NDArrayEx ex, NDArray x, int l) {
    Parameter[] p = layerParams[l];
    NDArray m = project(ex, l, 2, norm(ex, x, p[6], p[7]));
    return project(ex, l, 3, m.getNDArrayInternal().gelu());
  }

  /**
   * The decoding forward pass over the new tokens: {@link #hidden}'s arithmetic with in-place updates, the rotary
   * embedding applied once to the fused (query, key, value) projection, and keys and values written to the cache.
   */
  private NDArray decode(NDArray ids, NDArray positions, NDArray bias, PreallocatedKvCache cache) {
    DecodeConstants c = decode;
    NDArrayEx ex = ids.getNDArrayInternal();
    long b = ids.getShape().get(0);
    long t = ids.getShape().get(1);
    int d = config.dModel();
    int h = config.heads();
    int hd = config.headSize();
    NDArray x = embed(ex, ids, positions);
    NDArray cos = null;
    NDArray sin = null;
    if (c.cos != null) {
      // (b, t, 3, 1, hd): the rotation of query and key at each position, and the identity for the value.
      cos = ex.embedding(positions, c.cos, SparseFormat.DENSE).singletonOrThrow().reshape(b, t, 3, 1, hd);
      sin = ex.embedding(positions, c.sin, SparseFormat.DENSE).singletonOrThrow().reshape(b, t, 3, 1, hd);
    }
    for (int l = 0; l < config.layers(); l++) {
      Parameter[] p = layerParams[l];
      NDArray qkv = project(ex, l, 0, norm(ex, x, p[0], p[1])).reshape(b, t, 3, h, hd);
      if (cos != null) {
        // x cos + (-x2, x1) sin: the same products and sums as rotate(), so the same bits. For a few rows (-x2, x1)
        // is one product with a 0/±1 matrix (one native call); for more, halves cost less arithmetic.
        NDArray turned = b * t <= ROTATE_BY_PRODUCT ? qkv.matMul(c.rotateHalf) : rotateHalf(qkv);
        qkv.muli(cos).addi(turned.muli(sin));
      }
      NDList qAndKv = qkv.transpose(2, 0, 3, 1, 4).split(new long[] {1}, 0); // (1|2, b, h, t, hd)
      NDArray q = qAndKv.get(0).muli(attentionScale);
      NDList kv = cache.appendKeysValues(l, qAndKv.get(1)).split(2, 0); // (1, b, h, past + t, hd) each
      NDArray scores = q.matMul(kv.get(0).transpose(0, 1, 2, 4, 3)).addi(bias);
      NDArray y = scores.softmax(-1).matMul(kv.get(1)); // (1, b, h, t, hd)
      // One new token: (h, t) and (t, h) order the same elements, and the transpose can be left out.
      y = (t == 1 ? y : y.transpose(0, 1, 3, 2, 4)).reshape(b, t, d);
      x.addi(project(ex, l, 1, y));
      x.addi(mlp(ex, x, l));
    }
    return ex.linear(norm(ex, x, lnfW, lnfB), wte.getArray(), null).singletonOrThrow();
  }

  /** (x1, x2) to (-x2, x1) over the two halves of the last axis. */
  private static NDArray rotateHalf(NDArray x) {
    int last = x.getShape().dimension() - 1;
    NDList halves = x.split(2, last);
    return halves.get(1).neg().concat(halves.get(0), last);
  }

  /** Projection {@code j} of layer {@code l} ({@link #PROJECTIONS}), passed through the hook when one is set. */
  private NDArray project(NDArrayEx ex, int l, int j, NDArray x) {
    Parameter[] p = layerParams[l];
    int w = PROJECTION_WEIGHTS[j];
    NDArray y = ex.linear(x, p[w].getArray(), p[w + 1].getArray()).singletonOrThrow();
    return hook == null ? y : hook.apply(l * PROJECTIONS.length + j, x, y);
  }

  /** Rotate-half RoPE: (x1, x2) to (x1 cos - x2 sin, x1 sin + x2 cos) over the two halves of the head. */
  private static NDArray rotate(NDArray x, NDArray cos, NDArray sin) {
    NDList halves = x.split(2, 3);
    NDArray x1 = halves.get(0);
    NDArray x2 = halves.get(1);
    return x1.mul(cos).sub(x2.mul(sin)).concat(x1.mul(sin).add(x2.mul(cos)), 3);
  }

  /** {@inheritDoc} */
  @Override
  public List<LinearProjection> projections() {
    return projections;
  }

  /** {@inheritDoc} */
  @Override
  public void setProjectionHook(ProjectionHook hook) {
    this.hook = hook;
  }

  /**
   * Returns the absolute path of the folder the model was {@linkplain #load loaded} from.
   *
   * @return the path, or empty for a model made with {@link #create}
   */
  @Override
  public Optional<String> nameOrPath() {
    return Optional.ofNullable(sourceDir).map(d -> d.toAbsolutePath().normalize().toString());
  }

  /** {@inheritDoc} */
  @Override
  public Block getBlock() {
    return block;
  }

  /** {@inheritDoc} */
  @Override
  public NDManager getManager() {
    return manager;
  }

  /** {@inheritDoc} */
  @Override
  public Device getDevice() {
    return manager.getDevice();
  }

  /** {@inheritDoc} */
  @Override
  public int vocabSize() {
    return config.vocabSize();
  }

  /** {@inheritDoc} */
  @Override
  public int maxLength() {
    return config.maxLength();
  }

  /**
   * Returns the number of scalar parameters.
   *
   * @return the parameter count
   */
  public long parameterCount() {
    return config.parameterCount();
  }

  /**
   * Writes {@value #CONFIG_FILE} and {@value #WEIGHTS_FILE} (safetensors, readable by PyTorch) atomically: each file
   * is written beside its target and then moved into place.
   *
   * @param dir the directory; created if missing
   * @throws IOException if writing fails
   */
  @Override
  public void save(Path dir) throws IOException {
    Files.createDirectories(dir);
    JsonObject o = new JsonObject();
    o.addProperty("type", TYPE);
    o.add("config", GSON.toJsonTree(config));
    AtomicFiles.writeString(dir.resolve(CONFIG_FILE), GSON.toJson(o));
    saveWeights(dir.resolve(WEIGHTS_FILE));
  }

  /** {@inheritDoc} */
  @Override
  public void close() {
    manager.close();
  }

  /** The constants of the decoding path of a rotary model: the rotation tables and the rotate-half matrix. */
  private static final class DecodeConstants {
    /** (maxLength, 3 headSize): per position, cos for the query's and the key's two halves, then 1 for the value. */
    final NDArray cos;
    /** (maxLength, 3 headSize): per position, sin for the query's and the key's two halves, then 0 for the value. */
    final NDArray sin;
    /** (headSize, headSize): {@code x} times it is {@code (-x2, x1)}. */
    final NDArray rotateHalf;

    DecodeConstants(NDManager manager, DecoderConfig config) {
      if (config.positions() != PositionEncoding.ROTARY) {
        cos = null;
        sin = null;
        rotateHalf = null;
        return;
      }
      int hd = config.headSize();
      int half = hd / 2;
      float[][] tables = ropeTables(config);
      float[] cos3 = new float[config.maxLength() * 3 * hd];
      float[] sin3 = new float[cos3.length];
      for (int pos = 0; pos < config.maxLength(); pos++) {
        int row = pos * 3 * hd;
        for (int part = 0; part < 2; part++) {
          for (int j = 0; j < hd; j++) {
            cos3[row + part * hd + j] = tables[0][pos * half + j % half];
            sin3[row + part * hd + j] = tables[1][pos * half + j % half];
          }
        }
        java.util.Arrays.fill(cos3, row + 2 * hd, row + 3 * hd, 1f);
      }
      float[] r = new float[hd * hd];
      for (int k = 0; k < half; k++) {
        r[(k + half) * hd + k] = -1f; // column k of the product is -x[k + half]
        r[k * hd + k + half] = 1f; // column k + half is x[k]
      }
      Shape table = new Shape(config.maxLength(), 3L * hd);
      cos = manager.create(cos3, table);
      sin = manager.create(sin3, table);
      rotateHalf = manager.create(r, new Shape(hd, hd));
    }
  }
}
