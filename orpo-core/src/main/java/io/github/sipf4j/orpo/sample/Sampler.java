package io.github.sipf4j.orpo.sample;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.NDScope;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import com.google.common.base.Preconditions;
import io.github.sipf4j.orpo.model.CausalLm;
import io.github.sipf4j.orpo.model.KvCache;
import io.github.sipf4j.orpo.text.PromptTemplate;
import io.github.sipf4j.orpo.text.SequenceEncoder;
import io.github.sipf4j.orpo.text.TextTokenizer;
import io.github.sipf4j.orpo.util.ProgressBar;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Comparator;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.SplittableRandom;

/**
 * Samples continuations of many prompts from any {@link CausalLm}, many samples per prompt, in batches.
 *
 * <p>How a job runs. The rows (one per prompt and sample index) are sorted by prompt length and cut into chunks of
 * at most {@link SamplingConfig#batchSize()} rows and {@link SamplingConfig#maxBatchTokens()} tokens. Prompts of a
 * chunk are left-padded to a common length (the model derives positions from the attention mask, so padding does
 * not change the logits of real tokens). When the model {@linkplain CausalLm#supportsKvCache() has a key/value
 * cache} (and {@link SamplingConfig#useKvCache()} is on), each distinct prompt of the chunk is encoded once, its
 * cache row is duplicated for its samples with {@link KvCache#selectRows}, and every step then feeds one token per
 * row; rows that finished are dropped from the cache once they are at least
 * {@link SamplingConfig#compactThreshold()} of it. A chunk's padded cache holds at most the model's maximum length:
 * a row whose prompt is shorter than the chunk's longest may be allowed more new tokens than the chunk has room
 * for, and if it is still running when the room is used up it goes on in a later chunk, from a prefill of its prompt
 * and the tokens it generated (so prompts of many lengths still share chunks). A model without a cache, such as a
 * TorchScript export, takes the
 * other path: the full forward pass over prompt plus generated tokens at every step, with finished rows dropped from
 * the batch at once. Both paths give the same tokens up to floating-point rounding. Each generated token runs in its
 * own {@link NDScope}, so native memory does not grow with the number of tokens.
 *
 * <p>How a token is drawn, on the device that holds the logits. The logits are divided by the temperature, filtered
 * by top-k and top-p (Hugging Face's order), and the token is drawn exactly from the softmax of what is left by
 * inverse-CDF sampling with one uniform number per row: the first token whose running sum of weights reaches
 * {@code u} times their total. Temperature 0 takes the plain argmax. Per step the host uploads one number per row and
 * reads back one small array (the chosen ids and their log-probabilities); see {@code TokenChooser} for the details
 * and why this method, and {@link Sample} for the two log-probabilities recorded per token.
 *
 * <p>Determinism: same seed, same device, same output. Sample {@code s} of prompt {@code p} draws its uniforms
 * {@code u} from its own {@link SplittableRandom} seeded from {@code (seed, p, s)} (or from the caller's stream key
 * instead of {@code p}), one number per generated token, so the result does not depend on the batch size, the
 * chunking, compaction or the other prompts. (The logits themselves may differ in the last bits between batch
 * shapes; that flips a token only when {@code u} falls within that rounding of a boundary between two tokens.)
 *
 * <p>Stop conditions, checked after every token: a stop token id ends the sample and is kept in the token ids but
 * not in the text; by default every id of {@link TextTokenizer#eosIds()} stops (a Hugging Face folder may list
 * several, such as Llama 3 Instruct's end of text and end of turn), as do the ids of
 * {@link SamplingConfig#stopTokenIds()}; a stop string is searched in the text decoded incrementally (constant work per
 * token) and ends the sample at its first occurrence, the text keeping the stop string; otherwise the sample ends at
 * {@link SamplingConfig#maxNewTokens()} or at the model's maximum length.
 *
 * <pre>{@code
 * try (TextTokenizer tok = TextTokenizer.characterLevel();
 *      DecoderLm lm = DecoderLm.create(DecoderConfig.builder().vocabSize(tok.vocabSize()).build(), Device.cpu(), 1)) {
 *   Sampler sampler = new Sampler(lm, tok);
 *   SamplingConfig config = SamplingConfig.builder().samplesPerPrompt(4).temperature(1f).maxNewTokens(64).build();
 *   for (Sample s : sampler.sample(List.of("Q: 2+3\nA:\n"), config)) {
 *     System.out.println(s.finishReason() + " " + s.meanLogProb() + " " + s.text());
 *   }
 * }
 * }</pre>
 *
 * <p>A sampler is not thread-safe (nor are the models); it holds no native memory itself.
 */
