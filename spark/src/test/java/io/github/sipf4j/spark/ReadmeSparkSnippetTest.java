package io.github.sipf4j.spark;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.io.StringWriter;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import javax.tools.JavaCompiler;
import javax.tools.JavaFileObject;
import javax.tools.SimpleJavaFileObject;
import javax.tools.StandardJavaFileManager;
import javax.tools.ToolProvider;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Compiles the README's {@code ```java} blocks that use the Spark engine (the examples module compiles the others),
 * each as the body of a method, against this module's class path.
 */
class ReadmeSparkSnippetTest {

  private static final String IMPORTS = String.join("\n",
      "import ai.djl.Device;",
      "import java.nio.file.*;",
      "import java.util.*;",
      "import io.github.sipf4j.orpo.model.*;",
      "import io.github.sipf4j.orpo.text.*;",
      "import io.github.sipf4j.prm.data.*;",
      "import io.github.sipf4j.prm.iterate.*;",
      "import io.github.sipf4j.prm.iterate.phase.RolloutShards;",
      "import io.github.sipf4j.prm.rollout.*;",
      "import io.github.sipf4j.prm.task.*;",
      "import io.github.sipf4j.spark.*;",
      "import org.apache.spark.sql.SparkSession;",
      "");

  @Test
  void theSparkBlocksOfTheReadmeCompile(@TempDir Path out) throws IOException {
    Path readme = Path.of(System.getProperty("sipf4j.readme", "../README.md"));
    Matcher m = Pattern.compile("```java\\n(.*?)```", Pattern.DOTALL)
        .matcher(Files.readString(readme, StandardCharsets.UTF_8));
    List<JavaFileObject> units = new ArrayList<>();
    while (m.find()) {
      if (!m.group(1).contains("SparkRolloutEngine")) {
        continue;
      }
      String name = "ReadmeSparkSnippet" + units.size();
      String source = IMPORTS + "class " + name + " {\n  void run() throws Exception {\n" + m.group(1) + "\n  }\n}\n";
      units.add(new SimpleJavaFileObject(URI.create("string:///" + name + ".java"), JavaFileObject.Kind.SOURCE) {
        @Override
        public CharSequence getCharContent(boolean ignoreEncodingErrors) {
          return source;
        }
      });
    }
    assertEquals(1, units.size(), "the README's Spark section has one java block");
    JavaCompiler compiler = ToolProvider.getSystemJavaCompiler();
    StringWriter errors = new StringWriter();
    String classPath = System.getProperty("surefire.test.class.path", System.getProperty("java.class.path"));
    try (StandardJavaFileManager files = compiler.getStandardFileManager(null, null, StandardCharsets.UTF_8)) {
      boolean ok = compiler.getTask(errors, files, null,
          List.of("-classpath", classPath, "-d", out.toString(), "-proc:none"), null, units).call();
      assertTrue(ok, "compiler says:\n" + errors);
    }
  }
}
