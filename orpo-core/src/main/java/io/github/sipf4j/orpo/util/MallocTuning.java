package io.github.sipf4j.orpo.util;

import java.util.Locale;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Keeps glibc from mapping and unmapping every large tensor: sets {@code M_MMAP_THRESHOLD} to 32 MiB (glibc's
 * maximum) and {@code M_TRIM_THRESHOLD} to 1 GiB, so that blocks of up to 32 MiB come from the heap and freed memory
 * of up to 1 GiB stays with the process for the next step.
 *
 * <p>libtorch allocates every intermediate tensor with {@code malloc}. With glibc's adaptive defaults, many
 * activation-sized blocks (megabytes) are served by fresh {@code mmap}s and returned on {@code free}, so each training
 * step page-faults its working set in again: on this project's 2-vCPU machine the 20 M-parameter ORPO step had 2.6
 * times as many page faults and took 1.2–1.5 times as long without this setting (README, performance section).
 * The cost: a process keeps up to 1 GiB of freed heap resident instead of returning it to the system.
 *
 * <p>This changes the allocator of the whole process, so the library never does it on its own: the command-line
 * tools and the benchmarks call it through {@link CpuTuning#apply()} (off with {@code -Dsipf4j.malloc.tune=false}),
 * and an application that owns its process may call it too, at any time. The same setting without code: the
 * environment variables {@code MALLOC_MMAP_THRESHOLD_=33554432 MALLOC_TRIM_THRESHOLD_=1073741824}. Linux with glibc
 * only.
 */
public final class MallocTuning {

  /** The system property that turns {@link #apply()} off when set to {@code false}. */
  public static final String PROPERTY = "sipf4j.malloc.tune";
  /** The mmap threshold set: 32 MiB, the largest glibc accepts on 64-bit systems. */
  public static final long MMAP_THRESHOLD = 32L << 20;
  /** The trim threshold set: 1 GiB. */
  public static final long TRIM_THRESHOLD = 1L << 30;

  private static final Logger LOG = LoggerFactory.getLogger(MallocTuning.class);

  private static String status;

  private MallocTuning() {}

  /**
   * Applies the thresholds once; later calls return the first outcome.
   *
   * @return "applied ...", or why not ("disabled ...", "not applied ...", "failed ...")
   */
  public static synchronized String apply() {
    if (status == null) {
      if ("false".equalsIgnoreCase(System.getProperty(PROPERTY, "true").trim())) {
        status = "disabled (-D" + PROPERTY + "=false)";
      } else {
        String error = NativeLib.load();
        if (error != null) {
          status = "not applied (" + error + ")";
        } else if (!NativeLib.tuneMalloc(MMAP_THRESHOLD, TRIM_THRESHOLD)) {
          status = "failed (glibc's mallopt refused the thresholds)";
        } else {
          status = String.format(Locale.ROOT, "applied (mmap threshold %d MiB, trim threshold %d MiB)",
              MMAP_THRESHOLD >> 20, TRIM_THRESHOLD >> 20);
        }
      }
      LOG.debug("malloc tuning: {}", status);
    }
    return status;
  }
}
