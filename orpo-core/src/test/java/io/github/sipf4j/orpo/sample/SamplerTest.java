package io.github.sipf4j.orpo.sample;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ai.djl.Device;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import io.github.sipf4j.orpo.model.CausalLm;
import io.github.sipf4j.orpo.model.DecoderConfig;
import io.github.sipf4j.orpo.model.DecoderLm;
import io.github.sipf4j.orpo.model.ForwardingCausalLm;
import io.github.sipf4j.orpo.model.KvCache;
import io.github.sipf4j.orpo.model.PositionEncoding;
import io.github.sipf4j.orpo.text.TextTokenizer;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Random;
import java.util.Set;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

class SamplerTest {

  static TextTokenizer tok;

  @BeforeAll
  static void setUp() {
    tok = TextTokenizer.characterLevel();
  }

  @AfterAll
  static void tearDown() {
    tok.close();
  }

  /** A tiny random decoder whose logits are spread enough (initStd 0.3) that argmax ties do not occur. */
  static DecoderLm tiny(long seed) {
    PositionEncoding pos = seed % 2 == 0 ? PositionEncoding.LEARNED : PositionEncoding.ROTARY;
    return DecoderLm.create(DecoderConfig.builder().vocabSize(tok.vocabSize()).dModel(32).layers(2).heads(4)
        .maxLength(96).positions(pos).initStd(0.3f).build(), Device.cpu(), seed);
  }

  static List<String> randomPrompts(Random r, int n) {
    String chars = "0123456789+-*= abcxyz\n";
    List<String> out = new ArrayList<>();
    for (int i = 0; i < n; i++) {
      int len = 1 + r.nextInt(14);
      StringBuilder b = new StringBuilder();
      for (int j = 0; j < len; j++) {
        b.append(chars.charAt(r.nextInt(chars.length())));
      }
      out.add(b.toString());
    }
    return out;
  }

  /** Greedy decoding by hand: the argmax of the full forward pass over the whole sequence, step by step. */
  static long[][] greedyReference(CausalLm lm, long[] prompt, int steps) {
    long[] seq = prompt.clone();
    long[] out = new long[steps];
    float[] lps = new float[steps];
    for (int i = 0; i < steps; i++) {
      try (NDManager m = lm.getManager().newSubManager()) {
        Shape shape = new Shape(1, seq.length);
        NDArray last = lm.forward(m.create(seq, shape), m.ones(shape, DataType.INT64), false)
            .get(0, seq.length - 1);
        long next = last.argMax().getLong();
        out[i] = next;
        lps[i] = last.logSoftmax(0).getFloat(next);
      }
      seq = Arrays.copyOf(seq, seq.length + 1);
      seq[seq.length - 1] = out[i];
    }
    long[] lpBits = new long[steps];
    for (int i = 0; i < steps; i++) {
      lpBits[i] = Float.floatToIntBits(lps[i]);
    }
    return new long[][] {out, lpBits};
  }

  /** Hides the key/value cache of a model, as a TorchScript model would. */
  static final class NoCacheLm extends ForwardingCausalLm {

    NoCacheLm(CausalLm inner) {
      super(inner);
    }

    @Override
    public boolean supportsKvCache() {
      return false;
    }

    @Override
    public KvCache newCache(int batchSize) {
      throw new UnsupportedOperationException("no key/value cache");
    }

    @Override
    public void save(Path dir) {
      throw new UnsupportedOperationException();
    }

    @Override
    public void close() {}
  }

  static void assertSameTokens(List<Sample> expected, List<Sample> actual, String what) {
    assertEquals(expected.size(), actual.size(), what);
    for (int i = 0; i < expected.size(); i++) {
      Sample e = expected.get(i);
      Sample a = actual.get(i);
      String msg = what + ": sample " + i + " " + e + " vs " + a;
      assertEquals(e.promptIndex(), a.promptIndex(), msg);
      assertEquals(e.sampleIndex(), a.sampleIndex(), msg);
      assertArrayEquals(e.tokenIds(), a.tokenIds(), msg);
      assertEquals(e.text(), a.text(), msg);
      assertEquals(e.finishReason(), a.finishReason(), msg);
      float[] el = e.logProbs();
      float[] al = a.logProbs();
      float[] es = e.samplingLogProbs();
      float[] as = a.samplingLogProbs();
      for (int t = 0; t < el.length; t++) {
        assertEquals(el[t], al[t], 1e-4f, msg);
        assertEquals(es[t], as[t], 1e-4f, msg);
      }
    }
  }

