package io.github.sipf4j.prm.synthetic;

import io.github.sipf4j.prm.process.StepScoringInput;
import java.util.Collections;
import java.util.EnumMap;
import java.util.List;
import java.util.Map;

/**
 * What {@link SyntheticStepChecker#classify} finds in a set of rationales: how often the arithmetic of a step holds
 * (the model's single-step accuracy, whatever the step's other faults), how many rationales are sound throughout,
 * and the kind of each unsound rationale's first error.
 *
 * <pre>{@code
 * StepAudit a = StepAudit.of(SyntheticStepChecker.withReferences(refs), inputs);
 * a.arithmeticAccuracy();                          // e.g. 0.97
 * a.firstErrors().get(StepVerdict.REASONING);       // rationales that went wrong by using the wrong number first
 * }</pre>
 *
 * @param rationales the rationales audited
 * @param sound the rationales whose every step is {@link StepVerdict#SOUND}
 * @param steps the equation and comparison steps among them
 * @param arithmeticHolds the steps whose arithmetic holds ({@link StepVerdict#arithmeticHolds()})
 * @param firstErrors per verdict, the unsound rationales whose first step that is not sound has it
 */
public record StepAudit(int rationales, int sound, int steps, int arithmeticHolds,
    Map<StepVerdict, Integer> firstErrors) {

  /**
   * Copies the counts.
   *
   * @param rationales the {@code rationales} component (see the record)
   * @param sound the {@code sound} component (see the record)
   * @param steps the {@code steps} component (see the record)
   * @param arithmeticHolds the {@code arithmeticHolds} component (see the record)
   * @param firstErrors the {@code firstErrors} component (see the record)
   */
  public StepAudit {
    Map<StepVerdict, Integer> copy = new EnumMap<>(StepVerdict.class);
    copy.putAll(firstErrors);
    firstErrors = Collections.unmodifiableMap(copy);
  }

  /**
   * Audits rationales.
   *
   * @param checker the checker (with references to see reasoning errors)
   * @param inputs the rationales with their questions and verified outcomes
   * @return the counts
   */
  public static StepAudit of(SyntheticStepChecker checker, List<StepScoringInput> inputs) {
    int sound = 0;
    int steps = 0;
    int holds = 0;
    Map<StepVerdict, Integer> first = new EnumMap<>(StepVerdict.class);
    for (StepScoringInput in : inputs) {
      List<StepVerdict> verdicts = checker.classify(in);
      StepVerdict firstError = null;
      for (int i = 0; i < verdicts.size(); i++) {
        StepVerdict v = verdicts.get(i);
        if (SyntheticStepChecker.isCalculation(in.steps().get(i))) {
          steps++;
          holds += v.arithmeticHolds() ? 1 : 0;
        }
        if (firstError == null && v != StepVerdict.SOUND) {
          firstError = v;
        }
      }
      if (firstError == null) {
        sound++;
      } else {
        first.merge(firstError, 1, Integer::sum);
      }
    }
    return new StepAudit(inputs.size(), sound, steps, holds, first);
  }

  /**
   * Returns the share of equation and comparison steps whose arithmetic holds.
   *
   * @return the share in [0, 1], NaN without steps
   */
  public double arithmeticAccuracy() {
    return steps == 0 ? Double.NaN : arithmeticHolds / (double) steps;
  }

  /**
   * Returns the share of rationales sound at every step.
   *
   * @return the share in [0, 1], NaN without rationales
   */
  public double soundShare() {
    return rationales == 0 ? Double.NaN : sound / (double) rationales;
  }
}
