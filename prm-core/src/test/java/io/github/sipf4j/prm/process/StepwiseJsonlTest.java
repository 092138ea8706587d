package io.github.sipf4j.prm.process;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import io.github.sipf4j.orpo.data.DataFormatException;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import java.util.stream.LongStream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

class StepwiseJsonlTest {

  @TempDir
  Path dir;

  static LongStream seeds() {
    return LongStream.range(0, 50);
  }

  @ParameterizedTest(name = "seed {0}")
  @MethodSource("seeds")
  void roundTripsHardAndSoftLabels(long seed) throws IOException {
    Random r = new Random(seed);
    List<LabeledRationale> records = new ArrayList<>();
    for (int i = 0; i < 1 + r.nextInt(5); i++) {
      int k = 1 + r.nextInt(4);
      List<String> steps = new ArrayList<>();
      double[] labels = new double[k];
      boolean soft = r.nextBoolean();
      for (int j = 0; j < k; j++) {
        steps.add("step \"" + j + "\" é\t" + r.nextInt(100) + (r.nextBoolean() ? "\n" : "\r\n"));
        labels[j] = soft ? r.nextDouble() : r.nextInt(2);
      }
      records.add(new LabeledRationale("question " + i + " \u2014 unicode", steps, labels));
    }
    Path file = dir.resolve("s" + seed + ".jsonl");
    StepwiseJsonl.write(file, records);
    List<LabeledRationale> back = StepwiseJsonl.read(file);
    assertEquals(records.size(), back.size(), "seed " + seed);
    for (int i = 0; i < records.size(); i++) {
      assertEquals(records.get(i).prompt(), back.get(i).prompt(), "seed " + seed);
      assertEquals(records.get(i).steps(), back.get(i).steps(), "seed " + seed);
      assertArrayEquals(records.get(i).labels(), back.get(i).labels(), "seed " + seed);
    }
  }

  @Test
  void readsTrlBooleansAndMixedLabelsAndWritesBooleansForHardLabels() throws IOException {
    Path file = dir.resolve("trl.jsonl");
    Files.writeString(file, "{\"prompt\": \"2+2?\", \"completions\": [\"2+2=4\\n\", \"so 4\"], \"labels\": [true, false],"
        + " \"extra\": 1}\n\n{\"prompt\": \"p\", \"completions\": [\"a\", \"b\"], \"labels\": [0.25, true]}\n");
    List<LabeledRationale> rs = StepwiseJsonl.read(file);
    assertEquals(2, rs.size());
    assertArrayEquals(new double[] {1, 0}, rs.get(0).labels());
    assertArrayEquals(new double[] {0.25, 1}, rs.get(1).labels());
    Path out = dir.resolve("out.jsonl");
    StepwiseJsonl.write(out, rs);
    List<String> lines = Files.readAllLines(out, StandardCharsets.UTF_8);
    assertEquals("{\"prompt\":\"2+2?\",\"completions\":[\"2+2=4\\n\",\"so 4\"],\"labels\":[true,false]}",
        lines.get(0));
    assertEquals("{\"prompt\":\"p\",\"completions\":[\"a\",\"b\"],\"labels\":[0.25,1.0]}", lines.get(1));
    List<Long> numbers = new ArrayList<>();
    StepwiseJsonl.forEach(file, (line, r) -> numbers.add(line));
    assertEquals(List.of(1L, 3L), numbers);
  }

  private DataFormatException broken(String secondLine) throws IOException {
    Path file = dir.resolve("broken.jsonl");
    Files.writeString(file, "{\"prompt\": \"ok\", \"completions\": [\"a\"], \"labels\": [true]}\n" + secondLine
        + "\n");
    return assertThrows(DataFormatException.class, () -> StepwiseJsonl.read(file));
  }

  @Test
  void brokenInputIsLocatedByFileLineAndField() throws IOException {
    DataFormatException e = broken("{\"prompt\": \"p\", \"completions\": [\"a\"], \"lab");
    assertEquals(2, e.line());
    assertEquals(DataFormatException.RECORD, e.field());
    assertEquals(true, e.getMessage().startsWith(dir.resolve("broken.jsonl") + ":2: field '<record>': malformed JSON"),
        e.getMessage());

    e = broken("{\"prompt\": \"p\", \"labels\": [true]}");
    assertEquals("completions", e.field());
    assertEquals(dir.resolve("broken.jsonl") + ":2: field 'completions': missing", e.getMessage());

    e = broken("{\"completions\": [\"a\"], \"labels\": [true]}");
    assertEquals("prompt", e.field());

    e = broken("{\"prompt\": 3, \"completions\": [\"a\"], \"labels\": [true]}");
    assertEquals("prompt", e.field());
    assertEquals(true, e.getMessage().endsWith("expected a string, got 3"), e.getMessage());

    e = broken("{\"prompt\": \"p\", \"completions\": \"a\", \"labels\": [true]}");
    assertEquals("completions", e.field());

    e = broken("{\"prompt\": \"p\", \"completions\": [\"a\", 7], \"labels\": [true, true]}");
    assertEquals("completions[1]", e.field());

    e = broken("{\"prompt\": \"p\", \"completions\": [\"a\", \"b\"], \"labels\": [true]}");
    assertEquals("labels", e.field());
    assertEquals(dir.resolve("broken.jsonl") + ":2: field 'labels': has 1 entries but completions has 2",
        e.getMessage());

    e = broken("{\"prompt\": \"p\", \"completions\": [\"a\", \"b\"], \"labels\": [true, 1.5]}");
    assertEquals("labels[1]", e.field());
    assertEquals(dir.resolve("broken.jsonl") + ":2: field 'labels[1]': label 1.5 is outside [0, 1]",
        e.getMessage());

    e = broken("{\"prompt\": \"p\", \"completions\": [\"a\"], \"labels\": [-0.1]}");
    assertEquals("labels[0]", e.field());

    e = broken("{\"prompt\": \"p\", \"completions\": [\"a\"], \"labels\": [\"yes\"]}");
    assertEquals("labels[0]", e.field());

    e = broken("{\"prompt\": \"p\", \"completions\": [], \"labels\": []}");
    assertEquals("completions", e.field());

    e = broken("[1, 2]");
    assertEquals(2, e.line());
  }
}
