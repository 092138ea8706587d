package io.github.sipf4j.orpo.sample;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.github.sipf4j.orpo.text.TextTokenizer;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Random;
import java.util.Set;
import java.util.SplittableRandom;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * The draw at vocabulary sizes of real tokenizers, on {@link TableLm} whose logits are known exactly: the sampled
 * token is the inverse-CDF token of the row's own uniform, frequencies follow the filtered softmax across the whole
 * vocabulary (its last ids included), ties at the top-k and top-p boundaries are kept together, and a sample does not
 * depend on the batch it is decoded in.
 */
class LargeVocabularySamplingTest {

  static TextTokenizer tok;

  @BeforeAll
  static void setUp() {
    tok = TextTokenizer.characterLevel();
  }

  @AfterAll
  static void tearDown() {
    tok.close();
  }

  static float[][] gaussianLogits(long seed, int rows, int vocab, double scale) {
    Random r = new Random(seed);
    float[][] out = new float[rows][vocab];
    for (float[] row : out) {
      for (int i = 0; i < vocab; i++) {
        row[i] = (float) (scale * r.nextGaussian());
      }
    }
    return out;
  }

  @ParameterizedTest(name = "vocabulary {0}, temperature {1}")
  @CsvSource({"50000, 1", "32768, 0.8", "4000, 0.8"})
  void eachSampleIsTheInverseCdfTokenOfItsRowsUniform(int vocab, float temperature) {
    // 50000 ids: the two-level draw with a short last block; 32768: whole blocks only; 4000: the flat draw.
    float[] z = gaussianLogits(11, 1, vocab, 3)[0];
    float inverse = temperature == 1f ? 1f : (float) (1.0 / temperature);
    double max = Double.NEGATIVE_INFINITY;
    for (float v : z) {
      max = Math.max(max, v * inverse);
    }
    double[] cdf = new double[vocab];
    double zMax = Double.NEGATIVE_INFINITY;
    double rawTotal = 0;
    for (float v : z) {
      zMax = Math.max(zMax, v);
    }
    for (int i = 0; i < vocab; i++) {
      cdf[i] = (i == 0 ? 0 : cdf[i - 1]) + Math.exp(z[i] * inverse - max);
      rawTotal += Math.exp(z[i] - zMax);
    }
    double total = cdf[vocab - 1];
    int n = 64;
    long seed = 5;
    try (TableLm lm = new TableLm(new float[][] {z})) {
      Sampler sampler = new Sampler(lm, tok);
      SamplingConfig cfg = SamplingConfig.builder().seed(seed).temperature(temperature).samplesPerPrompt(n)
          .maxNewTokens(1).stopAtEos(false).batchSize(16).build();
      List<Sample> samples = sampler.sampleIds(List.of(new long[] {1, 7}), cfg);
      for (Sample s : samples) {
        SplittableRandom rng = new SplittableRandom(Sampler.rowSeed(seed, 0, s.sampleIndex()));
        double target = ((rng.nextLong() >>> 11) + 0.5) * 0x1p-53 * total;
        int t = (int) s.tokenIds()[0];
        // The token's interval of the running sums holds the target (up to float32 rounding of the weights, far
        // below the width of an interval, about total / vocab).
        double slack = 1e-6 * total;
        assertTrue((t == 0 ? 0 : cdf[t - 1]) <= target + slack && target - slack <= cdf[t],
            "sample " + s.sampleIndex() + ": token " + t + " does not hold the target " + target);
        double p = Math.exp(z[t] * inverse - max) / total;
        assertEquals(Math.log(p), s.samplingLogProbs()[0], 1e-4, "sampling log-prob");
        assertEquals(z[t] - zMax - Math.log(rawTotal), s.logProbs()[0], 1e-4, "raw log-prob");
      }
    }
  }

