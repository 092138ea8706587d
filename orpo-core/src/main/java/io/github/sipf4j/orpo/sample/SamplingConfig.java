package io.github.sipf4j.orpo.sample;

import com.google.common.base.Preconditions;
import java.util.List;
import java.util.Set;

/**
 * How a {@link Sampler} generates: an immutable value built with {@link #builder()}.
 *
 * <p>Defaults (each named once, here): {@code temperature} 1 (sample from the model's distribution; 0 is greedy),
 * {@code topK} 0 (off), {@code topP} 1 (off), {@code maxNewTokens} 256, {@code stopStrings} none, {@code stopAtEos}
 * true, {@code stopTokenIds} none, {@code samplesPerPrompt} 1, {@code seed} 42, {@code batchSize} 64 rows,
 * {@code maxBatchTokens} 65536, {@code useKvCache} true, {@code compactFinished} true, {@code compactThreshold} 0.25,
 * {@code showProgress} false.
 *
 * <p>Filtering follows Hugging Face's order: the logits are divided by the temperature, top-k keeps the {@code topK}
 * highest, then top-p keeps the smallest set of the highest-probability survivors whose probability (renormalised
 * over the survivors) reaches {@code topP}; the token is drawn from the renormalised remainder. Logits equal to the
 * last one kept are kept too (Hugging Face does the same for top-k; for top-p it splits ties in sort order), so the
 * result never depends on how a sort orders equal values. A {@code topK} of at least the vocabulary size, like a
 * {@code topP} of 1, filters nothing.
 *
 * @param temperature divides the logits before sampling; 0 means greedy (the argmax, no randomness)
 * @param topK keep only the {@code topK} highest logits; 0 turns top-k off
 * @param topP nucleus sampling mass in (0, 1]; 1 turns top-p off
 * @param maxNewTokens the most tokens generated per sample (the model's maximum length may end a sample earlier)
 * @param stopStrings a sample ends when its decoded text contains one of these; the text is cut right after the
 *     first occurrence and keeps the stop string (for example {@code "\n"} to generate one reasoning step)
 * @param stopAtEos whether sampling one of the tokenizer's EOS ids ({@code TextTokenizer.eosIds()}) ends a sample
 * @param stopTokenIds further token ids that end a sample, like EOS
 * @param samplesPerPrompt how many samples to draw per prompt (N rationales per question, K continuations per
 *     prefix); the prompt is encoded once and its cache row duplicated
 * @param seed the seed; sample {@code s} of prompt {@code p} draws its randomness from its own stream derived from
 *     {@code (seed, p, s)}, so the output does not depend on the batch size or on compaction
 * @param batchSize the most rows (samples) decoded together; larger jobs are split into chunks
 * @param maxBatchTokens a memory bound: a chunk of {@code r} rows whose longest prompt has {@code L} tokens and which
 *     may generate {@code n} tokens holds at most {@code r * min(L + n, maxLength)} tokens of keys and values; a
 *     chunk is cut before it would exceed this (a single row always runs)
 * @param useKvCache whether to decode with the key/value cache when the model supports one; false forces the full
 *     forward pass at every step (the path models without a cache always take)
 * @param compactFinished whether finished rows are removed from the cached batch (so they stop costing compute)
 * @param compactThreshold the fraction of finished rows in the cached batch at which it is compacted, in (0, 1]
 * @param showProgress whether to draw a {@link io.github.sipf4j.orpo.util.ProgressBar} on standard error
 */
