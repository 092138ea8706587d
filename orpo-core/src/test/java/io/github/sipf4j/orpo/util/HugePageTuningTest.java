package io.github.sipf4j.orpo.util;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.Paths;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;

/** The huge-page setting: the kernel's mode is read right, and in a fresh JVM large tensors land on huge pages. */
class HugePageTuningTest {

  @Test
  void theKernelsModeIsTheBracketedOne() {
    assertEquals("madvise", HugePageTuning.kernelMode("always [madvise] never\n"));
    assertEquals("always", HugePageTuning.kernelMode("[always] madvise never"));
    assertEquals("never", HugePageTuning.kernelMode("always madvise [never]"));
    assertNull(HugePageTuning.kernelMode("always madvise never"));
    assertNull(HugePageTuning.kernelMode(null));
  }

  @Test
  void largeTensorsLandOnHugePagesWhereTheKernelAllowsIt() throws Exception {
    String mode = null;
    Path setting = Path.of("/sys/kernel/mm/transparent_hugepage/enabled");
    if (Files.isReadable(setting)) {
      mode = HugePageTuning.kernelMode(Files.readString(setting, StandardCharsets.UTF_8));
    }
    String[] on = probe(true);
    String[] off = probe(false);
    assertTrue(off[0].startsWith("off"), off[0]);
    if (mode == null || mode.equals("never") || NativeLib.unsupportedPlatform() != null) {
      assertTrue(on[0].startsWith("not"), on[0]); // not applicable, or not applied
      return;
    }
    assertTrue(on[0].startsWith("applied") || on[0].startsWith("kept"), on[0]);
    if (on[0].startsWith("applied")) {
      // both 64 MiB tensors are aligned to 2 MiB and advised; how many huge pages the kernel can give at once
      // depends on its free memory, so at least one is asked for (this machine gave most of the 128 MiB)
      assertTrue(Long.parseLong(on[1]) >= 2 << 10, "huge pages with the setting: " + on[1] + " kB");
      if (mode.equals("madvise")) {
        assertTrue(Long.parseLong(off[1]) < Long.parseLong(on[1]), "without " + off[1] + " kB, with " + on[1]);
      }
    }
  }

  /** Runs {@link HugePageProbe} in a fresh JVM; returns its status and huge-page kilobytes. */
  private static String[] probe(boolean enabled) throws Exception {
    String java = Paths.get(System.getProperty("java.home"), "bin", "java").toString();
    List<String> cmd = new ArrayList<>(List.of(java, "-Dai.djl.offline=true", "-Dai.djl.pytorch.num_threads=1",
        "-D" + HugePageTuning.PROPERTY + "=" + enabled, "-cp", System.getProperty("java.class.path"),
        HugePageProbe.class.getName()));
    ProcessBuilder pb = new ProcessBuilder(cmd).redirectErrorStream(true);
    pb.environment().remove(HugePageTuning.VARIABLE);
    Process p = pb.start();
    String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
    assertTrue(p.waitFor(120, TimeUnit.SECONDS), "probe timed out");
    assertEquals(0, p.exitValue(), out);
    Matcher m = Pattern.compile("status=(\\S+) hugeKb=(\\d+) check=2.0").matcher(out);
    assertTrue(m.find(), out);
    return new String[] {m.group(1).replace('_', ' '), m.group(2)};
  }
}
