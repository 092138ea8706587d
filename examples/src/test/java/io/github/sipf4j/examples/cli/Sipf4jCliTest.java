package io.github.sipf4j.examples.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.PrintWriter;
import java.io.StringWriter;
import org.junit.jupiter.api.Test;
import picocli.CommandLine;

class Sipf4jCliTest {
  @Test
  void versionAndHelp() {
    CommandLine cli = Sipf4jCli.commandLine();
    StringWriter out = new StringWriter();
    cli.setOut(new PrintWriter(out));
    assertEquals(0, cli.execute("--version"));
    assertTrue(out.toString().startsWith("sipf4j "), out.toString());
    assertTrue(!out.toString().contains("${"), "version must be filtered: " + out);
    out.getBuffer().setLength(0);
    assertEquals(0, cli.execute("--help"));
    assertTrue(out.toString().contains("Usage: sipf4j"), out.toString());
  }
}
