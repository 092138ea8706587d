package io.github.sipf4j.benchmarks;

import ai.djl.Device;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import io.github.sipf4j.orpo.model.LoadOptions;
import io.github.sipf4j.orpo.model.hf.HfCausalLm;
import io.github.sipf4j.orpo.util.MallocTuning;
import io.github.sipf4j.orpo.util.MklDispatch;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Locale;

/**
 * Loads a Hugging Face model folder once, in a fresh JVM, and prints what loading cost: wall time, the parameters'
 * bytes, and the process's peak resident memory ({@code VmHWM}) before and after, so that the peak above the
 * parameters is the loader's transient memory. Arguments: {@code FOLDER [float32|float16]}. Prints one line:
 * {@code HF_LOAD folder=... dtype=... parameters=... param_mb=... seconds=... baseline_peak_mb=... peak_mb=...
 * transient_mb=...}.
 */
public final class HfLoadProbe {

  private HfLoadProbe() {}

  /**
   * Runs the probe.
   *
   * @param args {@code FOLDER [float32|float16]}
   * @throws IOException if the folder cannot be loaded or {@code /proc/self/status} cannot be read
   */
  public static void main(String[] args) throws IOException {
    MklDispatch.apply();
    MallocTuning.apply();
    Path folder = Path.of(args[0]);
    DataType dtype = args.length > 1 && args[1].equals("float16") ? DataType.FLOAT16 : DataType.FLOAT32;
    try (NDManager warm = NDManager.newBaseManager(Device.cpu())) {
      NDArray a = warm.ones(new ai.djl.ndarray.types.Shape(64, 64));
      a.matMul(a).sum().getFloat(); // the engine and its kernels are loaded before the baseline
    }
    long baseline = peakKb();
    long start = System.nanoTime();
    try (HfCausalLm lm = HfCausalLm.load(folder, Device.cpu(), LoadOptions.builder().dtype(dtype).build())) {
      double seconds = (System.nanoTime() - start) / 1e9;
      long peak = peakKb();
      double paramMb = lm.parameterCount() * (double) dtype.getNumOfBytes() / (1 << 20);
      System.out.println(String.format(Locale.ROOT, "HF_LOAD folder=%s dtype=%s parameters=%d param_mb=%.1f "
          + "seconds=%.2f baseline_peak_mb=%.1f peak_mb=%.1f transient_mb=%.1f", folder.getFileName(), dtype,
          lm.parameterCount(), paramMb, seconds, baseline / 1024.0, peak / 1024.0,
          (peak - baseline) / 1024.0 - paramMb));
    }
  }

  private static long peakKb() throws IOException {
    for (String line : Files.readAllLines(Path.of("/proc/self/status"))) {
      if (line.startsWith("VmHWM:")) {
        return Long.parseLong(line.replaceAll("[^0-9]", ""));
      }
    }
    throw new IOException("/proc/self/status has no VmHWM");
  }
}
