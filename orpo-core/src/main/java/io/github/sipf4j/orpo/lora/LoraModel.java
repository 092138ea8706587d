package io.github.sipf4j.orpo.lora;

import ai.djl.Device;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.NDScope;
import ai.djl.ndarray.internal.NDArrayEx;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import ai.djl.nn.Block;
import ai.djl.nn.Parameter;
import ai.djl.util.Pair;
import com.google.common.base.Preconditions;
import io.github.sipf4j.orpo.model.AdaptableLm;
import io.github.sipf4j.orpo.model.CausalLm;
import io.github.sipf4j.orpo.model.CausalLms;
import io.github.sipf4j.orpo.model.KvCache;
import io.github.sipf4j.orpo.model.LinearProjection;
import io.github.sipf4j.orpo.model.LoadOptions;
import io.github.sipf4j.orpo.model.ProjectionHook;
import io.github.sipf4j.orpo.util.Casts;
import io.github.sipf4j.orpo.util.InPlace;
import io.github.sipf4j.orpo.util.Safetensors;
import io.github.sipf4j.orpo.util.SafetensorsFile;
import io.github.sipf4j.orpo.util.Scalars;
import io.github.sipf4j.orpo.util.SeededNormal;
import io.github.sipf4j.orpo.util.SeededUniform;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collections;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.TreeSet;
import java.util.function.Supplier;

/**
 * LoRA adapters (Hu et al. 2021) on a frozen base model, saved and loaded in Hugging Face PEFT's format: a {@link
 * CausalLm} that trains, samples and scores like any other while only the adapters change.
 *
 * <p>Each adapted projection \( y = x W^\top + b \) of the base ({@link AdaptableLm#projections()}: the attention and
 * MLP projections of {@link io.github.sipf4j.orpo.model.hf.HfCausalLm} and {@link
 * io.github.sipf4j.orpo.model.DecoderLm}, chosen by {@link LoraConfig}) computes \( y + s \cdot ((\mathrm{drop}(x)
 * A^\top) B^\top) \) with \( A \) (r, in) and \( B \) (out, r) in float32 and \( s \) the config's scaling. The
 * update is two thin products added to the frozen projection's output; \( BA \) is never formed while training. With
 * a float16 base the adapter reads its input converted to float32 and the sum is rounded back once, as PEFT does. The
 * adapters live on the base's device under their own manager; every intermediate array belongs to the caller's
 * scope, like the base's own.
 *
 * <p>Training sees the adapters alone: {@link #trainableParameters()}, and hence gradients, optimizer state and
 * trainer checkpoints ({@link #saveWeights}), hold nothing else, under PEFT's keys ({@code
 * base_model.model.model.layers.0.self_attn.q_proj.lora_A.weight}). Creating or loading an adapter {@linkplain
 * Parameter#freeze(boolean) freezes} every parameter of the base; no gradient is computed or stored for them and
 * training leaves them bit-identical. Adapter dropout draws its masks from keyed streams (the adapter's seed, the
 * projection and the micro-batch's tokens; see {@link LoraConfig#loraDropout()}), so a run resumed from a checkpoint
 * ends with the same weights as an uninterrupted one.
 *
 * <p>{@link #save} writes a PEFT adapter folder: {@value #WEIGHTS_FILE} (float32, keys {@value
 * #KEY_PREFIX}MODULE{@code .lora_A.weight} of shape (r, in) and {@code .lora_B.weight} of shape (out, r)) and {@value
 * #CONFIG_FILE}, which PEFT's {@code PeftModel.from_pretrained} loads; {@link #load} reads such folders, PEFT's own
 * included, and refuses with a {@link LoraFormatException} naming the field or tensor anything that does not fit the
 * base (a module the base lacks or the config targets but the file lacks, a shape other than the base needs, another
 * base model, DoRA and other variants). {@link #merge} folds the adapters into the base's weights, \( W \leftarrow W
 * + s B A \) accumulated in float32, and {@link #saveMerged} exports a merged copy without changing the base.
 *
 * <pre>{@code
 * LoraConfig config = LoraConfig.builder().r(16).loraAlpha(32).targetModules("q_proj", "v_proj").build();
 * try (LoraModel lm = LoraModel.create(HfCausalLm.load(folder, Device.gpu(), half), config, 42)) {
 *   new OrpoTrainer(lm, trainerConfig, OrpoLoss.builder().build(), tok.padId()).fit(pairs);
 *   lm.save(Path.of("adapter"));          // PeftModel.from_pretrained(base, "adapter") loads it
 * }
 * }</pre>
 *
 * <p>The model owns its base and closes it, unless told to {@linkplain #sharingBase() share} it. A model is not
 * thread-safe.
 */
