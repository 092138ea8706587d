package io.github.sipf4j.prm.data;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.github.sipf4j.prm.SharedData;
import io.github.sipf4j.prm.task.ReasoningTask;
import io.github.sipf4j.prm.task.TaskSet;
import io.github.sipf4j.prm.task.VerifierKind;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;

class RealDatasetsTest {

  @Test
  void gsm8kTrain() throws Exception {
    TaskSet train = Gsm8kLoader.standard().load(SharedData.file("gsm8k/train.jsonl"));
    assertEquals(7473, train.size());
    ReasoningTask first = train.get(0);
    assertEquals("train/0", first.id());
    assertTrue(first.prompt().startsWith("Natalia sold clips to 48 of her friends in April"), first.prompt());
    assertEquals("72", first.answer());
    assertEquals(VerifierKind.NUMERIC, first.kind());
    assertEquals(
        List.of(
            "Natalia sold 48/2 = 24 clips in May.",
            "Natalia sold 48+24 = 72 clips altogether in April and May."),
        first.goldSteps());
    assertEquals("10", train.get(1).answer());
    assertEquals("Weng earns 12/60 = $0.2 per minute.", train.get(1).goldSteps().get(0));
    for (ReasoningTask t : train.tasks()) {
      assertTrue(t.answer().matches("-?\\d+"), t.id() + " answer " + t.answer());
      assertTrue(t.goldSteps().stream().noneMatch(s -> s.contains("<<")), t.id());
    }
  }

  @Test
  void gsm8kKeepsAnnotationsOnRequestAndRemovesCommas() throws Exception {
    TaskSet kept = Gsm8kLoader.keepingAnnotations().load(SharedData.file("gsm8k/train.jsonl"));
    assertEquals("Natalia sold 48/2 = <<48/2=24>>24 clips in May.", kept.get(0).goldSteps().get(0));
    // Some training answers are written with a thousands separator.
    long withComma;
    try (Stream<String> lines = java.nio.file.Files.lines(SharedData.file("gsm8k/train.jsonl"))) {
      withComma = lines.filter(l -> l.matches(".*#### -?\\d{1,3}(,\\d{3})+\"}\\s*$")).count();
    }
    assertTrue(withComma > 0, "expected answers with commas in train.jsonl");
  }

  @Test
  void gsm8kTestSample() throws Exception {
    TaskSet test = Gsm8kLoader.standard().load(SharedData.file("gsm8k/test-sample50.jsonl"));
    assertEquals(50, test.size());
    assertTrue(test.get(0).prompt().startsWith("Janet"), test.get(0).prompt());
    assertEquals("18", test.get(0).answer());
  }

  @Test
  void sanitizedMbpp() throws Exception {
    TaskSet mbpp = MbppLoader.load(SharedData.file("mbpp/sanitized-mbpp.json"));
    assertEquals(427, mbpp.size());
    ReasoningTask first = mbpp.get(0);
    assertEquals("Mbpp/2", first.id());
    assertEquals(VerifierKind.PYTHON, first.kind());
    assertEquals("2", first.metadata().get("line"));
    assertTrue(first.prompt().startsWith("Write a function to find the shared elements from the given two lists."));
    assertEquals(3, first.tests().checks().size());
    assertEquals("assert set(similar_elements((3, 4, 5, 6),(5, 7, 4, 10))) == set((4, 5))", first.tests().checks().get(0));
    assertTrue(first.answer().startsWith("def similar_elements(test_tup1, test_tup2):"));
    ReasoningTask twelve = mbpp.byId("Mbpp/12").orElseThrow();
    assertEquals("102", twelve.metadata().get("line"));
    assertEquals("def sort_matrix(M):\n    result = sorted(M, key=sum)\n    return result", twelve.answer());
    assertEquals("Mbpp/809", mbpp.get(426).id());
    ReasoningTask withImports = mbpp.byId("Mbpp/82").orElseThrow();
    assertTrue(withImports.tests().preamble().startsWith("import math"), withImports.tests().preamble());
  }

  @Test
  void humanEvalGzipped() throws Exception {
    TaskSet he = HumanEvalLoader.load(SharedData.file("humaneval/HumanEval-sample10.jsonl.gz"));
    assertEquals(10, he.size());
    ReasoningTask first = he.get(0);
    assertEquals("HumanEval/0", first.id());
    assertEquals("has_close_elements", first.metadata().get("entryPoint"));
    assertEquals(List.of("check(has_close_elements)"), first.tests().checks());
    assertTrue(first.prompt().contains("def has_close_elements(numbers: List[float], threshold: float) -> bool:"));
    assertTrue(first.answer().startsWith("    for idx, elem in enumerate(numbers):"));
  }

  @Test
  void mmluMultipleChoice() throws Exception {
    MmluLoader mc = MmluLoader.multipleChoice();
    assertEquals(25, mc.loadAll(SharedData.file("mmlu/dev")).size());
    TaskSet val = mc.loadAll(SharedData.file("mmlu/val"));
    assertEquals(115, val.size());
    TaskSet college = mc.load(SharedData.file("mmlu/val/college_mathematics_val.csv"));
    assertEquals(11, college.size(), "quoted line breaks must not split records");
    TaskSet elementary = mc.load(SharedData.file("mmlu/val/elementary_mathematics_val.csv"));
    assertEquals(41, elementary.size());
    ReasoningTask first = elementary.get(0);
    assertEquals("mmlu/elementary_mathematics/val/0", first.id());
    assertEquals("C", first.answer());
    assertEquals(List.of("$22", "$24", "$31", "$35"), first.choices());
    assertTrue(first.prompt().endsWith("\n(A) $22\n(B) $24\n(C) $31\n(D) $35"), first.prompt());
    assertEquals("2", elementary.get(1).metadata().get("line"));
    assertEquals("elementary_mathematics", first.metadata().get("subject"));
  }

  @Test
  void mmluNumericOnly() throws Exception {
    MmluLoader numeric = MmluLoader.numericOnly();
    assertEquals(8, numeric.loadAll(SharedData.file("mmlu/dev")).size());
    TaskSet val = numeric.loadAll(SharedData.file("mmlu/val"));
    assertEquals(58, val.size());
    ReasoningTask first = numeric.load(SharedData.file("mmlu/val/elementary_mathematics_val.csv")).get(0);
    assertEquals(VerifierKind.NUMERIC, first.kind());
    assertEquals("31", first.answer());
    assertTrue(first.prompt().startsWith("Colton and his dad bought a gallon of paint"));
    assertTrue(val.tasks().stream().allMatch(t -> t.kind() == VerifierKind.NUMERIC));
  }
}
