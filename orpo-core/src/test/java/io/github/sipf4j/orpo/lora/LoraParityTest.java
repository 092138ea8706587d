package io.github.sipf4j.orpo.lora;

import static io.github.sipf4j.orpo.model.hf.HfFixtures.assertClose;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ai.djl.Device;
import ai.djl.ndarray.NDManager;
import ai.djl.nn.Parameter;
import ai.djl.util.Pair;
import com.google.gson.JsonElement;
import com.google.gson.JsonObject;
import io.github.sipf4j.orpo.loss.NllScope;
import io.github.sipf4j.orpo.loss.OrpoLoss;
import io.github.sipf4j.orpo.model.CausalLm;
import io.github.sipf4j.orpo.model.CausalLms;
import io.github.sipf4j.orpo.model.hf.HfFixtures;
import io.github.sipf4j.orpo.text.EncodedSequence;
import io.github.sipf4j.orpo.text.TokenBatch;
import io.github.sipf4j.orpo.train.EncodedPair;
import io.github.sipf4j.orpo.train.LrScheduleType;
import io.github.sipf4j.orpo.train.OptimizerConfig;
import io.github.sipf4j.orpo.train.OrpoTrainer;
import io.github.sipf4j.orpo.train.TrainerConfig;
import io.github.sipf4j.orpo.train.TrainingSummary;
import io.github.sipf4j.orpo.util.SafetensorsFile;
import java.io.IOException;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * Parity of LoRA with the PyTorch reference ({@code scripts/hf_reference.py}, written from PEFT's formulas): adapter
 * folders that the reference wrote in PEFT's layout, with non-zero B, load and give its log-probs; merged and unmerged
 * models agree; one ORPO step of sipf4j's AdamW on the adapters alone gives the reference's loss and adapter weights
 * and leaves the base bit-identical.
 */
class LoraParityTest {

  @ParameterizedTest(name = "{0}")
  @MethodSource("io.github.sipf4j.orpo.lora.LoraFixtures#all")
  void peftAdapterFoldersGiveTheReferenceLogProbs(String name) throws IOException {
    JsonObject ref = LoraFixtures.reference(name);
    List<long[]> sequences = HfFixtures.rows(ref.get("sequences"));
    try (LoraModel lm = LoraFixtures.adapted(name)) {
      List<String> modules = new ArrayList<>();
      ref.getAsJsonArray("modules").forEach(e -> modules.add(e.getAsString()));
      assertEquals(modules, lm.adaptedModules().stream().sorted().toList(), name + ": adapted modules");
      assertEquals(ref.get("adapter_parameters").getAsLong(), lm.adapterParameterCount());
      double[][] want = HfFixtures.referenceLogProbs(ref, "token_logprobs");
      assertClose(want, HfFixtures.tokenLogProbs(lm, sequences, 0, false), 1e-4, name + " right-padded");
      assertClose(want, HfFixtures.tokenLogProbs(lm, sequences, 0, true), 1e-4, name + " left-padded");
    }
  }

  @Test
  void anAdapterFolderLoadsWithItsBaseThroughTheRegistry() throws IOException {
    JsonObject ref = LoraFixtures.reference("phi");
    try (CausalLm lm = CausalLms.load(LoraFixtures.dir("phi"), Device.cpu())) {
      assertEquals(LoraModel.class, lm.getClass(), "base_model_name_or_path resolved against the adapter folder");
      assertClose(HfFixtures.referenceLogProbs(ref, "token_logprobs"),
          HfFixtures.tokenLogProbs(lm, HfFixtures.rows(ref.get("sequences")), 0, false), 1e-4, "phi");
    }
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("io.github.sipf4j.orpo.lora.LoraFixtures#all")
  void mergedAndUnmergedModelsAgree(String name) throws IOException {
    JsonObject ref = LoraFixtures.reference(name);
    List<long[]> sequences = HfFixtures.rows(ref.get("sequences"));
    try (LoraModel lm = LoraFixtures.adapted(name)) {
      Map<String, float[]> before = LoraFixtures.values(lm.base());
      double[][] unmerged = HfFixtures.tokenLogProbs(lm, sequences, 0, false);
      lm.merge();
      double[][] merged = HfFixtures.tokenLogProbs(lm, sequences, 0, false);
      assertClose(unmerged, merged, 1e-5, name + " merged against unmerged");
      assertClose(HfFixtures.referenceLogProbs(ref, "token_logprobs_merged"), merged, 1e-4, name + " merged");
      lm.unmerge();
      assertClose(unmerged, HfFixtures.tokenLogProbs(lm, sequences, 0, false), 1e-5, name + " unmerged again");
      Map<String, float[]> after = LoraFixtures.values(lm.base());
      for (Map.Entry<String, float[]> e : before.entrySet()) {
        assertTrue(LoraFixtures.maxAbsDiff(e.getValue(), after.get(e.getKey())) < 1e-6,
            name + ": unmerge restores " + e.getKey());
      }
    }
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("io.github.sipf4j.orpo.lora.LoraFixtures#all")
  void oneAdamWStepOnTheAdaptersMatchesTheReference(String name) throws IOException {
    JsonObject ref = LoraFixtures.reference(name);
    JsonObject orpo = ref.getAsJsonObject("orpo");
    long pad = orpo.get("pad_id").getAsLong();
    List<EncodedPair> pairs = HfFixtures.pairs(ref);
    OrpoLoss loss = OrpoLoss.builder().nllScope(NllScope.PROMPT_AND_RESPONSE).build();
    try (LoraModel lm = LoraFixtures.adapted(name)) {
      Map<String, float[]> base = LoraFixtures.values(lm.base());
      TrainerConfig cfg = TrainerConfig.builder().batchSize(pairs.size()).maxSteps(1).progressBar(false)
          .optimizer(OptimizerConfig.builder().learningRate(1e-3f).weightDecay(0.01f).maxGradNorm(1f)
              .schedule(LrScheduleType.CONSTANT).build()).build();
      TrainingSummary s = new OrpoTrainer(lm, cfg, loss, pad).fit(pairs);
      assertEquals(orpo.get("loss_before").getAsDouble(), s.firstMetrics().get("loss"), 1e-4, name + " loss before");
      List<EncodedSequence> rows = new ArrayList<>();
      pairs.forEach(p -> rows.add(p.chosen()));
      pairs.forEach(p -> rows.add(p.rejected()));
      try (NDManager m = lm.getManager().newSubManager()) {
        TokenBatch b = TokenBatch.collate(rows, pad, m);
        float after = loss.compute(lm.forward(b.inputIds(), b.attentionMask(), false), b.labels(),
            b.responseMask(), b.tokenMask()).loss().getFloat();
        assertEquals(orpo.get("loss_after").getAsDouble(), after, 2e-4, name + " loss after");
      }
      try (SafetensorsFile f = SafetensorsFile.open(LoraFixtures.dir(name).resolve("adamw_step.safetensors"));
          NDManager m = lm.getManager().newSubManager()) {
        assertEquals(f.tensors().keySet(), lm.trainableParameters().stream().map(Pair::getKey)
            .collect(java.util.stream.Collectors.toSet()), "the step's tensors are the adapters");
        double worst = 0;
        String where = "";
        for (Pair<String, Parameter> p : lm.trainableParameters()) {
          float[] want = f.read(p.getKey(), m).toFloatArray();
          float[] got = p.getValue().getArray().toFloatArray();
          for (int i = 0; i < want.length; i++) {
            if (Math.abs(want[i] - got[i]) > worst) {
              worst = Math.abs(want[i] - got[i]);
              where = p.getKey() + "[" + i + "]";
            }
          }
        }
        // as for the full models (HfCausalLmTest): 0.5% of the learning rate
        assertTrue(worst < 5e-6, name + ": adapters after one step differ by " + worst + " at " + where);
      }
      Map<String, float[]> after = LoraFixtures.values(lm.base());
      for (Map.Entry<String, float[]> e : base.entrySet()) {
        assertArrayEquals(e.getValue(), after.get(e.getKey()), name + ": the base's " + e.getKey() + " moved");
      }
    }
  }

  @Test
  void theReferenceAdapterMovesTheLogProbs() {
    // guards the fixtures themselves: an adapter that changed nothing would make every test above vacuous
    for (String name : LoraFixtures.ALL) {
      JsonObject ref = LoraFixtures.reference(name);
      double[][] base = HfFixtures.referenceLogProbs(ref, "token_logprobs_base");
      double[][] adapted = HfFixtures.referenceLogProbs(ref, "token_logprobs");
      double moved = 0;
      for (int i = 0; i < base.length; i++) {
        for (int j = 0; j < base[i].length; j++) {
          moved = Math.max(moved, Math.abs(base[i][j] - adapted[i][j]));
        }
      }
      assertTrue(moved > 0.1, name + ": the adapter moves log-probs by " + moved);
      for (JsonElement e : ref.getAsJsonArray("modules")) {
        assertTrue(e.getAsString().startsWith("model.layers."), e.getAsString());
      }
    }
  }
}
