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
 *
 * <p>Tensors larger than the 32 MiB threshold (the logits of a training step at a 32,000-token vocabulary are 131 MB)
 * still get a fresh {@code mmap} each time, and so do blocks above 64 MiB of any thread but the process's first,
 * since glibc gives other threads their own arenas of at most 64 MiB. No call from a running JVM can change either;
 * the environment of a new process can: {@value #HEAP_ONLY} in {@code GLIBC_TUNABLES} (one arena, no {@code mmap})
 * serves every block from the one heap, which keeps freed memory for the next step. On the project's machine that
 * made the ORPO step of a 39 M-parameter Hugging Face llama 4.7 times faster (9.0 s to 1.9 s; 100 M: 4.0 s), with the
 * same peak memory and decoding as fast (README, performance section). Both entries are needed: either alone took
 * a third off at most (6.2 s with no {@code mmap}, 7.7 s with one arena). {@link #heapOnly()} tells whether the
 * process runs with them; {@link #apply()} names them in its status.
 */
public final class MallocTuning {

  /** The system property that turns {@link #apply()} off when set to {@code false}. */
  public static final String PROPERTY = "sipf4j.malloc.tune";
  /** The mmap threshold set: 32 MiB, the largest glibc accepts on 64-bit systems. */
  public static final long MMAP_THRESHOLD = 32L << 20;
  /** The trim threshold set: 1 GiB. */
  public static final long TRIM_THRESHOLD = 1L << 30;
  /** The {@code GLIBC_TUNABLES} entries that serve every allocation from glibc's one heap (see the class comment). */
  public static final String HEAP_ONLY = "glibc.malloc.arena_max=1:glibc.malloc.mmap_max=0";

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
      if (heapOnly()) {
        status += "; one heap, no mmap (GLIBC_TUNABLES)";
      }
      LOG.debug("malloc tuning: {}", status);
    }
    return status;
  }

  /**
   * Tells whether this process started with {@link #HEAP_ONLY}'s two settings in {@code GLIBC_TUNABLES}.
   *
   * @return true when glibc serves every allocation from its one heap
   */
  public static boolean heapOnly() {
    return heapOnly(System.getenv("GLIBC_TUNABLES"));
  }

  /**
   * Tells whether a {@code GLIBC_TUNABLES} value sets {@code glibc.malloc.arena_max} to 1 and {@code
   * glibc.malloc.mmap_max} to 0 (the last entry of a name counts, as in glibc).
   *
   * @param tunables the value, or null when unset
   * @return true when both are set so
   */
  static boolean heapOnly(String tunables) {
    if (tunables == null) {
      return false;
    }
    String arenaMax = null;
    String mmapMax = null;
    for (String entry : tunables.split(":")) {
      int eq = entry.indexOf('=');
      if (eq > 0) {
        String name = entry.substring(0, eq);
        String value = entry.substring(eq + 1);
        if (name.equals("glibc.malloc.arena_max")) {
          arenaMax = value;
        } else if (name.equals("glibc.malloc.mmap_max")) {
          mmapMax = value;
        }
      }
    }
    return "1".equals(arenaMax) && "0".equals(mmapMax);
  }
}
