/** The {@code sipf4j} command line (picocli): one class per sub-command. */
package io.github.sipf4j.examples.cli;
