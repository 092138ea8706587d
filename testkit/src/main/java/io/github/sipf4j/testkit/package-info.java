/**
 * A contract test kit for {@link io.github.sipf4j.orpo.model.CausalLm} implementations: extend {@link
 * io.github.sipf4j.testkit.CausalLmContract} in a JUnit 5 test and implement {@code newModel()}, or call the checks
 * of {@link io.github.sipf4j.testkit.CausalLmChecks} directly.
 */
package io.github.sipf4j.testkit;
