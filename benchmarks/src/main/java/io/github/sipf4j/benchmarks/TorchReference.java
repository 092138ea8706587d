package io.github.sipf4j.benchmarks;

import com.google.gson.JsonObject;
import com.google.gson.JsonParser;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * Runs {@code benchmarks/python/torch_reference.py} (plain PyTorch) as a child process and returns the one JSON
 * object it prints. Absent Python or torch is reported, not hidden: {@link #available()} says why.
 */
public final class TorchReference {

  private final String python;
  private final Path script;
  private final String unavailable;

  /**
   * Locates the interpreter and the script.
   *
   * @param python the interpreter (Debian's {@code /usr/bin/python3} with {@code python3-torch})
   * @param script the path of {@code torch_reference.py}
   */
  public TorchReference(String python, Path script) {
    this.python = python;
    this.script = script;
    String why = null;
    if (!Files.isRegularFile(script)) {
      why = "script " + script + " not found";
    } else {
      try {
        Process p = new ProcessBuilder(python, "-c", "import torch").redirectErrorStream(true).start();
        boolean done = p.waitFor(120, TimeUnit.SECONDS);
        if (!done || p.exitValue() != 0) {
          why = python + " cannot import torch (apt-get install python3-torch libopenblas0-pthread)";
        }
      } catch (IOException e) {
        why = python + " not runnable: " + e.getMessage();
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        why = "interrupted";
      }
    }
    this.unavailable = why;
  }

  /**
   * Tells whether the reference can run.
   *
   * @return null when it can, else the reason it cannot
   */
  public String available() {
    return unavailable;
  }

  /**
   * Runs one mode and returns one number of its result, or null when the reference is unavailable or fails (the
   * reason goes to standard error), so that a benchmark's table reads "n/a" instead of stopping.
   *
   * @param field the name of the number in the printed JSON object
   * @param args the script's arguments
   * @return the number, or null
   */
  public Double number(String field, String... args) {
    JsonObject r = result(args);
    if (r == null) {
      return null;
    }
    if (!r.has(field) || !r.get(field).isJsonPrimitive()) {
      System.err.println("PyTorch reference printed no number \"" + field + "\": " + r);
      return null;
    }
    return r.get(field).getAsDouble();
  }

  /**
   * Runs one mode and returns its result, or null when the reference is unavailable or fails (the reason goes to
   * standard error).
   *
   * @param args the script's arguments
   * @return the printed JSON object, or null
   */
  public JsonObject result(String... args) {
    if (unavailable != null) {
      System.err.println("PyTorch reference unavailable: " + unavailable);
      return null;
    }
    try {
      return run(args);
    } catch (IOException | RuntimeException e) {
      System.err.println("PyTorch reference failed: " + e.getMessage());
      return null;
    }
  }

  /**
   * Runs one mode.
   *
   * @param args the script's arguments, e.g. {@code --mode orpo-step --d-model 128}
   * @return the printed JSON object
   * @throws IOException if the process fails or prints no JSON
   */
  public JsonObject run(String... args) throws IOException {
    if (unavailable != null) {
      throw new IOException(unavailable);
    }
    List<String> cmd = new ArrayList<>();
    cmd.add(python);
    cmd.add(script.toString());
    cmd.addAll(List.of(args));
    ProcessBuilder pb = new ProcessBuilder(cmd).redirectError(ProcessBuilder.Redirect.INHERIT);
    // Debian's torch links OpenBLAS; these variables slow a current OpenBLAS and are unset for the reference only.
    pb.environment().remove("OPENBLAS_CORETYPE");
    pb.environment().remove("OPENBLAS_L2_SIZE");
    Process p = pb.start();
    String out;
    try (InputStream in = p.getInputStream()) {
      out = new String(in.readAllBytes(), StandardCharsets.UTF_8);
    }
    try {
      if (p.waitFor() != 0) {
        throw new IOException("torch_reference.py " + String.join(" ", args) + " exited with " + p.exitValue());
      }
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IOException("interrupted", e);
    }
    String last = out.strip();
    int brace = last.lastIndexOf("\n{");
    String json = brace >= 0 ? last.substring(brace + 1) : last;
    return JsonParser.parseString(json).getAsJsonObject();
  }
}
