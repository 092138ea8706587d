package io.github.sipf4j.prm.iterate;

import java.util.LinkedHashMap;
import java.util.Map;

/**
 * What one iteration of a {@link SelfIterativeTrainer} run did and measured. The same values are in the iteration's
 * {@code report.json} and in the run's {@code metrics.csv}.
 *
 * @param iteration the iteration, from 1
 * @param mode the feedback mode, or null for a run outside the loop (such as a continued-SFT baseline)
 * @param evaluations greedy accuracy of the policy after this iteration, by evaluation set name
 * @param questions the questions sampled
 * @param samples the rationales sampled
 * @param correctSamples how many of them were verified correct
 * @param simulated how many samples had their steps labelled by simulation (0 without simulation)
 * @param flawedCorrect correct samples with a step before the last labelled wrong by simulation
 * @param newExamples pairs (or, for RFT, SFT examples) selected this iteration
 * @param totalExamples the accumulated training set this iteration trained on
 * @param correctRejected new pairs whose rejected rationale has a correct final answer (process feedback at work)
 * @param goldChosen new pairs whose chosen rationale is a gold rationale
 * @param prmStepAccuracy the trained PRM's step accuracy on held-out questions, or NaN when no PRM was trained
 * @param prmAuroc the trained PRM's AUROC on held-out questions, or NaN
 * @param policySteps optimizer steps of the policy training (0 when there was nothing to train on)
 * @param policyLoss the mean training loss of the last epoch, or NaN
 * @param seconds wall time by phase key ({@link Phase#key()}); phases the mode does not run are absent
 */
public record IterationReport(
    int iteration,
    FeedbackMode mode,
    Map<String, EvalResult> evaluations,
    int questions,
    int samples,
    int correctSamples,
    int simulated,
    int flawedCorrect,
    int newExamples,
    int totalExamples,
    int correctRejected,
    int goldChosen,
    double prmStepAccuracy,
    double prmAuroc,
    long policySteps,
    double policyLoss,
    Map<String, Double> seconds) {

  /**
   * Copies the maps.
   *
   * @param iteration the {@code iteration} component (see the record)
   * @param mode the {@code mode} component (see the record)
   * @param evaluations the {@code evaluations} component (see the record)
   * @param questions the {@code questions} component (see the record)
   * @param samples the {@code samples} component (see the record)
   * @param correctSamples the {@code correctSamples} component (see the record)
   * @param simulated the {@code simulated} component (see the record)
   * @param flawedCorrect the {@code flawedCorrect} component (see the record)
   * @param newExamples the {@code newExamples} component (see the record)
   * @param totalExamples the {@code totalExamples} component (see the record)
   * @param correctRejected the {@code correctRejected} component (see the record)
   * @param goldChosen the {@code goldChosen} component (see the record)
   * @param prmStepAccuracy the {@code prmStepAccuracy} component (see the record)
   * @param prmAuroc the {@code prmAuroc} component (see the record)
   * @param policySteps the {@code policySteps} component (see the record)
   * @param policyLoss the {@code policyLoss} component (see the record)
   * @param seconds the {@code seconds} component (see the record)
   */
  public IterationReport {
    evaluations = Map.copyOf(new LinkedHashMap<>(evaluations));
    seconds = java.util.Collections.unmodifiableMap(new LinkedHashMap<>(seconds));
  }

  /**
   * Returns the share of samples verified correct.
   *
   * @return a fraction in [0, 1], or NaN without samples
   */
  public double sampleAccuracy() {
    return samples == 0 ? Double.NaN : (double) correctSamples / samples;
  }

  /**
   * Returns the accuracy on one evaluation set.
   *
   * @param name the set's name
   * @return the accuracy, or NaN when there is no such set
   */
  public double accuracy(String name) {
    EvalResult r = evaluations.get(name);
    return r == null ? Double.NaN : r.accuracy();
  }

  /**
   * Returns the total wall time of the phases.
   *
   * @return seconds
   */
  public double totalSeconds() {
    return seconds.values().stream().mapToDouble(Double::doubleValue).sum();
  }

  /**
   * Returns the report as one flat metrics row (the columns of {@code metrics.csv}).
   *
   * @return the values by column name, in a stable order
   */
  public Map<String, Object> toRow() {
    Map<String, Object> row = new LinkedHashMap<>();
    row.put("iteration", iteration);
    row.put("mode", mode == null ? "sft" : mode.name().toLowerCase(java.util.Locale.ROOT));
    evaluations.values().stream().sorted(java.util.Comparator.comparing(EvalResult::name))
        .forEach(e -> row.put("eval/" + e.name() + "/accuracy", e.accuracy()));
    row.put("questions", questions);
    row.put("samples", samples);
    row.put("sample_accuracy", sampleAccuracy());
    row.put("simulated", simulated);
    row.put("flawed_correct", flawedCorrect);
    row.put("new_examples", newExamples);
    row.put("total_examples", totalExamples);
    row.put("correct_rejected", correctRejected);
    row.put("gold_chosen", goldChosen);
    row.put("prm_step_accuracy", prmStepAccuracy);
    row.put("prm_auroc", prmAuroc);
    row.put("policy_steps", policySteps);
    row.put("policy_loss", policyLoss);
    for (Phase p : Phase.values()) {
      row.put("seconds/" + p.key(), seconds.getOrDefault(p.key(), 0.0));
    }
    return row;
  }
}
