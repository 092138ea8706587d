package io.github.sipf4j.orpo.train;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import ai.djl.nn.Parameter;
import ai.djl.util.Pair;
import io.github.sipf4j.orpo.util.Safetensors;
import java.io.IOException;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * AdamW (Loshchilov and Hutter 2019) whose moment estimates this class owns, so that they can be checkpointed: per
 * step \( w \leftarrow w(1 - \eta\lambda) \), \( m \leftarrow \beta_1 m + (1-\beta_1) g \),
 * \( v \leftarrow \beta_2 v + (1-\beta_2) g^2 \), \( w \leftarrow w - \eta\frac{\sqrt{1-\beta_2^t}}{1-\beta_1^t}
 * \frac{m}{\sqrt{v} + \epsilon} \). The arithmetic runs in DJL's fused native {@code adamUpdate}; the gradient is
 * scaled by {@code rescale} (clipping and accumulation) and DJL's one-sided clamp is never used.
 */
public final class AdamW implements AutoCloseable {

  private final OptimizerConfig config;
  private final NDManager manager;
  private final List<Pair<String, Parameter>> parameters;
  private final Map<String, NDArray[]> state = new HashMap<>();
  private long updates;

  /**
   * Creates the optimizer for the given parameters.
   *
   * @param config the hyper-parameters
   * @param parameters the (name, parameter) pairs to update
   * @param owner the manager to create the state under (normally the model's); a sub-manager is used
   */
  public AdamW(OptimizerConfig config, List<Pair<String, Parameter>> parameters, NDManager owner) {
    this.config = config;
    this.parameters = List.copyOf(parameters);
    this.manager = owner.newSubManager();
    // Created eagerly, outside any step's NDScope (a lazily created state would be closed with the scope).
    for (Pair<String, Parameter> p : this.parameters) {
      state.put(p.getKey(), newState(p.getValue().getArray()));
    }
  }

  /**
   * Applies one update to every parameter from its accumulated gradient, then zeroes the gradient.
   *
   * @param learningRate this step's learning rate
   * @param rescale the factor applied to each gradient first (clip coefficient / accumulation)
   */
  public void update(float learningRate, float rescale) {
    updates++;
    double bc1 = 1 - Math.pow(config.beta1(), updates);
    double bc2 = 1 - Math.pow(config.beta2(), updates);
    float lrCorrected = (float) (learningRate * Math.sqrt(bc2) / bc1);
    for (Pair<String, Parameter> p : parameters) {
      NDArray w = p.getValue().getArray();
      NDArray[] mv = state.get(p.getKey());
      try (NDArray grad = w.getGradient(); NDArray g = grad.duplicate()) {
        w.getNDArrayInternal().adamUpdate(new NDList(w, g, mv[0], mv[1]), new NDList(w), learningRate,
            lrCorrected, config.weightDecay(), rescale, -1f, config.beta1(), config.beta2(), config.epsilon(),
            false, true);
      }
    }
  }

  private NDArray[] newState(NDArray w) {
    NDArray m = manager.zeros(w.getShape(), w.getDataType(), w.getDevice());
    NDArray v = manager.zeros(w.getShape(), w.getDataType(), w.getDevice());
    return new NDArray[] {m, v};
  }

  /**
   * Returns how many updates were applied (the \( t \) of the bias correction).
   *
   * @return the update count
   */
  public long updateCount() {
    return updates;
  }

  /**
   * Writes the moment estimates as safetensors ({@code exp_avg.NAME}, {@code exp_avg_sq.NAME}, PyTorch's names) and
   * the update count into {@code file}.
   *
   * @param file the target file, written atomically
   * @throws IOException if writing fails
   */
  public void save(Path file) throws IOException {
    try (NDManager tmp = manager.newSubManager()) {
      Map<String, NDArray> named = moments();
      named.put("step", tmp.create(new long[] {updates}));
      Safetensors.write(file, named);
    }
  }

  /**
   * Restores the state written by {@link #save}.
   *
   * @param file the file
   * @throws IOException if the file cannot be read or does not match the parameters
   */
  public void load(Path file) throws IOException {
    try (NDManager tmp = manager.newSubManager(ai.djl.Device.cpu())) {
      NDArray count = Safetensors.read(file, tmp).get("step");
      if (count == null) {
        throw new IOException(file + ": array \"step\" is missing");
      }
      Safetensors.loadInto(file, moments());
      updates = count.toLongArray()[0];
    }
  }

  /** The moment estimates under PyTorch's names, {@code exp_avg.NAME} and {@code exp_avg_sq.NAME}. */
  private Map<String, NDArray> moments() {
    Map<String, NDArray> named = new LinkedHashMap<>();
    for (Pair<String, Parameter> p : parameters) {
      NDArray[] mv = state.get(p.getKey());
      named.put("exp_avg." + p.getKey(), mv[0]);
      named.put("exp_avg_sq." + p.getKey(), mv[1]);
    }
    return named;
  }

  /** Releases the moment estimates. */
  @Override
  public void close() {
    manager.close();
  }
}
