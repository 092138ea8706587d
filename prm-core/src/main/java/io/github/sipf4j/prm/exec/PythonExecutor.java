package io.github.sipf4j.prm.exec;

import com.google.gson.Gson;
import com.google.gson.JsonObject;
import com.google.gson.JsonParseException;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.SecureRandom;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.ThreadFactory;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.stream.Stream;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Runs {@link PythonProgram}s in separate {@code python3} processes, each in a fresh temporary directory, and
 * reports {@link ExecutionResult}s.
 *
 * <p>Isolation, where the machine allows it: bubblewrap with a read-only view of the root file system, a private
 * {@code /tmp}, the run's directory as the only writable place, every namespace unshared (no network, own PID
 * namespace) and {@code --die-with-parent}. Whether bubblewrap works is decided once per executable by a trial run
 * (it fails in many containers); without it the program still runs with the limits below, and this is logged once.
 * Always: an empty environment with a minimal {@code PATH}, {@code python -I -B}, stdin from {@code /dev/null}, CPU,
 * address-space and file-size limits ({@code prlimit}, or {@code ulimit} in {@code sh -c} where {@code prlimit} is
 * missing), a wall-clock timeout after which the process and all its descendants are killed, and output capped by
 * the file-size limit and truncated in the result.
 *
 * <p>This is a guard against accidents of model-written code, not a security boundary for hostile code on a
 * machine without bubblewrap.
 *
 * <pre>{@code
 * try (PythonExecutor executor = new PythonExecutor(ExecutorConfig.builder().timeout(Duration.ofSeconds(3)).build())) {
 *   ExecutionResult r = executor.run(PythonProgram.mbpp(List.of(), "def f(x):\n  return 2*x", List.of("assert f(2) == 4")));
 *   r.status(); // PASSED
 * }
 * }</pre>
 */
public final class PythonExecutor implements AutoCloseable {
  private static final Logger LOG = LoggerFactory.getLogger(PythonExecutor.class);
  private static final Map<String, Boolean> BWRAP_WORKS = new ConcurrentHashMap<>();
  private static final Map<String, Boolean> FALLBACK_LOGGED = new ConcurrentHashMap<>();
  private static final String MINIMAL_PATH = "/usr/local/bin:/usr/bin:/bin";
  private static final String SANDBOX_DIR = "/tmp/sipf4j";
  private static final String PRLIMIT = "/usr/bin/prlimit";
  private static final Gson GSON = new Gson();
  private static final SecureRandom RANDOM = new SecureRandom();
  private static final String HARNESS = readHarness();

  private final ExecutorConfig config;
  private final ExecutorService pool;
  private final boolean sandboxed;

  /**
   * Creates an executor and, on first use of its bubblewrap executable, checks whether bubblewrap works here.
   *
   * @param config the interpreter, limits and pool size
   * @throws IllegalStateException when the config requires bubblewrap and it does not work
   */
  public PythonExecutor(ExecutorConfig config) {
    this.config = config;
    this.sandboxed = decideSandbox(config);
    AtomicInteger n = new AtomicInteger();
    ThreadFactory threads =
        r -> {
          Thread t = new Thread(r, "sipf4j-python-" + n.incrementAndGet());
          t.setDaemon(true);
          return t;
        };
    this.pool = Executors.newFixedThreadPool(config.workers(), threads);
  }

  /**
   * Creates an executor with {@link ExecutorConfig#defaults()}.
   *
   * @return a new executor that the caller closes
   */
  public static PythonExecutor create() {
    return new PythonExecutor(ExecutorConfig.defaults());
  }

  /**
   * Returns the settings of this executor.
   *
   * @return the configuration
   */
  public ExecutorConfig config() {
    return config;
  }

  /**
   * Tells whether runs of this executor are isolated by bubblewrap.
   *
   * @return {@code true} when bubblewrap is used
   */
  public boolean sandboxed() {
    return sandboxed;
  }