public record SamplingConfig(
    float temperature,
    int topK,
    float topP,
    int maxNewTokens,
    List<String> stopStrings,
    boolean stopAtEos,
    Set<Long> stopTokenIds,
    int samplesPerPrompt,
    long seed,
    int batchSize,
    long maxBatchTokens,
    boolean useKvCache,
    boolean compactFinished,
    float compactThreshold,
    boolean showProgress) {

  /**
   * Validates the configuration and makes the collections immutable.
   *
   * @param temperature the {@code temperature} component (see the record)
   * @param topK the {@code topK} component (see the record)
   * @param topP the {@code topP} component (see the record)
   * @param maxNewTokens the {@code maxNewTokens} component (see the record)
   * @param stopStrings the {@code stopStrings} component (see the record)
   * @param stopAtEos the {@code stopAtEos} component (see the record)
   * @param stopTokenIds the {@code stopTokenIds} component (see the record)
   * @param samplesPerPrompt the {@code samplesPerPrompt} component (see the record)
   * @param seed the {@code seed} component (see the record)
   * @param batchSize the {@code batchSize} component (see the record)
   * @param maxBatchTokens the {@code maxBatchTokens} component (see the record)
   * @param useKvCache the {@code useKvCache} component (see the record)
   * @param compactFinished the {@code compactFinished} component (see the record)
   * @param compactThreshold the {@code compactThreshold} component (see the record)
   * @param showProgress the {@code showProgress} component (see the record)
   */
  public SamplingConfig {
    Preconditions.checkArgument(temperature >= 0 && Float.isFinite(temperature),
        "temperature must be finite and >= 0, got %s", temperature);
    Preconditions.checkArgument(topK >= 0, "topK must be >= 0 (0 is off), got %s", topK);
    Preconditions.checkArgument(topP > 0 && topP <= 1, "topP must be in (0, 1], got %s", topP);
    Preconditions.checkArgument(maxNewTokens > 0, "maxNewTokens must be positive, got %s", maxNewTokens);
    stopStrings = List.copyOf(Preconditions.checkNotNull(stopStrings, "stopStrings"));
    for (String s : stopStrings) {
      Preconditions.checkArgument(!s.isEmpty(), "a stop string must not be empty");
    }
    stopTokenIds = Set.copyOf(Preconditions.checkNotNull(stopTokenIds, "stopTokenIds"));
    Preconditions.checkArgument(samplesPerPrompt > 0, "samplesPerPrompt must be positive, got %s",
        samplesPerPrompt);
    Preconditions.checkArgument(batchSize > 0, "batchSize must be positive, got %s", batchSize);
    Preconditions.checkArgument(maxBatchTokens > 0, "maxBatchTokens must be positive, got %s", maxBatchTokens);
    Preconditions.checkArgument(compactThreshold > 0 && compactThreshold <= 1,
        "compactThreshold must be in (0, 1], got %s", compactThreshold);
  }

  /**
   * Returns a builder holding the documented defaults.
   *
   * @return a new builder
   */
  public static Builder builder() {
    return new Builder();
  }

  /**
   * Returns a builder initialised with this configuration, to derive a variant.
   *
   * @return a builder holding this configuration's values
   */
  public Builder toBuilder() {
    Builder b = new Builder();
    b.temperature = temperature;
    b.topK = topK;
    b.topP = topP;
    b.maxNewTokens = maxNewTokens;
    b.stopStrings = stopStrings;
    b.stopAtEos = stopAtEos;
    b.stopTokenIds = stopTokenIds;
    b.samplesPerPrompt = samplesPerPrompt;
    b.seed = seed;
    b.batchSize = batchSize;
    b.maxBatchTokens = maxBatchTokens;
    b.useKvCache = useKvCache;
    b.compactFinished = compactFinished;
    b.compactThreshold = compactThreshold;
    b.showProgress = showProgress;
    return b;
  }

  /**
   * Tells whether this configuration picks the argmax instead of sampling.
   *
   * @return true when the temperature is 0
   */
  public boolean greedy() {
    return temperature == 0f;
  }

  /** Builds a {@link SamplingConfig}; the record documents every field and its default. */
  public static final class Builder {
    private float temperature = 1f;
    private int topK = 0;
    private float topP = 1f;
    private int maxNewTokens = 256;
    private List<String> stopStrings = List.of();
    private boolean stopAtEos = true;
    private Set<Long> stopTokenIds = Set.of();
    private int samplesPerPrompt = 1;
    private long seed = 42;
    private int batchSize = 64;
    private long maxBatchTokens = 65_536;
    private boolean useKvCache = true;
    private boolean compactFinished = true;
    private float compactThreshold = 0.25f;
    private boolean showProgress = false;

    private Builder() {}

    /**
     * Sets the temperature.
     *
     * @param v the temperature; 0 is greedy
     * @return this builder
     */
    public Builder temperature(float v) {
      this.temperature = v;
      return this;
    }

    /**
     * Sets top-k.
     *
     * @param v how many of the highest logits to keep; 0 is off
     * @return this builder
     */
    public Builder topK(int v) {
      this.topK = v;
      return this;
    }

    /**
     * Sets top-p.
     *
     * @param v the nucleus mass in (0, 1]; 1 is off
     * @return this builder
     */
    public Builder topP(float v) {
      this.topP = v;
      return this;
    }

    /**
     * Sets the most tokens generated per sample.
     *
     * @param v the maximum number of new tokens
     * @return this builder
     */
    public Builder maxNewTokens(int v) {
      this.maxNewTokens = v;
      return this;
    }

    /**
     * Sets the stop strings.
     *
     * @param v the strings that end a sample
     * @return this builder
     */
    public Builder stopStrings(List<String> v) {
      this.stopStrings = v;
      return this;
    }

    /**
     * Sets the stop strings.
     *
     * @param v the strings that end a sample
     * @return this builder
     */
    public Builder stopStrings(String... v) {
      this.stopStrings = List.of(v);
      return this;
    }

    /**
     * Sets whether EOS ends a sample.
     *
     * @param v true to stop at every id of the tokenizer's {@code eosIds()}
     * @return this builder
     */
    public Builder stopAtEos(boolean v) {
      this.stopAtEos = v;
      return this;
    }

    /**
     * Sets further stop token ids.
     *
     * @param v token ids that end a sample, besides EOS
     * @return this builder
     */
    public Builder stopTokenIds(Set<Long> v) {
      this.stopTokenIds = v;
      return this;
    }

    /**
     * Sets the number of samples per prompt.
     *
     * @param v samples per prompt
     * @return this builder
     */
    public Builder samplesPerPrompt(int v) {
      this.samplesPerPrompt = v;
      return this;
    }

    /**
     * Sets the seed.
     *
     * @param v the seed
     * @return this builder
     */
    public Builder seed(long v) {
      this.seed = v;
      return this;
    }

    /**
     * Sets the most rows decoded together.
     *
     * @param v the batch size in rows
     * @return this builder
     */
    public Builder batchSize(int v) {
      this.batchSize = v;
      return this;
    }

    /**
     * Sets the memory bound of one chunk.
     *
     * @param v the most rows times (prompt plus new) tokens of one chunk
     * @return this builder
     */
    public Builder maxBatchTokens(long v) {
      this.maxBatchTokens = v;
      return this;
    }

    /**
     * Sets whether to use the key/value cache when the model has one.
     *
     * @param v false forces a full forward pass per step
     * @return this builder
     */
    public Builder useKvCache(boolean v) {
      this.useKvCache = v;
      return this;
    }

    /**
     * Sets whether finished rows are removed from the cached batch.
     *
     * @param v true to compact
     * @return this builder
     */
    public Builder compactFinished(boolean v) {
      this.compactFinished = v;
      return this;
    }

    /**
     * Sets the fraction of finished rows that triggers compaction.
     *
     * @param v a fraction in (0, 1]
     * @return this builder
     */
    public Builder compactThreshold(float v) {
      this.compactThreshold = v;
      return this;
    }

    /**
     * Sets whether to draw a progress bar.
     *
     * @param v true to show progress on standard error
     * @return this builder
     */
    public Builder showProgress(boolean v) {
      this.showProgress = v;
      return this;
    }

    /**
     * Builds the configuration.
     *
     * @return the validated configuration
     * @throws IllegalArgumentException if a value is out of range
     */
    public SamplingConfig build() {
      return new SamplingConfig(temperature, topK, topP, maxNewTokens, stopStrings, stopAtEos, stopTokenIds,
          samplesPerPrompt, seed, batchSize, maxBatchTokens, useKvCache, compactFinished, compactThreshold,
          showProgress);
    }
  }
}
