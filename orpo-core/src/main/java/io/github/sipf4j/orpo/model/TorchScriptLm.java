package io.github.sipf4j.orpo.model;

import ai.djl.Device;
import ai.djl.MalformedModelException;
import ai.djl.Model;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.nn.Block;
import ai.djl.pytorch.jni.JniUtils;
import ai.djl.training.ParameterStore;
import com.google.common.base.Preconditions;
import com.google.gson.Gson;
import com.google.gson.GsonBuilder;
import com.google.gson.JsonObject;
import com.google.gson.JsonParseException;
import com.google.gson.JsonParser;
import io.github.sipf4j.orpo.util.AtomicFiles;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.Map;

/**
 * A causal LM exported to TorchScript (for example a Hugging Face model through {@code
 * scripts/export_torchscript.py}), loaded with DJL's PyTorch engine with trainable parameters ({@code
 * trainParam=true}), so it can be fine-tuned with SFT and ORPO on CPU or GPU.
 *
 * <p>The module's signature must be {@code forward(input_ids: int64[B,T], attention_mask: int64[B,T]) ->
 * float32[B,T,V]}. A model directory holds {@value #MODEL_FILE}, {@value #META_FILE} ({@code {"format":
 * "torchscript", "vocab_size": V, "max_length": T, ...}}, written by the export script) and, after fine-tuning,
 * {@value DecoderLm#WEIGHTS_FILE} with the updated weights, which {@link #load} applies on top of the module.
 *
 * <p>TorchScript modules have no key/value cache here: {@link io.github.sipf4j.orpo.model.CausalLm#supportsKvCache()}
 * is false and samplers re-run the whole sequence for every new token, which is correct but slower; prefer the
 * built-in {@link DecoderLm} where sampling speed matters. Modules run with the TorchScript graph optimiser off
 * (DJL's {@code JniUtils.setGraphExecutorOptimize(false)} on the calling thread): with it on, a module whose first
 * run recorded gradients fails in every later inference run.
 */
public final class TorchScriptLm implements CausalLm {

  /** The TorchScript file inside a model directory. */
  public static final String MODEL_FILE = "model.pt";

  /** The metadata file inside a model directory. */
  public static final String META_FILE = "sipf4j-model.json";

  private static final Gson GSON = new GsonBuilder().setPrettyPrinting().create();

  private final Model model;
  private final Block block;
  private final ParameterStore store;
  private final Path sourceDir;
  private final JsonObject meta;
  private final int vocabSize;
  private final int maxLength;

  private TorchScriptLm(Model model, Path sourceDir, JsonObject meta) {
    this.model = model;
    this.block = model.getBlock();
    this.store = new ParameterStore(model.getNDManager(), false);
    this.sourceDir = sourceDir;
    this.meta = meta;
    this.vocabSize = meta.get("vocab_size").getAsInt();
    this.maxLength = meta.has("max_length") ? meta.get("max_length").getAsInt() : Integer.MAX_VALUE;
  }

  /**
   * Loads a model directory: {@value #MODEL_FILE}, {@value #META_FILE} and, if present, fine-tuned weights in
   * {@value DecoderLm#WEIGHTS_FILE}.
   *
   * @param dir the model directory
   * @param device where the parameters will live
   * @return the model, with trainable parameters; the caller closes it
   * @throws IOException if a file is missing or malformed
   */
  public static TorchScriptLm load(Path dir, Device device) throws IOException {
    Path metaFile = dir.resolve(META_FILE);
    JsonObject meta;
    try {
      meta = JsonParser.parseString(Files.readString(metaFile, StandardCharsets.UTF_8)).getAsJsonObject();
    } catch (JsonParseException | IllegalStateException e) {
      throw new IOException(metaFile + ": malformed metadata: " + e.getMessage(), e);
    }
    if (!meta.has("vocab_size")) {
      throw new IOException(metaFile + ": field \"vocab_size\" is missing");
    }
    if (!Files.isRegularFile(dir.resolve(MODEL_FILE))) {
      throw new IOException(dir.resolve(MODEL_FILE) + ": missing TorchScript file");
    }
    Model model = Model.newInstance("torchscript", device, "PyTorch");
    try {
      model.load(dir, "model", Map.of("trainParam", "true", "mapLocation", "true"));
    } catch (MalformedModelException | RuntimeException e) {
      model.close();
      throw new IOException(dir.resolve(MODEL_FILE) + ": cannot load TorchScript module: " + e.getMessage(), e);
    }
    TorchScriptLm lm = new TorchScriptLm(model, dir, meta);
    Path weights = dir.resolve(DecoderLm.WEIGHTS_FILE);
    if (Files.isRegularFile(weights)) {
      try {
        lm.loadWeights(weights);
      } catch (IOException e) {
        lm.close();
        throw e;
      }
    }
    return lm;
  }

