package io.github.sipf4j.orpo.data;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

class PreferenceJsonlTest {

  @Test
  void roundTripKeepsEveryCharacter(@TempDir Path dir) throws IOException {
    List<PreferencePair> pairs = List.of(new PreferencePair("Q: 2+2?\nA:\n", "2+2=4\nThe answer is 4", "2+2=5"),
        new PreferencePair("quotes \" and \\ and é", "", "tab\there"));
    Path f = dir.resolve("pairs.jsonl");
    PreferenceJsonl.write(f, pairs);
    assertEquals(pairs, PreferenceJsonl.read(f));
  }

  @ParameterizedTest
  @CsvSource(delimiter = '|', value = {
      "{\"prompt\":\"p\",\"chosen\":\"c\"}|rejected|missing",
      "{\"prompt\":\"p\",\"chosen\":3,\"rejected\":\"r\"}|chosen|expected a string",
      "{\"prompt\":\"p\",\"chosen\":\"c\",\"rejected\":|null|malformed JSON",
      "[1,2]|null|expected a JSON object"})
  void malformedLinesNameFileLineAndField(String bad, String field, String problem, @TempDir Path dir)
      throws IOException {
    Path f = dir.resolve("bad.jsonl");
    Files.writeString(f, "{\"prompt\":\"a\",\"chosen\":\"b\",\"rejected\":\"c\"}\n\n" + bad + "\n");
    DataFormatException e = assertThrows(DataFormatException.class, () -> PreferenceJsonl.read(f));
    assertEquals(3, e.line());
    assertEquals(f, e.file());
    assertEquals("null".equals(field) ? DataFormatException.RECORD : field, e.field());
    assertEquals(true, e.getMessage().startsWith(f + ":3: field "), e.getMessage());
    assertEquals(true, e.getMessage().contains(problem), e.getMessage());
  }
}
