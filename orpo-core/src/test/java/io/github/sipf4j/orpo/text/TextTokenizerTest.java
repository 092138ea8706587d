package io.github.sipf4j.orpo.text;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Random;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

class TextTokenizerTest {

  private static final String ALPHABET =
      "\n 0123456789abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ.,?!:;'\"()+-*/=<>%$#&_";

  @Test
  void characterLevelHasOneIdPerCharacterAndTheSpecialIds() {
    try (TextTokenizer tok = TextTokenizer.characterLevel()) {
      assertEquals(90, tok.vocabSize());
      assertEquals(0, tok.padId());
      assertEquals(1, tok.bosId());
      assertEquals(2, tok.eosId());
      assertTrue(tok.isSpecial(3));
      String text = "Tom has 3 apples.\n3*4=12\nThe answer is 12";
      long[] ids = tok.encode(text);
      assertEquals(text.length(), ids.length);
      assertEquals(text, tok.decode(ids));
      assertEquals(0, tok.encode("").length);
      // Special tokens are dropped when decoding.
      long[] withSpecials = new long[ids.length + 2];
      withSpecials[0] = tok.bosId();
      System.arraycopy(ids, 0, withSpecials, 1, ids.length);
      withSpecials[ids.length + 1] = tok.eosId();
      assertEquals(text, tok.decode(withSpecials));
    }
  }

  @ParameterizedTest(name = "seed {0}")
  @ValueSource(longs = {11, 12, 13, 14, 15, 16, 17, 18})
  void randomTextsRoundTrip(long seed) {
    Random r = new Random(seed);
    StringBuilder sb = new StringBuilder();
    int n = 1 + r.nextInt(200);
    for (int i = 0; i < n; i++) {
      sb.append(ALPHABET.charAt(r.nextInt(ALPHABET.length())));
    }
    try (TextTokenizer tok = TextTokenizer.characterLevel()) {
      long[] ids = tok.encode(sb.toString());
      assertEquals(n, ids.length, "seed " + seed);
      assertEquals(sb.toString(), tok.decode(ids), "seed " + seed);
    }
  }

  @Test
  void unknownCharactersBecomeUnk() {
    try (TextTokenizer tok = TextTokenizer.characterLevel()) {
      assertArrayEquals(new long[] {3}, tok.encode("€"));
    }
  }

  @Test
  void saveAndReload(@TempDir Path dir) throws IOException {
    try (TextTokenizer tok = TextTokenizer.characterLevel()) {
      tok.save(dir);
      try (TextTokenizer again = TextTokenizer.fromFile(dir)) {
        assertArrayEquals(tok.encode("12+3=15"), again.encode("12+3=15"));
        assertEquals(tok.eosId(), again.eosId());
      }
    }
  }

  @Test
  void malformedFileIsReportedWithItsPath(@TempDir Path dir) throws IOException {
    Path f = dir.resolve("tokenizer.json");
    Files.writeString(f, "{not json");
    IOException e = assertThrows(IOException.class, () -> TextTokenizer.fromFile(f));
    assertTrue(e.getMessage().contains(f.toString()), e.getMessage());
  }
}