public final class Sampler {

  private final CausalLm model;
  private final SequenceEncoder encoder;
  private final TextTokenizer tokenizer;

  /**
   * Creates a sampler that encodes text prompts the way {@code encoder} encodes training prompts.
   *
   * @param model the model to sample from
   * @param encoder encodes prompts ({@link SequenceEncoder#encodePrompt}) and holds the tokenizer that decodes
   */
  public Sampler(CausalLm model, SequenceEncoder encoder) {
    this.model = Preconditions.checkNotNull(model, "model");
    this.encoder = Preconditions.checkNotNull(encoder, "encoder");
    this.tokenizer = encoder.tokenizer();
  }

  /**
   * Creates a sampler whose text prompts are encoded by a {@link SequenceEncoder} with the default prompt template:
   * BOS followed by the prompt's tokens when the tokenizer {@linkplain TextTokenizer#addsBos() adds BOS}, the
   * prompt's tokens alone when it does not (as for Qwen2's tokenizer).
   *
   * @param model the model to sample from
   * @param tokenizer the tokenizer of the model
   */
  public Sampler(CausalLm model, TextTokenizer tokenizer) {
    this(model, new SequenceEncoder(tokenizer, PromptTemplate.DEFAULT, Math.max(2, model.maxLength())));
  }

  /**
   * Returns the model.
   *
   * @return the model sampled from
   */
  public CausalLm model() {
    return model;
  }

  /**
   * Encodes a text prompt as this sampler does in {@link #sample(List, SamplingConfig)}.
   *
   * @param prompt the prompt text (already formatted)
   * @return the prompt ids, BOS included when the encoder adds it
   */
  public long[] encodePrompt(String prompt) {
    return encoder.encodePrompt(prompt);
  }

  /**
   * Samples {@link SamplingConfig#samplesPerPrompt()} continuations of each text prompt.
   *
   * @param prompts the prompt texts (already formatted, e.g. by a {@link PromptTemplate})
   * @param config how to sample
   * @return the samples ordered by prompt index, then sample index
   */
  public List<Sample> sample(List<String> prompts, SamplingConfig config) {
    return sample(prompts, config, null);
  }

  /**
   * Samples {@link SamplingConfig#samplesPerPrompt()} continuations of each text prompt, reporting to a listener.
   *
   * @param prompts the prompt texts (already formatted)
   * @param config how to sample
   * @param listener notified of every finished sample and every step; may be null
   * @return the samples ordered by prompt index, then sample index
   */
  public List<Sample> sample(List<String> prompts, SamplingConfig config, SamplingListener listener) {
    List<long[]> ids = new ArrayList<>(prompts.size());
    for (String p : prompts) {
      ids.add(encodePrompt(p));
    }
    return sampleIds(ids, config, listener);
  }

  /**
   * Samples {@link SamplingConfig#samplesPerPrompt()} continuations of each prompt given as token ids.
   *
   * @param promptIds the prompts as token ids (special tokens included as the model expects them); none empty
   * @param config how to sample
   * @return the samples ordered by prompt index, then sample index
   */
  public List<Sample> sampleIds(List<long[]> promptIds, SamplingConfig config) {
    return sampleIds(promptIds, config, null);
  }

  /**
   * Samples {@link SamplingConfig#samplesPerPrompt()} continuations of each prompt given as token ids, reporting to
   * a listener.
   *
   * @param promptIds the prompts as token ids (special tokens included as the model expects them); none empty
   * @param config how to sample
   * @param listener notified of every finished sample and every step; may be null
   * @return the samples ordered by prompt index, then sample index
   * @throws IllegalArgumentException if a prompt is empty, holds an id outside the vocabulary or leaves no room
   *     for a new token within the model's maximum length
   */
  public List<Sample> sampleIds(List<long[]> promptIds, SamplingConfig config, SamplingListener listener) {
    Preconditions.checkNotNull(config, "config");
    return new Job(promptIds, null, config, listener).run();
  }