  /** 20 tied high logits, some among the last ids, over a flat tail: half the mass in each. */
  static float[] tiedHeadOverFlatTail(int vocab, int[] heads) {
    float[] z = new float[vocab];
    for (int h : heads) {
      z[h] = (float) Math.log((vocab - heads.length) / (double) heads.length);
    }
    return z;
  }

  @ParameterizedTest(name = "case {0}")
  @ValueSource(ints = {0, 1, 2, 3})
  void frequenciesOverAWholeLargeVocabularyMatchTheFilteredSoftmaxWithTiesKeptTogether(int which) {
    int vocab = 50_000;
    int[] heads = new int[20];
    Random r = new Random(which);
    Set<Integer> used = new HashSet<>(List.of(vocab - 1, vocab - 2, 0));
    heads[0] = vocab - 1;
    heads[1] = vocab - 2;
    heads[2] = 0;
    for (int i = 3; i < heads.length; i++) {
      int h;
      do {
        h = r.nextInt(vocab);
      } while (!used.add(h));
      heads[i] = h;
    }
    // 0: no filter. 1: top-k 10 keeps all 20 tied heads. 2: top-p 0.3 keeps all 20 tied heads (the first is inside
    // the nucleus, the other 19 tie with it). 3: top-p 0.7 reaches the tail, whose logits all tie: nothing removed.
    int topK = which == 1 ? 10 : 0;
    float topP = which == 2 ? 0.3f : which == 3 ? 0.7f : 1f;
    boolean tailKept = which == 0 || which == 3;
    int n = 2000;
    System.out.println("large-vocabulary frequencies: top-k " + topK + ", top-p " + topP + ", seed 77");
    try (TableLm lm = new TableLm(new float[][] {tiedHeadOverFlatTail(vocab, heads)})) {
      Sampler sampler = new Sampler(lm, tok);
      SamplingConfig cfg = SamplingConfig.builder().seed(77).temperature(1f).topK(topK).topP(topP)
          .samplesPerPrompt(n).maxNewTokens(1).stopAtEos(false).batchSize(125).build();
      int bins = heads.length + 10;
      long[] counts = new long[bins];
      double[] probs = new double[bins];
      double head = tailKept ? 0.5 / heads.length : 1.0 / heads.length;
      double tail = tailKept ? 0.5 / (vocab - heads.length) : 0;
      Set<Integer> headSet = new HashSet<>();
      for (int i = 0; i < heads.length; i++) {
        probs[i] = head;
        headSet.add(heads[i]);
      }
      for (Sample s : sampler.sampleIds(List.of(new long[] {1, 5}), cfg)) {
        int t = (int) s.tokenIds()[0];
        int h = indexOf(heads, t);
        if (h >= 0) {
          counts[h]++;
          assertEquals(Math.log(head), s.samplingLogProbs()[0], 1e-3);
        } else {
          assertTrue(tailKept, "token " + t + " of the tail was filtered out but sampled");
          counts[heads.length + (int) ((long) t * 10 / vocab)]++;
          assertEquals(Math.log(tail), s.samplingLogProbs()[0], 1e-3);
        }
      }
      for (int i = 0; i < vocab; i++) {
        if (!headSet.contains(i)) {
          probs[heads.length + (int) ((long) i * 10 / vocab)] += tail;
        }
      }
      int[] dof = new int[1];
      double stat = SamplerTest.chiSquare(counts, probs, n, dof);
      double critical = SamplerTest.chiSquareCritical(dof[0]);
      System.out.printf("chi-square %.1f with %d degrees of freedom (critical %.1f at p = 1e-4)%n", stat, dof[0],
          critical);
      assertEquals(tailKept ? 29 : 19, dof[0]);
      assertTrue(stat < critical, "chi-square " + stat + " >= " + critical);
    }
  }

  private static int indexOf(int[] a, int v) {
    for (int i = 0; i < a.length; i++) {
      if (a[i] == v) {
        return i;
      }
    }
    return -1;
  }

