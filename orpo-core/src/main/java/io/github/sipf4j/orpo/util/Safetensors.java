package io.github.sipf4j.orpo.util;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import java.io.IOException;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * Named arrays in safetensors files (the format PyTorch and Hugging Face read): atomic writes and in-place loads into
 * existing arrays (model weights, optimizer moments, heads). Files of any size, through {@link SafetensorsFile}'s
 * 64-bit offsets and chunked copies.
 */
public final class Safetensors {

  private Safetensors() {}

  /**
   * Writes named arrays, replacing the file atomically (written beside it, then moved into place).
   *
   * @param file the target file
   * @param arrays the arrays by name, in the order to write them
   * @throws IOException if writing fails
   */
  public static void write(Path file, Map<String, NDArray> arrays) throws IOException {
    SafetensorsFile.write(file, arrays);
  }

  /**
   * Reads every array of a file, {@code BF16} tensors widened to float32.
   *
   * @param file the file
   * @param manager the manager that will own the arrays
   * @return the arrays by name, in file order
   * @throws IOException if the file cannot be read
   */
  public static Map<String, NDArray> read(Path file, NDManager manager) throws IOException {
    try (SafetensorsFile f = SafetensorsFile.open(file)) {
      Map<String, NDArray> out = new LinkedHashMap<>();
      try {
        for (String name : f.tensors().keySet()) {
          out.put(name, f.read(name, manager));
        }
      } catch (IOException | RuntimeException e) {
        out.values().forEach(NDArray::close);
        throw e;
      }
      return out;
    }
  }

  /**
   * Copies the arrays of a file into existing arrays of the same names and shapes, in place ({@link InPlace}).
   *
   * @param file the file
   * @param targets the arrays to overwrite, by name; every one must be in the file
   * @throws IOException if the file cannot be read, or an array is missing or has another shape
   */
  public static void loadInto(Path file, Map<String, NDArray> targets) throws IOException {
    try (SafetensorsFile f = SafetensorsFile.open(file)) {
      for (Map.Entry<String, NDArray> e : targets.entrySet()) {
        SafetensorsFile.TensorInfo info = f.tensors().get(e.getKey());
        if (info == null) {
          throw new IOException(file + ": array " + e.getKey() + " is missing");
        }
        if (!info.shape().equals(e.getValue().getShape())) {
          throw new IOException(file + ": array " + e.getKey() + " has shape " + info.shape() + ", expected "
              + e.getValue().getShape());
        }
      }
      for (Map.Entry<String, NDArray> e : targets.entrySet()) {
        f.readInto(e.getKey(), e.getValue());
      }
    }
  }
}
