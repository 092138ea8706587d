/**
 * A run directory as a person reads it: {@link io.github.sipf4j.prm.report.HtmlReport} turns the files of a
 * {@link io.github.sipf4j.prm.iterate.SelfIterativeTrainer} run into one self-contained {@code report.html}
 * (accuracy curves with their intervals, phase times against the {@link io.github.sipf4j.prm.report.RunPlan}, pair
 * counts and PRM metrics, and a bounded sample of rationales with every step coloured by its label and score), and
 * {@link io.github.sipf4j.prm.report.HtmlReportListener} rewrites it after every phase of a run.
 */
package io.github.sipf4j.prm.report;