public final class LoraModel implements CausalLm {

  /** The adapter settings' file in an adapter folder, PEFT's name. */
  public static final String CONFIG_FILE = "adapter_config.json";

  /** The adapter weights' file in an adapter folder, PEFT's name. */
  public static final String WEIGHTS_FILE = "adapter_model.safetensors";

  /** What PEFT puts before a module path in its tensor keys. */
  public static final String KEY_PREFIX = "base_model.model.";

  /** The seed of a loaded adapter's dropout masks (PEFT's files carry none). */
  public static final long LOADED_DROPOUT_SEED = 0;


  /** The adapter of one projection. */
  private static final class Adapter {
    final LinearProjection target;
    final String key;
    final int rank;
    final Parameter a;
    final Parameter b;
    final NDArray scale;
    /** The scale over the keep probability, while dropout is on. */
    final NDArray dropoutScale;
    final long dropoutKey;

    Adapter(LinearProjection target, int rank, Parameter a, Parameter b, NDArray scale, NDArray dropoutScale,
        long dropoutKey) {
      this.target = target;
      this.key = KEY_PREFIX + target.module();
      this.rank = rank;
      this.a = a;
      this.b = b;
      this.scale = scale;
      this.dropoutScale = dropoutScale;
      this.dropoutKey = dropoutKey;
    }
  }

  /** Fills a new adapter's A and B. */
  @FunctionalInterface
  private interface AdapterSource {
    void fill(String key, LinearProjection target, int rank, NDArray a, NDArray b) throws IOException;
  }

  private final AdaptableLm base;
  private final LoraConfig config;
  private final NDManager manager;
  private final List<Adapter> adapters = new ArrayList<>();
  private final Adapter[] byProjection;
  private final List<Pair<String, Parameter>> parameters = new ArrayList<>();
  private final LoraBlock block;
  private final Hook hook = new Hook();
  private boolean merged;
  private boolean closed;
  private boolean ownsBase = true;
  private String baseReference;

  private LoraModel(AdaptableLm base, LoraConfig config, List<Integer> selected, long seed, AdapterSource source)
      throws IOException {
    this.base = base;
    this.config = config;
    this.manager = base.getManager().newSubManager();
    try {
      List<LinearProjection> projections = base.projections();
      this.byProjection = new Adapter[projections.size()];
      List<Parameter> blockParams = new ArrayList<>();
      for (int i : selected) {
        LinearProjection target = projections.get(i);
        int rank = config.rankFor(target.module());
        String key = KEY_PREFIX + target.module();
        NDArray a = newArray(new Shape(rank, target.inFeatures()));
        NDArray b = newArray(new Shape(target.outFeatures(), rank));
        source.fill(key, target, rank, a, b);
        double scaling = config.scalingFor(target.module());
        NDArray scale = Scalars.of(manager, scaling, DataType.FLOAT32);
        NDArray dropoutScale = Scalars.of(manager, scaling / (1 - config.loraDropout()), DataType.FLOAT32);
        NDScope.unregister(scale, dropoutScale);
        Adapter adapter = new Adapter(target, rank, parameter(key + ".lora_A.weight", a),
            parameter(key + ".lora_B.weight", b), scale, dropoutScale, AdapterDropout.adapterKey(seed,
            target.module()));
        adapters.add(adapter);
        byProjection[i] = adapter;
        parameters.add(new Pair<>(adapter.a.getName(), adapter.a));
        parameters.add(new Pair<>(adapter.b.getName(), adapter.b));
        blockParams.add(adapter.a);
        blockParams.add(adapter.b);
      }
      this.block = new LoraBlock(this, blockParams);
      for (Pair<String, Parameter> p : base.getBlock().getParameters()) {
        p.getValue().freeze(true);
      }
    } catch (IOException | RuntimeException e) {
      manager.close();
      throw e;
    }
  }

  private NDArray newArray(Shape shape) {
    NDArray a = manager.create(shape, DataType.FLOAT32);
    NDScope.unregister(a);
    return a;
  }

