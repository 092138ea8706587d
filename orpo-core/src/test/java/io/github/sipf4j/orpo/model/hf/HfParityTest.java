package io.github.sipf4j.orpo.model.hf;

import static io.github.sipf4j.orpo.model.hf.HfFixtures.assertClose;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;

import ai.djl.Device;
import com.google.gson.JsonElement;
import com.google.gson.JsonObject;
import io.github.sipf4j.orpo.loss.NllScope;
import io.github.sipf4j.orpo.loss.OrpoLoss;
import io.github.sipf4j.orpo.model.CausalLm;
import io.github.sipf4j.orpo.model.CausalLms;
import io.github.sipf4j.orpo.sample.Sample;
import io.github.sipf4j.orpo.sample.Sampler;
import io.github.sipf4j.orpo.sample.SamplingConfig;
import io.github.sipf4j.orpo.text.EncodedSequence;
import io.github.sipf4j.orpo.text.TextTokenizer;
import io.github.sipf4j.orpo.text.TokenBatch;
import io.github.sipf4j.orpo.train.EncodedPair;
import java.io.IOException;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import ai.djl.ndarray.NDManager;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * Parity with the PyTorch reference of every family and variant: per-token log-probs with left and with right padding,
 * greedy generation through the {@link Sampler} (KV cache, left-padded batch) and TRL's ORPO loss and metrics.
 */
class HfParityTest {

  static final double TOLERANCE = 1e-4;

  @ParameterizedTest(name = "{0}")
  @MethodSource("io.github.sipf4j.orpo.model.hf.HfFixtures#all")
  void logProbsMatchTheReferenceWithLeftAndRightPadding(String name) throws IOException {
    JsonObject ref = HfFixtures.reference(name);
    List<long[]> sequences = HfFixtures.rows(ref.get("sequences"));
    double[][] want = HfFixtures.referenceLogProbs(ref, "token_logprobs");
    try (CausalLm lm = CausalLms.load(HfFixtures.dir(name), Device.cpu())) {
      assertEquals(HfCausalLm.class, lm.getClass());
      assertClose(want, HfFixtures.tokenLogProbs(lm, sequences, 0, false), TOLERANCE, name + " right-padded");
      assertClose(want, HfFixtures.tokenLogProbs(lm, sequences, 0, true), TOLERANCE, name + " left-padded");
    }
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("io.github.sipf4j.orpo.model.hf.HfFixtures#all")
  void greedyGenerationMatchesTheReference(String name) throws IOException {
    JsonObject greedy = HfFixtures.reference(name).getAsJsonObject("greedy");
    List<long[]> prompts = HfFixtures.rows(greedy.get("prompts"));
    int n = greedy.get("max_new_tokens").getAsInt();
    try (HfCausalLm lm = HfCausalLm.load(HfFixtures.dir(name), Device.cpu());
        TextTokenizer tok = TextTokenizer.fromFile(HfFixtures.dir(name))) {
      List<Sample> samples = new Sampler(lm, tok).sampleIds(prompts,
          SamplingConfig.builder().temperature(0f).maxNewTokens(n).stopAtEos(false).build());
      List<JsonElement> want = greedy.getAsJsonArray("output_ids").asList();
      for (int i = 0; i < prompts.size(); i++) {
        assertArrayEquals(HfFixtures.longs(want.get(i)), samples.get(i).tokenIds(), name + " prompt " + i);
      }
    }
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("io.github.sipf4j.orpo.model.hf.HfFixtures#all")
  void orpoLossAndMetricsMatchTheReference(String name) throws IOException {
    JsonObject ref = HfFixtures.reference(name);
    JsonObject orpo = ref.getAsJsonObject("orpo");
    List<EncodedPair> pairs = HfFixtures.pairs(ref);
    List<EncodedSequence> rows = new ArrayList<>();
    pairs.forEach(p -> rows.add(p.chosen()));
    pairs.forEach(p -> rows.add(p.rejected()));
    try (HfCausalLm lm = HfCausalLm.load(HfFixtures.dir(name), Device.cpu())) {
      for (NllScope scope : NllScope.values()) {
        JsonObject want = orpo.getAsJsonObject(scope == NllScope.RESPONSE ? "response" : "prompt_and_response");
        try (NDManager m = lm.getManager().newSubManager()) {
          TokenBatch b = TokenBatch.collate(rows, orpo.get("pad_id").getAsLong(), m);
          Map<String, Float> got = OrpoLoss.builder().nllScope(scope).build()
              .compute(lm.forward(b.inputIds(), b.attentionMask(), false), b.labels(), b.responseMask(),
                  b.tokenMask()).metrics();
          assertEquals(want.get("loss").getAsDouble(), got.get("loss"), TOLERANCE, name + " " + scope + " loss");
          for (Map.Entry<String, JsonElement> e : want.getAsJsonObject("metrics").entrySet()) {
            assertEquals(e.getValue().getAsDouble(), got.get(e.getKey()), TOLERANCE,
                name + " " + scope + " " + e.getKey());
          }
        }
      }
    }
  }
}
