package io.github.sipf4j.prm;

import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.nio.file.Files;
import java.nio.file.Path;

/** Finds the shared reference data sets for tests. */
public final class SharedData {
  private SharedData() {}

  /**
   * Returns the {@code shared/datasets} folder: from the system property {@code sipf4j.shared.dir}, else found by
   * walking up from the working directory; the test is skipped only when the folder is truly absent.
   *
   * @return the datasets folder
   */
  public static Path datasets() {
    String prop = System.getProperty("sipf4j.shared.dir");
    if (prop != null && Files.isDirectory(Path.of(prop, "datasets"))) {
      return Path.of(prop, "datasets").toAbsolutePath().normalize();
    }
    for (Path p = Path.of("").toAbsolutePath(); p != null; p = p.getParent()) {
      if (Files.isDirectory(p.resolve("shared/datasets"))) {
        return p.resolve("shared/datasets");
      }
    }
    assumeTrue(false, "shared/datasets is absent");
    throw new IllegalStateException("unreachable");
  }

  /**
   * Resolves a file under the datasets folder.
   *
   * @param relative a path such as {@code gsm8k/train.jsonl}
   * @return the file
   */
  public static Path file(String relative) {
    return datasets().resolve(relative);
  }
}
