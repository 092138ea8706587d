package io.github.sipf4j.prm.exec;

/** Whether the {@link PythonExecutor} isolates programs with bubblewrap. */
public enum SandboxMode {
  /**
   * Use bubblewrap when a trial run shows that it works on this machine, and otherwise run with only the process
   * limits (logged once).
   */
  AUTO,
  /** Always use bubblewrap; fail every run with an exception when it does not work. */
  REQUIRED,
  /** Never use bubblewrap: only the process limits apply (for machines where namespaces are known to fail). */
  DISABLED
}