  @Test
  void aSampleDoesNotDependOnTheBatchSizeTheChunkingOrTheOtherPrompts() {
    int vocab = 30_000;
    try (TableLm lm = new TableLm(gaussianLogits(3, 7, vocab, 2))) {
      Sampler sampler = new Sampler(lm, tok);
      Random r = new Random(4);
      List<long[]> prompts = new ArrayList<>();
      List<Long> keys = new ArrayList<>();
      for (int i = 0; i < 7; i++) {
        long[] p = new long[1 + r.nextInt(6)];
        for (int j = 0; j < p.length; j++) {
          p[j] = r.nextInt(vocab);
        }
        prompts.add(p);
        keys.add(100L + i);
      }
      Set<Long> stops = new HashSet<>();
      for (long id = 0; id < 3000; id++) {
        stops.add(id); // a tenth of the vocabulary: rows finish at different steps
      }
      SamplingConfig all = SamplingConfig.builder().seed(9).temperature(0.9f).topK(200).topP(0.95f)
          .samplesPerPrompt(2).maxNewTokens(6).stopTokenIds(stops).batchSize(14).build();
      List<Sample> reference = sampler.sampleIds(prompts, keys, all, null);
      assertTrue(reference.stream().anyMatch(s -> s.finishReason() == FinishReason.EOS));
      assertTrue(reference.stream().anyMatch(s -> s.finishReason() == FinishReason.LENGTH));
      for (int batch : new int[] {1, 3, 7}) {
        SamplerTest.assertSameTokens(reference,
            sampler.sampleIds(prompts, keys, all.toBuilder().batchSize(batch).build(), null), "batch " + batch);
      }
      for (int i = 0; i < prompts.size(); i++) {
        List<Sample> alone = sampler.sampleIds(List.of(prompts.get(i)), List.of(keys.get(i)), all, null);
        for (int s = 0; s < 2; s++) {
          assertArrayEquals(reference.get(2 * i + s).tokenIds(), alone.get(s).tokenIds(), "prompt " + i);
          assertArrayEquals(reference.get(2 * i + s).logProbs(), alone.get(s).logProbs());
          assertArrayEquals(reference.get(2 * i + s).samplingLogProbs(), alone.get(s).samplingLogProbs());
        }
      }
    }
  }

  @Test
  void topKAtOrAboveTheVocabularyAndTopPOneFilterNothing() {
    int vocab = 1000;
    try (TableLm lm = new TableLm(gaussianLogits(5, 3, vocab, 2))) {
      Sampler sampler = new Sampler(lm, tok);
      List<long[]> prompts = List.of(new long[] {1, 2}, new long[] {4});
      SamplingConfig plain = SamplingConfig.builder().seed(3).temperature(0.7f).samplesPerPrompt(4)
          .maxNewTokens(8).stopAtEos(false).build();
      List<Sample> expected = sampler.sampleIds(prompts, plain);
      assertEquals(expected, sampler.sampleIds(prompts, plain.toBuilder().topK(vocab).build()));
      assertEquals(expected, sampler.sampleIds(prompts, plain.toBuilder().topK(vocab + 5).topP(1f).build()));
    }
  }

  @Test
  void greedyTakesTheFirstOfTiedMaxima() {
    float[] z = new float[500];
    z[431] = 3f;
    z[17] = 3f;
    z[260] = 3f;
    try (TableLm lm = new TableLm(new float[][] {z})) {
      Sampler sampler = new Sampler(lm, tok);
      Sample s = sampler.sampleIds(List.of(new long[] {1}),
          SamplingConfig.builder().temperature(0f).maxNewTokens(3).stopAtEos(false).build()).get(0);
      assertArrayEquals(new long[] {17, 17, 17}, s.tokenIds());
      double lse = Math.log(497 + 3 * Math.exp(3));
      assertEquals(3 - lse, s.logProbs()[0], 1e-5);
    }
  }
}