  @ParameterizedTest(name = "seed {0}")
  @ValueSource(longs = {1, 2, 3, 4})
  void greedyEqualsTheArgmaxOfTheFullForwardStepByStep(long seed) {
    System.out.println("greedy property, seed " + seed);
    Random r = new Random(seed);
    try (DecoderLm lm = tiny(seed)) {
      Sampler cached = new Sampler(lm, tok);
      Sampler uncached = new Sampler(new NoCacheLm(lm), tok);
      List<String> prompts = randomPrompts(r, 3);
      int steps = 10 + r.nextInt(20);
      SamplingConfig cfg = SamplingConfig.builder().temperature(0f).maxNewTokens(steps).stopAtEos(false).build();
      List<Sample> a = cached.sample(prompts, cfg);
      List<Sample> b = uncached.sample(prompts, cfg);
      assertSameTokens(a, b, "cached vs uncached");
      for (int p = 0; p < prompts.size(); p++) {
        long[][] ref = greedyReference(lm, cached.encodePrompt(prompts.get(p)), steps);
        Sample s = a.get(p);
        assertArrayEquals(ref[0], s.tokenIds(), "seed " + seed + " prompt " + p);
        assertEquals(FinishReason.LENGTH, s.finishReason());
        float[] lps = s.logProbs();
        for (int t = 0; t < steps; t++) {
          assertEquals(Float.intBitsToFloat((int) ref[1][t]), lps[t], 1e-4f);
          assertEquals(0f, s.samplingLogProbs()[t]);
        }
        assertEquals(tok.decode(ref[0]), s.text());
      }
    }
  }

  @ParameterizedTest(name = "seed {0}")
  @ValueSource(longs = {11, 12, 13})
  void sameSeedGivesTheSameOutputAndAnotherSeedDiffers(long seed) {
    System.out.println("determinism property, seed " + seed);
    Random r = new Random(seed);
    try (DecoderLm lm = tiny(seed)) {
      Sampler sampler = new Sampler(lm, tok);
      List<String> prompts = randomPrompts(r, 4);
      SamplingConfig cfg = SamplingConfig.builder().seed(seed).samplesPerPrompt(3).maxNewTokens(20)
          .temperature(0.9f).topK(20).build();
      List<Sample> a = sampler.sample(prompts, cfg);
      List<Sample> b = sampler.sample(prompts, cfg);
      assertEquals(a, b);
      List<Sample> c = sampler.sample(prompts, cfg.toBuilder().seed(seed + 1000).build());
      assertNotEquals(a.stream().map(Sample::text).toList(), c.stream().map(Sample::text).toList());
      // Samples of one prompt draw from different streams.
      assertNotEquals(a.get(0).text(), a.get(1).text());
    }
  }

  @ParameterizedTest(name = "seed {0}")
  @ValueSource(longs = {21, 22, 23, 24})
  void outputDoesNotDependOnBatchSizeCompactionOrCachePath(long seed) {
    System.out.println("batch independence property, seed " + seed);
    Random r = new Random(seed);
    try (DecoderLm lm = tiny(seed)) {
      Sampler sampler = new Sampler(lm, tok);
      List<String> prompts = randomPrompts(r, 5);
      // Frequent characters as stop ids and a stop string make rows finish at different steps.
      SamplingConfig base = SamplingConfig.builder().seed(seed).samplesPerPrompt(3).maxNewTokens(25)
          .temperature(1f).topP(0.95f).stopTokenIds(Set.of(tok.encode("7")[0], tok.encode("a")[0]))
          .stopStrings("==", "x\n").build();
      List<Sample> reference = sampler.sample(prompts, base);
      assertTrue(reference.stream().anyMatch(s -> s.finishReason() == FinishReason.EOS));
      assertTrue(reference.stream().anyMatch(s -> s.finishReason() == FinishReason.LENGTH));
      for (SamplingConfig variant : List.of(
          base.toBuilder().batchSize(1).build(),
          base.toBuilder().batchSize(4).build(),
          base.toBuilder().batchSize(7).compactFinished(false).build(),
          base.toBuilder().compactThreshold(1f).build(),
          base.toBuilder().maxBatchTokens(200).build(),
          base.toBuilder().useKvCache(false).batchSize(6).build())) {
        assertSameTokens(reference, sampler.sample(prompts, variant), "seed " + seed + " " + variant);
      }
      assertSameTokens(reference, new Sampler(new NoCacheLm(lm), tok).sample(prompts, base), "no-cache model");
    }
  }

