package jnicount;

import ai.djl.Device;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.NDScope;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import io.github.sipf4j.orpo.model.DecoderConfig;
import io.github.sipf4j.orpo.model.DecoderLm;
import io.github.sipf4j.orpo.model.KvCache;
import io.github.sipf4j.orpo.model.PositionEncoding;
import io.github.sipf4j.orpo.sample.Sampler;
import io.github.sipf4j.orpo.sample.SamplingConfig;
import io.github.sipf4j.orpo.text.TextTokenizer;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * Counts DJL's native calls per decoded token at batch 1 (run with {@link Agent}, see count-native-calls.sh): one
 * {@code DecoderLm.forwardCached} step, its share per layer, and a whole {@code Sampler} step (forward, choice,
 * read-back, bookkeeping) at temperature 1 and greedy. Prints a Markdown table; {@code --detail} adds the calls by
 * native method.
 */
public final class NativeCalls {

  private NativeCalls() {}

  /**
   * Runs the counts.
   *
   * @param args {@code --detail} to print the calls by method
   */
  public static void main(String[] args) {
    boolean detail = List.of(args).contains("--detail");
    System.out.println("| model | positions | layers | forwardCached | per layer | Sampler step, T = 1 | Sampler step, "
        + "greedy |\n|---|---|---:|---:|---:|---:|---:|");
    try (TextTokenizer tok = TextTokenizer.characterLevel()) {
      for (String[] m : new String[][] {{"1m", "128", "5", "4"}, {"5m", "256", "6", "8"}}) {
        for (PositionEncoding pos : PositionEncoding.values()) {
          int layers = Integer.parseInt(m[2]);
          DecoderConfig.Builder b = DecoderConfig.builder().vocabSize(tok.vocabSize()).maxLength(192)
              .dModel(Integer.parseInt(m[1])).heads(Integer.parseInt(m[3])).positions(pos);
          Map<String, Long> full = forward(b.layers(layers).build());
          Map<String, Long> one = forward(b.layers(1).build());
          double perLayer = (Counter.total(full) - Counter.total(one)) / 10.0 / (layers - 1);
          double t1;
          double greedy;
          try (DecoderLm lm = DecoderLm.create(b.layers(layers).build(), Device.cpu(), 1)) {
            Sampler sampler = new Sampler(lm, tok);
            t1 = perToken(sampler, 1f);
            greedy = perToken(sampler, 0f);
          }
          System.out.printf(Locale.ROOT, "| %s | %s | %d | %.0f | %.1f | %.0f | %.0f |%n", m[0],
              pos.name().toLowerCase(Locale.ROOT), layers, Counter.total(full) / 10.0, perLayer, t1, greedy);
          if (detail) {
            System.out.println("  forwardCached x 10: " + full);
          }
        }
      }
    }
  }

  /** Counts 10 one-token steps of forwardCached at batch 1 after a 4-token prefill. */
  private static Map<String, Long> forward(DecoderConfig c) {
    try (DecoderLm lm = DecoderLm.create(c, Device.cpu(), 1);
        NDManager m = lm.getManager().newSubManager();
        KvCache cache = lm.newCache(1)) {
      lm.forwardCached(m.create(new long[] {1, 5, 6, 7}, new Shape(1, 4)), m.ones(new Shape(1, 4), DataType.INT64),
          cache);
      NDArray ids = m.create(new long[] {5}, new Shape(1, 1));
      NDArray mask = m.ones(new Shape(1, 1), DataType.INT64);
      for (int i = 0; i < 3; i++) {
        try (NDScope s = new NDScope()) {
          lm.forwardCached(ids, mask, cache);
        }
      }
      Counter.start();
      for (int i = 0; i < 10; i++) {
        try (NDScope s = new NDScope()) {
          lm.forwardCached(ids, mask, cache);
        }
      }
      return Counter.stop();
    }
  }

  /** The calls of one more generated token: (30 tokens - 10 tokens) / 20, one prompt, no stop. */
  private static double perToken(Sampler sampler, float temperature) {
    List<long[]> prompt = new ArrayList<>(List.of(new long[] {1, 5, 6, 7, 8}));
    long[] calls = new long[2];
    int[] tokens = {10, 30};
    for (int i = -1; i < 2; i++) {
      SamplingConfig cfg = SamplingConfig.builder().temperature(temperature).maxNewTokens(tokens[Math.max(0, i)])
          .stopAtEos(false).seed(7).build();
      Counter.start();
      sampler.sampleIds(prompt, cfg);
      long n = Counter.total(Counter.stop());
      if (i >= 0) {
        calls[i] = n;
      }
    }
    return (calls[1] - calls[0]) / 20.0;
  }
}
