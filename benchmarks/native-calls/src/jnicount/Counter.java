package jnicount;

import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.ConcurrentHashMap;

/** The counts of {@link Agent}: calls per native method while counting is on. */
public final class Counter {

  private static volatile boolean counting;
  private static final Map<String, long[]> COUNTS = new ConcurrentHashMap<>();

  private Counter() {}

  /**
   * Counts one call (called by the wrapped methods).
   *
   * @param method the native method's name
   */
  public static void hit(String method) {
    if (counting) {
      COUNTS.computeIfAbsent(method, k -> new long[1])[0]++;
    }
  }

  /** Clears the counts and starts counting. */
  public static void start() {
    COUNTS.clear();
    counting = true;
  }

  /**
   * Stops counting.
   *
   * @return the calls per native method since {@link #start()}
   */
  public static Map<String, Long> stop() {
    counting = false;
    Map<String, Long> out = new TreeMap<>();
    COUNTS.forEach((k, v) -> out.put(k, v[0]));
    return out;
  }

  /**
   * Sums counts.
   *
   * @param counts calls per method
   * @return all calls
   */
  public static long total(Map<String, Long> counts) {
    return counts.values().stream().mapToLong(Long::longValue).sum();
  }
}
