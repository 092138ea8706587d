package io.github.sipf4j.examples.quickstart;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ai.djl.Device;
import io.github.sipf4j.orpo.model.CausalLm;
import io.github.sipf4j.orpo.model.CausalLms;
import io.github.sipf4j.orpo.text.TextTokenizer;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class SftWarmStartTest {

  @Test
  @Tag("slow")
  void trainsSavesAModelWithItsTokenizerThatLoadsBackAndLowersTheLoss(@TempDir Path dir) throws IOException {
    SftWarmStart r = SftWarmStart.train(dir, 32, 12, 3e-3f, 5, false);
    assertEquals(12, r.summary().steps());
    assertTrue(r.summary().lastMetrics().get("loss") < r.summary().firstMetrics().get("loss"),
        r.summary().firstMetrics() + " -> " + r.summary().lastMetrics());
    assertTrue(Files.isRegularFile(dir.resolve("sft/sft-metrics.csv")));
    try (CausalLm lm = CausalLms.load(r.modelDir(), Device.cpu());
        TextTokenizer tok = TextTokenizer.fromFile(r.modelDir())) {
      assertEquals(tok.vocabSize(), lm.vocabSize());
      assertEquals(SftWarmStart.defaultModel(tok.vocabSize()).maxLength(), lm.maxLength());
    }
  }
}
