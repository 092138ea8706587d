package io.github.sipf4j.prm.process;

/**
 * What one {@link RolloutSimulator#label} call cost.
 *
 * @param rationales the rationales labelled
 * @param prefixesSimulated the step prefixes whose completions were sampled
 * @param prefixesSkipped the step prefixes left unsimulated by early stop or known without rollouts (gold steps)
 * @param completions the completions sampled
 * @param correctCompletions the completions verified correct
 * @param generatedTokens the tokens generated
 * @param prefixTokensEncoded the prefix tokens run through the model (each prefix once)
 * @param prefixTokensSaved the prefix tokens that were not run again thanks to prefix reuse: \( (K-1) \) times the
 *     length of every simulated prefix
 * @param seconds the wall time
 */
public record SimulationStats(
    long rationales,
    long prefixesSimulated,
    long prefixesSkipped,
    long completions,
    long correctCompletions,
    long generatedTokens,
    long prefixTokensEncoded,
    long prefixTokensSaved,
    double seconds) {

  /**
   * Returns the throughput.
   *
   * @return completions per second
   */
  public double completionsPerSecond() {
    return completions / Math.max(1e-9, seconds);
  }
}
