/**
 * Runs untrusted Python programs (model-written code plus a task's tests) in a separate {@code python3} process,
 * inside a bubblewrap sandbox where the machine has one, with wall-clock, CPU, memory and output limits.
 *
 * <p>{@link io.github.sipf4j.prm.exec.PythonExecutor} is the entry point; a {@link
 * io.github.sipf4j.prm.exec.PythonProgram} is what it runs and an {@link io.github.sipf4j.prm.exec.ExecutionResult}
 * is what it reports.
 */
package io.github.sipf4j.prm.exec;
