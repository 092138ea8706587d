package io.github.sipf4j.examples.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.io.StringWriter;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Mistakes on the command line: one line, a non-zero exit, never a stack trace; every help page clean. */
class CliHygieneTest {
  @TempDir Path dir;
  private StringWriter out = new StringWriter();
  private StringWriter err = new StringWriter();
  private String systemErr = "";

  /** Runs the command line, capturing its streams. */
  private int run(String... args) {
    CliRun r = CliRun.of(args);
    out = r.out;
    err = r.err;
    return r.exitCode;
  }

  /** Runs the command line, also capturing System.err, where picocli's own warnings go. */
  private int runCapturingSystemErr(String... args) {
    PrintStream saved = System.err;
    ByteArrayOutputStream captured = new ByteArrayOutputStream();
    System.setErr(new PrintStream(captured, true, StandardCharsets.UTF_8));
    try {
      return run(args);
    } finally {
      System.setErr(saved);
      systemErr = captured.toString(StandardCharsets.UTF_8);
    }
  }

  private void assertOneLineNoTrace() {
    String e = err.toString().strip();
    assertFalse(e.isEmpty(), "an error message was expected; out: " + out + "; System.err: " + systemErr);
    assertFalse(e.contains("\n"), "one line expected: " + e);
    assertFalse(e.contains("Exception") || e.contains("\tat "), "no stack trace expected: " + e);
  }

  @Test
  void unknownCommandExits2NamingIt() {
    assertEquals(2, run("frobnicate"));
    assertOneLineNoTrace();
    assertTrue(err.toString().contains("unknown command 'frobnicate'"), err.toString());
    assertTrue(err.toString().contains("run"), "lists the commands: " + err);
  }

  @Test
  void everyHelpPageIsClean() {
    List<String> commands = new ArrayList<>(Sipf4jCli.commandLine().getSubcommands().keySet());
    commands.remove("help");
    assertTrue(commands.containsAll(List.of("run", "plan", "evaluate", "quickstart")), commands.toString());
    assertEquals(0, run("--help"));
    for (String c : commands) {
      assertEquals(0, runCapturingSystemErr(c, "--help"), c);
      assertTrue(out.toString().startsWith("Usage: sipf4j " + c), c + ": " + out);
      assertEquals("", err.toString(), c + " wrote to stderr");
      assertFalse(systemErr.contains("picocli WARN"), c + ": " + systemErr);
    }
    assertTrue(run("evaluate", "--help") == 0 && out.toString().contains("95%"), out.toString());
  }

  @Test
  void usageMistakesAreOneLine() {
    assertEquals(2, run("run", "--config"));
    assertOneLineNoTrace();
    assertEquals(2, run("plan"));
    assertOneLineNoTrace();
    assertTrue(err.toString().contains("--config"), err.toString());
    assertEquals(2, run("quickstart", "--no-such-option"));
    assertOneLineNoTrace();
  }

  @Test
  void quickstartOutNamingAFileIsOneLine() throws Exception {
    Path file = Files.writeString(dir.resolve("taken"), "x");
    assertEquals(2, run("quickstart", "--preset", "tiny", "--out", file.toString()));
    assertOneLineNoTrace();
    assertTrue(err.toString().contains("exists and is not a directory"), err.toString());
  }

  @Test
  void evaluateOnAMissingModelIsOneLine() throws Exception {
    Path tasks = Files.writeString(dir.resolve("t.jsonl"), "{\"question\": \"1+1\", \"answer\": \"#### 2\"}\n");
    assertEquals(2, run("evaluate", "--model", dir.resolve("missing").toString(), "--tasks", tasks.toString()));
    assertOneLineNoTrace();
    // a folder that looks right but holds no model fails while running: still one line
    Path fake = Files.createDirectories(dir.resolve("fake"));
    Files.writeString(fake.resolve("tokenizer.json"), "{}");
    assertEquals(1, run("evaluate", "--model", fake.toString(), "--tasks", tasks.toString()));
    assertOneLineNoTrace();
  }

  @Test
  void runOnAMissingOrInvalidFileFailsWithoutTrace() throws Exception {
    assertEquals(1, run("run", "--config", dir.resolve("none.yaml").toString()));
    assertOneLineNoTrace();
    assertTrue(err.toString().contains("none.yaml: no such file"), err.toString());
    Path bad = Files.writeString(dir.resolve("bad.yaml"), "output: out\norpo:\n  lamda: 1\n");
    assertEquals(1, run("plan", "--config", bad.toString()));
    String e = err.toString();
    assertTrue(e.contains("line 3: orpo.lamda: unknown key (did you mean 'lambda'?)"), e);
    assertTrue(e.contains("tasks: required"), e);
    assertFalse(e.contains("Exception") || e.contains("\tat "), e);
  }
}
