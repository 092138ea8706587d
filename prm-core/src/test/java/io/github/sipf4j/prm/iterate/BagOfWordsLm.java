package io.github.sipf4j.prm.iterate;

import ai.djl.Device;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import ai.djl.ndarray.types.SparseFormat;
import ai.djl.nn.AbstractBlock;
import ai.djl.nn.Block;
import ai.djl.nn.Parameter;
import ai.djl.training.ParameterStore;
import ai.djl.util.PairList;
import com.google.gson.JsonObject;
import com.google.gson.JsonParser;
import io.github.sipf4j.orpo.model.CausalLm;
import io.github.sipf4j.orpo.model.CausalLmKind;
import io.github.sipf4j.orpo.util.AtomicFiles;
import io.github.sipf4j.orpo.util.Safetensors;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Random;

/**
 * A user's own model, as a consumer of the library would write one: its own DJL block (an embedding and an output
 * layer), its own folder format ({@value #CONFIG_FILE} and weights in {@value #WEIGHTS_FILE}, no
 * {@code model.safetensors}) and its own {@link Kind}, registered in the tests' {@code META-INF/services}. The
 * prediction at position {@code t} reads the mean embedding of the real tokens up to {@code t} (padding excluded by
 * the attention mask), so left padding changes nothing.
 */
public final class BagOfWordsLm implements CausalLm {

  /** The configuration file of a saved folder. */
  public static final String CONFIG_FILE = "bag-of-words.json";

  /** The weights file of a saved folder. */
  public static final String WEIGHTS_FILE = "bow-weights.bin";

  private final int vocab;
  private final int dim;
  private final NDManager manager;
  private final BowBlock block;

  private BagOfWordsLm(int vocab, int dim, Device device, Map<String, NDArray> weights, long seed) {
    this.vocab = vocab;
    this.dim = dim;
    this.manager = NDManager.newBaseManager(device);
    this.block = new BowBlock();
    Random rng = new Random(seed);
    for (var p : block.getParameters()) {
      Shape shape = block.shapeOf(p.getKey(), vocab, dim);
      NDArray array;
      if (weights != null) {
        array = manager.create(weights.get(p.getKey()).toFloatArray(), shape);
      } else {
        float[] v = new float[(int) shape.size()];
        for (int i = 0; i < v.length; i++) {
          v[i] = p.getKey().endsWith("bias") ? 0f : (float) (rng.nextGaussian() * 0.1);
        }
        array = manager.create(v, shape);
      }
      array.setName(p.getKey());
      p.getValue().setArray(array);
      array.setRequiresGradient(true);
    }
  }

  /**
   * Creates a freshly initialised model from a local seeded generator.
   *
   * @param vocab the vocabulary size
   * @param dim the embedding width
   * @param seed the seed
   * @return the model
   */
  public static BagOfWordsLm create(int vocab, int dim, long seed) {
    return new BagOfWordsLm(vocab, dim, Device.cpu(), null, seed);
  }

  /**
   * Loads a folder written by {@link #save}.
   *
   * @param dir the folder
   * @param device where the parameters live
   * @return the model
   * @throws IOException if a file is missing or malformed
   */
  public static BagOfWordsLm load(Path dir, Device device) throws IOException {
    JsonObject c = JsonParser.parseString(Files.readString(dir.resolve(CONFIG_FILE), StandardCharsets.UTF_8))
        .getAsJsonObject();
    try (NDManager tmp = NDManager.newBaseManager(Device.cpu())) {
      Map<String, NDArray> weights = Safetensors.read(dir.resolve(WEIGHTS_FILE), tmp);
      return new BagOfWordsLm(c.get("vocab").getAsInt(), c.get("dim").getAsInt(), device, weights, 0);
    }
  }

  private NDArray causalMean(NDArray inputIds, NDArray attentionMask) {
    NDArray e = inputIds.getNDArrayInternal().embedding(inputIds.toType(DataType.INT64, false),
        block.embed.getArray(), SparseFormat.DENSE).singletonOrThrow();
    NDArray m = attentionMask.toType(DataType.FLOAT32, false).expandDims(2);
    return e.mul(m).cumSum(1).div(m.cumSum(1).maximum(1f));
  }

  @Override
  public NDArray forward(NDArray inputIds, NDArray attentionMask, boolean training) {
    return causalMean(inputIds, attentionMask).matMul(block.out.getArray().transpose()).add(block.bias.getArray());
  }

  @Override
  public boolean supportsHiddenStates() {
    return true;
  }

  @Override
  public NDArray forwardHidden(NDArray inputIds, NDArray attentionMask, boolean training) {
    return causalMean(inputIds, attentionMask);
  }

  @Override
  public int hiddenSize() {
    return dim;
  }

  @Override
  public Block getBlock() {
    return block;
  }

  @Override
  public NDManager getManager() {
    return manager;
  }

  @Override
  public Device getDevice() {
    return manager.getDevice();
  }

  @Override
  public int vocabSize() {
    return vocab;
  }

  @Override
  public int maxLength() {
    return 256;
  }

  @Override
  public void save(Path dir) throws IOException {
    Files.createDirectories(dir);
    Map<String, NDArray> named = new LinkedHashMap<>();
    for (var p : block.getParameters()) {
      named.put(p.getKey(), p.getValue().getArray());
    }
    Safetensors.write(dir.resolve(WEIGHTS_FILE), named);
    AtomicFiles.writeString(dir.resolve(CONFIG_FILE), "{\"vocab\": " + vocab + ", \"dim\": " + dim + "}\n");
  }

  @Override
  public void close() {
    manager.close();
  }

  /** The folders {@link BagOfWordsLm#save} writes. */
  public static final class Kind implements CausalLmKind {

    /** Creates the kind (for {@link java.util.ServiceLoader}). */
    public Kind() {}

    @Override
    public String name() {
      return "test-bag-of-words";
    }

    @Override
    public boolean recognises(Path dir) {
      return Files.isRegularFile(dir.resolve(CONFIG_FILE));
    }

    @Override
    public CausalLm load(Path dir, Device device) throws IOException {
      return BagOfWordsLm.load(dir, device);
    }
  }

  /** The parameters: an embedding, an output projection and its bias. */
  private static final class BowBlock extends AbstractBlock {
    final Parameter embed;
    final Parameter out;
    final Parameter bias;

    BowBlock() {
      super((byte) 1);
      embed = addParameter(Parameter.builder().setName("embed.weight").setType(Parameter.Type.WEIGHT).build());
      out = addParameter(Parameter.builder().setName("out.weight").setType(Parameter.Type.WEIGHT).build());
      bias = addParameter(Parameter.builder().setName("out.bias").setType(Parameter.Type.BIAS).build());
    }

    Shape shapeOf(String name, int vocab, int dim) {
      return name.equals("out.bias") ? new Shape(vocab) : new Shape(vocab, dim);
    }

    @Override
    protected NDList forwardInternal(ParameterStore store, NDList inputs, boolean training,
        PairList<String, Object> params) {
      throw new UnsupportedOperationException("call BagOfWordsLm.forward");
    }

    @Override
    public Shape[] getOutputShapes(Shape[] inputShapes) {
      throw new UnsupportedOperationException("call BagOfWordsLm.forward");
    }
  }
}
