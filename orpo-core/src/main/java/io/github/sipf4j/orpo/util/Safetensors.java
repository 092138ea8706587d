package io.github.sipf4j.orpo.util;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import java.io.BufferedInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * Named arrays in safetensors files (the format PyTorch and Hugging Face read), through DJL's encoder: atomic writes
 * and in-place loads into existing arrays (model weights, optimizer moments, heads).
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
    NDList list = new NDList(arrays.size());
    for (Map.Entry<String, NDArray> e : arrays.entrySet()) {
      e.getValue().setName(e.getKey());
      list.add(e.getValue());
    }
    AtomicFiles.write(file, out -> list.encode(out, NDList.Encoding.SAFETENSORS));
  }

  /**
   * Reads every array of a file.
   *
   * @param file the file
   * @param manager the manager that will own the arrays
   * @return the arrays by name, in file order
   * @throws IOException if the file cannot be read
   */
  public static Map<String, NDArray> read(Path file, NDManager manager) throws IOException {
    try (InputStream in = new BufferedInputStream(Files.newInputStream(file))) {
      Map<String, NDArray> out = new LinkedHashMap<>();
      for (NDArray a : NDList.decode(manager, in)) {
        out.put(a.getName(), a);
      }
      return out;
    } catch (IllegalArgumentException | IllegalStateException e) {
      throw new IOException(file + ": not a readable safetensors file: " + e.getMessage(), e);
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
    NDManager owner = targets.values().stream().findFirst().map(NDArray::getManager).orElse(null);
    if (owner == null) {
      return;
    }
    try (NDManager tmp = owner.newSubManager(ai.djl.Device.cpu())) {
      Map<String, NDArray> loaded = read(file, tmp);
      for (Map.Entry<String, NDArray> e : targets.entrySet()) {
        NDArray w = loaded.get(e.getKey());
        if (w == null) {
          throw new IOException(file + ": array " + e.getKey() + " is missing");
        }
        if (!w.getShape().equals(e.getValue().getShape())) {
          throw new IOException(file + ": array " + e.getKey() + " has shape " + w.getShape() + ", expected "
              + e.getValue().getShape());
        }
        InPlace.copy(e.getValue(), w);
      }
    }
  }
}