  /**
   * Prompts of many lengths up to near the model's maximum length, and more new tokens than any chunk has room for:
   * rows that are still running when their chunk's padded cache is full go on in later chunks (spilled), and the
   * result equals each prompt sampled alone, the uncached path and every batch size.
   */
  @ParameterizedTest(name = "seed {0}")
  @ValueSource(longs = {41, 42, 43, 44, 45, 46})
  void rowsThatOutlastTheirChunksRoomGoOnInALaterChunkWithTheSameTokens(long seed) {
    System.out.println("spilled rows property, seed " + seed);
    Random r = new Random(seed);
    try (DecoderLm lm = tiny(seed)) {
      Sampler sampler = new Sampler(lm, tok);
      List<String> prompts = new ArrayList<>();
      for (int i = 0; i < 7; i++) {
        // one short and one long prompt in every case, the others in between
        int length = i == 0 ? 3 : i == 1 ? 72 : 3 + r.nextInt(70);
        prompts.add("ab+=1".repeat(16).substring(0, length));
      }
      int longest = prompts.stream().mapToInt(p -> tok.encode(p).length).max().orElseThrow();
      boolean greedy = seed % 2 == 0;
      SamplingConfig base = SamplingConfig.builder().seed(seed).samplesPerPrompt(2).maxNewTokens(80)
          .temperature(greedy ? 0f : 1f).stopAtEos(false).build();
      List<Sample> reference = sampler.sample(prompts, base.toBuilder().batchSize(1).build());
      // Batch 1 never spills: a row alone has room up to its own limit (maxLength 96 - prompt).
      assertTrue(reference.stream().anyMatch(x -> x.tokenIds().length > 96 - longest),
          () -> "some short prompt runs past the room a chunk with the longest prompt has: longest " + longest + ", " + reference.stream().map(x -> x.tokenIds().length + "/" + x.finishReason()).toList());
      for (SamplingConfig variant : List.of(base, base.toBuilder().batchSize(5).build(),
          base.toBuilder().batchSize(14).compactFinished(false).build(),
          base.toBuilder().useKvCache(false).build())) {
        assertSameTokens(reference, sampler.sample(prompts, variant), "seed " + seed + " " + variant);
      }
    }
  }

  @ParameterizedTest(name = "seed {0}")
  @ValueSource(longs = {31, 32, 33})
  void raggedLeftPaddedPromptsGiveTheSameResultAsEachPromptAlone(long seed) {
    System.out.println("ragged prompts property, seed " + seed);
    Random r = new Random(seed);
    try (DecoderLm lm = tiny(seed)) {
      Sampler sampler = new Sampler(lm, tok);
      List<String> prompts = randomPrompts(r, 6);
      SamplingConfig greedy = SamplingConfig.builder().temperature(0f).maxNewTokens(15).build();
      List<Sample> together = sampler.sample(prompts, greedy);
      for (int p = 0; p < prompts.size(); p++) {
        Sample alone = sampler.sample(List.of(prompts.get(p)), greedy).get(0);
        assertArrayEquals(alone.tokenIds(), together.get(p).tokenIds(), "prompt " + p + ": " + prompts.get(p));
        assertEquals(alone.text(), together.get(p).text());
      }
    }
  }

