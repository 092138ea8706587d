package io.github.sipf4j.prm.rollout;

import java.nio.charset.StandardCharsets;

/**
 * The keys of the loop's random streams. Every draw of a rollout is keyed by what it is about, never by where it sits
 * in a list: a phase's seed comes from {@code (run seed, iteration, purpose)}, sample {@code s} of a task draws from
 * the stream of {@code (phase seed, task id, s)}, and the {@code K} completions of step {@code j} of that sample in
 * the Monte-Carlo simulation from the stream of {@code (phase seed, task id, s, j)} ({@link #sample} and
 * {@link io.github.sipf4j.prm.process.RolloutSimulator#prefixKey}). Splitting a phase's tasks
 * across partitions, machines or batches, or reordering them, therefore draws the same numbers.
 *
 * <p>The derivations are part of the file format of a run: a later release that changed them would sample other
 * rationales when it resumes an unfinished iteration. They use the SplitMix64 finaliser and, for task ids, the
 * 64-bit FNV-1a hash of the id's UTF-8 bytes.
 */
public final class StreamKeys {

  private StreamKeys() {}

  /**
   * Returns the seed of one phase of one iteration (the same value earlier releases used, so that training seeds
   * did not change).
   *
   * @param runSeed the run's seed
   * @param iteration the iteration, from 1 (0 for the starting policy)
   * @param purpose what the seed is for, such as {@code "sample"} or {@code "simulate"}
   * @return the seed
   */
  public static long phaseSeed(long runSeed, int iteration, String purpose) {
    long h = runSeed * 0x9E3779B97F4A7C15L + iteration * 0xBF58476D1CE4E5B9L + purpose.hashCode();
    h ^= h >>> 31;
    h *= 0x94D049BB133111EBL;
    return h ^ (h >>> 29);
  }

  /**
   * Returns the stream key of a task: the samples of the task draw from {@code (phase seed, key, sample index)}.
   *
   * @param taskId the task's id
   * @return the key
   */
  public static long task(String taskId) {
    long h = 0xCBF29CE484222325L;
    for (byte b : taskId.getBytes(StandardCharsets.UTF_8)) {
      h ^= b & 0xFF;
      h *= 0x100000001B3L;
    }
    return mix(h);
  }

  /**
   * Returns the stream key of one sample of a task in the Monte-Carlo simulation: the completions of its step
   * {@code j} draw from {@code (phase seed, RolloutSimulator.prefixKey(key, j), completion index)}.
   *
   * @param taskId the task's id
   * @param sample the sample's index among the task's samples
   * @return the key
   */
  public static long sample(String taskId, int sample) {
    return mix(task(taskId) + 0x9E3779B97F4A7C15L * (sample + 1L));
  }

  /**
   * Returns a seeded rank of one sample of one task, for choosing a seeded subset (the lowest ranks) without
   * shuffling a list: the choice of a sample then depends on its key alone.
   *
   * @param seed the seed of the choice (a {@link #phaseSeed})
   * @param taskId the task's id
   * @param sample the sample's index among the task's samples, or 0 when tasks are ranked
   * @return the rank, to be compared as a signed long
   */
  public static long rank(long seed, String taskId, int sample) {
    return mix(seed ^ mix(task(taskId) + 0x632BE59BD9B4E019L * (sample + 1L)));
  }

  /** The SplitMix64 finaliser. */
  private static long mix(long z) {
    z = (z ^ (z >>> 30)) * 0xBF58476D1CE4E5B9L;
    z = (z ^ (z >>> 27)) * 0x94D049BB133111EBL;
    return z ^ (z >>> 31);
  }
}
