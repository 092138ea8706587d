package io.github.sipf4j.orpo.util;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Paths;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;

class MklDispatchTest {

  private static final String ZEN5_FLAGS = "fpu vme avx avx2 fma avx512f avx512dq avx512ifma avx512cd avx512bw "
      + "avx512vl avx512_bf16 avx512vbmi";

  private static String cpuinfo(String vendor, String flags) {
    return "processor\t: 0\nvendor_id\t: " + vendor + "\ncpu family\t: 26\nflags\t\t: " + flags
        + "\n\nprocessor\t: 1\nvendor_id\t: " + vendor + "\nflags\t\t: " + flags + "\n";
  }

  @Test
  void appliesOnlyToAmdCpusWithAvx512OnLinuxX86() {
    assertNull(MklDispatch.notApplicableReason("Linux", "amd64", cpuinfo("AuthenticAMD", ZEN5_FLAGS)));
    assertNull(MklDispatch.notApplicableReason("Linux", "x86_64", cpuinfo("AuthenticAMD", ZEN5_FLAGS)));
    assertEquals("CPU vendor GenuineIntel, not AuthenticAMD",
        MklDispatch.notApplicableReason("Linux", "amd64", cpuinfo("GenuineIntel", ZEN5_FLAGS)));
    // Zen 3: AVX2 only, where MKL's AMD path is already its best.
    assertEquals("this AMD CPU lacks avx512bw", MklDispatch.notApplicableReason("Linux", "amd64",
        cpuinfo("AuthenticAMD", "fpu avx avx2 fma avx512f avx512cd avx512dq avx512vl")));
    assertEquals("this AMD CPU lacks avx512bw",
        MklDispatch.notApplicableReason("Linux", "amd64", cpuinfo("AuthenticAMD", "fpu avx avx2 fma")));
    assertEquals("not Linux x86-64 (Linux, aarch64)",
        MklDispatch.notApplicableReason("Linux", "aarch64", cpuinfo("AuthenticAMD", ZEN5_FLAGS)));
    assertEquals("not Linux x86-64 (Mac OS X, x86_64)",
        MklDispatch.notApplicableReason("Mac OS X", "x86_64", cpuinfo("AuthenticAMD", ZEN5_FLAGS)));
    assertEquals("/proc/cpuinfo names no vendor or flags", MklDispatch.notApplicableReason("Linux", "amd64", ""));
  }

  /**
   * In fresh JVMs: with the shim, MKL inside libtorch selects an AVX-512 branch on an AMD CPU with AVX-512, and the
   * products agree with those of MKL's default branch; off by the property, or applied after libtorch loaded, it
   * does nothing and says so.
   */
  @Test
  @Tag("slow")
  void selectsAvx512KernelsInAFreshJvmAndKeepsTheProducts() throws Exception {
    boolean applicable = applicable();

    Map<String, String> on = probe("first", true);
    Map<String, String> off = probe("first", false);
    Map<String, String> late = probe("late", true);

    assertEquals("DISABLED", off.get("state"), off.toString());
    assertEquals("-1", off.get("branch"), off.toString());
    if (applicable) {
      assertEquals("APPLIED", on.get("state"), on.toString());
      int branch = Integer.parseInt(on.get("branch"));
      assertTrue(branch >= 12, "MKL code branch " + branch + " is not an AVX-512 one (12 or above)");
      assertEquals("TOO_LATE", late.get("state"), late.toString());
    } else {
      assertEquals("NOT_APPLICABLE", on.get("state"), on.toString());
      assertEquals("NOT_APPLICABLE", late.get("state"), late.toString());
    }
    String[] a = on.get("product").split(",");
    String[] b = off.get("product").split(",");
    assertEquals(a.length, b.length);
    for (int i = 0; i < a.length; i++) {
      double x = Double.parseDouble(a[i]);
      double y = Double.parseDouble(b[i]);
      assertEquals(y, x, 1e-4 * Math.max(1, Math.abs(y)), "entry " + i + " of the product");
    }
  }

  /**
   * In a fresh JVM: creating, running, saving and loading a {@code DecoderLm} leaves MKL's dispatch alone (the shim
   * is neither applied nor loaded), so a later explicit {@link MklDispatch#apply()} finds libtorch already loaded.
   */
  @Test
  @Tag("slow")
  void loadingAModelChangesNoProcessWideSetting() throws Exception {
    String out = run("model", true);
    Matcher m = Pattern.compile("before=(\\S+) mapped=(\\S+) after=(\\S+)").matcher(out);
    assertTrue(m.find(), out);
    assertEquals("null", m.group(1), "a model applied the MKL shim by itself: " + out);
    assertEquals("false", m.group(2), "a model loaded sipf4j's native helper: " + out);
    assertEquals(applicable() ? "TOO_LATE" : "NOT_APPLICABLE", m.group(3), out);
  }

  private static boolean applicable() {
    String cpu;
    try {
      cpu = Files.readString(Paths.get("/proc/cpuinfo"), StandardCharsets.UTF_8);
    } catch (IOException e) {
      cpu = "";
    }
    return MklDispatch.notApplicableReason(System.getProperty("os.name"), System.getProperty("os.arch"), cpu) == null;
  }

  private static Map<String, String> probe(String mode, boolean enabled) throws Exception {
    String out = run(mode, enabled);
    Matcher m = Pattern.compile("state=(\\S+) branch=(\\S+) product=(\\S+)").matcher(out);
    assertTrue(m.find(), out);
    assertNotNull(m.group(1));
    return Map.of("state", m.group(1), "branch", m.group(2), "product", m.group(3), "output", out);
  }

  private static String run(String mode, boolean enabled) throws Exception {
    String java = Paths.get(System.getProperty("java.home"), "bin", "java").toString();
    List<String> cmd = new ArrayList<>(List.of(java, "-Dai.djl.offline=true", "-Dai.djl.pytorch.num_threads=1",
        "-D" + MklDispatch.PROPERTY + "=" + enabled, "-cp", System.getProperty("java.class.path"),
        MklDispatchProbe.class.getName(), mode));
    Process p = new ProcessBuilder(cmd).redirectErrorStream(true).start();
    String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
    assertTrue(p.waitFor(120, TimeUnit.SECONDS), "probe timed out");
    assertEquals(0, p.exitValue(), out);
    return out;
  }
}