  private static Parameter parameter(String name, NDArray array) {
    Parameter p = Parameter.builder().setName(name).setType(Parameter.Type.WEIGHT).build();
    p.setArray(array);
    array.setRequiresGradient(true);
    return p;
  }

  /**
   * Puts fresh adapters on a base model: \( A \) and \( B \) as {@link LoraConfig#init()} says, drawn from local
   * streams keyed by {@code seed} and each tensor's key (nothing process-wide is seeded or read), so that with the
   * default initialisation the model computes exactly what its base computes.
   *
   * @param base the base model; the new model owns it and freezes its parameters
   * @param config which projections to adapt, and how
   * @param seed the seed of the initialisation and of the dropout masks
   * @return the model; the caller closes it (and with it the base)
   * @throws IllegalArgumentException if the config adapts none of the base's projections (the message lists them)
   */
  public static LoraModel create(AdaptableLm base, LoraConfig config, long seed) {
    Preconditions.checkNotNull(base, "base");
    Preconditions.checkNotNull(config, "config");
    List<Integer> selected = new ArrayList<>();
    List<LinearProjection> projections = base.projections();
    for (int i = 0; i < projections.size(); i++) {
      if (config.targets(projections.get(i).module())) {
        selected.add(i);
      }
    }
    Preconditions.checkArgument(!selected.isEmpty(), "the LoRA settings (target_modules %s%s) adapt none of the "
        + "base model's projections, whose names are %s", config.targetModulesRegex() != null
        ? config.targetModulesRegex() : config.targetModules(), config.layersToTransform().isEmpty() ? ""
        : ", layers_to_transform " + config.layersToTransform(), AdapterFolder.moduleNames(projections));
    try {
      return new LoraModel(base, config, selected, seed, (key, target, rank, a, b) -> {
        String keyA = key + ".lora_A.weight";
        String keyB = key + ".lora_B.weight";
        int na = Math.toIntExact(a.size());
        int nb = Math.toIntExact(b.size());
        float[] av = config.init() == LoraInit.GAUSSIAN ? SeededNormal.sample(seed, keyA, na, 1f / rank)
            : SeededUniform.sample(seed, keyA, na, 1 / Math.sqrt(target.inFeatures()));
        float[] bv = config.init() == LoraInit.RANDOM ? SeededUniform.sample(seed, keyB, nb, 1 / Math.sqrt(rank))
            : new float[nb];
        fill(a, av);
        fill(b, bv);
      });
    } catch (IOException e) {
      throw new IllegalStateException("initialising adapters read no file", e);
    }
  }

  private static void fill(NDArray target, float[] values) {
    try (NDArray host = target.getManager().create(values, target.getShape())) {
      InPlace.copy(target, host);
    }
  }

  /**
   * Loads a PEFT adapter folder onto a base model, checking that the adapter was made for it ({@link #load(AdaptableLm,
   * Path, boolean)} with the name check on).
   *
   * @param base the base model; the new model owns it and freezes its parameters
   * @param dir the folder holding {@value #CONFIG_FILE} and {@value #WEIGHTS_FILE}
   * @return the model; the caller closes it (and with it the base)
   * @throws IOException if a file is missing or malformed, or the adapter does not fit the base ({@link
   *     LoraFormatException} names the field or tensor); the base is then left open and unchanged
   */
  public static LoraModel load(AdaptableLm base, Path dir) throws IOException {
    return load(base, dir, true);
  }

