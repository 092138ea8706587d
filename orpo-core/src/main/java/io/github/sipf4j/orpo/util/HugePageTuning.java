package io.github.sipf4j.orpo.util;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Puts libtorch's large CPU tensors on transparent huge pages: sets the environment variable
 * {@code THP_MEM_ALLOC_ENABLE=1}, which libtorch's CPU allocator reads once, at its first allocation, and which makes
 * it align every tensor of 2 MiB or more to 2 MiB and ask the kernel ({@code madvise(MADV_HUGEPAGE)}) for huge pages.
 *
 * <p>A fresh tensor costs one page fault per 4 KiB page on first touch, and large ones are mapped fresh on every
 * allocation (above glibc's 32 MiB mmap threshold, see {@link MallocTuning}). With a 32,000-token vocabulary the
 * logits of 1,024 tokens are 131 MB, allocated several times per training step: on this project's 2-vCPU virtual
 * machine, where a page fault costs about 15 µs, {@code exp} over them took 500–600 ms into fresh memory and 26 ms
 * with huge pages, and the ORPO step of a Hugging Face llama went from 10.2 s to 3.1 s (39 M parameters) and from
 * 16.5 s to 11.0 s (100 M). Decoding did not gain: with many mid-sized tensors per token, sampling from the 100 M
 * model at batch 16 ran about a fifth slower with huge pages in two interleaved pairs of runs (README, performance
 * section). So it is off unless asked for: turn it on ({@code -Dsipf4j.thp=true}) for training-heavy work at large
 * vocabularies, and measure; the cost is also that tensors of 2 MiB and more are rounded up to whole 2 MiB pages.
 * Starting the JVM with one glibc heap ({@link MallocTuning#HEAP_ONLY}) trained faster still without that cost.
 *
 * <p>This changes the environment of the whole process, so the library never does it on its own: with the property
 * set, the command-line tools and the benchmarks apply it through {@link CpuTuning#apply()}. It must come before
 * libtorch allocates its first tensor; a variable already in the environment is left as it is. The same setting
 * without code: {@code THP_MEM_ALLOC_ENABLE=1} in the environment. It takes effect only where the kernel's
 * transparent huge pages are {@code madvise} or {@code always} ({@code /sys/kernel/mm/transparent_hugepage/enabled});
 * Linux with glibc only. Java's {@link System#getenv()} and child processes keep the environment the JVM started
 * with.
 */
public final class HugePageTuning {

  /** The system property that turns {@link #apply()} on when set to {@code true} (off by default). */
  public static final String PROPERTY = "sipf4j.thp";
  /** The variable libtorch reads. */
  public static final String VARIABLE = "THP_MEM_ALLOC_ENABLE";

  private static final Path KERNEL_SETTING = Path.of("/sys/kernel/mm/transparent_hugepage/enabled");
  private static final Pattern SELECTED = Pattern.compile("\\[(\\w+)]");
  private static final Logger LOG = LoggerFactory.getLogger(HugePageTuning.class);

  private static String status;

  private HugePageTuning() {}

  /**
   * Sets the variable once; later calls return the first outcome.
   *
   * @return "applied (...)", or why not: "off (...)", "not applicable (...)", "kept (...)", "late (...)",
   *     "not applied (...)" or "failed (...)"
   */
  public static synchronized String apply() {
    if (status == null) {
      status = decide();
      LOG.debug("huge pages: {}", status);
    }
    return status;
  }

  private static String decide() {
    if (!"true".equalsIgnoreCase(System.getProperty(PROPERTY, "false").trim())) {
      return "off (-D" + PROPERTY + "=true turns it on)";
    }
    String mode = kernelMode(readKernelSetting());
    if (mode == null || mode.equals("never")) {
      return "not applicable (the kernel's transparent huge pages are " + (mode == null ? "not available" : "off")
          + ")";
    }
    String error = NativeLib.load();
    if (error != null) {
      return "not applied (" + error + ")";
    }
    int r = NativeLib.enableThpAlloc();
    if (r < 0) {
      return "failed (setenv refused " + VARIABLE + ")";
    }
    if (r == 0) {
      return "kept (" + VARIABLE + " is set otherwise in the environment)";
    }
    if (MklDispatch.libtorchLoaded()) {
      return "late (" + VARIABLE + "=1 set after libtorch was loaded: it applies only if no tensor was allocated "
          + "yet; call CpuTuning.apply() first)";
    }
    return "applied (" + VARIABLE + "=1: tensors of 2 MiB and more on transparent huge pages, kernel mode " + mode
        + ")";
  }

  /**
   * Reads the kernel's mode out of the content of {@code /sys/kernel/mm/transparent_hugepage/enabled}.
   *
   * @param setting such as {@code always [madvise] never}, or null when the file could not be read
   * @return the selected mode ({@code always}, {@code madvise} or {@code never}), or null when none is marked
   */
  static String kernelMode(String setting) {
    if (setting == null) {
      return null;
    }
    Matcher m = SELECTED.matcher(setting);
    return m.find() ? m.group(1) : null;
  }

  private static String readKernelSetting() {
    try {
      return Files.readString(KERNEL_SETTING, StandardCharsets.UTF_8);
    } catch (IOException | RuntimeException e) {
      return null;
    }
  }
}
