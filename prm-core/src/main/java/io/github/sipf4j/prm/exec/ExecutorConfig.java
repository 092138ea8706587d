package io.github.sipf4j.prm.exec;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Objects;

/**
 * Settings of a {@link PythonExecutor}: which interpreter to run, the limits of each run and the size of the
 * worker pool. Build one with {@link #builder()}; every default is a constant of this class.
 *
 * @param python the Python interpreter; see {@link #DEFAULT_PYTHON}
 * @param bwrap the bubblewrap executable; see {@link #DEFAULT_BWRAP}
 * @param sandbox whether to isolate runs with bubblewrap; see {@link #DEFAULT_SANDBOX}
 * @param timeout the wall-clock limit of one run; see {@link #DEFAULT_TIMEOUT}
 * @param cpuSeconds the CPU-time limit of one run in seconds; see {@link #DEFAULT_CPU_SECONDS}
 * @param memoryBytes the address-space limit of one run in bytes; see {@link #DEFAULT_MEMORY_BYTES}
 * @param maxFileBytes the largest file a run may write, its output included; see {@link #DEFAULT_MAX_FILE_BYTES}
 * @param maxCapturedChars how much of stdout and of stderr a result keeps; see {@link #DEFAULT_MAX_CAPTURED_CHARS}
 * @param workers how many programs run at the same time; see {@link #DEFAULT_WORKERS}
 */