  /**
   * Loads a PEFT adapter folder onto a base model. Everything is checked before anything is allocated: the settings
   * (PEFT variants sipf4j does not compute, such as DoRA, fail naming their field), every tensor's key, the module it
   * names (the base must have it; every module the settings target must have both matrices), its shape against the
   * base's projection and the rank the settings give it, and with {@code checkBaseName} the adapter's {@code
   * base_model_name_or_path} against {@link AdaptableLm#nameOrPath()} (equal, or with the same last path component:
   * {@code google/gemma-2b} fits a folder {@code /models/gemma-2b}). Tensors stored as F16 or BF16 are widened to
   * float32. The dropout masks of a loaded adapter are keyed by {@value #LOADED_DROPOUT_SEED}.
   *
   * @param base the base model; the new model owns it and freezes its parameters
   * @param dir the folder holding {@value #CONFIG_FILE} and {@value #WEIGHTS_FILE}
   * @param checkBaseName whether a different {@code base_model_name_or_path} is an error (turn it off for a base
   *     saved under another name; shapes are checked either way)
   * @return the model; the caller closes it (and with it the base)
   * @throws IOException if a file is missing or malformed, or the adapter does not fit the base ({@link
   *     LoraFormatException} names the field or tensor); the base is then left open and unchanged
   */
  public static LoraModel load(AdaptableLm base, Path dir, boolean checkBaseName) throws IOException {
    Preconditions.checkNotNull(base, "base");
    Path configFile = dir.resolve(CONFIG_FILE);
    AdapterConfigFile adapterConfig = AdapterConfigFile.read(configFile);
    LoraConfig config = adapterConfig.config();
    if (checkBaseName) {
      AdapterFolder.checkBaseName(configFile, adapterConfig.baseModelNameOrPath(), base);
    }
    Path weights = dir.resolve(WEIGHTS_FILE);
    if (!Files.isRegularFile(weights)) {
      boolean pickle = Files.isRegularFile(dir.resolve("adapter_model.bin"));
      throw new LoraFormatException(weights, "file", pickle ? "is missing; adapter_model.bin (a pickle) is not "
          + "read: save the adapter with safe_serialization=True" : "is missing");
    }
    try (SafetensorsFile file = SafetensorsFile.open(weights)) {
      List<Integer> selected = AdapterFolder.checkTensors(file, base.projections(), adapterConfig, configFile);
      return new LoraModel(base, config, selected, LOADED_DROPOUT_SEED, (key, target, rank, a, b) -> {
        file.readInto(key + ".lora_A.weight", a);
        file.readInto(key + ".lora_B.weight", b);
      });
    }
  }

  /**
   * Loads a PEFT adapter folder together with its base model: the base is the folder {@code base_model_name_or_path}
   * names (absolute, or relative to the adapter folder, or else to the working directory), loaded through {@link
   * CausalLms#load} in float32.
   *
   * @param dir the adapter folder
   * @param device where the parameters will live
   * @return the model, owning its base; the caller closes it
   * @throws IOException if the base cannot be found or loaded, or the adapter does not fit it
   */
  public static LoraModel load(Path dir, Device device) throws IOException {
    return load(dir, device, LoadOptions.defaults());
  }

  /**
   * Loads a PEFT adapter folder together with its base model, loaded with the given options (a float16 base on a
   * GPU); see {@link #load(Path, Device)}.
   *
   * @param dir the adapter folder
   * @param device where the parameters will live
   * @param options the base's parameter type; the adapters are float32 either way
   * @return the model, owning its base; the caller closes it
   * @throws IOException if the base cannot be found or loaded, or the adapter does not fit it
   */
  public static LoraModel load(Path dir, Device device, LoadOptions options) throws IOException {
    Path configFile = dir.resolve(CONFIG_FILE);
    AdapterConfigFile adapterConfig = AdapterConfigFile.read(configFile);
    Path baseDir = AdapterFolder.baseFolder(dir, configFile, adapterConfig.baseModelNameOrPath());
    CausalLm lm = CausalLms.load(baseDir, device, options);
    try {
      if (!(lm instanceof AdaptableLm)) {
        throw new LoraFormatException(configFile, LoraFormatException.field("base_model_name_or_path"), "names "
            + baseDir + ", a " + lm.getClass().getSimpleName() + ", which takes no adapters");
      }
      return load((AdaptableLm) lm, dir, true);
    } catch (IOException | RuntimeException e) {
      lm.close();
      throw e;
    }
  }

  /**
   * Returns the base model folder an adapter folder names, as {@link #load(Path, Device)} resolves it.
   *
   * @param dir the adapter folder
   * @return the base model's folder
   * @throws IOException if {@value #CONFIG_FILE} is missing or malformed, names no base, or names one that is not a
   *     local folder
   */
  public static Path baseFolder(Path dir) throws IOException {
    Path configFile = dir.resolve(CONFIG_FILE);
    return AdapterFolder.baseFolder(dir, configFile, AdapterConfigFile.read(configFile).baseModelNameOrPath());
  }

  /**
   * Returns the base model (frozen; owned by this model unless {@link #sharingBase()} was called).
   *
   * @return the base
   */
  public AdaptableLm base() {
    return base;
  }

