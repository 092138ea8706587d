package io.github.sipf4j.orpo.util;

import java.util.Arrays;
import java.util.OptionalInt;

/**
 * Run by {@link HeapOnlyRelaunchTest} in a fresh JVM: relaunches itself with one heap when that applies, and the
 * process that goes on prints one line {@code heapOnly=... child=... args=[...]} and exits with status 7.
 */
public final class HeapOnlyRelaunchProbe {

  private HeapOnlyRelaunchProbe() {}

  /**
   * Relaunches or reports.
   *
   * @param args echoed back
   */
  public static void main(String[] args) {
    OptionalInt child = HeapOnlyRelaunch.relaunchIfNeeded();
    if (child.isPresent()) {
      System.exit(child.getAsInt());
    }
    System.out.println("heapOnly=" + MallocTuning.heapOnly() + " child="
        + (System.getenv(HeapOnlyRelaunch.MARKER) != null) + " tunables=" + System.getenv("GLIBC_TUNABLES")
        + " args=" + Arrays.toString(args));
    System.exit(7);
  }
}
