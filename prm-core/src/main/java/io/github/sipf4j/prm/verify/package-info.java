/**
 * Outcome verifiers: is this model output a correct answer to this task? {@link
 * io.github.sipf4j.prm.verify.OutcomeVerifier} is the pluggable interface with factories for numeric (and
 * short-word) answers, multiple choice and Python code run against tests; {@link io.github.sipf4j.prm.verify.Answers}
 * holds the answer extraction and normalisation they share.
 */
package io.github.sipf4j.prm.verify;
