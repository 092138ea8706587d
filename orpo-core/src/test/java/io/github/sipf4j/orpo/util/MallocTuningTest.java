package io.github.sipf4j.orpo.util;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

class MallocTuningTest {

  @Test
  void appliesTheThresholdsOnLinuxX86AndOnlyOnce() {
    String first = MallocTuning.apply();
    if (NativeLib.unsupportedPlatform() == null) {
      // glibc accepts 32 MiB (its maximum mmap threshold on 64-bit) and 1 GiB; a refusal would read "failed (...)".
      assertEquals("applied (mmap threshold 32 MiB, trim threshold 1024 MiB)"
          + (MallocTuning.heapOnly() ? "; one heap, no mmap (GLIBC_TUNABLES)" : ""), first);
    } else {
      assertTrue(first.startsWith("not applied (not Linux x86-64"), first);
    }
    assertSame(first, MallocTuning.apply());
  }

  @ParameterizedTest
  @CsvSource(delimiter = '|', nullValues = "null", value = {
      "null | false",
      "'' | false",
      "glibc.malloc.arena_max=1:glibc.malloc.mmap_max=0 | true",
      "glibc.malloc.mmap_max=0:glibc.malloc.arena_max=1 | true",
      "glibc.malloc.tcache_count=0:glibc.malloc.arena_max=1:glibc.malloc.mmap_max=0 | true",
      "glibc.malloc.arena_max=1 | false",
      "glibc.malloc.mmap_max=0 | false",
      "glibc.malloc.arena_max=2:glibc.malloc.mmap_max=0 | false",
      "glibc.malloc.arena_max=1:glibc.malloc.mmap_max=0:glibc.malloc.arena_max=4 | false",
      "glibc.malloc.arena_max=4:glibc.malloc.arena_max=1:glibc.malloc.mmap_max=0 | true",
      "glibc.malloc.arena_max=1:glibc.malloc.mmap_max=00x | false",
      "glibc.malloc.arena_max:glibc.malloc.mmap_max=0 | false"})
  void heapOnlyNeedsBothSettingsAndTheLastEntryOfANameCounts(String tunables, boolean expected) {
    assertEquals(expected, MallocTuning.heapOnly(tunables));
  }
}