  @ParameterizedTest(name = "temperature {0}")
  @ValueSource(floats = {0.5f, 1f, 2f})
  void topKOneAndTinyTopPEqualGreedy(float temperature) {
    try (DecoderLm lm = tiny(5)) {
      Sampler sampler = new Sampler(lm, tok);
      List<String> prompts = randomPrompts(new Random(5), 4);
      SamplingConfig greedy = SamplingConfig.builder().temperature(0f).maxNewTokens(20).samplesPerPrompt(2).build();
      List<Sample> expected = sampler.sample(prompts, greedy);
      List<Sample> topK = sampler.sample(prompts, greedy.toBuilder().temperature(temperature).topK(1).build());
      List<Sample> topP = sampler.sample(prompts, greedy.toBuilder().temperature(temperature).topP(1e-6f).build());
      for (int i = 0; i < expected.size(); i++) {
        assertArrayEquals(expected.get(i).tokenIds(), topK.get(i).tokenIds(), "top-k 1, sample " + i);
        assertArrayEquals(expected.get(i).tokenIds(), topP.get(i).tokenIds(), "top-p 1e-6, sample " + i);
        assertArrayEquals(expected.get(i).logProbs(), topK.get(i).logProbs(), 1e-5f);
        for (float lp : topK.get(i).samplingLogProbs()) {
          assertEquals(0f, lp, 1e-6f, "the only candidate has probability 1");
        }
      }
    }
  }

  @Test
  void finishReasonsFollowStopStringsStopIdsEosAndLength() {
    try (DecoderLm lm = tiny(7)) {
      Sampler sampler = new Sampler(lm, tok);
      String prompt = "12+34=";
      SamplingConfig free = SamplingConfig.builder().temperature(0f).maxNewTokens(30).stopAtEos(false).build();
      Sample full = sampler.sample(List.of(prompt), free).get(0);
      assertEquals(FinishReason.LENGTH, full.finishReason());
      assertEquals(30, full.length());
      long[] ids = full.tokenIds();
      String text = full.text();
      assertTrue(text.length() >= 10, text);

      // Max length.
      Sample shortOne = sampler.sample(List.of(prompt), free.toBuilder().maxNewTokens(4).build()).get(0);
      assertEquals(FinishReason.LENGTH, shortOne.finishReason());
      assertArrayEquals(Arrays.copyOf(ids, 4), shortOne.tokenIds());

      // A stop id ends the sample at its first occurrence; it is kept in the ids but not in the text.
      long stopId = ids[5];
      int first = 0;
      while (ids[first] != stopId) {
        first++;
      }
      Sample byId = sampler.sample(List.of(prompt), free.toBuilder().stopTokenIds(Set.of(stopId)).build()).get(0);
      assertEquals(FinishReason.EOS, byId.finishReason());
      assertArrayEquals(Arrays.copyOf(ids, first + 1), byId.tokenIds());
      assertEquals(tok.decode(Arrays.copyOf(ids, first)), byId.text());

      // EOS stops by default: make EOS the greedy choice by asking for it as a stop id equivalent.
      long eos = tok.eosId();
      Sample noEos = sampler.sample(List.of(prompt), free.toBuilder().stopAtEos(true).build()).get(0);
      boolean hasEos = Arrays.stream(ids).anyMatch(t -> t == eos);
      assertEquals(hasEos ? FinishReason.EOS : FinishReason.LENGTH, noEos.finishReason());

      // A stop string ends at its first occurrence and the text keeps it.
      String stop = text.substring(6, 8);
      int end = text.indexOf(stop) + stop.length();
      Sample byString = sampler.sample(List.of(prompt), free.toBuilder().stopStrings("@@@", stop).build()).get(0);
      assertEquals(FinishReason.STOP, byString.finishReason());
      assertEquals(text.substring(0, end), byString.text());
      assertTrue(byString.text().endsWith(stop));
      assertEquals(end, byString.length(), "character-level: one token per character");

      // Whichever stop string completes first wins.
      String later = text.substring(end + 1, end + 3);
      Sample two = sampler.sample(List.of(prompt), free.toBuilder().stopStrings(later, stop).build()).get(0);
      assertEquals(text.substring(0, Math.min(end, text.indexOf(later) + later.length())), two.text());
    }
  }

