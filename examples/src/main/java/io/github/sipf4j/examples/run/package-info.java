/**
 * Run files: a whole SIPF run described in one YAML file ({@link io.github.sipf4j.examples.run.RunFiles} reads and
 * checks it against {@link io.github.sipf4j.examples.run.RunSchema}, listing every problem with its key path and
 * line), turned into the loop's objects ({@link io.github.sipf4j.examples.run.RunSetup}) and into a cost estimate
 * measured on the run's own model and device ({@link io.github.sipf4j.examples.run.RunPlanner}, written as {@code
 * plan.json}). The {@code sipf4j run} and {@code sipf4j plan} commands use them.
 */
package io.github.sipf4j.examples.run;
