/**
 * Evaluation metrics with uncertainty: accuracy with a Wilson score interval, the unbiased pass@k estimator of the
 * HumanEval paper with a seeded bootstrap interval over tasks, and the {@link
 * io.github.sipf4j.prm.eval.ConfidenceInterval} value they report.
 */
package io.github.sipf4j.prm.eval;