  @Test
  void eosEndsASampleAndIsNotPartOfTheText() {
    try (DecoderLm lm = tiny(8)) {
      Sampler sampler = new Sampler(lm, tok);
      // Hot sampling on a random model emits EOS sooner or later in some of many samples.
      SamplingConfig cfg = SamplingConfig.builder().temperature(3f).samplesPerPrompt(64).maxNewTokens(60).build();
      List<Sample> samples = sampler.sample(List.of("Q: 1+1\nA:\n"), cfg);
      List<Sample> ended = samples.stream().filter(s -> s.finishReason() == FinishReason.EOS).toList();
      assertTrue(!ended.isEmpty(), "no sample met EOS");
      for (Sample s : ended) {
        long[] ids = s.tokenIds();
        assertEquals(tok.eosId(), ids[ids.length - 1]);
        assertTrue(Arrays.stream(ids, 0, ids.length - 1).noneMatch(t -> t == tok.eosId()));
        assertEquals(tok.decode(Arrays.copyOf(ids, ids.length - 1)), s.text());
      }
    }
  }

  /** The tokenizer of a Hugging Face test folder (llama: EOS ids 2 and 5, BOS 1 added; qwen2: no BOS). */
  static TextTokenizer hfTokenizer(String family) throws Exception {
    Path file = Path.of(SamplerTest.class.getResource("/hf/" + family + "/tokenizer.json").toURI());
    return TextTokenizer.fromFile(file.getParent());
  }

  @ParameterizedTest(name = "greedy token {0}")
  @ValueSource(longs = {2, 5, 7})
  void everyEosIdOfTheTokenizerEndsASampleUnlessStopAtEosIsOff(long greedyToken) throws Exception {
    try (TextTokenizer llama = hfTokenizer("llama")) {
      assertArrayEquals(new long[] {2, 5}, llama.eosIds());
      float[] logits = new float[llama.vocabSize()];
      logits[(int) greedyToken] = 5f;
      try (TableLm lm = new TableLm(new float[][] {logits})) {
        Sampler sampler = new Sampler(lm, llama);
        SamplingConfig greedy = SamplingConfig.builder().temperature(0f).maxNewTokens(4).build();
        List<long[]> prompt = List.<long[]>of(new long[] {1, 10, 11});
        Sample s = sampler.sampleIds(prompt, greedy).get(0);
        long g = greedyToken;
        if (greedyToken == 7) {
          assertEquals(FinishReason.LENGTH, s.finishReason());
          assertArrayEquals(new long[] {g, g, g, g}, s.tokenIds());
        } else {
          assertEquals(FinishReason.EOS, s.finishReason());
          assertArrayEquals(new long[] {g}, s.tokenIds());
          assertEquals("", s.text(), "the EOS id is not part of the text");
        }
        Sample off = sampler.sampleIds(prompt, greedy.toBuilder().stopAtEos(false).build()).get(0);
        assertEquals(FinishReason.LENGTH, off.finishReason());
        assertArrayEquals(new long[] {g, g, g, g}, off.tokenIds());
      }
    }
  }

  @Test
  void textPromptsStartWithBosOnlyWhenTheTokenizerAddsIt() throws Exception {
    try (TextTokenizer llama = hfTokenizer("llama");
        TextTokenizer qwen = hfTokenizer("qwen2");
        TableLm lm = new TableLm(new float[][] {new float[llama.vocabSize()]})) {
      assertTrue(llama.addsBos());
      assertTrue(!qwen.addsBos());
      long[] text = llama.encode("ab");
      long[] withBos = new long[text.length + 1];
      withBos[0] = llama.bosId();
      System.arraycopy(text, 0, withBos, 1, text.length);
      assertArrayEquals(withBos, new Sampler(lm, llama).encodePrompt("ab"));
      assertArrayEquals(qwen.encode("ab"), new Sampler(lm, qwen).encodePrompt("ab"));
    }
  }