  /**
   * Samples prompts given as token ids whose random streams are keyed by the caller: sample {@code s} of prompt
   * {@code p} draws from the stream of {@code (seed, streamKeys[p], s)} instead of {@code (seed, p, s)}, so the same
   * prompt with the same key gets the same samples whatever else is in the request (the Monte-Carlo simulator keys
   * prefixes by rationale and step, so that early stop does not change the completions of the steps it keeps).
   *
   * @param promptIds the prompts as token ids
   * @param streamKeys one key per prompt
   * @param config how to sample
   * @param listener notified of every finished sample and every step; may be null
   * @return the samples ordered by prompt index, then sample index
   */
  public List<Sample> sampleIds(
      List<long[]> promptIds, List<Long> streamKeys, SamplingConfig config, SamplingListener listener) {
    Preconditions.checkNotNull(config, "config");
    Preconditions.checkArgument(streamKeys.size() == promptIds.size(), "one stream key per prompt: %s keys, %s "
        + "prompts", streamKeys.size(), promptIds.size());
    return new Job(promptIds, streamKeys, config, listener).run();
  }

  /**
   * Samples {@code k} continuations of each prefix with caller-keyed random streams (see
   * {@link #sampleIds(List, List, SamplingConfig, SamplingListener)}).
   *
   * @param prefixIds the prefixes as token ids
   * @param streamKeys one key per prefix
   * @param k the continuations per prefix (overrides {@link SamplingConfig#samplesPerPrompt()})
   * @param config how to sample
   * @param listener notified of every finished sample and every step; may be null
   * @return the continuations ordered by prefix index, then continuation index
   */
  public List<Sample> sampleContinuationIds(
      List<long[]> prefixIds, List<Long> streamKeys, int k, SamplingConfig config, SamplingListener listener) {
    return sampleIds(prefixIds, streamKeys, config.toBuilder().samplesPerPrompt(k).build(), listener);
  }

  /**
   * Samples {@code k} continuations of each (prompt + partial response) prefix, the Monte-Carlo inference
   * simulation of SIPF: the prefix ids are {@code encodePrompt(prompt)} followed by the tokens of the partial
   * response. Each prefix is encoded once and its cache row duplicated {@code k} times. Because a partial response
   * tokenised alone may split differently from the same text inside a longer response, prefer
   * {@link #sampleContinuationIds} with the exact ids of the rationale when the tokenizer is not character-level.
   *
   * @param prompt the prompt text (already formatted)
   * @param partialResponses the partial responses (for example the first 1, 2, ... steps of one rationale)
   * @param k the continuations per prefix (overrides {@link SamplingConfig#samplesPerPrompt()})
   * @param config how to sample
   * @return the continuations ordered by prefix index, then continuation index; the text holds the new tokens only
   */
  public List<Sample> sampleContinuations(
      String prompt, List<String> partialResponses, int k, SamplingConfig config) {
    long[] p = encodePrompt(prompt);
    List<long[]> prefixes = new ArrayList<>(partialResponses.size());
    for (String partial : partialResponses) {
      long[] r = tokenizer.encode(partial);
      long[] ids = Arrays.copyOf(p, p.length + r.length);
      System.arraycopy(r, 0, ids, p.length, r.length);
      prefixes.add(ids);
    }
    return sampleContinuationIds(prefixes, k, config, null);
  }

  /**
   * Samples {@code k} continuations of each prefix given as exact token ids (prompt ids followed by the ids of a
   * partial response). Each prefix is encoded once (all prefixes of a chunk in one batch) and its cache row is
   * duplicated {@code k} times with {@link KvCache#selectRows}. The result equals
   * {@link #sampleIds(List, SamplingConfig)} on the same prefixes with {@code samplesPerPrompt = k}.
   *
   * @param prefixIds the prefixes as token ids
   * @param k the continuations per prefix (overrides {@link SamplingConfig#samplesPerPrompt()})
   * @param config how to sample
   * @return the continuations ordered by prefix index, then continuation index
   */
  public List<Sample> sampleContinuationIds(List<long[]> prefixIds, int k, SamplingConfig config) {
    return sampleContinuationIds(prefixIds, k, config, null);
  }

