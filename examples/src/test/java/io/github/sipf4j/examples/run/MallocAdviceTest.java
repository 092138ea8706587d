package io.github.sipf4j.examples.run;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.github.sipf4j.orpo.util.MallocTuning;
import java.util.HashMap;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/** When {@code sipf4j plan} advises starting the JVM with one glibc heap. */
class MallocAdviceTest {

  @ParameterizedTest
  @CsvSource(delimiter = '|', nullValues = "null", value = {
      "cpu | 250.0 | false | true | true",
      "cpu | 32.5 | false | true | true",
      "cpu | 32.0 | false | true | false",
      "cpu | 0.4 | false | true | false",
      "cpu | null | false | true | false",
      "cpu | 250.0 | true | false | false",
      "cpu | 0.4 | true | false | false",
      "gpu | 250.0 | false | false | false",
      "gpu:1 | 250.0 | false | false | false",
      "cpu | 250.0 | null | false | false",
      "null | 250.0 | false | false | false"})
  void advisesOneHeapForEveryCpuPlanWithoutItNamingLogitsAboveTheMmapThreshold(String device, Double mib,
      Boolean oneHeap, boolean advised, boolean namesLogits) {
    Map<String, Object> basis = new HashMap<>();
    if (mib != null) {
      basis.put(RunPlanner.LOGITS_MIB, mib);
    }
    if (oneHeap != null) {
      basis.put(RunPlanner.ONE_HEAP, oneHeap);
    }
    Optional<String> advice = RunPlanner.mallocAdvice(device, basis);
    assertEquals(advised, advice.isPresent(), String.valueOf(advice));
    advice.ifPresent(a -> {
      assertTrue(a.contains("GLIBC_TUNABLES=" + MallocTuning.HEAP_ONLY), a);
      assertTrue(a.contains("-Dsipf4j.malloc.relaunch=false"), a);
      assertEquals(namesLogits, a.contains(String.format(Locale.ROOT, "with %.0f MiB of logits", mib)), a);
    });
  }

  @Test
  void aPlanWithoutABasisGetsNoAdvice() {
    assertEquals(Optional.empty(), RunPlanner.mallocAdvice("cpu", null));
  }
}