  /**
   * Leaves the base to the caller: {@link #close} then releases the adapters alone, and other models may use the
   * same frozen base (another adapter, a process reward model's backbone), one forward pass at a time. {@link #merge}
   * changes the base for every model that uses it.
   *
   * @return this model
   */
  public LoraModel sharingBase() {
    this.ownsBase = false;
    return this;
  }

  /**
   * Sets what {@link #save} writes as {@code base_model_name_or_path}, for a base whose {@link
   * AdaptableLm#nameOrPath()} does not say where it is saved (a model made in memory and saved by the caller).
   *
   * @param nameOrPath the base's folder or name; null for the base's own {@link AdaptableLm#nameOrPath()} (the
   *     default)
   * @return this model
   */
  public LoraModel baseReference(String nameOrPath) {
    this.baseReference = nameOrPath;
    return this;
  }

  /**
   * Returns what {@link #save} writes as {@code base_model_name_or_path}: the {@linkplain #baseReference(String) base
   * reference} when one is set, else the base's {@linkplain AdaptableLm#nameOrPath() name or path}.
   *
   * @return the base's name or folder, or empty for a base made in memory without a reference
   */
  public Optional<String> baseModelNameOrPath() {
    return baseReference != null ? Optional.of(baseReference) : base.nameOrPath();
  }

  /**
   * Returns the adapter settings.
   *
   * @return the settings
   */
  public LoraConfig config() {
    return config;
  }

  /**
   * Returns the module paths of the adapted projections, in the base's order.
   *
   * @return the module paths, such as {@code model.layers.0.self_attn.q_proj}
   */
  public List<String> adaptedModules() {
    return adapters.stream().map(a -> a.target.module()).toList();
  }

  /**
   * Returns the number of scalars in the adapters, what training updates.
   *
   * @return \( \sum r \cdot (in + out) \) over the adapted projections
   */
  public long adapterParameterCount() {
    long n = 0;
    for (Adapter a : adapters) {
      n += a.a.getArray().size() + a.b.getArray().size();
    }
    return n;
  }

  /**
   * Tells whether the adapters are folded into the base's weights.
   *
   * @return true between {@link #merge} and {@link #unmerge}
   */
  public boolean isMerged() {
    return merged;
  }

  /**
   * Folds the adapters into the base's weights, \( W \leftarrow W + s B A \) computed in float32 and rounded once to
   * the base's type, so that forward passes run at the base's own cost. The model computes the same until {@link
   * #unmerge}, up to that rounding. Training a merged model is refused.
   *
   * @throws IllegalStateException if already merged or closed
   */
  public void merge() {
    checkOpen();
    Preconditions.checkState(!merged, "the adapters are already merged");
    fold(1);
    merged = true;
  }

  /**
   * Takes the adapters back out of the base's weights, \( W \leftarrow W - s B A \) in float32. The base then equals
   * its state before {@link #merge} up to rounding (float32 weights within a few units in the last place; see {@link
   * #saveMerged} for an export that leaves the base's bits untouched).
   *
   * @throws IllegalStateException if not merged or closed
   */
  public void unmerge() {
    checkOpen();
    Preconditions.checkState(merged, "the adapters are not merged");
    fold(-1);
    merged = false;
  }

  private void fold(int sign) {
    try (NDScope scope = new NDScope()) {
      scope.suppressNotUsedWarning();
      for (Adapter a : adapters) {
        NDArray w = a.target.weight().getArray();
        NDArray delta = a.b.getArray().matMul(a.a.getArray()).mul(a.scale);
        InPlace.copy(w, sign > 0 ? w.toType(DataType.FLOAT32, false).add(delta)
            : w.toType(DataType.FLOAT32, false).sub(delta));
      }
    }
  }