  /**
   * Runs one program on the calling thread.
   *
   * @param program the program and its checks
   * @return how the run ended
   * @throws UncheckedIOException when the temporary directory or the process cannot be created
   */
  public ExecutionResult run(PythonProgram program) {
    try {
      return runProcess(program);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException("interrupted while running a Python program", e);
    }
  }

  /**
   * Queues one program on the worker pool.
   *
   * @param program the program and its checks
   * @return the future result
   */
  public CompletableFuture<ExecutionResult> submit(PythonProgram program) {
    return CompletableFuture.supplyAsync(() -> run(program), pool);
  }

  /**
   * Runs many programs on the worker pool, at most {@link ExecutorConfig#workers()} at a time, and waits for all.
   *
   * @param programs the programs
   * @return the results in the order of {@code programs}
   */
  public List<ExecutionResult> runAll(List<PythonProgram> programs) {
    List<Future<ExecutionResult>> futures = new ArrayList<>(programs.size());
    for (PythonProgram p : programs) {
      futures.add(pool.submit(() -> run(p)));
    }
    List<ExecutionResult> results = new ArrayList<>(programs.size());
    try {
      for (Future<ExecutionResult> f : futures) {
        results.add(f.get());
      }
    } catch (InterruptedException e) {
      futures.forEach(f -> f.cancel(true));
      Thread.currentThread().interrupt();
      throw new IllegalStateException("interrupted while running Python programs", e);
    } catch (ExecutionException e) {
      futures.forEach(f -> f.cancel(true));
      Throwable cause = e.getCause();
      if (cause instanceof RuntimeException re) {
        throw re;
      }
      throw new IllegalStateException(cause);
    }
    return results;
  }

  /** Stops the worker pool; runs in progress are interrupted and their processes killed. */
  @Override
  public void close() {
    pool.shutdownNow();
  }

  private ExecutionResult runProcess(PythonProgram program) throws IOException, InterruptedException {
    Path root = Files.createTempDirectory("sipf4j-run-");
    try {
      Path box = Files.createDirectory(root.resolve("box"));
      Files.writeString(box.resolve("solution.py"), program.source(), StandardCharsets.UTF_8);
      Files.writeString(box.resolve("checks.json"), GSON.toJson(program.checks()), StandardCharsets.UTF_8);
      Files.writeString(box.resolve("harness.py"), HARNESS, StandardCharsets.UTF_8);
      String resultName = ".result-" + HexFormat.of().formatHex(randomBytes()) + ".json";
      Path out = root.resolve("stdout.txt");
      Path err = root.resolve("stderr.txt");
      List<String> command = command(box, resultName, sandboxed);
      ProcessBuilder pb = new ProcessBuilder(command);
      pb.environment().clear();
      pb.environment().put("PATH", MINIMAL_PATH);
      pb.directory(box.toFile());
      pb.redirectInput(ProcessBuilder.Redirect.from(Path.of("/dev/null").toFile()));
      pb.redirectOutput(out.toFile());
      pb.redirectError(err.toFile());
      long start = System.nanoTime();
      Process process = pb.start();
      boolean finished;
      try {
        finished = process.waitFor(config.timeout().toMillis(), TimeUnit.MILLISECONDS);
      } catch (InterruptedException e) {
        killTree(process);
        throw e;
      }
      if (!finished) {
        killTree(process);
      }
      Duration duration = Duration.ofNanos(System.nanoTime() - start);
      String stdout = readCapped(out);
      String stderr = readCapped(err);
      if (!finished) {
        return new ExecutionResult(
            ExecutionStatus.TIMED_OUT,
            "killed after the wall-clock timeout of " + config.timeout().toMillis() + " ms",
            -1, duration, stdout, stderr, sandboxed);
      }
      int exit = process.exitValue();
      // Children left behind (without bubblewrap's PID namespace) are killed too.
      process.descendants().forEach(ProcessHandle::destroyForcibly);
      return interpret(box.resolve(resultName), exit, duration, stdout, stderr);
    } finally {
      deleteQuietly(root);
    }
  }

