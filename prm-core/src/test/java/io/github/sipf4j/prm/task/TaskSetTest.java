package io.github.sipf4j.prm.task;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

class TaskSetTest {
  private static TaskSet numbers(int n) {
    List<ReasoningTask> tasks = new ArrayList<>();
    for (int i = 0; i < n; i++) {
      tasks.add(ReasoningTask.numeric("t" + i, "q" + i, Integer.toString(i), List.of()));
    }
    return new TaskSet("numbers", tasks);
  }

  @Test
  void shuffleIsSeededAndAPermutation() {
    TaskSet s = numbers(50);
    assertEquals(s.shuffled(3L), s.shuffled(3L));
    assertNotEquals(s.shuffled(3L), s.shuffled(4L));
    assertEquals(new HashSet<>(s.tasks()), new HashSet<>(s.shuffled(3L).tasks()));
  }

  /** Property: a split is a seeded partition with the requested size. */
  @ParameterizedTest(name = "seed {0}")
  @ValueSource(longs = {1, 2, 3, 4, 5})
  void splitPartitions(long seed) {
    TaskSet s = numbers(37);
    double fraction = (seed % 5) / 4.0;
    TaskSet.Split split = s.split(fraction, seed);
    assertEquals(Math.round(fraction * 37), split.first().size(), "seed " + seed);
    Set<ReasoningTask> union = new HashSet<>(split.first().tasks());
    union.addAll(split.second().tasks());
    assertEquals(37, union.size(), "seed " + seed);
    assertEquals(split, s.split(fraction, seed));
  }

  @Test
  void lookupsAndValidation() {
    TaskSet s = numbers(5);
    assertEquals("q3", s.byId("t3").orElseThrow().prompt());
    assertTrue(s.byId("x").isEmpty());
    assertEquals(2, s.take(2).size());
    assertEquals(5, s.take(10).size());
    assertThrows(IllegalArgumentException.class, () -> s.split(1.5, 1L));
    assertThrows(IllegalArgumentException.class,
        () -> new ReasoningTask("x", "p", "a", List.of(), VerifierKind.PYTHON, List.of(), null, java.util.Map.of()));
    assertThrows(IllegalArgumentException.class, () -> ReasoningTask.multipleChoice("x", "p", "A", List.of()));
    ReasoningTask t = ReasoningTask.numeric("x", "p", "1", List.of("a", "b")).withMetadata("k", "v");
    assertEquals("v", t.metadata().get("k"));
    assertEquals("a\nb", t.goldRationale());
  }

  @Test
  void codeTestsAssembleTheProgram() {
    CodeTests mbpp = CodeTests.mbpp(List.of("import math", ""), List.of("assert f() == 1"));
    assertEquals("import math\ndef f(): return 1\n", mbpp.program("def f(): return 1").source());
    CodeTests he = CodeTests.humanEval("def f():\n", "def check(c):\n    assert c() == 1\n", "f");
    assertEquals("def f():\n    return 1\n\ndef check(c):\n    assert c() == 1\n\n", he.program("    return 1\n").source());
    assertEquals(List.of("check(f)"), he.program("").checks());
  }
}
