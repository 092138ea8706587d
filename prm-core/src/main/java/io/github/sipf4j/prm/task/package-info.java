/**
 * Reasoning tasks: a {@link io.github.sipf4j.prm.task.ReasoningTask} is one question with its reference answer or
 * tests and an optional gold rationale split into steps; a {@link io.github.sipf4j.prm.task.TaskSet} is a named
 * list of them with seeded shuffling and splitting. The loaders live in {@code io.github.sipf4j.prm.data}, the
 * synthetic generator in {@code io.github.sipf4j.prm.synthetic}, the verifiers in {@code
 * io.github.sipf4j.prm.verify}.
 */
package io.github.sipf4j.prm.task;