  @ParameterizedTest(name = "seed {0}")
  @ValueSource(longs = {41, 42})
  void prefixContinuationEqualsSamplingTheWholePrefixAsAPrompt(long seed) {
    System.out.println("prefix continuation property, seed " + seed);
    Random r = new Random(seed);
    try (DecoderLm lm = tiny(seed)) {
      Sampler sampler = new Sampler(lm, tok);
      String prompt = randomPrompts(r, 1).get(0);
      SamplingConfig greedy = SamplingConfig.builder().temperature(0f).maxNewTokens(24).stopAtEos(false).build();
      Sample rationale = sampler.sample(List.of(prompt), greedy).get(0);
      String text = rationale.text();
      List<String> partials = List.of("", text.substring(0, 3), text.substring(0, 8), text.substring(0, 15));

      // Greedy continuations of the rationale's own prefixes (exact ids) finish the rationale.
      long[] promptIds = sampler.encodePrompt(prompt);
      long[] ids = rationale.tokenIds();
      int[] cuts = {0, 3, 8, 15};
      List<long[]> idPrefixes = new ArrayList<>();
      for (int c : cuts) {
        long[] prefix = Arrays.copyOf(promptIds, promptIds.length + c);
        System.arraycopy(ids, 0, prefix, promptIds.length, c);
        idPrefixes.add(prefix);
      }
      List<Sample> rest = sampler.sampleContinuationIds(idPrefixes, 2, greedy);
      for (int i = 0; i < cuts.length; i++) {
        for (int k = 0; k < 2; k++) {
          Sample c = rest.get(i * 2 + k);
          assertEquals(i, c.promptIndex());
          assertEquals(k, c.sampleIndex());
          assertArrayEquals(Arrays.copyOfRange(ids, cuts[i], ids.length),
              Arrays.copyOf(c.tokenIds(), ids.length - cuts[i]), "cut " + cuts[i]);
        }
      }

      // Sampled continuations equal sampling the prefixes as prompts, shared-prefix cache or not.
      List<long[]> prefixes = new ArrayList<>();
      for (String partial : partials) {
        long[] q = tok.encode(partial);
        long[] prefix = Arrays.copyOf(promptIds, promptIds.length + q.length);
        System.arraycopy(q, 0, prefix, promptIds.length, q.length);
        prefixes.add(prefix);
      }
      SamplingConfig hot = SamplingConfig.builder().seed(seed).temperature(1f).maxNewTokens(12).build();
      List<Sample> continued = sampler.sampleContinuations(prompt, partials, 8, hot);
      assertEquals(32, continued.size());
      assertSameTokens(continued, sampler.sampleContinuationIds(prefixes, 8, hot), "ids API");
      assertSameTokens(continued, sampler.sampleIds(prefixes, hot.toBuilder().samplesPerPrompt(8).build()), "ids");
      assertSameTokens(continued, new Sampler(new NoCacheLm(lm), tok).sampleContinuationIds(prefixes, 8, hot),
          "full forward, no shared prefix");
    }
  }

  @ParameterizedTest(name = "kv cache {0}")
  @ValueSource(booleans = {true, false})
  void liveArrayCountStaysFlatOverThousandsOfTokens(boolean kvCache) {
    try (DecoderLm lm = tiny(9)) {
      Sampler sampler = new Sampler(lm, tok);
      NDManager manager = lm.getManager();
      int before = manager.getManagedArrays().size();
      List<Integer> perStep = new ArrayList<>();
      SamplingListener counter = new SamplingListener() {
        @Override
        public void onStep(int activeRows, long finishedSamples, long totalSamples, long generatedTokens) {
          perStep.add(manager.getManagedArrays().size());
        }
      };
      SamplingConfig cfg = SamplingConfig.builder().samplesPerPrompt(10).maxNewTokens(kvCache ? 70 : 40)
          .stopAtEos(false).batchSize(kvCache ? 16 : 40).useKvCache(kvCache).build();
      List<Sample> out = sampler.sample(randomPrompts(new Random(9), 4), cfg, counter);
      long tokens = out.stream().mapToLong(Sample::length).sum();
      assertTrue(tokens >= 1600, "generated " + tokens);
      assertEquals(before, manager.getManagedArrays().size(), "arrays leaked after sampling");
      // Within and across chunks the number of live arrays does not grow with the number of tokens.
      int plateau = perStep.get(5);
      int max = perStep.stream().mapToInt(Integer::intValue).max().orElseThrow();
      assertTrue(max <= plateau + 2 * lm.getConfig().layers() + 2, "live arrays grew from " + plateau + " to " + max
          + " over " + perStep.size() + " steps");
      assertEquals(perStep.get(5), perStep.get(30), "live arrays changed between step 5 and step 30");
    }
  }