  /**
   * Samples {@code k} continuations of each prefix given as exact token ids, reporting to a listener.
   *
   * @param prefixIds the prefixes as token ids
   * @param k the continuations per prefix (overrides {@link SamplingConfig#samplesPerPrompt()})
   * @param config how to sample
   * @param listener notified of every finished sample and every step; may be null
   * @return the continuations ordered by prefix index, then continuation index
   */
  public List<Sample> sampleContinuationIds(
      List<long[]> prefixIds, int k, SamplingConfig config, SamplingListener listener) {
    return sampleIds(prefixIds, config.toBuilder().samplesPerPrompt(k).build(), listener);
  }

  /**
   * Groups samples (as returned by this class) by prompt.
   *
   * @param samples the samples ordered by prompt index, then sample index
   * @param prompts the number of prompts
   * @return one list per prompt, in prompt order
   */
  public static List<List<Sample>> byPrompt(List<Sample> samples, int prompts) {
    List<List<Sample>> out = new ArrayList<>(prompts);
    for (int i = 0; i < prompts; i++) {
      out.add(new ArrayList<>());
    }
    for (Sample s : samples) {
      out.get(s.promptIndex()).add(s);
    }
    return out;
  }

  /** Seeds the stream of sample {@code s} of prompt {@code p} (SplitMix64 finaliser over the three values). */
  static long rowSeed(long seed, long prompt, int sample) {
    long z = seed;
    z = mix(z + 0x9E3779B97F4A7C15L * (prompt + 1L));
    z = mix(z + 0xC2B2AE3D27D4EB4FL * (sample + 1L));
    return z;
  }

  private static long mix(long z) {
    z = (z ^ (z >>> 30)) * 0xBF58476D1CE4E5B9L;
    z = (z ^ (z >>> 27)) * 0x94D049BB133111EBL;
    return z ^ (z >>> 31);
  }

  /** One sample being generated. */
  private static final class Row {
    final int promptIndex;
    final int sampleIndex;
    final int resultIndex;
    final long[] prompt;
    final int limit;
    final SplittableRandom rng;
    final long[] tokens;
    final float[] logProbs;
    final float[] samplingLogProbs;
    final IncrementalDetokenizer detokenizer;
    int count;
    boolean finished;

    Row(int promptIndex, int sampleIndex, int resultIndex, long[] prompt, int limit, SplittableRandom rng,
        IncrementalDetokenizer detokenizer) {
      this.promptIndex = promptIndex;
      this.sampleIndex = sampleIndex;
      this.resultIndex = resultIndex;
      this.prompt = prompt;
      this.limit = limit;
      this.rng = rng;
      this.tokens = new long[limit];
      this.logProbs = new float[limit];
      this.samplingLogProbs = new float[limit];
      this.detokenizer = detokenizer;
    }

    long lastToken() {
      return count == 0 ? prompt[prompt.length - 1] : tokens[count - 1];
    }

    /** The tokens the row's next prefill reads: the prompt and what was generated so far. */
    int context() {
      return prompt.length + count;
    }

    /** The tokens the row may still generate. */
    int remaining() {
      return limit - count;
    }

    /** The prompt followed by the tokens generated so far. */
    long[] contextIds() {
      if (count == 0) {
        return prompt;
      }
      long[] ids = Arrays.copyOf(prompt, prompt.length + count);
      System.arraycopy(tokens, 0, ids, prompt.length, count);
      return ids;
    }

    /** The next uniform of this row's stream, in (0, 1) with 53 random bits. */
    double nextUniform() {
      return ((rng.nextLong() >>> 11) + 0.5) * 0x1p-53;
    }
  }

  /** One call: the rows, their chunks, the counters and the results. */
  private final class Job {
    private final SamplingConfig config;
    private final SamplingListener listener;
    private final List<long[]> prompts;
    private final int vocab;
    private final boolean[] stopIds;
    private final int longestStop;
    private final Sample[] results;
    private final boolean cached;
    private long finishedSamples;
    private long generatedTokens;
    private ProgressBar progress;
    private TokenChooser chooser;
    private long startNanos;

    private final List<Long> streamKeys;

