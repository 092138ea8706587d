package io.github.sipf4j.orpo.model;

import ai.djl.Device;
import java.io.IOException;
import java.nio.file.Path;

/**
 * A kind of saved model directory that {@link CausalLms#load} can recognise and load: sipf4j's own {@link DecoderLm}
 * and {@link TorchScriptLm} folders are built in, and a user's own model format joins them by implementing this
 * interface and listing the class in {@code META-INF/services/io.github.sipf4j.orpo.model.CausalLmKind} (Java's
 * {@link java.util.ServiceLoader}).
 *
 * <p>A kind must recognise the folders that its models' {@link CausalLm#save} writes, and only those: {@link
 * #recognises} looks at file names and small metadata files, never at weights, and must not claim a folder of
 * another kind. The {@link #name()} is what a run records to reload a policy elsewhere (another process, another
 * machine), so it must stay stable across releases.
 *
 * <pre>{@code
 * public final class MyLmKind implements CausalLmKind {
 *   public String name() { return "my-lm"; }
 *   public boolean recognises(Path dir) { return Files.isRegularFile(dir.resolve("my-lm.json")); }
 *   public CausalLm load(Path dir, Device device) throws IOException { return MyLm.load(dir, device); }
 * }
 * }</pre>
 */
public interface CausalLmKind {

  /**
   * Returns the stable name of this kind, such as {@code "decoder"} or {@code "torchscript"}.
   *
   * @return a short lower-case name, unique among the registered kinds
   */
  String name();

  /**
   * Tells whether a directory holds a model of this kind, from its file names and small metadata files alone.
   *
   * @param dir an existing directory
   * @return true when {@link #load} should be able to load it
   * @throws IOException if a metadata file exists but cannot be read
   */
  boolean recognises(Path dir) throws IOException;

  /**
   * Loads the model saved in a directory.
   *
   * @param dir a directory this kind {@linkplain #recognises recognises}
   * @param device where the parameters will live
   * @return the model; the caller closes it
   * @throws IOException if a file is missing or malformed; the message names the file
   */
  CausalLm load(Path dir, Device device) throws IOException;

  /**
   * Loads the model saved in a directory with the given options. The default loads with {@link #load(Path, Device)}
   * when the options ask for float32 and refuses any other type; kinds that can change their type override it.
   *
   * @param dir a directory this kind {@linkplain #recognises recognises}
   * @param device where the parameters will live
   * @param options the data type
   * @return the model; the caller closes it
   * @throws IOException if a file is missing or malformed, or this kind cannot load the requested type
   */
  default CausalLm load(Path dir, Device device, LoadOptions options) throws IOException {
    if (options.dtype() != LoadOptions.DEFAULT_DTYPE) {
      throw new IOException(dir + ": models of kind " + name() + " load in " + LoadOptions.DEFAULT_DTYPE
          + " only, not " + options.dtype());
    }
    return load(dir, device);
  }
}
