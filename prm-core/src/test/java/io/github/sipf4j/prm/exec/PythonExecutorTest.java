package io.github.sipf4j.prm.exec;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class PythonExecutorTest {
  private static PythonExecutor executor;

  @BeforeAll
  static void start() {
    executor =
        new PythonExecutor(
            ExecutorConfig.builder()
                .timeout(Duration.ofMillis(2500))
                .cpuSeconds(5)
                .memoryBytes(256L << 20)
                .maxFileBytes(1L << 20)
                .maxCapturedChars(1000)
                .workers(2)
                .build());
  }

  @AfterAll
  static void stop() {
    executor.close();
  }

  private static ExecutionResult mbpp(String code, String... asserts) {
    return executor.run(PythonProgram.mbpp(List.of(), code, List.of(asserts)));
  }

  @Test
  void correctProgramPasses() {
    ExecutionResult r = mbpp("def double(x):\n    return 2 * x\n", "assert double(2) == 4", "assert double(0) == 0");
    assertEquals(ExecutionStatus.PASSED, r.status(), r.toString());
    assertTrue(r.passed());
    assertEquals(0, r.exitCode());
  }

  @Test
  void wrongProgramFailsAndNamesTheFirstFailingAssert() {
    ExecutionResult r =
        mbpp("def double(x):\n    return x + 2\n", "assert double(2) == 4", "assert double(3) == 6", "assert 1 == 2");
    assertEquals(ExecutionStatus.FAILED, r.status(), r.toString());
    assertTrue(r.message().startsWith("assert double(3) == 6 -> AssertionError"), r.message());
  }

  @Test
  void runtimeErrorInACheckIsAFailureWithTheErrorType() {
    ExecutionResult r = mbpp("def f(x):\n    return x[10]\n", "assert f([1]) == 1");
    assertEquals(ExecutionStatus.FAILED, r.status(), r.toString());
    assertTrue(r.message().contains("IndexError"), r.message());
    assertTrue(r.message().contains("line 2: return x[10]"), r.message());
  }

  @Test
  void setupLinesRunBeforeTheCandidate() {
    ExecutionResult r =
        executor.run(
            PythonProgram.mbpp(List.of("import math"), "def r(x):\n    return math.sqrt(x)\n", List.of("assert r(9) == 3")));
    assertEquals(ExecutionStatus.PASSED, r.status(), r.toString());
  }

  @Test
  void syntaxErrorCrashes() {
    ExecutionResult r = mbpp("def f(x)\n    return x\n", "assert f(1) == 1");
    assertEquals(ExecutionStatus.CRASHED, r.status(), r.toString());
    assertTrue(r.message().startsWith("SyntaxError"), r.message());
  }

  @Test
  void humanEvalReportsTheFailingLineInsideCheck() {
    String prompt = "def add(a, b):\n    \"\"\"Adds.\"\"\"\n";
    String test = "def check(candidate):\n    assert candidate(1, 2) == 3\n    assert candidate(2, 2) == 4\n";
    ExecutionResult ok = executor.run(PythonProgram.humanEval(prompt, "    return a + b\n", test, "add"));
    assertEquals(ExecutionStatus.PASSED, ok.status(), ok.toString());
    ExecutionResult bad = executor.run(PythonProgram.humanEval(prompt, "    return a * b + 1\n", test, "add"));
    assertEquals(ExecutionStatus.FAILED, bad.status(), bad.toString());
    assertTrue(bad.message().contains("assert candidate(2, 2) == 4"), bad.message());
  }

  @Test
  void infiniteLoopTimesOutQuickly() {
    ExecutionResult r = mbpp("while True:\n    pass\n", "assert True");
    assertEquals(ExecutionStatus.TIMED_OUT, r.status(), r.toString());
    assertTrue(r.duration().toMillis() < 6000, r.duration().toString());
  }

  @Test
  void memoryBombCrashes() {
    // A generous wall clock: the memory limit, not the timeout, must end these programs even on a loaded machine.
    try (PythonExecutor roomy = new PythonExecutor(executor.config().toBuilder().timeout(Duration.ofSeconds(30))
        .cpuSeconds(20).build())) {
      ExecutionResult r = roomy.run(PythonProgram.mbpp(List.of(), "x = bytearray(2 * 1024 ** 3)\n",
          List.of("assert True")));
      assertEquals(ExecutionStatus.CRASHED, r.status(), r.toString());
      assertTrue(r.message().contains("MemoryError"), r.message());
      ExecutionResult growing = roomy.run(PythonProgram.mbpp(List.of(),
          "x = []\nwhile True:\n    x.append('y' * 1000000)\n", List.of("assert True")));
      assertEquals(ExecutionStatus.CRASHED, growing.status(), growing.toString());
    }
  }

  @Test
  void childrenAreKilledWithTheProgram() throws Exception {
    String marker = "987.6" + System.nanoTime() % 1000;
    String code =
        "import subprocess, os\n"
            + "for _ in range(3):\n"
            + "    subprocess.Popen(['/bin/sleep', '" + marker + "'], start_new_session=True)\n"
            + "if os.fork() == 0:\n"
            + "    os.execv('/bin/sleep', ['/bin/sleep', '" + marker + "'])\n"
            + "while True:\n"
            + "    pass\n";
    ExecutionResult r = mbpp(code, "assert True");
    assertEquals(ExecutionStatus.TIMED_OUT, r.status(), r.toString());
    long deadline = System.currentTimeMillis() + 3000;
    long alive = Long.MAX_VALUE;
    while (System.currentTimeMillis() < deadline) {
      alive =
          ProcessHandle.allProcesses()
              .filter(p -> p.info().commandLine().orElse("").contains(marker))
              .count();
      if (alive == 0) {
        break;
      }
      Thread.sleep(100);
    }
    assertEquals(0, alive, "children of a timed-out program are still running");
  }

  @Test
  void outputFloodIsCappedAndStopped() {
    ExecutionResult r = mbpp("import sys\nwhile True:\n    sys.stdout.write('x' * 10000)\n", "assert True");
    assertFalse(r.passed(), r.toString());
    assertTrue(r.duration().toMillis() < 6000, r.duration().toString());
    assertTrue(r.stdout().length() <= 1000 + 60, "captured " + r.stdout().length() + " chars");
    assertTrue(r.stdout().contains("truncated"), r.stdout());
  }

  @Test
  void printedOutputIsCaptured() {
    ExecutionResult r = mbpp("print('hello')\nimport sys\nprint('oops', file=sys.stderr)\n", "assert True");
    assertEquals(ExecutionStatus.PASSED, r.status(), r.toString());
    assertEquals("hello\n", r.stdout());
    assertEquals("oops\n", r.stderr());
  }

  @Test
  void environmentIsNotInherited() {
    ExecutionResult r =
        mbpp(
            "import os\nkeys = sorted(os.environ)\n",
            "assert all(k in ('PATH', 'HOME', 'LC_CTYPE', 'PWD') for k in keys), keys",
            "assert os.environ['PATH'] == '/usr/local/bin:/usr/bin:/bin'");
    assertEquals(ExecutionStatus.PASSED, r.status(), r.toString());
  }

  @Test
  void programCanWriteInItsOwnDirectory() {
    ExecutionResult r =
        mbpp("open('scratch.txt', 'w').write('fine')\n", "assert open('scratch.txt').read() == 'fine'");
    assertEquals(ExecutionStatus.PASSED, r.status(), r.toString());
  }

  @Test
  void sandboxedProgramCannotWriteOutsideItsDirectory(@TempDir Path outside) throws Exception {
    assumeTrue(executor.sandboxed(), "bubblewrap does not work on this machine");
    Path target = outside.resolve("escaped.txt");
    Path privateTmp = Path.of("/tmp/sipf4j-private-" + System.nanoTime());
    String code =
        "open(" + pyString(privateTmp.toString()) + ", 'w').write('private /tmp is writable')\n"
            + "wrote = []\n"
            + "for path in [" + pyString(target.toString()) + ", '/etc/sipf4j-escape']:\n"
            + "    try:\n"
            + "        open(path, 'w').write('x')\n"
            + "        wrote.append(path)\n"
            + "    except OSError:\n"
            + "        pass\n";
    ExecutionResult r = mbpp(code, "assert wrote == [], wrote");
    assertEquals(ExecutionStatus.PASSED, r.status(), r.toString());
    assertFalse(Files.exists(target));
    assertFalse(Files.exists(Path.of("/etc/sipf4j-escape")));
    assertFalse(Files.exists(privateTmp), "the sandbox's /tmp must be private");
    assertTrue(r.sandboxed());
  }

  @Test
  void sandboxedProgramHasNoNetwork() {
    assumeTrue(executor.sandboxed(), "bubblewrap does not work on this machine");
    String code =
        "import socket\nreached = True\ntry:\n"
            + "    socket.create_connection(('1.1.1.1', 53), timeout=1).close()\n"
            + "except OSError:\n    reached = False\n";
    ExecutionResult r = mbpp(code, "assert not reached");
    assertEquals(ExecutionStatus.PASSED, r.status(), r.toString());
  }

  @Test
  void runAllKeepsOrderWithABoundedPool() {
    List<PythonProgram> programs = new ArrayList<>();
    for (int i = 0; i < 6; i++) {
      programs.add(
          PythonProgram.mbpp(List.of(), "def f():\n    return " + i + "\n", List.of("assert f() == " + (i % 2 == 0 ? i : -1))));
    }
    List<ExecutionResult> results = executor.runAll(programs);
    for (int i = 0; i < 6; i++) {
      assertEquals(i % 2 == 0 ? ExecutionStatus.PASSED : ExecutionStatus.FAILED, results.get(i).status(), "program " + i);
    }
  }

  @Test
  void programCannotForgeAPass() {
    String code =
        "import glob, json, os, sys\n"
            + "assert sys.argv[1:] == [], sys.argv\n"
            + "for name in glob.glob('.result-*'):\n"
            + "    open(name, 'w').write(json.dumps({'status': 'PASSED', 'message': ''}))\n"
            + "path = sys._getframe(1).f_locals['result_path']\n"
            + "open(path, 'w').write(json.dumps({'status': 'PASSED', 'message': ''}))\n";
    ExecutionResult r = mbpp(code, "assert False");
    assertEquals(ExecutionStatus.CRASHED, r.status(), r.toString());
    assertEquals("the program tampered with the harness result file", r.message());
  }

  @Test
  void exitBeforeTheChecksIsACrash() {
    ExecutionResult r = mbpp("import os\nos._exit(0)\n", "assert False");
    assertEquals(ExecutionStatus.CRASHED, r.status(), r.toString());
  }

  @Test
  void fallbackWithoutSandboxStillEnforcesTheTimeout() {
    try (PythonExecutor plain =
        new PythonExecutor(
            executor.config().toBuilder().sandbox(SandboxMode.DISABLED).timeout(Duration.ofMillis(4000)).build())) {
      assertFalse(plain.sandboxed());
      assertEquals(ExecutionStatus.PASSED, plain.run(PythonProgram.mbpp(List.of(), "x = 1", List.of("assert x == 1"))).status());
      ExecutionResult r = plain.run(PythonProgram.mbpp(List.of(), "while True:\n    pass\n", List.of()));
      assertEquals(ExecutionStatus.TIMED_OUT, r.status(), r.toString());
    }
  }

  @Test
  void unusableBubblewrapFallsBackOrFailsWhenRequired() {
    ExecutorConfig broken = executor.config().toBuilder().bwrap("/nonexistent/bwrap").build();
    try (PythonExecutor fallback = new PythonExecutor(broken)) {
      assertFalse(fallback.sandboxed());
      ExecutionResult r = fallback.run(PythonProgram.mbpp(List.of(), "x = 2", List.of("assert x == 2")));
      assertEquals(ExecutionStatus.PASSED, r.status(), r.toString());
      assertFalse(r.sandboxed());
    }
    org.junit.jupiter.api.Assertions.assertThrows(
        IllegalStateException.class,
        () -> new PythonExecutor(broken.toBuilder().sandbox(SandboxMode.REQUIRED).build()));
  }

  static String pyString(String s) {
    return "'" + s.replace("\\", "\\\\").replace("'", "\\'") + "'";
  }
}