    Job(List<long[]> promptIds, List<Long> streamKeys, SamplingConfig config, SamplingListener listener) {
      this.streamKeys = streamKeys == null ? null : List.copyOf(streamKeys);
      this.config = config;
      this.listener = listener;
      this.prompts = List.copyOf(Preconditions.checkNotNull(promptIds, "promptIds"));
      this.vocab = model.vocabSize();
      this.stopIds = new boolean[vocab];
      if (config.stopAtEos()) {
        markStops(tokenizer.eosIds());
      }
      markStops(config.stopTokenIds().stream().mapToLong(Long::longValue).toArray());
      this.longestStop = config.stopStrings().stream().mapToInt(String::length).max().orElse(0);
      this.results = new Sample[prompts.size() * config.samplesPerPrompt()];
      this.cached = config.useKvCache() && model.supportsKvCache();
      for (int i = 0; i < prompts.size(); i++) {
        long[] p = prompts.get(i);
        Preconditions.checkArgument(p != null && p.length > 0, "prompt %s is empty", i);
        Preconditions.checkArgument(p.length < model.maxLength(),
            "prompt %s has %s tokens and leaves no room below the model's maxLength %s", i,
            p == null ? 0 : p.length, model.maxLength());
        for (long id : p) {
          Preconditions.checkArgument(id >= 0 && id < vocab, "prompt %s holds id %s outside the vocabulary", i, id);
        }
      }
    }

    List<Sample> run() {
      List<Row> rows = new ArrayList<>(results.length);
      int n = config.samplesPerPrompt();
      for (int p = 0; p < prompts.size(); p++) {
        long[] prompt = prompts.get(p);
        int limit = Math.min(config.maxNewTokens(), model.maxLength() - prompt.length);
        for (int s = 0; s < n; s++) {
          SplittableRandom rng = config.greedy() ? null : new SplittableRandom(rowSeed(config.seed(), streamKeys == null ? p : streamKeys.get(p), s));
          IncrementalDetokenizer detok =
              longestStop > 0 ? new IncrementalDetokenizer(tokenizer, prompt, limit) : null;
          rows.add(new Row(p, s, p * n + s, prompt, limit, rng, detok));
        }
      }
      rows.sort(Comparator.comparingInt(r -> r.prompt.length));
      startNanos = System.nanoTime();
      progress = new ProgressBar("sampling", results.length, "seq", config.showProgress());
      try {
        chooser = new TokenChooser(model.getManager(), config, vocab);
        List<Row> pending = rows;
        while (!pending.isEmpty()) {
          List<Row> spilled = new ArrayList<>();
          for (List<Row> chunk : chunks(pending)) {
            if (cached) {
              runCached(chunk, spilled);
            } else {
              runUncached(chunk);
            }
          }
          // Rows whose chunk's padded cache reached the model's maximum length go on from their own context.
          spilled.sort(Comparator.comparingInt(Row::context));
          pending = spilled;
        }
      } finally {
        if (chooser != null) {
          chooser.close();
        }
        progress.close();
      }
      return List.of(results);
    }

    /** Cuts the rows (sorted by prompt length) into chunks that respect the batch and memory bounds. */
    private List<List<Row>> chunks(List<Row> rows) {
      List<List<Row>> out = new ArrayList<>();
      List<Row> current = new ArrayList<>();
      int longest = 0;
      int steps = 0;
      for (Row r : rows) {
        int l = Math.max(longest, r.context());
        int s = Math.max(steps, r.remaining());
        long size = current.size() + 1L;
        // A chunk's padded length never passes the model's maximum: a row that would need more steps than its
        // chunk has room for is spilled when the room runs out and goes on in a later chunk (see runCached).
        boolean fits = size <= config.batchSize()
            && size * Math.min(l + s, model.maxLength()) <= config.maxBatchTokens();
        if (!current.isEmpty() && !fits) {
          out.add(current);
          current = new ArrayList<>();
          l = r.context();
          s = r.remaining();
        }
        current.add(r);
        longest = l;
        steps = s;
      }
      if (!current.isEmpty()) {
        out.add(current);
      }
      return out;
    }

