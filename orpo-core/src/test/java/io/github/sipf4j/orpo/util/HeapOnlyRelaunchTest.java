package io.github.sipf4j.orpo.util;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.nio.charset.StandardCharsets;
import java.nio.file.Paths;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

class HeapOnlyRelaunchTest {

  private static final List<String> ARGS = List.of("-cp", "x.jar", "Main", "run");

  private static Optional<String> decide(Map<String, String> env, String property) {
    return HeapOnlyRelaunch.reasonNotTo(env, "Linux", property, true, "/usr/bin/java", ARGS);
  }

  @Test
  void relaunchesOnGlibcLinuxWithoutTheSettings() {
    assertEquals(Optional.empty(), decide(Map.of(), null));
    assertEquals(Optional.empty(), decide(Map.of("GLIBC_TUNABLES", "glibc.malloc.arena_max=1"), "true"));
  }

  @Test
  void staysWhenAskedAlreadyThereAChildOrNotApplicable() {
    assertTrue(decide(Map.of(), "false").orElseThrow().contains("sipf4j.malloc.relaunch=false"));
    assertTrue(decide(Map.of(), " FALSE ").isPresent());
    assertEquals("already one heap", decide(Map.of("GLIBC_TUNABLES", MallocTuning.HEAP_ONLY), null).orElseThrow());
    assertTrue(decide(Map.of(HeapOnlyRelaunch.MARKER, "1"), null).orElseThrow().contains("child"),
        "a child whose glibc ignored the settings does not start another");
    assertTrue(HeapOnlyRelaunch.reasonNotTo(Map.of(), "Mac OS X", null, true, "/usr/bin/java", ARGS).isPresent());
    assertTrue(HeapOnlyRelaunch.reasonNotTo(Map.of(), "Linux", null, false, "/usr/bin/java", ARGS).isPresent(),
        "musl and other C libraries ignore GLIBC_TUNABLES");
    assertTrue(HeapOnlyRelaunch.reasonNotTo(Map.of(), "Linux", null, true, null, ARGS).isPresent());
    assertTrue(HeapOnlyRelaunch.reasonNotTo(Map.of(), "Linux", null, true, "/usr/bin/java", List.of()).isPresent());
    List<String> debug = List.of("-agentlib:jdwp=transport=dt_socket,server=y,address=5005", "-jar", "a.jar");
    assertTrue(HeapOnlyRelaunch.reasonNotTo(Map.of(), "Linux", null, true, "/usr/bin/java", debug).orElseThrow()
        .contains("debugger"));
  }

  @ParameterizedTest
  @CsvSource(delimiter = '|', nullValues = "null", value = {
      "null | glibc.malloc.arena_max=1:glibc.malloc.mmap_max=0",
      "'' | glibc.malloc.arena_max=1:glibc.malloc.mmap_max=0",
      "glibc.malloc.tcache_count=0 | glibc.malloc.tcache_count=0:glibc.malloc.arena_max=1:glibc.malloc.mmap_max=0",
      "glibc.malloc.arena_max=4 | glibc.malloc.arena_max=4:glibc.malloc.arena_max=1:glibc.malloc.mmap_max=0"})
  void theChildKeepsTheParentsTunablesAndEndsWithOneHeap(String before, String expected) {
    Map<String, String> env = new HashMap<>();
    if (before != null) {
      env.put("GLIBC_TUNABLES", before);
    }
    Map<String, String> child = HeapOnlyRelaunch.childEnvironment(env);
    assertEquals(expected, child.get("GLIBC_TUNABLES"));
    assertTrue(MallocTuning.heapOnly(child.get("GLIBC_TUNABLES")));
    assertEquals("1", child.get(HeapOnlyRelaunch.MARKER));
  }

  private static boolean glibcLinux() {
    return System.getProperty("os.name").startsWith("Linux") && HeapOnlyRelaunch.glibc();
  }

  /** Runs the probe in a fresh JVM without GLIBC_TUNABLES; returns its exit status and output. */
  private static Map.Entry<Integer, String> probe(String... jvmOptions) throws Exception {
    String java = Paths.get(System.getProperty("java.home"), "bin", "java").toString();
    List<String> cmd = new ArrayList<>(List.of(java, "-Xshare:auto"));
    cmd.addAll(List.of(jvmOptions));
    cmd.addAll(List.of("-cp", System.getProperty("java.class.path"), HeapOnlyRelaunchProbe.class.getName(), "a",
        "b c"));
    ProcessBuilder pb = new ProcessBuilder(cmd).redirectErrorStream(true);
    pb.environment().remove("GLIBC_TUNABLES");
    pb.environment().remove(HeapOnlyRelaunch.MARKER);
    Process p = pb.start();
    String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
    assertTrue(p.waitFor(60, TimeUnit.SECONDS), "probe timed out");
    return Map.entry(p.exitValue(), out);
  }

  @Test
  void aRelaunchedProgramRunsWithOneHeapTheSameArgumentsAndPassesItsStatusOn() throws Exception {
    assumeTrue(glibcLinux(), "glibc Linux only");
    Map.Entry<Integer, String> r = probe();
    assertEquals(7, r.getKey(), r.getValue());
    assertTrue(r.getValue().contains("heapOnly=true child=true tunables=" + MallocTuning.HEAP_ONLY
        + " args=[a, b c]"), r.getValue());
    assertEquals(1, r.getValue().lines().filter(l -> l.startsWith("heapOnly=")).count(), "one process reports");
  }

  @Test
  void thePropertyKeepsTheProgramInItsOwnProcess() throws Exception {
    assumeTrue(glibcLinux(), "glibc Linux only");
    Map.Entry<Integer, String> r = probe("-D" + HeapOnlyRelaunch.PROPERTY + "=false");
    assertEquals(7, r.getKey(), r.getValue());
    assertTrue(r.getValue().contains("heapOnly=false child=false tunables=null args=[a, b c]"), r.getValue());
  }
}
