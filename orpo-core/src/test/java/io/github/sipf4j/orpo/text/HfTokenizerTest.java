package io.github.sipf4j.orpo.text;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.net.URISyntaxException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Tokenizers of Hugging Face model folders (the fixtures of {@code src/test/resources/hf}): a byte-fallback BPE
 * tokenizer.json, with the special ids the folder's configs name.
 */
class HfTokenizerTest {

  static Path folder(String name) throws URISyntaxException {
    return Path.of(HfTokenizerTest.class.getResource("/hf/" + name + "/config.json").toURI()).getParent();
  }

  @Test
  void llamaStyleIdsComeFromTokenizerConfigAndGenerationConfig() throws Exception {
    try (TextTokenizer tok = TextTokenizer.fromFile(folder("llama"))) {
      assertEquals(1, tok.bosId());
      assertTrue(tok.addsBos());
      assertEquals(2, tok.eosId());
      assertArrayEquals(new long[] {2, 5}, tok.eosIds(), "generation_config.json's eos_token_id list");
      assertEquals(3, tok.padId());
      assertEquals(65, tok.vocabSize());
      assertArrayEquals(new long[] {59}, tok.encode("the"), "metaspace and the merges ▁ t, ▁t he");
      String text = "the cat is here: 12+3=15.\ncafé";
      assertEquals(text, tok.decode(tok.encode(text)), "byte fallback round trip (newline, é)");
      long[] e = tok.encode("é");
      assertArrayEquals(new long[] {9, 7, 8}, e, "▁ then the two UTF-8 bytes of é as <0xC3> <0xA9>");
      assertEquals(1, new SequenceEncoder(tok, PromptTemplate.DEFAULT, 64).encodePrompt("the")[0]);
    }
  }

  @Test
  void qwenStyleHasNoBosAndSeveralStopIds() throws Exception {
    try (TextTokenizer tok = TextTokenizer.fromFile(folder("qwen2"))) {
      assertFalse(tok.addsBos(), "tokenizer_config.json's bos_token is null");
      assertEquals(4, tok.bosId(), "still a valid id: config.json's bos_token_id");
      assertEquals(5, tok.eosId(), "tokenizer_config.json's eos_token <|im_end|>");
      assertArrayEquals(new long[] {5, 4}, tok.eosIds());
      assertEquals(4, tok.padId(), "tokenizer_config.json's pad_token <|endoftext|>");
      assertArrayEquals(new long[] {59}, new SequenceEncoder(tok, PromptTemplate.DEFAULT, 64).encodePrompt("the"),
          "no BOS before prompts");
    }
  }

  @Test
  void addedTokenObjectsAndAbsentPadTokens() throws Exception {
    try (TextTokenizer gemma = TextTokenizer.fromFile(folder("gemma"));
        TextTokenizer phi = TextTokenizer.fromFile(folder("phi"))) {
      assertEquals(1, gemma.bosId(), "bos_token given as an AddedToken object");
      assertEquals(3, gemma.padId());
      assertEquals(4, phi.bosId());
      assertEquals(4, phi.eosId());
      assertEquals(4, phi.padId(), "no pad token anywhere: EOS");
      assertTrue(phi.addsBos(), "a BOS token without add_bos_token is put before prompts, as TRL does");
    }
  }

  @Test
  void aConfigNamingAnUnknownTokenIsAnError(@TempDir Path dir) throws Exception {
    Files.copy(folder("llama").resolve("tokenizer.json"), dir.resolve("tokenizer.json"));
    Files.writeString(dir.resolve("tokenizer_config.json"), "{\"eos_token\": \"<|eot|>\"}", StandardCharsets.UTF_8);
    IOException e = assertThrows(IOException.class, () -> TextTokenizer.fromFile(dir));
    assertEquals(dir.resolve("tokenizer_config.json") + ": field 'eos_token': token \"<|eot|>\" is not in "
        + dir.resolve("tokenizer.json"), e.getMessage());
    Files.writeString(dir.resolve("tokenizer_config.json"), "{\"bos_token\": \"<s>\"}", StandardCharsets.UTF_8);
    e = assertThrows(IOException.class, () -> TextTokenizer.fromFile(dir));
    assertTrue(e.getMessage().contains("no EOS token"), e.getMessage());
  }

  @Test
  void aFolderWithoutHuggingFaceConfigsStillFindsTokensByName(@TempDir Path dir) throws IOException {
    try (TextTokenizer chars = TextTokenizer.characterLevel()) {
      chars.save(dir);
    }
    Files.writeString(dir.resolve("config.json"), "{\"type\": \"decoder\", \"config\": {}}", StandardCharsets.UTF_8);
    try (TextTokenizer tok = TextTokenizer.fromFile(dir)) {
      assertEquals(1, tok.bosId());
      assertEquals(2, tok.eosId());
      assertEquals(0, tok.padId());
      assertTrue(tok.addsBos());
      assertArrayEquals(new long[] {2}, tok.eosIds());
    }
  }
}