    /**
     * Runs a chunk with the KV cache: one prefill of its distinct contexts, then one token per active row and step.
     * When the padded cache reaches the model's maximum length before every row has finished, the rows still
     * active go to {@code spilled}, to go on from their own context in a later chunk.
     */
    private void runCached(List<Row> chunk, List<Row> spilled) {
      Map<Integer, Integer> uniqueOf = new HashMap<>();
      List<long[]> unique = new ArrayList<>();
      int[] rowToUnique = new int[chunk.size()];
      for (int i = 0; i < chunk.size(); i++) {
        Row r = chunk.get(i);
        // Rows of one prompt share its prefill until they have tokens of their own (a spilled row).
        int key = r.count == 0 ? r.promptIndex : -1 - r.resultIndex;
        Integer u = uniqueOf.get(key);
        if (u == null) {
          u = unique.size();
          uniqueOf.put(key, u);
          unique.add(r.contextIds());
        }
        rowToUnique[i] = u;
      }
      Row[] live = chunk.toArray(new Row[0]);
      int longest = 0;
      int steps = 0;
      for (Row r : live) {
        longest = Math.max(longest, r.context());
        steps = Math.max(steps, r.remaining());
      }
      try (NDManager m = model.getManager().newSubManager();
          KvCache cache = model.newCache(unique.size())) {
        cache.reserve(Math.min(longest + steps, model.maxLength()));
        try (NDScope scope = new NDScope()) {
          scope.suppressNotUsedWarning();
          NDArray[] batch = leftPadded(m, unique);
          NDArray logits = model.forwardCached(batch[0], batch[1], cache);
          NDArray last = logits.get(":, -1, :");
          if (unique.size() != live.length) {
            last = last.get(m.create(toLongs(rowToUnique)));
            cache.selectRows(rowToUnique);
          }
          choose(last, live, live.length);
        }
        // One mask of ones serves every step until compaction changes the number of rows.
        NDArray ones = null;
        int onesRows = 0;
        while (true) {
          afterStep(live);
          int active = 0;
          for (Row r : live) {
            active += r.finished ? 0 : 1;
          }
          if (active == 0) {
            return;
          }
          if (cache.length() >= model.maxLength()) {
            for (Row r : live) {
              if (!r.finished) {
                spilled.add(r);
              }
            }
            return;
          }
          Row[] activeRows = new Row[active];
          int[] positions = new int[active];
          for (int i = 0, j = 0; i < live.length; i++) {
            if (!live[i].finished) {
              activeRows[j] = live[i];
              positions[j++] = i;
            }
          }
          if (config.compactFinished() && live.length - active >= config.compactThreshold() * live.length) {
            cache.selectRows(positions);
            live = activeRows;
            for (int i = 0; i < active; i++) {
              positions[i] = i;
            }
          }
          Shape shape = new Shape(live.length, 1);
          if (onesRows != live.length) {
            if (ones != null) {
              ones.close();
            }
            ones = m.ones(shape, DataType.INT64);
            NDScope.unregister(ones);
            onesRows = live.length;
          }
          try (NDScope scope = new NDScope()) {
            scope.suppressNotUsedWarning();
            long[] next = new long[live.length];
            for (int i = 0; i < live.length; i++) {
              next[i] = live[i].lastToken();
            }
            NDArray logits = model.forwardCached(m.create(next, shape), ones, cache);
            NDArray last = logits.reshape(live.length, vocab);
            if (active != live.length) {
              last = last.get(m.create(toLongs(positions)));
            }
            choose(last, activeRows, active);
          }
        }
      }
    }

    private void runUncached(List<Row> chunk) {
      Row[] active = chunk.toArray(new Row[0]);
      try (NDManager m = model.getManager().newSubManager()) {
        while (active.length > 0) {
          try (NDScope scope = new NDScope()) {
            scope.suppressNotUsedWarning();
            List<long[]> seqs = new ArrayList<>(active.length);
            for (Row r : active) {
              long[] s = Arrays.copyOf(r.prompt, r.prompt.length + r.count);
              System.arraycopy(r.tokens, 0, s, r.prompt.length, r.count);
              seqs.add(s);
            }
            NDArray[] batch = leftPadded(m, seqs);
            NDArray logits = model.forward(batch[0], batch[1], false);
            choose(logits.get(":, -1, :"), active, active.length);
          }
          afterStep(active);
          active = Arrays.stream(active).filter(r -> !r.finished).toArray(Row[]::new);
        }
      }
    }

