package io.github.sipf4j.examples.run;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * The process's peak resident memory on Linux ({@code VmHWM} of {@code /proc/self/status}), which can be reset
 * ({@code /proc/self/clear_refs}) so that each measurement reads its own peak. Elsewhere both are no-ops and the peak
 * reads -1.
 */
final class Memory {

  private static final Path STATUS = Path.of("/proc/self/status");
  private static final Path CLEAR_REFS = Path.of("/proc/self/clear_refs");

  private Memory() {}

  /** Resets the peak to the current resident size, where the system allows it. */
  static void resetPeak() {
    try {
      Files.writeString(CLEAR_REFS, "5");
    } catch (IOException | UnsupportedOperationException | SecurityException e) {
      // not Linux, or not allowed: the peak then covers the process's whole life so far
    }
  }

  /**
   * Returns the peak resident memory since the last reset.
   *
   * @return bytes, or -1 where it cannot be read
   */
  static long peak() {
    try {
      for (String line : Files.readAllLines(STATUS)) {
        if (line.startsWith("VmHWM:")) {
          String[] parts = line.substring(6).trim().split("\\s+");
          return Long.parseLong(parts[0]) * 1024;
        }
      }
    } catch (IOException | RuntimeException e) {
      return -1;
    }
    return -1;
  }
}
