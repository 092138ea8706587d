package io.github.sipf4j.orpo.train;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.nn.Parameter;
import ai.djl.util.Pair;
import com.google.common.base.Preconditions;
import io.github.sipf4j.orpo.model.CausalLm;
import io.github.sipf4j.orpo.util.Safetensors;
import java.io.IOException;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * What a trainer updates and checkpoints: named parameters, the manager their optimizer state lives under, and how
 * to save and restore them. {@link #of(CausalLm)} covers a language model; {@link #of(List, NDManager)} any set of
 * parameters, such as a process reward model's backbone together with its head.
 */
public interface TrainableWeights {

  /**
   * Returns the parameters the optimizer updates, with unique names, in a stable order.
   *
   * @return the (name, parameter) pairs
   */
  List<Pair<String, Parameter>> parameters();

  /**
   * Returns the manager under which the optimizer state and every micro-batch's arrays are created.
   *
   * @return a manager on the parameters' device
   */
  NDManager manager();

  /**
   * Writes the weights to one file (safetensors), so that {@link #load} restores them exactly.
   *
   * @param file the target file
   * @throws IOException if writing fails
   */
  void save(Path file) throws IOException;

  /**
   * Copies weights written by {@link #save} into the parameters, in place.
   *
   * @param file the file
   * @throws IOException if it cannot be read, or a parameter is missing or has another shape (the message names
   *     the file and the parameter)
   */
  void load(Path file) throws IOException;

  /**
   * The trainable parameters of a language model, saved and restored through its own {@link CausalLm#saveWeights}
   * and {@link CausalLm#loadWeights}.
   *
   * @param model the model
   * @return the view
   */
  static TrainableWeights of(CausalLm model) {
    Preconditions.checkNotNull(model, "model");
    return new TrainableWeights() {
      @Override
      public List<Pair<String, Parameter>> parameters() {
        return model.trainableParameters();
      }

      @Override
      public NDManager manager() {
        return model.getManager();
      }

      @Override
      public void save(Path file) throws IOException {
        model.saveWeights(file);
      }

      @Override
      public void load(Path file) throws IOException {
        model.loadWeights(file);
      }
    };
  }

  /**
   * Any set of parameters, saved and restored under the given names as safetensors.
   *
   * @param parameters the (name, parameter) pairs, names unique
   * @param manager the manager for optimizer state and micro-batches, on the parameters' device
   * @return the view
   */
  static TrainableWeights of(List<Pair<String, Parameter>> parameters, NDManager manager) {
    List<Pair<String, Parameter>> params = List.copyOf(parameters);
    Preconditions.checkNotNull(manager, "manager");
    return new TrainableWeights() {
      @Override
      public List<Pair<String, Parameter>> parameters() {
        return params;
      }

      @Override
      public NDManager manager() {
        return manager;
      }

      @Override
      public void save(Path file) throws IOException {
        Safetensors.write(file, arrays());
      }

      @Override
      public void load(Path file) throws IOException {
        Safetensors.loadInto(file, arrays());
      }

      private Map<String, NDArray> arrays() {
        Map<String, NDArray> named = new LinkedHashMap<>();
        for (Pair<String, Parameter> p : params) {
          named.put(p.getKey(), p.getValue().getArray());
        }
        return named;
      }
    };
  }
}
