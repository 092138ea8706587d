package io.github.sipf4j.examples.docs;

import static org.junit.jupiter.api.Assertions.assertFalse;
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
 * Compiles every {@code ```java} block of the README against the project's classes, so that the samples users copy
 * stay correct. A block that declares a class compiles as a class; any other block becomes the body of a method.
 * Blocks that use the Spark engine are compiled by the spark module, where Spark is on the class path.
 */
class ReadmeSnippetsTest {

  private static final String IMPORTS = String.join("\n",
      "import ai.djl.Device;",
      "import java.nio.file.*;",
      "import java.util.*;",
      "import io.github.sipf4j.orpo.data.*;",
      "import io.github.sipf4j.orpo.lora.*;",
      "import io.github.sipf4j.orpo.loss.*;",
      "import io.github.sipf4j.orpo.model.*;",
      "import io.github.sipf4j.orpo.model.hf.*;",
      "import io.github.sipf4j.orpo.sample.*;",
      "import io.github.sipf4j.orpo.text.*;",
      "import io.github.sipf4j.orpo.train.*;",
      "import io.github.sipf4j.orpo.util.*;",
      "import io.github.sipf4j.prm.data.*;",
      "import io.github.sipf4j.prm.iterate.*;",
      "import io.github.sipf4j.prm.process.*;",
      "import io.github.sipf4j.prm.task.*;",
      "import io.github.sipf4j.prm.verify.*;",
      "import io.github.sipf4j.testkit.*;",
      "");

  @Test
  void everyJavaBlockOfTheReadmeCompiles(@TempDir Path out) throws IOException {
    Path readme = Path.of(System.getProperty("sipf4j.readme", "../README.md"));
    String text = Files.readString(readme, StandardCharsets.UTF_8);
    Matcher m = Pattern.compile("```java\\n(.*?)```", Pattern.DOTALL).matcher(text);
    List<JavaFileObject> units = new ArrayList<>();
    int n = 0;
    while (m.find()) {
      String block = m.group(1);
      if (block.contains("SparkRolloutEngine")) {
        continue; // needs Spark on the class path: the spark module's ReadmeSparkSnippetTest compiles it
      }
      String name = "ReadmeSnippet" + n++;
      String source = block.startsWith("class ")
          ? IMPORTS + block.replaceFirst("class \\w+", "class " + name)
          : IMPORTS + "class " + name + " {\n  void run() throws Exception {\n" + block + "\n  }\n}\n";
      units.add(new SimpleJavaFileObject(URI.create("string:///" + name + ".java"), JavaFileObject.Kind.SOURCE) {
        @Override
        public CharSequence getCharContent(boolean ignoreEncodingErrors) {
          return source;
        }
      });
    }
    assertFalse(units.isEmpty(), "no ```java block in " + readme);
    JavaCompiler compiler = ToolProvider.getSystemJavaCompiler();
    StringWriter errors = new StringWriter();
    String classPath = System.getProperty("surefire.test.class.path", System.getProperty("java.class.path"));
    try (StandardJavaFileManager files = compiler.getStandardFileManager(null, null, StandardCharsets.UTF_8)) {
      boolean ok = compiler.getTask(errors, files, null,
          List.of("-classpath", classPath, "-d", out.toString(), "-proc:none"), null, units).call();
      assertTrue(ok, n + " README blocks; compiler says:\n" + errors);
    }
  }
}