  /** Chi-square statistic of observed counts against probabilities, bins with expected count below 5 merged. */
  static double chiSquare(long[] counts, double[] probs, long n, int[] dof) {
    double stat = 0;
    double restExpected = 0;
    long restObserved = 0;
    int bins = 0;
    for (int i = 0; i < probs.length; i++) {
      double e = n * probs[i];
      if (e < 5) {
        restExpected += e;
        restObserved += counts[i];
      } else {
        stat += (counts[i] - e) * (counts[i] - e) / e;
        bins++;
      }
    }
    if (restExpected >= 1e-9) {
      stat += (restObserved - restExpected) * (restObserved - restExpected) / restExpected;
      bins++;
    }
    dof[0] = bins - 1;
    return stat;
  }

  /** The chi-square quantile at p = 1e-4 by Wilson and Hilferty's approximation. */
  static double chiSquareCritical(int dof) {
    double z = 3.719;
    double a = 2.0 / (9.0 * dof);
    return dof * Math.pow(1 - a + z * Math.sqrt(a), 3);
  }

  @ParameterizedTest(name = "case {0}")
  @ValueSource(ints = {0, 1, 2})
  void empiricalNextTokenFrequenciesMatchTheFilteredSoftmax(int which) {
    float temperature = which == 0 ? 1f : 0.7f;
    int topK = which == 1 ? 6 : 0;
    float topP = which == 2 ? 0.8f : 1f;
    int n = 4000;
    System.out.println("statistical test: temperature " + temperature + " topK " + topK + " topP " + topP
        + ", seed 77");
    try (DecoderLm lm = DecoderLm.create(DecoderConfig.builder().vocabSize(tok.vocabSize()).dModel(32).layers(2)
        .heads(4).maxLength(64).initStd(0.12f).build(), Device.cpu(), 3)) {
      Sampler sampler = new Sampler(lm, tok);
      long[] prompt = sampler.encodePrompt("Q: 2+2\nA:");
      double[] probs = new double[lm.vocabSize()];
      try (NDManager m = lm.getManager().newSubManager()) {
        Shape shape = new Shape(1, prompt.length);
        float[] logits = lm.forward(m.create(prompt, shape), m.ones(shape, DataType.INT64), false)
            .get(0, prompt.length - 1).toFloatArray();
        Integer[] order = new Integer[logits.length];
        double max = Double.NEGATIVE_INFINITY;
        for (int i = 0; i < logits.length; i++) {
          order[i] = i;
          max = Math.max(max, logits[i] / temperature);
        }
        Arrays.sort(order, (a, b) -> Float.compare(logits[b], logits[a]));
        double[] w = new double[logits.length];
        double total = 0;
        for (int i = 0; i < logits.length; i++) {
          w[i] = Math.exp(logits[i] / temperature - max);
          total += w[i];
        }
        boolean[] keep = new boolean[logits.length];
        int k = topK > 0 ? topK : logits.length;
        double kept = 0;
        for (int j = 0; j < k; j++) {
          kept += w[order[j]];
        }
        double before = 0;
        for (int j = 0; j < k; j++) {
          if (before / kept < topP) {
            keep[order[j]] = true;
          }
          before += w[order[j]];
        }
        total = 0;
        for (int i = 0; i < logits.length; i++) {
          total += keep[i] ? w[i] : 0;
        }
        for (int i = 0; i < logits.length; i++) {
          probs[i] = keep[i] ? w[i] / total : 0;
        }
      }
      SamplingConfig cfg = SamplingConfig.builder().seed(77).temperature(temperature).topK(topK).topP(topP)
          .samplesPerPrompt(n).maxNewTokens(1).batchSize(512).stopAtEos(false).build();
      long[] counts = new long[lm.vocabSize()];
      for (Sample s : sampler.sampleIds(List.of(prompt), cfg)) {
        counts[(int) s.tokenIds()[0]]++;
        double expectedLp = Math.log(probs[(int) s.tokenIds()[0]]);
        assertEquals(expectedLp, s.samplingLogProbs()[0], 1e-3, "log-prob under the sampling distribution");
      }
      for (int i = 0; i < counts.length; i++) {
        if (probs[i] == 0) {
          assertEquals(0, counts[i], "token " + i + " was filtered out but sampled");
        }
      }
      int[] dof = new int[1];
      double stat = chiSquare(counts, probs, n, dof);
      double critical = chiSquareCritical(dof[0]);
      System.out.printf("chi-square %.1f with %d degrees of freedom (critical %.1f at p = 1e-4)%n", stat, dof[0],
          critical);
      assertTrue(dof[0] >= 3, "the distribution is too peaked to test: " + dof[0] + " degrees of freedom");
      assertTrue(stat < critical, "chi-square " + stat + " >= " + critical);
    }
  }