  /**
   * Loads a single TorchScript file with explicit metadata (for files not made by the export script).
   *
   * @param modelFile the {@code .pt} file
   * @param vocabSize the number of logits per position
   * @param maxLength the longest sequence the module accepts
   * @param device where the parameters will live
   * @return the model; the caller closes it
   * @throws IOException if the file cannot be loaded
   */
  public static TorchScriptLm load(Path modelFile, int vocabSize, int maxLength, Device device) throws IOException {
    Path dir = Files.createTempDirectory("sipf4j-torchscript");
    Files.copy(modelFile, dir.resolve(MODEL_FILE));
    JsonObject meta = new JsonObject();
    meta.addProperty("format", "torchscript");
    meta.addProperty("vocab_size", vocabSize);
    meta.addProperty("max_length", maxLength);
    Files.writeString(dir.resolve(META_FILE), GSON.toJson(meta), StandardCharsets.UTF_8);
    return load(dir, device);
  }

  /** {@inheritDoc} */
  @Override
  public NDArray forward(NDArray inputIds, NDArray attentionMask, boolean training) {
    long t = inputIds.getShape().get(1);
    Preconditions.checkArgument(t <= maxLength, "sequence length %s exceeds the model's maxLength %s", t, maxLength);
    // The JIT profiling executor specialises a module on its first run; when that run records gradients the plan
    // holds autograd nodes, and every later inference-mode run fails with "Inference tensors cannot be saved for
    // backward". Running unoptimised (a thread-local switch) keeps training and inference interleavable.
    JniUtils.setGraphExecutorOptimize(false);
    NDList out = block.forward(store, new NDList(inputIds.toType(DataType.INT64, false),
        attentionMask.toType(DataType.INT64, false)), training);
    return out.head();
  }

  /** {@inheritDoc} */
  @Override
  public Block getBlock() {
    return block;
  }

  /** {@inheritDoc} */
  @Override
  public NDManager getManager() {
    return model.getNDManager();
  }

  /** {@inheritDoc} */
  @Override
  public Device getDevice() {
    return model.getNDManager().getDevice();
  }

  /** {@inheritDoc} */
  @Override
  public int vocabSize() {
    return vocabSize;
  }

  /** {@inheritDoc} */
  @Override
  public int maxLength() {
    return maxLength;
  }

  /**
   * Writes a model directory that {@link #load} reads back: the original {@value #MODEL_FILE} and {@value
   * #META_FILE}, the current weights in {@value DecoderLm#WEIGHTS_FILE}, and a {@code config.json} naming the type.
   *
   * @param dir the target directory; created if missing
   * @throws IOException if writing fails
   */
  @Override
  public void save(Path dir) throws IOException {
    Files.createDirectories(dir);
    if (!dir.toAbsolutePath().normalize().equals(sourceDir.toAbsolutePath().normalize())) {
      Files.copy(sourceDir.resolve(MODEL_FILE), dir.resolve(MODEL_FILE), StandardCopyOption.REPLACE_EXISTING);
    }
    AtomicFiles.writeString(dir.resolve(META_FILE), GSON.toJson(meta));
    JsonObject type = new JsonObject();
    type.addProperty("type", "torchscript");
    AtomicFiles.writeString(dir.resolve(DecoderLm.CONFIG_FILE), GSON.toJson(type));
    saveWeights(dir.resolve(DecoderLm.WEIGHTS_FILE));
  }

  /** {@inheritDoc} */
  @Override
  public void close() {
    model.close();
  }
}
