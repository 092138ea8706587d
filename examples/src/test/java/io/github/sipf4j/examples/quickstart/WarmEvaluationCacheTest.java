package io.github.sipf4j.examples.quickstart;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;

import io.github.sipf4j.prm.iterate.EvalResult;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class WarmEvaluationCacheTest {

  @Test
  void theSharedEvaluationIsReusedOnlyForTheSameWeightsAndSplits(@TempDir Path dir) throws Exception {
    Path model = Files.createDirectories(dir.resolve("model"));
    Files.write(model.resolve("model.safetensors"), new byte[] {1, 2, 3});
    Quickstart.Splits seed1 = Quickstart.splits(Preset.TINY, 1);
    Map<String, EvalResult> results = new LinkedHashMap<>();
    seed1.evalSets().forEach((name, set) -> results.put(name, EvalResult.of(name, 1, set.size())));
    Path cache = Quickstart.warmEvaluationFile(dir.resolve("run-sipf"));
    assertEquals(dir.toAbsolutePath().resolve(Quickstart.WARM_EVALUATION_FILE), cache);
    assertNull(Quickstart.readWarmEvaluation(cache, model, seed1), "nothing written yet");

    Quickstart.writeWarmEvaluation(cache, model, seed1, results);
    assertEquals(results, Quickstart.readWarmEvaluation(cache, model, seed1));
    // Other splits of the same sizes (another seed) and other weights do not match.
    assertNull(Quickstart.readWarmEvaluation(cache, model, Quickstart.splits(Preset.TINY, 2)));
    Files.write(model.resolve("model.safetensors"), new byte[] {1, 2, 4});
    assertNull(Quickstart.readWarmEvaluation(cache, model, seed1));
    // A damaged file is ignored, not fatal.
    Files.writeString(cache, "{not json");
    assertNull(Quickstart.readWarmEvaluation(cache, model, seed1));
  }
}