  @Test
  void rejectsBadConfigurationsAndPrompts() {
    assertThrows(IllegalArgumentException.class, () -> SamplingConfig.builder().temperature(-1f).build());
    assertThrows(IllegalArgumentException.class, () -> SamplingConfig.builder().topP(0f).build());
    assertThrows(IllegalArgumentException.class, () -> SamplingConfig.builder().topK(-1).build());
    assertThrows(IllegalArgumentException.class, () -> SamplingConfig.builder().maxNewTokens(0).build());
    assertThrows(IllegalArgumentException.class, () -> SamplingConfig.builder().stopStrings("").build());
    assertThrows(IllegalArgumentException.class, () -> SamplingConfig.builder().compactThreshold(0f).build());
    SamplingConfig d = SamplingConfig.builder().build();
    assertEquals(1f, d.temperature());
    assertEquals(64, d.batchSize());
    assertEquals(d, d.toBuilder().build());
    try (DecoderLm lm = tiny(1)) {
      Sampler sampler = new Sampler(lm, tok);
      assertThrows(IllegalArgumentException.class, () -> sampler.sampleIds(List.of(new long[0]), d));
      assertThrows(IllegalArgumentException.class, () -> sampler.sampleIds(List.of(new long[] {1, 999}), d));
      assertThrows(IllegalArgumentException.class, () -> sampler.sampleIds(List.of(new long[96]), d));
      // A prompt close to maxLength gets only the room that is left.
      Sample s = sampler.sampleIds(List.of(new long[94]), d.toBuilder().stopAtEos(false).build()).get(0);
      assertEquals(2, s.length());
      assertEquals(FinishReason.LENGTH, s.finishReason());
    }
  }

  @Test
  void progressBarAndListenerSeeEverySample() {
    try (DecoderLm lm = tiny(3)) {
      Sampler sampler = new Sampler(lm, tok);
      List<Sample> seen = new ArrayList<>();
      long[] lastTokens = new long[1];
      SamplingListener l = new SamplingListener() {
        @Override
        public void onSample(Sample sample) {
          seen.add(sample);
        }

        @Override
        public void onStep(int activeRows, long finishedSamples, long totalSamples, long generatedTokens) {
          assertEquals(6, totalSamples);
          lastTokens[0] = generatedTokens;
        }
      };
      List<Sample> out = sampler.sample(List.of("1+1=", "2+2="),
          SamplingConfig.builder().samplesPerPrompt(3).maxNewTokens(10).showProgress(true).build(), l);
      assertEquals(6, seen.size());
      assertEquals(Set.copyOf(out), Set.copyOf(seen));
      assertEquals(out.stream().mapToLong(Sample::length).sum(), lastTokens[0]);
      List<List<Sample>> grouped = Sampler.byPrompt(out, 2);
      assertEquals(3, grouped.get(1).size());
      assertEquals(1, grouped.get(1).get(0).promptIndex());
    }
  }
}
