package io.github.sipf4j.examples.cli;

import io.github.sipf4j.examples.run.RunFiles;
import io.github.sipf4j.examples.run.RunSettings;
import io.github.sipf4j.examples.run.RunSetup;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import picocli.CommandLine.Option;

/** The options of the commands that read a run file ({@code run}, {@code plan}): the file and its overrides. */
final class RunFileOptions {

  @Option(names = "--config", required = true, description = "The run file (YAML).")
  Path config;

  @Option(names = "--set", paramLabel = "KEY=VALUE",
      description = "Overrides a setting of the run file, such as orpo.lambda=0.2 or tasks.0.limit=100 "
          + "(repeatable; values are YAML).")
  List<String> overrides = new ArrayList<>();

  /**
   * Reads and checks the run file with its overrides; relative paths are read from the working directory.
   *
   * @return the settings
   * @throws IOException if the file cannot be read
   * @throws IllegalArgumentException listing every problem of the file, or when the output is a file
   */
  RunSettings read() throws IOException {
    RunSettings s = RunFiles.read(config, overrides, Path.of(""));
    Path out = RunSetup.output(s);
    if (Files.exists(out) && !Files.isDirectory(out)) {
      throw new IllegalArgumentException("output " + out + ": exists and is not a directory");
    }
    return s;
  }
}
