package io.github.sipf4j.orpo.util;

import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.Locale;

/**
 * sipf4j's native helper for CPU training on Linux x86-64 with glibc ({@code orpo-core/src/main/c/sipf4j_native.c},
 * 14 kB, shipped in this jar): used by {@link MklDispatch} and {@link MallocTuning}. Loaded once per class loader.
 */
final class NativeLib {

  private static final String RESOURCE = "/io/github/sipf4j/orpo/native/linux-x86_64/libsipf4j_native.so";

  /** {@code null} until the first {@link #load()}, then "" when loaded or why it is not. */
  private static String error;

  private NativeLib() {}

  /**
   * Loads the library (opened local: it changes nothing by being loaded).
   *
   * @return {@code null} when it is loaded, otherwise why not
   */
  static synchronized String load() {
    if (error == null) {
      error = tryLoad();
    }
    return error.isEmpty() ? null : error;
  }

  /**
   * Why the helper cannot run on this platform, or {@code null} on Linux x86-64 (the only build shipped).
   *
   * @param osName the {@code os.name} property
   * @param osArch the {@code os.arch} property
   * @return the reason, or {@code null}
   */
  static String unsupportedPlatform(String osName, String osArch) {
    if (!osName.toLowerCase(Locale.ROOT).startsWith("linux") || !(osArch.equals("amd64") || osArch.equals("x86_64"))) {
      return "not Linux x86-64 (" + osName + ", " + osArch + ")";
    }
    return null;
  }

  /**
   * {@link #unsupportedPlatform(String, String)} for this JVM's {@code os.name} and {@code os.arch}.
   *
   * @return the reason, or {@code null}
   */
  static String unsupportedPlatform() {
    return unsupportedPlatform(System.getProperty("os.name", ""), System.getProperty("os.arch", ""));
  }

  private static String tryLoad() {
    String unsupported = unsupportedPlatform();
    if (unsupported != null) {
      return unsupported;
    }
    Path file = null;
    try (InputStream in = NativeLib.class.getResourceAsStream(RESOURCE)) {
      if (in == null) {
        return "resource " + RESOURCE + " is missing from the jar";
      }
      file = Files.createTempFile("sipf4j_native", ".so");
      Files.copy(in, file, StandardCopyOption.REPLACE_EXISTING);
      System.load(file.toAbsolutePath().toString());
      return "";
    } catch (IOException | UnsatisfiedLinkError | SecurityException e) {
      return "could not load the native helper: " + e;
    } finally {
      if (file != null) {
        try {
          Files.deleteIfExists(file); // the mapping outlives the file
        } catch (IOException e) {
          file.toFile().deleteOnExit();
        }
      }
    }
  }

  /** Makes the library's symbols global, for libraries opened later (see the C source). */
  static native boolean promote();

  /** oneMKL's auto code branch inside the loaded libtorch_cpu.so, or -1 (see the C source). */
  static native int mklAutoBranch();

  /** glibc {@code mallopt(M_MMAP_THRESHOLD)} and {@code mallopt(M_TRIM_THRESHOLD)}; true when both took. */
  static native boolean tuneMalloc(long mmapThreshold, long trimThreshold);

  /** Sets {@code THP_MEM_ALLOC_ENABLE=1} unless set: 1 when it now reads 1, 0 when set otherwise, -1 on error. */
  static native int enableThpAlloc();
}