public record ExecutorConfig(
    String python,
    String bwrap,
    SandboxMode sandbox,
    Duration timeout,
    int cpuSeconds,
    long memoryBytes,
    long maxFileBytes,
    int maxCapturedChars,
    int workers) {

  /** The default interpreter: {@code /usr/bin/python3} where it exists, otherwise {@code python3} from the PATH. */
  public static final String DEFAULT_PYTHON =
      Files.isExecutable(Path.of("/usr/bin/python3")) ? "/usr/bin/python3" : "python3";

  /** The default bubblewrap executable: {@code /usr/bin/bwrap} where it exists, otherwise {@code bwrap}. */
  public static final String DEFAULT_BWRAP =
      Files.isExecutable(Path.of("/usr/bin/bwrap")) ? "/usr/bin/bwrap" : "bwrap";

  /** By default bubblewrap is used where a trial run shows that it works ({@link SandboxMode#AUTO}). */
  public static final SandboxMode DEFAULT_SANDBOX = SandboxMode.AUTO;

  /** The default wall-clock limit of one run: 10 seconds, start-up of the interpreter included. */
  public static final Duration DEFAULT_TIMEOUT = Duration.ofSeconds(10);

  /** The default CPU-time limit of one run: 10 seconds (a guard against busy children; the timeout kills first). */
  public static final int DEFAULT_CPU_SECONDS = 10;

  /** The default address-space limit of one run: 1 GiB. */
  public static final long DEFAULT_MEMORY_BYTES = 1L << 30;

  /** The default limit on any file a run writes, its captured stdout and stderr included: 8 MiB. */
  public static final long DEFAULT_MAX_FILE_BYTES = 8L << 20;

  /** By default a result keeps the first 4,096 characters of stdout and of stderr. */
  public static final int DEFAULT_MAX_CAPTURED_CHARS = 4096;

  /** By default as many programs run at once as the JVM sees processors. */
  public static final int DEFAULT_WORKERS = Runtime.getRuntime().availableProcessors();

  /**
   * Validates the settings.
   *
   * @param python the interpreter
   * @param bwrap the bubblewrap executable
   * @param sandbox the sandbox mode
   * @param timeout the wall-clock limit
   * @param cpuSeconds the CPU-time limit
   * @param memoryBytes the memory limit
   * @param maxFileBytes the file-size limit
   * @param maxCapturedChars the captured output size
   * @param workers the pool size
   */
  public ExecutorConfig {
    Objects.requireNonNull(python, "python");
    Objects.requireNonNull(bwrap, "bwrap");
    Objects.requireNonNull(sandbox, "sandbox");
    Objects.requireNonNull(timeout, "timeout");
    if (timeout.isNegative() || timeout.isZero()) {
      throw new IllegalArgumentException("timeout must be positive: " + timeout);
    }
    if (cpuSeconds < 1 || memoryBytes < (16L << 20) || maxFileBytes < 1024 || maxCapturedChars < 0 || workers < 1) {
      throw new IllegalArgumentException(
          "need cpuSeconds >= 1, memoryBytes >= 16 MiB, maxFileBytes >= 1024, maxCapturedChars >= 0, workers >= 1");
    }
  }

  /**
   * Starts a builder with every default.
   *
   * @return a new builder
   */
  public static Builder builder() {
    return new Builder();
  }

  /**
   * Returns the settings with every default.
   *
   * @return the default configuration
   */
  public static ExecutorConfig defaults() {
    return builder().build();
  }

  /**
   * Starts a builder holding these settings.
   *
   * @return a builder to change some of them
   */
  public Builder toBuilder() {
    return new Builder()
        .python(python)
        .bwrap(bwrap)
        .sandbox(sandbox)
        .timeout(timeout)
        .cpuSeconds(cpuSeconds)
        .memoryBytes(memoryBytes)
        .maxFileBytes(maxFileBytes)
        .maxCapturedChars(maxCapturedChars)
        .workers(workers);
  }

  /** Builds an {@link ExecutorConfig}; unset values keep their defaults. */
  public static final class Builder {
    private String python = DEFAULT_PYTHON;
    private String bwrap = DEFAULT_BWRAP;
    private SandboxMode sandbox = DEFAULT_SANDBOX;
    private Duration timeout = DEFAULT_TIMEOUT;
    private int cpuSeconds = DEFAULT_CPU_SECONDS;
    private long memoryBytes = DEFAULT_MEMORY_BYTES;
    private long maxFileBytes = DEFAULT_MAX_FILE_BYTES;
    private int maxCapturedChars = DEFAULT_MAX_CAPTURED_CHARS;
    private int workers = DEFAULT_WORKERS;

    private Builder() {}

    /**
     * Sets the Python interpreter.
     *
     * @param python a path or a name looked up in the minimal PATH
     * @return this builder
     */
    public Builder python(String python) {
      this.python = python;
      return this;
    }

    /**
     * Sets the bubblewrap executable.
     *
     * @param bwrap a path or a name looked up in the PATH
     * @return this builder
     */
    public Builder bwrap(String bwrap) {
      this.bwrap = bwrap;
      return this;
    }

    /**
     * Sets whether runs are isolated with bubblewrap.
     *
     * @param sandbox the sandbox mode
     * @return this builder
     */
    public Builder sandbox(SandboxMode sandbox) {
      this.sandbox = sandbox;
      return this;
    }

    /**
     * Sets the wall-clock limit of one run.
     *
     * @param timeout a positive duration
     * @return this builder
     */
    public Builder timeout(Duration timeout) {
      this.timeout = timeout;
      return this;
    }

    /**
     * Sets the CPU-time limit of one run.
     *
     * @param cpuSeconds seconds of CPU time, at least 1
     * @return this builder
     */
    public Builder cpuSeconds(int cpuSeconds) {
      this.cpuSeconds = cpuSeconds;
      return this;
    }

    /**
     * Sets the address-space limit of one run.
     *
     * @param memoryBytes bytes, at least 16 MiB
     * @return this builder
     */
    public Builder memoryBytes(long memoryBytes) {
      this.memoryBytes = memoryBytes;
      return this;
    }

    /**
     * Sets the largest file a run may write, its stdout and stderr included.
     *
     * @param maxFileBytes bytes, at least 1024
     * @return this builder
     */
    public Builder maxFileBytes(long maxFileBytes) {
      this.maxFileBytes = maxFileBytes;
      return this;
    }

    /**
     * Sets how many characters of stdout and of stderr a result keeps.
     *
     * @param maxCapturedChars characters, at least 0
     * @return this builder
     */
    public Builder maxCapturedChars(int maxCapturedChars) {
      this.maxCapturedChars = maxCapturedChars;
      return this;
    }

    /**
     * Sets how many programs run at the same time.
     *
     * @param workers the pool size, at least 1
     * @return this builder
     */
    public Builder workers(int workers) {
      this.workers = workers;
      return this;
    }

    /**
     * Builds the configuration.
     *
     * @return the validated configuration
     */
    public ExecutorConfig build() {
      return new ExecutorConfig(
          python, bwrap, sandbox, timeout, cpuSeconds, memoryBytes, maxFileBytes, maxCapturedChars, workers);
    }
  }
}