  private ExecutionResult interpret(Path resultFile, int exit, Duration duration, String stdout, String stderr) {
    JsonObject json = null;
    if (Files.isRegularFile(resultFile)) {
      try {
        json = GSON.fromJson(Files.readString(resultFile, StandardCharsets.UTF_8), JsonObject.class);
      } catch (IOException | JsonParseException | IllegalStateException e) {
        json = null;
      }
    }
    if (json != null && json.has("status") && json.has("message") && exit == 0) {
      ExecutionStatus status;
      try {
        status = ExecutionStatus.valueOf(json.get("status").getAsString());
      } catch (IllegalArgumentException | UnsupportedOperationException | IllegalStateException e) {
        status = null;
      }
      if (status != null) {
        return new ExecutionResult(
            status, json.get("message").getAsString(), exit, duration, stdout, stderr, sandboxed);
      }
    }
    ExecutionStatus status = ExecutionStatus.CRASHED;
    String message;
    if (exit == 128 + 24 || exit == 128 + 9 && duration.getSeconds() >= config.cpuSeconds()) {
      status = ExecutionStatus.TIMED_OUT;
      message = "killed by the CPU-time limit of " + config.cpuSeconds() + " s (exit code " + exit + ")";
    } else if (exit == 128 + 9) {
      message = "killed (exit code 137), likely by a resource limit";
    } else if (exit == 128 + 25) {
      message = "killed by the file-size limit of " + config.maxFileBytes() + " bytes";
    } else {
      message = "the program exited with code " + exit + " before the harness finished";
      String lastLine = lastLine(stderr);
      if (!lastLine.isEmpty()) {
        message += ": " + lastLine;
      }
    }
    return new ExecutionResult(status, message, exit, duration, stdout, stderr, sandboxed);
  }

  private List<String> command(Path box, String resultName, boolean useBwrap) {
    List<String> cmd = new ArrayList<>();
    String cwd = box.toString();
    if (useBwrap) {
      cmd.addAll(bwrapPrefix(config.bwrap(), box));
      cwd = SANDBOX_DIR;
    }
    List<String> python = List.of(config.python(), "-I", "-B", cwd + "/harness.py", resultName);
    if (Files.isExecutable(Path.of(PRLIMIT))) {
      cmd.add(PRLIMIT);
      cmd.add("--cpu=" + config.cpuSeconds() + ":" + (config.cpuSeconds() + 1));
      cmd.add("--as=" + config.memoryBytes());
      cmd.add("--fsize=" + config.maxFileBytes());
      cmd.add("--");
      cmd.addAll(python);
    } else {
      // POSIX sh: -t in seconds, -v in KiB, -f in 512-byte blocks (dash; bash reads 1024-byte blocks).
      cmd.add("/bin/sh");
      cmd.add("-c");
      cmd.add(
          "ulimit -t " + config.cpuSeconds()
              + "; ulimit -v " + (config.memoryBytes() / 1024)
              + "; ulimit -f " + Math.max(1, config.maxFileBytes() / 512)
              + "; exec \"$@\"");
      cmd.add("sh");
      cmd.addAll(python);
    }
    return cmd;
  }

  private static List<String> bwrapPrefix(String bwrap, Path box) {
    return List.of(
        bwrap,
        "--ro-bind", "/", "/",
        "--dev", "/dev",
        "--proc", "/proc",
        "--tmpfs", "/tmp",
        "--bind", box.toString(), SANDBOX_DIR,
        "--chdir", SANDBOX_DIR,
        "--unshare-all",
        "--die-with-parent",
        "--new-session",
        "--clearenv",
        "--setenv", "PATH", MINIMAL_PATH,
        "--setenv", "HOME", SANDBOX_DIR,
        "--");
  }

