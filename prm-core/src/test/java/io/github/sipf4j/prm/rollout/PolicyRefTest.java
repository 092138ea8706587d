package io.github.sipf4j.prm.rollout;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.github.sipf4j.orpo.text.TextTokenizer;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The tokenizer a rollout reloads from a policy reference is the one the run used. */
class PolicyRefTest {

  private static Path fixture(String family) {
    return Path.of("..", "orpo-core", "src", "test", "resources", "hf", family);
  }

  @Test
  void huggingFaceFoldersKeepEveryEosIdAndTheirBosChoice() throws Exception {
    for (String family : new String[] {"llama", "qwen2"}) {
      try (TextTokenizer own = TextTokenizer.fromFile(fixture(family))) {
        PolicyRef ref = PolicyRef.of(fixture(family), "huggingface", own);
        try (TextTokenizer back = ref.loadTokenizer()) {
          assertArrayEquals(own.eosIds(), back.eosIds(), family);
          assertEquals(own.addsBos(), back.addsBos(), family);
          assertEquals(own.bosId(), back.bosId(), family);
          assertEquals(own.padId(), back.padId(), family);
        }
      }
    }
    try (TextTokenizer qwen = TextTokenizer.fromFile(fixture("qwen2"))) {
      assertFalse(qwen.addsBos(), "the fixture is a tokenizer without BOS");
    }
    try (TextTokenizer llama = TextTokenizer.fromFile(fixture("llama"))) {
      assertTrue(llama.eosIds().length > 1, "the fixture has several EOS ids");
    }
  }

  @Test
  void recordedIdsWinOverAFolderThatNamesOthers(@TempDir Path dir) throws Exception {
    Files.copy(fixture("llama").resolve("tokenizer.json"), dir.resolve("tokenizer.json"));
    try (TextTokenizer own = TextTokenizer.fromFile(fixture("llama"))) {
      long otherPad = own.padId() + 1;
      PolicyRef ref = new PolicyRef(dir.toString(), "huggingface", own.bosId(), own.eosId(), otherPad);
      try (TextTokenizer back = ref.loadTokenizer()) {
        assertEquals(otherPad, back.padId());
        assertEquals(own.eosId(), back.eosId());
      }
    }
  }
}
