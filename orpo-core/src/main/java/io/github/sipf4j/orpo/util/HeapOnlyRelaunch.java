package io.github.sipf4j.orpo.util;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.OptionalInt;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Runs the current Java command again in a child process whose environment serves every allocation from glibc's one
 * heap ({@link MallocTuning#HEAP_ONLY} in {@code GLIBC_TUNABLES}), for a program's {@code main} that wants CPU
 * training at full speed whatever environment it was started from.
 *
 * <p>Why a new process: glibc reads those settings once, when a process starts, and no call from a running JVM can
 * change them ({@link MallocTuning}). Without them, libtorch's tensors of more than 32 MiB, and on any thread but the
 * process's first the blocks that overflow glibc's 64 MiB per-thread heaps, are mapped and page-faulted afresh on
 * every allocation: on the project's 2-vCPU machine the ORPO step of the quickstart's 1 M-parameter model took 2.0
 * times as long at 200 tokens and 6.2 times as long at 300, and a whole {@code quickstart.yaml} run 1.27 times as
 * long (README, CPU speed).
 *
 * <p>The library never does this on its own. The {@code sipf4j} command line calls {@link #relaunchIfNeeded()} as
 * the first thing in its {@code main}; an application that owns its process may do the same. The child gets the
 * same command line (JVM options, class path, main class and arguments), the parent's environment plus the two
 * settings and a marker ({@value #MARKER}) that keeps the child from starting another, and the parent's standard
 * input, output and error. The parent waits and passes on the child's exit status; when the parent is asked to
 * stop (Ctrl-C, {@code kill}), it asks the child to stop too and waits for it up to a minute.
 *
 * <p>Nothing happens, and the caller goes on in its own process, when any of these holds: the process already has
 * both settings; {@code -D}{@value #PROPERTY}{@code =false}; the operating system is not Linux or the C library is
 * not glibc; the process is the child of such a relaunch; the JVM has a debugger agent (its port would be taken
 * twice); the JVM does not report its own command line; the child cannot be started (logged as a warning).
 */
public final class HeapOnlyRelaunch {

  /** The system property that keeps a program in its own process when set to {@code false}. */
  public static final String PROPERTY = "sipf4j.malloc.relaunch";

  /** The environment variable that marks the child of a relaunch. */
  public static final String MARKER = "SIPF4J_HEAP_ONLY_CHILD";

  /** The environment variable glibc reads its tunables from. */
  static final String TUNABLES = "GLIBC_TUNABLES";

  private static final Logger LOG = LoggerFactory.getLogger(HeapOnlyRelaunch.class);

  private HeapOnlyRelaunch() {}

  /**
   * Runs this process's command again with one heap, when that applies (see the class comment), and waits for it.
   *
   * @return the child's exit status, which the caller should exit with; empty when the caller goes on itself
   */
  public static OptionalInt relaunchIfNeeded() {
    ProcessHandle.Info info = ProcessHandle.current().info();
    List<String> arguments = info.arguments().map(List::of).orElse(List.of());
    Optional<String> reason = reasonNotTo(System.getenv(), System.getProperty("os.name", ""),
        System.getProperty(PROPERTY), glibc(), info.command().orElse(null), arguments);
    if (reason.isPresent()) {
      LOG.debug("no relaunch with one heap: {}", reason.get());
      return OptionalInt.empty();
    }
    List<String> command = new ArrayList<>();
    command.add(info.command().get());
    command.addAll(arguments);
    ProcessBuilder pb = new ProcessBuilder(command).inheritIO();
    pb.environment().putAll(childEnvironment(System.getenv()));
    Process child;
    try {
      child = pb.start();
    } catch (IOException | RuntimeException e) {
      LOG.warn("could not start this program again with {}={} ({}); going on without one heap", TUNABLES,
          MallocTuning.HEAP_ONLY, e.toString());
      return OptionalInt.empty();
    }
    Thread stop = new Thread(() -> {
      if (child.isAlive()) {
        child.destroy();
        try {
          child.waitFor(1, TimeUnit.MINUTES);
        } catch (InterruptedException e) {
          Thread.currentThread().interrupt();
        }
      }
    }, "sipf4j-relaunch-stop");
    Runtime.getRuntime().addShutdownHook(stop);
    try {
      return OptionalInt.of(child.waitFor());
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      child.destroy();
      return OptionalInt.of(130);
    }
  }

  /**
   * Decides whether to relaunch.
   *
   * @param env the process's environment
   * @param osName the {@code os.name} property
   * @param property the value of {@value #PROPERTY}, or null
   * @param glibc whether the C library is glibc
   * @param command the JVM's executable, or null when unknown
   * @param arguments the JVM's arguments after the executable
   * @return why not, or empty to relaunch
   */
  static Optional<String> reasonNotTo(Map<String, String> env, String osName, String property, boolean glibc,
      String command, List<String> arguments) {
    if (property != null && property.trim().equalsIgnoreCase("false")) {
      return Optional.of("-D" + PROPERTY + "=false");
    }
    if (MallocTuning.heapOnly(env.get(TUNABLES))) {
      return Optional.of("already one heap");
    }
    if (env.containsKey(MARKER)) {
      return Optional.of("this process is a relaunched child (" + MARKER + ")");
    }
    if (!osName.toLowerCase(Locale.ROOT).startsWith("linux") || !glibc) {
      return Optional.of("not Linux with glibc");
    }
    if (command == null || command.isBlank() || arguments.isEmpty()) {
      return Optional.of("the JVM does not report its command line");
    }
    for (String a : arguments) {
      if (a.startsWith("-agentlib:jdwp") || a.startsWith("-Xrunjdwp") || a.startsWith("-Xdebug")) {
        return Optional.of("a debugger agent (" + a + ")");
      }
    }
    return Optional.empty();
  }

  /**
   * Returns what the child's environment adds to the parent's: {@code GLIBC_TUNABLES} with the two settings
   * appended to any the parent has (glibc takes the last entry of a name), and the marker.
   *
   * @param env the parent's environment
   * @return the variables to set in the child
   */
  static Map<String, String> childEnvironment(Map<String, String> env) {
    String before = env.get(TUNABLES);
    String tunables = before == null || before.isBlank() ? MallocTuning.HEAP_ONLY
        : before + ":" + MallocTuning.HEAP_ONLY;
    return Map.of(TUNABLES, tunables, MARKER, "1");
  }

  /**
   * Tells whether this process runs on glibc: its memory map holds glibc's {@code libc.so.6}.
   *
   * @return true on glibc
   */
  static boolean glibc() {
    try {
      return Files.readString(Path.of("/proc/self/maps")).contains("/libc.so.6");
    } catch (IOException | RuntimeException e) {
      return false;
    }
  }
}
