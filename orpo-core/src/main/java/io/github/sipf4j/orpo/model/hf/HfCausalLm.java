package io.github.sipf4j.orpo.model.hf;

import ai.djl.Device;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.NDScope;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import ai.djl.ndarray.types.SparseFormat;
import ai.djl.nn.Block;
import ai.djl.nn.Parameter;
import ai.djl.util.Pair;
import com.google.common.base.Preconditions;
import com.google.gson.GsonBuilder;
import com.google.gson.JsonObject;
import io.github.sipf4j.orpo.model.AdaptableLm;
import io.github.sipf4j.orpo.model.AttentionMasks;
import io.github.sipf4j.orpo.model.KvCache;
import io.github.sipf4j.orpo.model.LinearProjection;
import io.github.sipf4j.orpo.model.LoadOptions;
import io.github.sipf4j.orpo.model.PreallocatedKvCache;
import io.github.sipf4j.orpo.model.ProjectionHook;
import io.github.sipf4j.orpo.util.AtomicFiles;
import io.github.sipf4j.orpo.util.Casts;
import io.github.sipf4j.orpo.util.InPlace;
import io.github.sipf4j.orpo.util.SafetensorsFile;
import java.io.IOException;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.SplittableRandom;
import java.util.TreeMap;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A Hugging Face decoder ({@code llama}, {@code mistral}, {@code qwen2}, {@code gemma}, {@code phi}) loaded from a
 * model folder and run with DJL operations: training (every parameter trainable), hidden states for heads of one's
 * own, a key/value cache for decoding, float32 or float16 parameters, and saving back to a folder that Hugging
 * Face's {@code from_pretrained} loads.
 *
 * <p>The folder holds {@code config.json} (read by {@link HfConfig#read}), {@code model.safetensors} or shards listed
 * in {@code model.safetensors.index.json} (F32, F16 or BF16 tensors, files of any size), and usually the tokenizer
 * files, which {@link io.github.sipf4j.orpo.text.TextTokenizer#fromFile(Path)} reads with the special ids the folder's
 * configs name. Loading checks the whole folder first (config fields, every tensor's presence, shape and type, shard
 * index against shards, truncated files) and fails with an {@link HfFormatException} naming the file and the field
 * or tensor before it allocates anything; a failure while reading releases everything read so far. Each tensor is
 * read straight into its parameter in bounded chunks, so loading needs the model's size plus a few tens of megabytes.
 *
 * <p>The computation follows Hugging Face's modeling code (see each family's config record for its details).
 * Positions count real tokens only ({@code cumsum(mask) - 1}), so left and right padding give the same logits, and
 * the logits are float32 whatever the parameters' type. {@link #newCache} and {@link #forwardCached} keep keys and
 * values in preallocated buffers written in place ({@link PreallocatedKvCache}), so decoding a token copies none of
 * the earlier ones; cached logits equal the full forward pass. A model is not thread-safe.
 *
 * <p>The model is an {@link AdaptableLm}: its attention and MLP projections ({@code q_proj}, {@code k_proj}, {@code
 * v_proj}, {@code o_proj}, {@code gate_proj}, {@code up_proj}, {@code down_proj}; Phi's {@code dense}, {@code fc1},
 * {@code fc2}) take low-rank adapters in PEFT's format through {@link io.github.sipf4j.orpo.lora.LoraModel}.
 *
 * <pre>{@code
 * try (HfCausalLm lm = HfCausalLm.load(Path.of("Qwen2.5-0.5B"), Device.gpu(),
 *          LoadOptions.builder().dtype(DataType.FLOAT16).build());
 *      TextTokenizer tok = TextTokenizer.fromFile(Path.of("Qwen2.5-0.5B"))) {
 *   List<Sample> out = new Sampler(lm, tok).sample(List.of("Q: 12+7\nA:"), SamplingConfig.builder().build());
 *   lm.save(Path.of("qwen-tuned"));   // loads in Hugging Face with from_pretrained("qwen-tuned")
 * }
 * }</pre>
 */
public final class HfCausalLm implements AdaptableLm {

  /**
   * The files {@link #save} copies from the folder the model was loaded from, when present: tokenizer, special
   * tokens, chat template and generation settings.
   */
  public static final List<String> COMPANION_FILES = List.of("tokenizer.json", "tokenizer_config.json",
      "special_tokens_map.json", "generation_config.json", "tokenizer.model", "vocab.json", "merges.txt",
      "added_tokens.json", "chat_template.jinja", "chat_template.json");

  private static final Logger LOG = LoggerFactory.getLogger(HfCausalLm.class);

  /** Fills a freshly allocated parameter. */
  @FunctionalInterface
  private interface WeightSource {
    void fill(ParamSpec spec, NDArray target) throws IOException;
  }

  private final HfConfig config;
  private final DataType dtype;
  private final NDManager manager;
  private final HfBlock block;
  private final Decoder decoder;
  private final Projections projections;
  private final Rope rope;
  private final Path sourceDir;

  private HfCausalLm(HfConfig config, Device device, DataType dtype, Path sourceDir, WeightSource weights)
      throws IOException {
    this.config = config;
    this.dtype = dtype;
    this.sourceDir = sourceDir;
    this.manager = NDManager.newBaseManager(device);
    try {
      HfFamily family = HfFamilies.of(config);
      List<ParamSpec> specs = family.parameters(config);
      this.block = new HfBlock(specs, config.vocabSize());
      for (ParamSpec spec : specs) {
        NDArray array = manager.create(spec.shape(), dtype);
        NDScope.unregister(array);
        weights.fill(spec, array);
        array.setName(spec.name());
        block.parameter(spec.name()).setArray(array);
        array.setRequiresGradient(true);
      }
      block.setOwner(this);
      Constants k = new Constants(manager);
      this.projections = new Projections(block::parameter);
      this.decoder = family.decoder(config, block::parameter, projections, dtype, k);
      this.rope = new Rope(manager, config.ropeScaling().inverseFrequencies(config.rotaryDim(), config.ropeTheta()),
          config.headDim(), dtype);
    } catch (IOException | RuntimeException e) {
      manager.close();
      throw e;
    }
  }

  /**
   * Tells whether a folder looks like a Hugging Face model folder: a {@code config.json} with a {@code model_type}.
   * Whether that type is supported is {@link #load}'s business, so that an unsupported one gets a clear error.
   *
   * @param dir a directory
   * @return true when {@code config.json} has a {@code model_type} field
   * @throws IOException if {@code config.json} exists but is not a JSON object
   */
  public static boolean recognises(Path dir) throws IOException {
    Path file = dir.resolve(HfConfig.CONFIG_FILE);
    if (!Files.isRegularFile(file)) {
      return false;
    }
    try {
      JsonObject o = com.google.gson.JsonParser.parseString(Files.readString(file)).getAsJsonObject();
      return o.has("model_type") && o.get("model_type").isJsonPrimitive();
    } catch (com.google.gson.JsonParseException | IllegalStateException e) {
      throw new IOException(file + ": malformed JSON: " + e.getMessage(), e);
    }
  }

  /**
   * Loads a model folder in float32.
   *
   * @param dir the folder
   * @param device where the parameters will live
   * @return the model; the caller closes it
   * @throws IOException if a file is missing, malformed or unsupported ({@link HfFormatException} names the file and
   *     the field or tensor)
   */
  public static HfCausalLm load(Path dir, Device device) throws IOException {
    return load(dir, device, LoadOptions.defaults());
  }

  /**
   * Loads a model folder with the given options.
   *
   * @param dir the folder
   * @param device where the parameters will live
   * @param options the parameter type (float32 or float16)
   * @return the model; the caller closes it
   * @throws IOException if a file is missing, malformed or unsupported ({@link HfFormatException} names the file and
   *     the field or tensor)
   */
  public static HfCausalLm load(Path dir, Device device, LoadOptions options) throws IOException {
    HfConfig config = HfConfig.read(dir);
    List<ParamSpec> specs = HfFamilies.of(config).parameters(config);
    try (HfCheckpoint checkpoint = HfCheckpoint.open(dir)) {
      check(dir, config, specs, checkpoint);
      try (SafetensorsFile.Staging staging = new SafetensorsFile.Staging()) {
        return new HfCausalLm(config, device, options.dtype(), dir,
            (spec, target) -> checkpoint.fileOf(spec.name()).readInto(spec.name(), target, staging));
      }
    }
  }

  /** Checks every parameter's presence, shape and type before anything is allocated; warns about unused tensors. */
  private static void check(Path dir, HfConfig config, List<ParamSpec> specs, HfCheckpoint checkpoint)
      throws HfFormatException {
    Set<String> expected = new HashSet<>();
    Path where = Files.isRegularFile(dir.resolve(HfCheckpoint.INDEX)) ? dir.resolve(HfCheckpoint.INDEX)
        : dir.resolve(HfCheckpoint.SINGLE);
    for (ParamSpec spec : specs) {
      expected.add(spec.name());
      SafetensorsFile f = checkpoint.fileOf(spec.name());
      if (f == null) {
        throw new HfFormatException(where, HfFormatException.tensor(spec.name()), "is missing; config.json's "
            + config.modelType() + " with " + config.numHiddenLayers() + " layers needs it with shape "
            + spec.shape());
      }
      SafetensorsFile.TensorInfo info = f.tensor(spec.name());
      if (!info.shape().equals(spec.shape())) {
        throw new HfFormatException(f.path(), HfFormatException.tensor(spec.name()), "has shape " + info.shape()
            + ", config.json needs " + spec.shape());
      }
      if (!List.of("F32", "F16", "BF16").contains(info.dtype())) {
        throw new HfFormatException(f.path(), HfFormatException.tensor(spec.name()), "has dtype " + info.dtype()
            + "; model weights must be F32, F16 or BF16");
      }
    }
    List<String> unused = new ArrayList<>();
    for (String name : checkpoint.names()) {
      boolean ignorable = name.endsWith(".rotary_emb.inv_freq")
          || (config.tieWordEmbeddings() && name.equals("lm_head.weight"));
      if (!expected.contains(name) && !ignorable) {
        unused.add(name);
      }
    }
    if (!unused.isEmpty()) {
      LOG.warn("{}: {} tensors are not used by the {} model and were not loaded: {}{}", dir, unused.size(),
          config.modelType(), unused.subList(0, Math.min(10, unused.size())), unused.size() > 10 ? ", ..." : "");
    }
  }

  /**
   * Creates a freshly initialised model of a configuration: weights from \( \mathcal{N}(0, \sigma^2) \) with
   * \( \sigma \) = {@link HfConfig#initializerRange()}, biases zero, norm gains one (Gemma's zero, as they scale by
   * \( 1 + w \)). The draws come from a {@link SplittableRandom} of the seed on the host, so the same seed gives the
   * same weights on every device and nothing global is seeded.
   *
   * @param config the configuration (for example {@link HfConfig#parse} of a {@code config.json} object)
   * @param device where the parameters will live
   * @param options the parameter type
   * @param seed the seed of the initialisation
   * @return the model; the caller closes it
   */
  public static HfCausalLm create(HfConfig config, Device device, LoadOptions options, long seed) {
    SplittableRandom random = new SplittableRandom(seed);
    try {
      return new HfCausalLm(config, device, options.dtype(), null, (spec, target) -> {
        int n = Math.toIntExact(spec.shape().size());
        float[] values = new float[n];
        for (int i = 0; i < n; i++) {
          values[i] = spec.init() == ParamSpec.Init.NORMAL ? (float) (random.nextGaussian()
              * config.initializerRange()) : spec.init() == ParamSpec.Init.ONES ? 1f : 0f;
        }
        try (NDArray host = target.getManager().create(values, spec.shape())) {
          InPlace.copy(target, host);
        }
      });
    } catch (IOException e) {
      throw new IllegalStateException("initialising parameters read no file", e);
    }
  }

  /**
   * Returns the configuration.
   *
   * @return the configuration
   */
  public HfConfig config() {
    return config;
  }

  /**
   * Returns the type of the parameters and computations.
   *
   * @return float32 or float16
   */
  public DataType dtype() {
    return dtype;
  }

  /**
   * Returns the number of scalar parameters.
   *
   * @return the parameter count (a tied head counted once)
   */
  public long parameterCount() {
    long n = 0;
    for (Pair<String, Parameter> p : block.getParameters()) {
      n += p.getValue().getArray().size();
    }
    return n;
  }

  /** {@inheritDoc} */
  @Override
  public NDArray forward(NDArray inputIds, NDArray attentionMask, boolean training) {
    checkInputs(inputIds, attentionMask);
    AttentionMasks.Step step = AttentionMasks.full(attentionMask);
    return logits(hidden(inputIds, step.positions(), step.bias(), null, training));
  }

  /** {@inheritDoc} */
  @Override
  public boolean supportsHiddenStates() {
    return true;
  }

  /** {@inheritDoc} */
  @Override
  public int hiddenSize() {
    return config.hiddenSize();
  }

  /** {@inheritDoc} */
  @Override
  public NDArray forwardHidden(NDArray inputIds, NDArray attentionMask, boolean training) {
    checkInputs(inputIds, attentionMask);
    AttentionMasks.Step step = AttentionMasks.full(attentionMask);
    NDArray h = hidden(inputIds, step.positions(), step.bias(), null, training);
    return Casts.to(h, DataType.FLOAT32);
  }

  private void checkInputs(NDArray inputIds, NDArray attentionMask) {
    Shape s = inputIds.getShape();
    Preconditions.checkArgument(s.dimension() == 2 && attentionMask.getShape().equals(s),
        "inputIds and attentionMask must both be (batch, time), got %s and %s", s, attentionMask.getShape());
    Preconditions.checkArgument(s.get(1) <= config.maxLength(),
        "sequence length %s exceeds the model's maxLength %s", s.get(1), config.maxLength());
  }

  /** {@inheritDoc} */
  @Override
  public boolean supportsKvCache() {
    return true;
  }

  /** {@inheritDoc} */
  @Override
  public KvCache newCache(int batchSize) {
    return new PreallocatedKvCache(manager, config.numHiddenLayers(), batchSize, config.maxLength());
  }

  /** {@inheritDoc} */
  @Override
  public NDArray forwardCached(NDArray newIds, NDArray newMask, KvCache kvCache) {
    PreallocatedKvCache cache =
        PreallocatedKvCache.checkStep(kvCache, manager, newIds, newMask, config.maxLength());
    AttentionMasks.Continuation step = AttentionMasks.continued(cache, newMask);
    NDArray logits = logits(hidden(newIds, step.positions(), step.bias(), cache, false));
    cache.advance(step);
    return logits;
  }

  private NDArray logits(NDArray hidden) {
    NDArray z = decoder.head().apply(hidden);
    return Casts.to(z, DataType.FLOAT32);
  }

  private NDArray hidden(NDArray ids, NDArray positions, NDArray bias, PreallocatedKvCache cache,
      boolean training) {
    NDArray tokens = ids.toType(DataType.INT64, false);
    NDArray x = tokens.getNDArrayInternal().embedding(tokens, decoder.embedding().getArray(), SparseFormat.DENSE)
        .singletonOrThrow();
    if (decoder.embeddingScale() != null) {
      x = x.mul(decoder.embeddingScale());
    }
    NDArray[] angles = rope.angles(positions, dtype);
    LayerInputs in = new LayerInputs(rope, angles[0], angles[1], bias, cache, training);
    x = in.dropout(x, decoder.embeddingDropout());
    List<DecoderLayer> layers = decoder.layers();
    for (int i = 0; i < layers.size(); i++) {
      // A layer's temporaries are released as it returns; the autograd graph keeps what the backward pass reads.
      try (NDScope layer = new NDScope()) {
        layer.suppressNotUsedWarning();
        x = layers.get(i).forward(x, in, i);
        NDScope.unregister(x);
      }
      NDScope.register(x);
    }
    return decoder.finalNorm().apply(x);
  }

  /** {@inheritDoc} */
  @Override
  public List<LinearProjection> projections() {
    return projections.list();
  }

  /** {@inheritDoc} */
  @Override
  public void setProjectionHook(ProjectionHook hook) {
    projections.setHook(hook);
  }

  /**
   * Returns the absolute path of the folder the model was loaded from or, for a model made with {@link #create}, the
   * {@code _name_or_path} of its {@code config.json} when it has one.
   *
   * @return the name or path, or empty
   */
  @Override
  public Optional<String> nameOrPath() {
    if (sourceDir != null) {
      return Optional.of(sourceDir.toAbsolutePath().normalize().toString());
    }
    JsonObject json = config.json();
    if (json.has("_name_or_path") && json.get("_name_or_path").isJsonPrimitive()
        && !json.get("_name_or_path").getAsString().isEmpty()) {
      return Optional.of(json.get("_name_or_path").getAsString());
    }
    return Optional.empty();
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
   * Saves a Hugging Face model folder in the model's own type ({@link HfSaveOptions#defaults()}).
   *
   * @param dir the folder; created if missing
   * @throws IOException if writing fails
   */
  @Override
  public void save(Path dir) throws IOException {
    save(dir, HfSaveOptions.defaults());
  }

  /**
   * Saves a Hugging Face model folder: the weights under their Hugging Face names and shapes in {@code
   * model.safetensors}, or in shards with {@code model.safetensors.index.json} above the shard limit; {@code
   * config.json} as loaded, with {@code torch_dtype} set to the written type; and the {@linkplain #COMPANION_FILES
   * tokenizer and generation files} of the folder the model came from. Each file is written beside its target and
   * moved into place; weight files of an earlier save that this one does not write (other shards, or the single file
   * when sharding) are deleted.
   *
   * @param dir the folder; created if missing
   * @param options the weights' type and the shard limit
   * @throws IOException if writing fails
   */
  public void save(Path dir, HfSaveOptions options) throws IOException {
    Files.createDirectories(dir);
    DataType out = options.dtype() != null ? options.dtype() : dtype;
    String fileType = out == DataType.FLOAT32 ? "F32" : out == DataType.FLOAT16 ? "F16" : "BF16";
    int bytes = out == DataType.FLOAT32 ? 4 : 2;
    List<Map<String, NDArray>> shards = new ArrayList<>();
    Map<String, NDArray> current = new LinkedHashMap<>();
    long currentBytes = 0;
    long total = 0;
    for (Pair<String, Parameter> p : block.getParameters()) {
      NDArray a = p.getValue().getArray();
      long size = a.getShape().size() * bytes;
      if (!current.isEmpty() && currentBytes + size > options.maxShardBytes()) {
        shards.add(current);
        current = new LinkedHashMap<>();
        currentBytes = 0;
      }
      current.put(p.getKey(), a);
      currentBytes += size;
      total += size;
    }
    shards.add(current);
    Map<String, String> metadata = Map.of(SafetensorsFile.FORMAT_KEY, "pt");
    Set<String> written = new HashSet<>();
    if (shards.size() == 1) {
      SafetensorsFile.write(dir.resolve(HfCheckpoint.SINGLE), shards.get(0), fileType, metadata);
      written.add(HfCheckpoint.SINGLE);
    } else {
      Map<String, String> weightMap = new TreeMap<>();
      for (int i = 0; i < shards.size(); i++) {
        String name = String.format("model-%05d-of-%05d.safetensors", i + 1, shards.size());
        SafetensorsFile.write(dir.resolve(name), shards.get(i), fileType, metadata);
        written.add(name);
        for (String tensor : shards.get(i).keySet()) {
          weightMap.put(tensor, name);
        }
      }
      JsonObject index = new JsonObject();
      JsonObject meta = new JsonObject();
      meta.addProperty("total_size", total);
      index.add("metadata", meta);
      JsonObject map = new JsonObject();
      weightMap.forEach(map::addProperty);
      index.add("weight_map", map);
      AtomicFiles.writeString(dir.resolve(HfCheckpoint.INDEX), pretty(index));
      written.add(HfCheckpoint.INDEX);
    }
    deleteStaleWeights(dir, written);
    if (sourceDir != null && !Files.isSameFile(sourceDir, dir)) {
      for (String name : COMPANION_FILES) {
        Path from = sourceDir.resolve(name);
        if (Files.isRegularFile(from)) {
          Path tmp = dir.resolve(name + ".tmp");
          Files.copy(from, tmp, StandardCopyOption.REPLACE_EXISTING);
          Files.move(tmp, dir.resolve(name), StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
        }
      }
    }
    String torchDtype = out == DataType.FLOAT32 ? "float32" : out == DataType.FLOAT16 ? "float16" : "bfloat16";
    JsonObject json = config.json();
    json.addProperty("torch_dtype", torchDtype);
    if (json.has("dtype")) {
      json.addProperty("dtype", torchDtype);
    }
    AtomicFiles.writeString(dir.resolve(HfConfig.CONFIG_FILE), pretty(json));
  }

  private static void deleteStaleWeights(Path dir, Set<String> written) throws IOException {
    try (DirectoryStream<Path> files = Files.newDirectoryStream(dir)) {
      for (Path f : files) {
        String name = f.getFileName().toString();
        boolean weights = name.equals(HfCheckpoint.SINGLE) || name.equals(HfCheckpoint.INDEX)
            || name.matches("model-\\d{5}-of-\\d{5}\\.safetensors");
        if (weights && !written.contains(name)) {
          Files.delete(f);
        }
      }
    }
  }

  private static String pretty(JsonObject o) {
    return new GsonBuilder().setPrettyPrinting().serializeNulls().disableHtmlEscaping().create().toJson(o) + "\n";
  }

  /** {@inheritDoc} */
  @Override
  public void close() {
    manager.close();
  }
}
