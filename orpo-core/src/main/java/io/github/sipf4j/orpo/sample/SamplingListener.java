package io.github.sipf4j.orpo.sample;

/**
 * Observes a sampling job as it runs, for example to stream samples to disk or to report progress. Every method
 * has an empty default; the calls come from the sampling thread, outside any per-step {@code NDScope}.
 */
public interface SamplingListener {

  /**
   * Called once per sample, when it finishes (samples of different chunks finish in chunk order).
   *
   * @param sample the finished sample
   */
  default void onSample(Sample sample) {}

  /**
   * Called after every decoding step.
   *
   * @param activeRows the rows still generating in the current chunk
   * @param finishedSamples the samples finished so far in the whole job
   * @param totalSamples the samples of the whole job
   * @param generatedTokens the tokens generated so far in the whole job
   */
  default void onStep(int activeRows, long finishedSamples, long totalSamples, long generatedTokens) {}
}
