package io.github.sipf4j.examples.cli;

import ai.djl.Device;
import io.github.sipf4j.orpo.lora.LoraModel;
import io.github.sipf4j.orpo.model.AdaptableLm;
import io.github.sipf4j.orpo.model.CausalLm;
import io.github.sipf4j.orpo.model.CausalLms;
import io.github.sipf4j.orpo.text.TextTokenizer;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * The {@code --model DIR [--adapter DIR]} pair of the commands that run a model: any model folder through {@link
 * CausalLms}, with a PEFT LoRA adapter folder on top when one is given, and the tokenizer from the adapter folder when
 * it holds one, else from the model folder.
 */
final class AdaptedModels {

  private AdaptedModels() {}

  /**
   * Checks the folders before anything loads.
   *
   * @return an error message for the user, or null when both are usable
   */
  static String problem(Path model, Path adapter) {
    if (!Files.isDirectory(model) || !Files.exists(tokenizerFolder(model, adapter).resolve(TextTokenizer.FILE_NAME))) {
      return "--model " + model + ": not a saved policy directory (it needs the model files and "
          + TextTokenizer.FILE_NAME + (adapter == null ? "" : ", unless the adapter folder has it") + ")";
    }
    return adapterProblem(adapter);
  }

  /**
   * Checks the adapter folder before anything loads.
   *
   * @return an error message for the user, or null when there is no adapter or it has its settings file
   */
  static String adapterProblem(Path adapter) {
    if (adapter != null && !Files.isRegularFile(adapter.resolve(LoraModel.CONFIG_FILE))) {
      return "--adapter " + adapter + ": not a PEFT adapter folder (it needs " + LoraModel.CONFIG_FILE + " and "
          + LoraModel.WEIGHTS_FILE + ")";
    }
    return null;
  }

  /** The folder the tokenizer is read from. */
  static Path tokenizerFolder(Path model, Path adapter) {
    return adapter != null && Files.isRegularFile(adapter.resolve(TextTokenizer.FILE_NAME)) ? adapter : model;
  }

  /**
   * Loads the model, and the adapter on it when one is given (checking that the adapter names this base).
   *
   * @throws IOException if either folder fails to load, the model takes no adapters, or the adapter does not fit it
   */
  static CausalLm load(Path model, Path adapter, Device device) throws IOException {
    CausalLm lm = CausalLms.load(model, device);
    if (adapter == null) {
      return lm;
    }
    try {
      if (!(lm instanceof AdaptableLm)) {
        throw new IOException("--model " + model + ": a " + lm.getClass().getSimpleName() + " takes no adapters");
      }
      return LoraModel.load((AdaptableLm) lm, adapter);
    } catch (IOException | RuntimeException e) {
      lm.close();
      throw e;
    }
  }
}
