package io.github.sipf4j.orpo.util;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Paths;
import java.util.Arrays;
import java.util.HashSet;
import java.util.List;
import java.util.Locale;
import java.util.Set;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Lets oneMKL use its AVX-512 kernels on AMD CPUs that have AVX-512 (Zen 4, Zen 5).
 *
 * <p>DJL's libtorch for CPU carries oneMKL, which takes its AVX-512 matrix-multiply kernels only on CPUs it
 * recognises as Intel's; everywhere else it falls back to slower ones. On this project's AMD EPYC (Zen 5) a float32
 * product then reaches about 170 GFLOP/s on two threads instead of about 390, and the 20 M-parameter ORPO step takes
 * 1.4 times as long (see the README's performance section). {@link #apply()} loads sipf4j's 14 kB native helper
 * ({@code orpo-core/src/main/c/sipf4j_native.c}, shipped in this jar) and makes global its definition of the
 * function with which MKL asks "is this an Intel CPU?", answering yes; MKL then selects kernels by the CPU's feature
 * bits as it does on Intel CPUs. It must run before libtorch is loaded, that is before the first DJL call of the
 * process. It changes the whole process, so nothing in the library calls it: the command line and the benchmarks do,
 * first thing, through {@link CpuTuning#apply()}, and so may an application that owns its process.
 *
 * <p>It does nothing (and says why in {@link #status()}) unless the process runs on Linux x86-64 on an AMD CPU that
 * reports AVX-512 F, CD, BW, DQ and VL. {@code -Dsipf4j.mkl.avx512OnAmd=false} turns it off. It changes which
 * kernels compute a product, so float32 results differ in the last bits from a run without it, as they would between
 * two CPUs; it does not change what is computed.
 */
public final class MklDispatch {

  /** The system property that turns the shim off when set to {@code false}. */
  public static final String PROPERTY = "sipf4j.mkl.avx512OnAmd";

  private static final Logger LOG = LoggerFactory.getLogger(MklDispatch.class);
  /** The AVX-512 subsets of MKL's AVX-512 kernels, in the order they are checked (and reported when missing). */
  private static final List<String> REQUIRED_FLAGS =
      List.of("avx512bw", "avx512cd", "avx512dq", "avx512f", "avx512vl");

  /** What {@link #apply()} did. */
  public enum State {
    /** The shim is loaded ahead of libtorch: MKL will use its AVX-512 kernels. */
    APPLIED,
    /** Turned off by {@link #PROPERTY}. */
    DISABLED,
    /** Not an AMD CPU with AVX-512 on Linux x86-64: MKL already does its best here. */
    NOT_APPLICABLE,
    /** libtorch was loaded before {@link #apply()} ran; MKL keeps its choice for this process. */
    TOO_LATE,
    /** The native library could not be loaded or promoted; sipf4j runs on, at MKL's default speed. */
    FAILED
  }

  /**
   * The outcome of {@link #apply()}.
   *
   * @param state what happened
   * @param detail why, in words
   */
  public record Status(State state, String detail) {
    @Override
    public String toString() {
      return state.name().toLowerCase(Locale.ROOT).replace('_', ' ') + " (" + detail + ")";
    }
  }

  private static Status status;

  private MklDispatch() {}

  /**
   * Loads the shim when it applies; idempotent (later calls return the first outcome).
   *
   * @return what happened
   */
  public static synchronized Status apply() {
    if (status == null) {
      status = decide();
      if (status.state() == State.APPLIED) {
        LOG.info("oneMKL: AVX-512 kernels enabled on this AMD CPU ({}=false turns this off)", PROPERTY);
      } else if (status.state() == State.TOO_LATE || status.state() == State.FAILED) {
        LOG.warn("oneMKL keeps its slower kernels on this AMD CPU: {}", status.detail());
      } else {
        LOG.debug("MKL dispatch shim: {}", status);
      }
    }
    return status;
  }

  /**
   * The outcome of the first {@link #apply()}, or {@code null} before it ran.
   *
   * @return the status
   */
  public static synchronized Status status() {
    return status;
  }

  /**
   * The code branch that oneMKL inside the loaded libtorch selects on this CPU, as MKL's
   * {@code mkl_cbwr_get_auto_branch} numbers it: 10 AVX2, 12 AVX-512, 14 AVX-512 E1, 2 when MKL treats the CPU as
   * "other". Available only where the shim is loaded ({@link State#APPLIED}) and libtorch is loaded too.
   *
   * @return the branch, or -1 when it cannot be asked
   */
  public static synchronized int mklBranch() {
    if (status == null || status.state() != State.APPLIED) {
      return -1;
    }
    return NativeLib.mklAutoBranch();
  }

  private static Status decide() {
    if ("false".equalsIgnoreCase(System.getProperty(PROPERTY, "true").trim())) {
      return new Status(State.DISABLED, "-D" + PROPERTY + "=false");
    }
    String cpuinfo;
    try {
      cpuinfo = Files.readString(Paths.get("/proc/cpuinfo"), StandardCharsets.UTF_8);
    } catch (IOException | RuntimeException e) {
      cpuinfo = "";
    }
    String reason = notApplicableReason(System.getProperty("os.name", ""), System.getProperty("os.arch", ""),
        cpuinfo);
    if (reason != null) {
      return new Status(State.NOT_APPLICABLE, reason);
    }
    if (libtorchLoaded()) {
      return new Status(State.TOO_LATE, "libtorch was loaded before MklDispatch.apply(); call it (or "
          + "CpuTuning.apply()) before the first DJL call of the process");
    }
    String error = NativeLib.load();
    if (error != null) {
      return new Status(State.FAILED, error);
    }
    if (!NativeLib.promote()) {
      return new Status(State.FAILED, "dlopen(RTLD_GLOBAL) of the native helper failed");
    }
    return new Status(State.APPLIED, "AMD CPU with AVX-512; shim loaded before libtorch");
  }

  /**
   * Why the shim does not apply on this platform, or {@code null} when it does.
   *
   * @param osName the {@code os.name} property
   * @param osArch the {@code os.arch} property
   * @param cpuinfo the text of {@code /proc/cpuinfo} (empty when unreadable)
   * @return the reason, or {@code null}
   */
  static String notApplicableReason(String osName, String osArch, String cpuinfo) {
    String unsupported = NativeLib.unsupportedPlatform(osName, osArch);
    if (unsupported != null) {
      return unsupported;
    }
    String vendor = null;
    Set<String> flags = null;
    for (String line : cpuinfo.split("\n")) {
      int colon = line.indexOf(':');
      if (colon < 0) {
        continue;
      }
      String key = line.substring(0, colon).trim();
      String value = line.substring(colon + 1).trim();
      if (vendor == null && key.equals("vendor_id")) {
        vendor = value;
      } else if (flags == null && key.equals("flags")) {
        flags = new HashSet<>(Arrays.asList(value.split("\\s+")));
      }
    }
    if (vendor == null || flags == null) {
      return "/proc/cpuinfo names no vendor or flags";
    }
    if (!vendor.equals("AuthenticAMD")) {
      return "CPU vendor " + vendor + ", not AuthenticAMD";
    }
    for (String f : REQUIRED_FLAGS) {
      if (!flags.contains(f)) {
        return "this AMD CPU lacks " + f;
      }
    }
    return null;
  }

  static boolean libtorchLoaded() {
    try {
      return Files.readString(Paths.get("/proc/self/maps"), StandardCharsets.UTF_8).contains("libtorch_cpu.so");
    } catch (IOException | RuntimeException e) {
      return false;
    }
  }

}