  private static boolean decideSandbox(ExecutorConfig config) {
    if (config.sandbox() == SandboxMode.DISABLED) {
      return false;
    }
    boolean works = BWRAP_WORKS.computeIfAbsent(config.bwrap(), PythonExecutor::trialRun);
    if (!works) {
      if (config.sandbox() == SandboxMode.REQUIRED) {
        throw new IllegalStateException(
            "bubblewrap (" + config.bwrap() + ") is required but cannot create a sandbox on this machine");
      }
      if (FALLBACK_LOGGED.putIfAbsent(config.bwrap(), Boolean.TRUE) == null) {
        LOG.warn(
            "bubblewrap ({}) is missing or cannot create namespaces here: Python programs run WITHOUT a sandbox, "
                + "limited only by timeout, CPU, memory and file-size limits and an empty environment",
            config.bwrap());
      }
    }
    return works;
  }

  private static Boolean trialRun(String bwrap) {
    Path dir = null;
    try {
      dir = Files.createTempDirectory("sipf4j-bwrap-check-");
      List<String> cmd = new ArrayList<>(bwrapPrefix(bwrap, dir));
      cmd.add("/bin/sh");
      cmd.add("-c");
      cmd.add("echo ok > " + SANDBOX_DIR + "/probe");
      ProcessBuilder pb = new ProcessBuilder(cmd);
      pb.environment().clear();
      pb.environment().put("PATH", MINIMAL_PATH);
      pb.redirectErrorStream(true);
      pb.redirectOutput(ProcessBuilder.Redirect.DISCARD);
      Process p = pb.start();
      if (!p.waitFor(10, TimeUnit.SECONDS)) {
        p.destroyForcibly();
        return false;
      }
      boolean ok = p.exitValue() == 0 && Files.isRegularFile(dir.resolve("probe"));
      LOG.debug("bubblewrap trial run with {}: {}", bwrap, ok ? "works" : "fails (exit " + p.exitValue() + ")");
      return ok;
    } catch (IOException e) {
      LOG.debug("bubblewrap trial run with {} could not start: {}", bwrap, e.toString());
      return false;
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      return false;
    } finally {
      if (dir != null) {
        deleteQuietly(dir);
      }
    }
  }

  private static void killTree(Process process) {
    List<ProcessHandle> descendants = process.descendants().toList();
    process.destroyForcibly();
    descendants.forEach(ProcessHandle::destroyForcibly);
    try {
      process.waitFor(5, TimeUnit.SECONDS);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }

  private String readCapped(Path file) throws IOException {
    int max = config.maxCapturedChars();
    if (!Files.exists(file)) {
      return "";
    }
    byte[] head;
    long size = Files.size(file);
    try (InputStream in = Files.newInputStream(file)) {
      head = in.readNBytes((int) Math.min(size, (long) max * 4 + 4));
    }
    String text = new String(head, StandardCharsets.UTF_8);
    if (text.length() > max || size > head.length) {
      text = text.substring(0, Math.min(max, text.length())) + "\n[... truncated, " + size + " bytes in all]";
    }
    return text;
  }

  private static String lastLine(String text) {
    String[] lines = text.strip().split("\n");
    return lines.length == 0 ? "" : lines[lines.length - 1].strip();
  }

  private static byte[] randomBytes() {
    byte[] b = new byte[12];
    RANDOM.nextBytes(b);
    return b;
  }

  private static void deleteQuietly(Path root) {
    try (Stream<Path> walk = Files.walk(root)) {
      walk.sorted(Comparator.reverseOrder())
          .forEach(
              p -> {
                try {
                  p.toFile().setWritable(true);
                  Files.deleteIfExists(p);
                } catch (IOException e) {
                  LOG.debug("could not delete {}: {}", p, e.toString());
                }
              });
    } catch (IOException | UncheckedIOException e) {
      LOG.debug("could not clean up {}: {}", root, e.toString());
    }
  }

  private static String readHarness() {
    try (InputStream in = PythonExecutor.class.getResourceAsStream("harness.py")) {
      if (in == null) {
        throw new IllegalStateException("harness.py is missing from the class path");
      }
      return new String(in.readAllBytes(), StandardCharsets.UTF_8);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }
}
