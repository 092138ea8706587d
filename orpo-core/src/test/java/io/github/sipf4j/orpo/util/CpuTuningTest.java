package io.github.sipf4j.orpo.util;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.Test;

class CpuTuningTest {

  /** The one call applies both settings, reports each, and repeats the first outcome on later calls. */
  @Test
  void appliesBothSettingsOnceAndReportsThem() {
    CpuTuning.Status first = CpuTuning.apply();
    assertSame(MklDispatch.status(), first.mklDispatch());
    assertSame(MallocTuning.apply(), first.mallocTuning());
    assertSame(HugePageTuning.apply(), first.hugePages());
    assertTrue(first.toString().contains("; huge pages "), first.toString());
    assertEquals(first.mklDispatch().state() == MklDispatch.State.APPLIED, first.mklApplied());
    assertEquals(NativeLib.unsupportedPlatform() == null, first.mallocApplied(), first.toString());
    assertTrue(first.toString().startsWith("MKL dispatch "), first.toString());
    assertEquals(first, CpuTuning.apply());
  }
}
