package io.github.sipf4j.orpo.util;

import ai.djl.Device;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import io.github.sipf4j.orpo.model.DecoderConfig;
import io.github.sipf4j.orpo.model.DecoderLm;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.Locale;
import java.util.stream.Collectors;

/**
 * Run by {@link MklDispatchTest} in a fresh JVM: applies the shim (after loading libtorch when the argument is
 * {@code late}), multiplies two seeded 192×256 and 256×160 float32 matrices through libtorch, and prints one line
 * {@code state=... branch=... product=v1,v2,...} (a fixed sample of the product's entries). With the argument
 * {@code model} it instead creates, runs, saves and reloads a {@link DecoderLm} and prints {@code before=...
 * mapped=... after=...}: the shim's status after that (expected {@code null}), whether sipf4j's native helper is
 * mapped into the process (expected {@code false}), and what a call to {@link MklDispatch#apply()} then reports.
 */
public final class MklDispatchProbe {

  private MklDispatchProbe() {}

  /**
   * Runs the probe.
   *
   * @param args {@code first} or {@code late}
   */
  public static void main(String[] args) throws IOException {
    if (args.length > 0 && args[0].equals("model")) {
      modelOnly();
      return;
    }
    boolean late = args.length > 0 && args[0].equals("late");
    NDManager early = late ? NDManager.newBaseManager() : null; // loads libtorch before the shim
    MklDispatch.Status status = MklDispatch.apply();
    try (NDManager m = early != null ? early : NDManager.newBaseManager()) {
      java.util.Random r = new java.util.Random(7);
      float[] a = new float[192 * 256];
      float[] b = new float[256 * 160];
      for (int i = 0; i < a.length; i++) {
        a[i] = (float) r.nextGaussian();
      }
      for (int i = 0; i < b.length; i++) {
        b[i] = (float) r.nextGaussian();
      }
      NDArray x = m.create(a, new Shape(192, 256));
      NDArray y = m.create(b, new Shape(256, 160));
      float[] c = x.matMul(y).toType(DataType.FLOAT32, false).toFloatArray();
      String sample = Arrays.stream(new int[] {0, 1, 161, 5000, 17777, 30719})
          .mapToObj(i -> String.format(Locale.ROOT, "%.6f", c[i])).collect(Collectors.joining(","));
      System.out.println("state=" + status.state() + " branch=" + MklDispatch.mklBranch() + " product=" + sample);
    }
  }

  private static void modelOnly() throws IOException {
    DecoderConfig config = DecoderConfig.builder().vocabSize(16).dModel(16).layers(1).heads(2).maxLength(8).build();
    Path dir = Files.createTempDirectory("mkl-probe");
    try (DecoderLm lm = DecoderLm.create(config, Device.cpu(), 3);
        NDManager m = lm.getManager().newSubManager()) {
      NDArray ids = m.create(new long[][] {{1, 2, 3}});
      lm.forward(ids, ids.onesLike(), false).toFloatArray();
      lm.save(dir);
    }
    try (DecoderLm again = DecoderLm.load(dir, Device.cpu())) {
      again.vocabSize();
    }
    boolean mapped = Files.readString(Path.of("/proc/self/maps"), StandardCharsets.UTF_8).contains("sipf4j_native");
    MklDispatch.Status before = MklDispatch.status();
    System.out.println("before=" + (before == null ? "null" : before.state()) + " mapped=" + mapped + " after="
        + MklDispatch.apply().state());
  }
}