    /** Left-pads sequences with the PAD id; returns int64 ids and mask of shape (rows, longest). */
    private NDArray[] leftPadded(NDManager m, List<long[]> seqs) {
      int width = 0;
      for (long[] s : seqs) {
        width = Math.max(width, s.length);
      }
      long[] ids = new long[seqs.size() * width];
      long[] mask = new long[ids.length];
      long pad = tokenizer.padId() >= 0 && tokenizer.padId() < vocab ? tokenizer.padId() : 0;
      for (int i = 0; i < seqs.size(); i++) {
        long[] s = seqs.get(i);
        int offset = i * width + width - s.length;
        Arrays.fill(ids, i * width, offset, pad);
        System.arraycopy(s, 0, ids, offset, s.length);
        Arrays.fill(mask, offset, offset + s.length, 1L);
      }
      Shape shape = new Shape(seqs.size(), width);
      return new NDArray[] {m.create(ids, shape), m.create(mask, shape)};
    }

    /**
     * Draws one token for each of the first {@code count} rows from their next-token logits (count, vocab), and
     * records it.
     */
    private void choose(NDArray logits, Row[] rows, int count) {
      double[] uniforms = null;
      if (!config.greedy()) {
        uniforms = new double[count];
        for (int i = 0; i < count; i++) {
          uniforms[i] = rows[i].nextUniform();
        }
      }
      TokenChooser.Choices c = chooser.choose(logits, uniforms);
      for (int i = 0; i < count; i++) {
        accept(rows[i], c.tokens[i], c.logProbs[i], c.samplingLogProbs[i]);
      }
    }

    private void accept(Row r, long token, float logProb, float samplingLogProb) {
      r.tokens[r.count] = token;
      r.logProbs[r.count] = logProb;
      r.samplingLogProbs[r.count] = samplingLogProb;
      r.count++;
      generatedTokens++;
      if (token >= 0 && token < vocab && stopIds[(int) token]) {
        finish(r, FinishReason.EOS, null);
        return;
      }
      if (r.detokenizer != null) {
        int before = r.detokenizer.append(token);
        StringBuilder text = r.detokenizer.text();
        int end = firstStopEnd(text, before);
        if (end >= 0) {
          finish(r, FinishReason.STOP, text.substring(0, end));
          return;
        }
      }
      if (r.count == r.limit) {
        finish(r, FinishReason.LENGTH, null);
      }
    }

    /** Marks the ids that end a sample; ids outside the vocabulary can never be sampled and are left out. */
    private void markStops(long[] ids) {
      for (long id : ids) {
        if (id >= 0 && id < vocab) {
          stopIds[(int) id] = true;
        }
      }
    }

    /** Returns the end of the earliest stop string completed by text added from {@code before}, or -1. */
    private int firstStopEnd(StringBuilder text, int before) {
      if (text.length() == before) {
        return -1;
      }
      int from = Math.max(0, before - longestStop + 1);
      int best = -1;
      for (String s : config.stopStrings()) {
        int at = text.indexOf(s, from);
        if (at >= 0 && (best < 0 || at + s.length() < best)) {
          best = at + s.length();
        }
      }
      return best;
    }

    private void finish(Row r, FinishReason reason, String text) {
      r.finished = true;
      int textTokens = reason == FinishReason.EOS ? r.count - 1 : r.count;
      String t = text != null ? text : IncrementalDetokenizer.decodeAll(tokenizer, r.prompt, r.tokens, textTokens);
      Sample s = new Sample(r.promptIndex, r.sampleIndex, Arrays.copyOf(r.tokens, r.count), t,
          Arrays.copyOf(r.logProbs, r.count), Arrays.copyOf(r.samplingLogProbs, r.count), reason);
      results[r.resultIndex] = s;
      finishedSamples++;
      if (listener != null) {
        listener.onSample(s);
      }
    }

    private void afterStep(Row[] rows) {
      int active = 0;
      for (Row r : rows) {
        active += r.finished ? 0 : 1;
      }
      if (listener != null) {
        listener.onStep(active, finishedSamples, results.length, generatedTokens);
      }
      if (!config.showProgress()) {
        return;
      }
      double seconds = Math.max(1e-9, (System.nanoTime() - startNanos) / 1e9);
      progress.update(finishedSamples, String.format(Locale.ROOT, "%.0f tok/s", generatedTokens / seconds));
    }
  }

  private static long[] toLongs(int[] a) {
    long[] out = new long[a.length];
    for (int i = 0; i < a.length; i++) {
      out[i] = a[i];
    }
    return out;
  }
}