  /**
   * Saves the merged model through the base's own {@link CausalLm#save}: a Hugging Face folder for {@link
   * io.github.sipf4j.orpo.model.hf.HfCausalLm} (what {@code from_pretrained} loads, adapters included), a {@code
   * DecoderLm} folder for the built-in decoder. The base's weights are restored bit for bit afterwards, from a copy of
   * the adapted projections' weights (held on the host while saving).
   *
   * @param dir the folder; created if missing
   * @throws IOException if writing fails
   */
  public void saveMerged(Path dir) throws IOException {
    checkOpen();
    if (merged) {
      base.save(dir);
      return;
    }
    List<NDArray> copies = new ArrayList<>();
    try (NDManager host = NDManager.newBaseManager(Device.cpu())) {
      for (Adapter a : adapters) {
        NDArray w = a.target.weight().getArray();
        NDArray copy = w.getDevice().equals(Device.cpu()) ? w.duplicate() : w.toDevice(Device.cpu(), true);
        copy.attach(host);
        copies.add(copy);
      }
      fold(1);
      try {
        base.save(dir);
      } finally {
        for (int i = 0; i < adapters.size(); i++) {
          InPlace.copy(adapters.get(i).target.weight().getArray(), copies.get(i));
        }
      }
    }
  }

  /** {@inheritDoc} */
  @Override
  public NDArray forward(NDArray inputIds, NDArray attentionMask, boolean training) {
    return adapted(inputIds, attentionMask, training, () -> base.forward(inputIds, attentionMask, training));
  }

  /** {@inheritDoc} */
  @Override
  public boolean supportsHiddenStates() {
    return base.supportsHiddenStates();
  }

  /** {@inheritDoc} */
  @Override
  public NDArray forwardHidden(NDArray inputIds, NDArray attentionMask, boolean training) {
    return adapted(inputIds, attentionMask, training, () -> base.forwardHidden(inputIds, attentionMask, training));
  }

  /** {@inheritDoc} */
  @Override
  public int hiddenSize() {
    return base.hiddenSize();
  }

  /** {@inheritDoc} */
  @Override
  public boolean supportsKvCache() {
    return base.supportsKvCache();
  }

  /** {@inheritDoc} */
  @Override
  public KvCache newCache(int batchSize) {
    return base.newCache(batchSize);
  }

  /** {@inheritDoc} */
  @Override
  public NDArray forwardCached(NDArray newIds, NDArray newMask, KvCache cache) {
    return adapted(newIds, newMask, false, () -> base.forwardCached(newIds, newMask, cache));
  }

  /** Runs one pass of the base with the adapters in its projections. */
  private NDArray adapted(NDArray ids, NDArray mask, boolean training, Supplier<NDArray> pass) {
    checkOpen();
    if (merged) {
      Preconditions.checkState(!training, "the adapters are merged into the base: unmerge them before training");
      return pass.get();
    }
    boolean dropout = training && config.loraDropout() > 0;
    hook.dropout = dropout;
    hook.batchKey = dropout ? AdapterDropout.batchKey(ids.toType(DataType.INT64, false).toLongArray(),
        mask.toType(DataType.INT64, false).toLongArray(), ids.getShape().get(0)) : 0;
    base.setProjectionHook(hook);
    try {
      return pass.get();
    } finally {
      base.setProjectionHook(null);
      hook.lastInput = null;
      hook.lastInput32 = null;
    }
  }

  /** Adds each adapter's update to its projection's output. */
  private final class Hook implements ProjectionHook {
    boolean dropout;
    long batchKey;
    /** The last input converted to float32 (a float16 base's q, k and v read the same input). */
    NDArray lastInput;
    NDArray lastInput32;

    @Override
    public NDArray apply(int projection, NDArray input, NDArray output) {
      Adapter a = projection < byProjection.length ? byProjection[projection] : null;
      if (a == null) {
        return output;
      }
      NDArray x = input;
      if (x.getDataType() != DataType.FLOAT32) {
        if (x != lastInput) {
          lastInput = x;
          lastInput32 = Casts.to(x, DataType.FLOAT32);
        }
        x = lastInput32;
      }
      NDArray scale = a.scale;
      if (dropout) {
        x = x.mul(AdapterDropout.keep(x, config.loraDropout(), a.dropoutKey, batchKey));
        scale = a.dropoutScale;
      }
      NDArrayEx ex = x.getNDArrayInternal();
      NDArray h = ex.linear(x, a.a.getArray(), null).singletonOrThrow().mul(scale);
      // y + h B^T in one product (the frozen output is the bias), so no separate update array is kept
      if (output.getDataType() == DataType.FLOAT32) {
        return h.getNDArrayInternal().linear(h, a.b.getArray(), output).singletonOrThrow();
      }
      // PEFT's order with a float16 base: the sum in float32 (added into the update in place, so no float32 copy of
      // the frozen output is kept), rounded once to float16 by a cast that autograd records
      NDArray sum = h.getNDArrayInternal().linear(h, a.b.getArray(), null).singletonOrThrow().addi(output);
      return Casts.to(sum, output.getDataType());
    }
  }

