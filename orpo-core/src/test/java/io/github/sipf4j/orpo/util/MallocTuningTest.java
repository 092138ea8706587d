package io.github.sipf4j.orpo.util;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.Test;

class MallocTuningTest {

  @Test
  void appliesTheThresholdsOnLinuxX86AndOnlyOnce() {
    String first = MallocTuning.apply();
    if (NativeLib.unsupportedPlatform() == null) {
      // glibc accepts 32 MiB (its maximum mmap threshold on 64-bit) and 1 GiB; a refusal would read "failed (...)".
      assertEquals("applied (mmap threshold 32 MiB, trim threshold 1024 MiB)", first);
    } else {
      assertTrue(first.startsWith("not applied (not Linux x86-64"), first);
    }
    assertSame(first, MallocTuning.apply());
  }
}
