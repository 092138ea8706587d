package io.github.sipf4j.orpo.data;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.google.gson.Gson;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.StringReader;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.api.Test;

/**
 * Errors of the shared JSON-lines reader name the file, the line of the file and the column in that line, never
 * Gson's "line 1" of the single line it parsed.
 */
class JsonLinesTest {

  private static final Path FILE = Path.of("data", "train.jsonl");

  @ParameterizedTest
  @CsvSource(delimiter = '|', value = {
      "{\"prompt\": \"p\", \"chosen\": \"c, \"rejected\": \"r\"}|at column 33 (at $.chosen): Unterminated object",
      "{\"prompt\": \"p\",, }|at column 16 (at $.prompt): Expected name",
      "{\"a\": 1} x|at column 11: text that is not JSON",
      "{\"a\": [1, 2|at column 12 (at $.a[2]): End of input"})
  void aMalformedLineNamesFileLineAndColumn(String line, String where) {
    DataFormatException e = assertThrows(DataFormatException.class, () -> JsonLines.parse(FILE, 17, line));
    assertEquals(17, e.line());
    assertEquals(DataFormatException.RECORD, e.field());
    assertTrue(e.getMessage().startsWith(FILE + ":17: field '<record>': malformed JSON " + where), e.getMessage());
    assertFalse(e.getMessage().contains("line 1"), "Gson's own line count is gone: " + e.getMessage());
    assertFalse(e.getMessage().contains("https://"), e.getMessage());
  }

  /** A typed record of a run's files. */
  record Row(int question, String task) {}

  @Test
  void aLineThatIsNotTheRecordSaysWhichRecordAndWhy() {
    DataFormatException e = assertThrows(DataFormatException.class,
        () -> JsonLines.read(new Gson(), FILE, 4, "{\"question\": \"one\", \"task\": \"t\"}", Row.class));
    assertTrue(e.getMessage().startsWith(FILE + ":4: field '<record>': cannot be read as a Row: "), e.getMessage());
    assertEquals(new Row(2, "t"), JsonLines.read(new Gson(), FILE, 4, "{\"question\": 2, \"task\": \"t\"}",
        Row.class));
  }

  @Test
  void linesAreNumberedInTheFileWithBlankLinesAndAByteOrderMark() throws IOException {
    List<String> seen = new ArrayList<>();
    JsonLines.forEachLine(new BufferedReader(new StringReader("\uFEFF{\"a\":1}\n\n  \n{\"a\":2}\r\n")),
        (line, text) -> seen.add(line + ":" + text));
    assertEquals(List.of("1:{\"a\":1}", "4:{\"a\":2}"), seen);
  }
}
