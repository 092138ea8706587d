package io.github.sipf4j.prm.data;

import io.github.sipf4j.orpo.data.DataFormatException;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.zip.GZIPOutputStream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.function.Executable;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class BrokenInputTest {
  @TempDir Path dir;

  private static final String GSM_OK = "{\"question\": \"Q?\", \"answer\": \"1+1=2\\n#### 2\"}";

  private Path write(String name, String content) throws IOException {
    Path p = dir.resolve(name);
    Files.writeString(p, content, StandardCharsets.UTF_8);
    return p;
  }

  private static void expect(Path file, long line, String field, Executable load) {
    DataFormatException e = assertThrows(DataFormatException.class, load);
    assertEquals(file, e.file());
    assertEquals(line, e.line(), e.getMessage());
    assertEquals(field, e.field(), e.getMessage());
    assertTrue(e.getMessage().startsWith(file + ":" + line + ": field '" + field + "'"), e.getMessage());
  }

  @ParameterizedTest(name = "gsm8k {0}")
  @CsvSource(
      delimiter = '|',
      value = {
        "truncated line | {\"question\": \"Q?\", \"answ | <record>",
        "missing question | {\"answer\": \"#### 2\"} | question",
        "missing answer | {\"question\": \"Q?\"} | answer",
        "question is a number | {\"question\": 5, \"answer\": \"#### 2\"} | question",
        "answer is an array | {\"question\": \"Q\", \"answer\": [\"#### 2\"]} | answer",
        "no final line | {\"question\": \"Q\", \"answer\": \"1+1=2\"} | answer",
        "empty final answer | {\"question\": \"Q\", \"answer\": \"1+1=2\\n####  \"} | answer",
        "not an object | [1, 2] | <record>",
        "blank question | {\"question\": \" \", \"answer\": \"#### 2\"} | question"
      })
  void gsm8kBrokenThirdRecord(String name, String bad, String field) throws IOException {
    Path f = write("g.jsonl", GSM_OK + "\n\n" + bad.strip() + "\n" + GSM_OK + "\n");
    expect(f, 3, field, () -> Gsm8kLoader.standard().load(f));
  }

  @Test
  void emptyFilesFail() throws IOException {
    Path g = write("empty.jsonl", "");
    expect(g, 1, DataFormatException.RECORD, () -> Gsm8kLoader.standard().load(g));
    Path blank = write("blank.jsonl", "\n\n");
    expect(blank, 1, DataFormatException.RECORD, () -> HumanEvalLoader.load(blank));
    Path m = write("empty.csv", "");
    expect(m, 1, DataFormatException.RECORD, () -> MmluLoader.multipleChoice().load(m));
    Path arr = write("empty.json", "[\n]\n");
    expect(arr, 2, DataFormatException.RECORD, () -> MbppLoader.load(arr));
    Path none = write("none.json", "");
    expect(none, 1, DataFormatException.RECORD, () -> MbppLoader.load(none));
  }

  private static final String SANITIZED_OK =
      "  {\n    \"task_id\": 1,\n    \"prompt\": \"Write f.\",\n    \"code\": \"def f():\\n  return 1\",\n"
          + "    \"test_imports\": [],\n    \"test_list\": [\"assert f() == 1\"]\n  }";

  @ParameterizedTest(name = "sanitized mbpp {0}")
  @CsvSource(
      delimiter = '|',
      value = {
        "missing code | \"task_id\": 2, \"prompt\": \"p\", \"test_list\": [\"assert 1\"] | code",
        "test_list is a string | \"task_id\": 2, \"prompt\": \"p\", \"code\": \"x\", \"test_list\": \"assert 1\" | test_list",
        "test_list holds a number | \"task_id\": 2, \"prompt\": \"p\", \"code\": \"x\", \"test_list\": [3] | test_list",
        "test_imports is an object | \"task_id\": 2, \"prompt\": \"p\", \"code\": \"x\", \"test_imports\": {}, \"test_list\": [\"assert 1\"] | test_imports",
        "task_id is fractional | \"task_id\": 2.5, \"prompt\": \"p\", \"code\": \"x\", \"test_list\": [\"assert 1\"] | task_id",
        "empty test_list | \"task_id\": 2, \"prompt\": \"p\", \"code\": \"x\", \"test_list\": [] | test_list"
      })
  void sanitizedMbppBrokenSecondRecord(String name, String body, String field) throws IOException {
    // Line 1 is "[", lines 2-8 the first record; the second record starts on line 9.
    Path f = write("s.json", "[\n" + SANITIZED_OK + ",\n  {\n    " + body + "\n  }\n]\n");
    expect(f, 9, field, () -> MbppLoader.load(f));
  }

  @Test
  void sanitizedMbppTruncatedArrayNamesTheLine() throws IOException {
    Path f = write("t.json", "[\n" + SANITIZED_OK + ",\n  {\n    \"task_id\": 2,\n    \"prompt\": \"p");
    DataFormatException e = assertThrows(DataFormatException.class, () -> MbppLoader.load(f));
    assertEquals(DataFormatException.RECORD, e.field());
    assertEquals(11, e.line(), "the line of the unterminated string: " + e.getMessage());
  }

  @Test
  void originalMbppJsonl() throws IOException {
    String ok =
        "{\"text\": \"Write f.\", \"code\": \"def f():\\n  return A\", \"task_id\": 11, \"test_setup_code\": \"A = 1\","
            + " \"test_list\": [\"assert f() == 1\"], \"challenge_test_list\": []}";
    Path f = write("mbpp.jsonl", ok + "\n");
    var set = MbppLoader.load(f);
    assertEquals("Mbpp/11", set.get(0).id());
    assertEquals("A = 1\n", set.get(0).tests().preamble());
    Path bad = write("bad.jsonl", ok + "\n" + ok.replace("\"text\"", "\"txt\"") + "\n");
    expect(bad, 2, "text", () -> MbppLoader.load(bad));
    Path badChallenge = write("bc.jsonl", ok.replace("\"challenge_test_list\": []", "\"challenge_test_list\": 7") + "\n");
    expect(badChallenge, 1, "challenge_test_list", () -> MbppLoader.load(badChallenge));
  }

  @Test
  void humanEvalBrokenGzippedRecord() throws IOException {
    String ok =
        "{\"task_id\": \"HumanEval/0\", \"prompt\": \"def f():\\n\", \"canonical_solution\": \"    return 1\\n\","
            + " \"test\": \"def check(c):\\n    assert c() == 1\\n\", \"entry_point\": \"f\"}";
    Path f = dir.resolve("he.jsonl.gz");
    try (OutputStream out = new GZIPOutputStream(Files.newOutputStream(f))) {
      out.write((ok + "\n" + ok.replace("\"entry_point\": \"f\"", "\"entry_point\": 3") + "\n").getBytes(StandardCharsets.UTF_8));
    }
    expect(f, 2, "entry_point", () -> HumanEvalLoader.load(f));
    Path plain = write("he.jsonl", ok + "\n" + ok.replace("\"test\":", "\"tst\":") + "\n");
    expect(plain, 2, "test", () -> HumanEvalLoader.load(plain));
  }

  @Test
  void mmluBrokenRows() throws IOException {
    String ok = "\"What is\n1+1?\",1,2,3,4,B\n";
    Path cols = write("c_val.csv", ok + ok + "Q,1,2,3,B\n");
    expect(cols, 5, DataFormatException.RECORD, () -> MmluLoader.multipleChoice().load(cols));
    Path letter = write("l_val.csv", ok + "Q,1,2,3,4,E\n");
    expect(letter, 3, "answer", () -> MmluLoader.multipleChoice().load(letter));
    Path emptyOption = write("e_val.csv", "Q,1,,3,4,A\n");
    expect(emptyOption, 1, "B", () -> MmluLoader.numericOnly().load(emptyOption));
    Path quote = write("q_val.csv", ok + "\"Q,1,2,3,4,A\n");
    DataFormatException e =
        assertThrows(DataFormatException.class, () -> MmluLoader.multipleChoice().load(quote));
    assertEquals(3, e.line(), e.getMessage());
  }
}