  /** {@inheritDoc} */
  @Override
  public Block getBlock() {
    return block;
  }

  /**
   * Returns the adapters' matrices under PEFT's keys, A before B, in the base's projection order.
   *
   * @return the (key, parameter) pairs training updates
   */
  @Override
  public List<Pair<String, Parameter>> trainableParameters() {
    return Collections.unmodifiableList(parameters);
  }

  /**
   * Returns the base's manager: create per-step sub-managers from it.
   *
   * @return the base model's manager
   */
  @Override
  public NDManager getManager() {
    return base.getManager();
  }

  /** {@inheritDoc} */
  @Override
  public Device getDevice() {
    return base.getDevice();
  }

  /** {@inheritDoc} */
  @Override
  public int vocabSize() {
    return base.vocabSize();
  }

  /** {@inheritDoc} */
  @Override
  public int maxLength() {
    return base.maxLength();
  }

  /**
   * Saves the adapter as a PEFT folder: {@value #WEIGHTS_FILE} (float32, PEFT's keys) and then {@value #CONFIG_FILE}
   * with {@code base_model_name_or_path} set to the {@linkplain #baseReference(String) base reference} or else the
   * base's {@linkplain AdaptableLm#nameOrPath() name or path} (null for a base made in memory, which {@link
   * #load(Path, Device)} then cannot find). With {@value
   * LoraConfig#ALL_LINEAR} the file lists the projections chosen ({@code q_proj}, ..., or {@code attn.qkv}, ...).
   * The base is not written; {@link #saveMerged} writes a full model.
   *
   * @param dir the folder; created if missing
   * @throws IOException if writing fails
   */
  @Override
  public void save(Path dir) throws IOException {
    checkOpen();
    Files.createDirectories(dir);
    saveWeights(dir.resolve(WEIGHTS_FILE));
    AdapterConfigFile.write(dir.resolve(CONFIG_FILE), config, targetNames(),
        baseModelNameOrPath().orElse(null));
  }

  /** The names written as {@code target_modules}: the config's own, or those of the projections chosen. */
  private List<String> targetNames() {
    if (config.targetModulesRegex() != null || !config.targetModules().contains(LoraConfig.ALL_LINEAR)) {
      return config.targetModules();
    }
    Set<String> names = AdapterFolder.moduleNames(adapters.stream().map(a -> a.target).toList());
    Map<String, Set<String>> byLast = new HashMap<>();
    for (String n : names) {
      byLast.computeIfAbsent(n.substring(n.lastIndexOf('.') + 1), k -> new TreeSet<>()).add(n);
    }
    boolean unique = byLast.values().stream().allMatch(s -> s.size() == 1);
    return List.copyOf(unique ? new TreeSet<>(byLast.keySet()) : names);
  }

  /**
   * Writes the adapters alone, under PEFT's keys, as safetensors (what {@value #WEIGHTS_FILE} holds, and what a
   * trainer's checkpoint keeps).
   *
   * @param file the target file, written beside and moved into place atomically
   * @throws IOException if writing fails
   */
  @Override
  public void saveWeights(Path file) throws IOException {
    Safetensors.write(file, arrays());
  }

  /**
   * Copies adapters written by {@link #saveWeights} into this model's, in place.
   *
   * @param file the safetensors file
   * @throws IOException if the file cannot be read or a matrix is missing or has another shape
   */
  @Override
  public void loadWeights(Path file) throws IOException {
    Safetensors.loadInto(file, arrays());
  }

  private Map<String, NDArray> arrays() {
    Map<String, NDArray> named = new LinkedHashMap<>();
    for (Pair<String, Parameter> p : parameters) {
      named.put(p.getKey(), p.getValue().getArray());
    }
    return named;
  }

  private void checkOpen() {
    Preconditions.checkState(!closed, "this LoraModel is closed");
  }

  /** Releases the adapters, and the base model unless it is {@linkplain #sharingBase() shared}. */
  @Override
  public void close() {
    if (!closed) {
      closed = true;
      manager.close();
      if (ownsBase) {
        base.close();
      }
    }
  }
}
