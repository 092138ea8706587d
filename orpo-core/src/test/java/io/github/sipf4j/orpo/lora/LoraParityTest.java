package io.github.sipf4j.orpo.lora;

import static io.github.sipf4j.orpo.model.hf.HfFixtures.assertClose;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ai.djl.Device;
import ai.djl.util.Pair;
import com.google.gson.JsonElement;
import com.google.gson.JsonObject;
import io.github.sipf4j.orpo.model.CausalLm;
import io.github.sipf4j.orpo.model.CausalLms;
import io.github.sipf4j.orpo.model.hf.HfFixtures;
import io.github.sipf4j.orpo.util.SafetensorsFile;
import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.stream.Collectors;
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
    try (LoraModel lm = LoraFixtures.adapted(name)) {
      Map<String, float[]> base = LoraFixtures.values(lm.base());
      HfFixtures.assertOneAdamWStep(lm, ref, orpo.get("loss_before").getAsDouble(),
          orpo.get("loss_after").getAsDouble(), name);
      Path step = LoraFixtures.dir(name).resolve("adamw_step.safetensors");
      try (SafetensorsFile f = SafetensorsFile.open(step)) {
        assertEquals(f.tensors().keySet(), lm.trainableParameters().stream().map(Pair::getKey)
            .collect(Collectors.toSet()), "the step's tensors are the adapters");
      }
      HfFixtures.Worst w = HfFixtures.worstDifference(step, lm.trainableParameters());
      // as for the full models (HfCausalLmTest): 0.5% of the learning rate
      assertTrue(w.value() < 5e-6, name + ": adapters after one step differ by " + w.value() + " at " + w.where());
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
