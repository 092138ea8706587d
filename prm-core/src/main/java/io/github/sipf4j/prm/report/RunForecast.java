package io.github.sipf4j.prm.report;

import com.google.common.base.Preconditions;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * A {@link RunPlan} revised by what the run has measured so far: every phase that has finished keeps its measured
 * time, and every phase still to run gets its estimate scaled by how its own kind of phase has gone in this run.
 *
 * <p>The rule, per phase still to run: take the latest finished phase of the same key (the same phase of an earlier
 * iteration, in the plan's order) and multiply the estimate by that phase's measured / estimated ratio; where that
 * phase was estimated at zero seconds (a phase the plan treats as free), its measured seconds are taken as they are;
 * a phase no iteration has finished yet keeps the plan's estimate. This corrects what a plan cannot know before the
 * run, such as how many samples the Monte-Carlo simulation stops early on or how long the trained policy's
 * rationales are, with the run's own figures; it assumes that a phase's cost per unit of planned work stays what it
 * was in the iteration before.
 *
 * <p>A planned phase that has not finished although a later one has (a warm start whose time this directory does not
 * record, a phase the run's settings skip) counts as done: it adds nothing to the time left, and the whole run's
 * time counts its estimate in its place.
 */
public final class RunForecast {

  /** Where a row's seconds come from. */
  public enum Source {
    /** The phase has finished: its measured seconds. */
    MEASURED,
    /** The phase has not run here although a later one has: it adds nothing to the time left. */
    SKIPPED,
    /** The plan's estimate scaled by the ratio of the latest finished phase of the same key. */
    REVISED,
    /** The plan's estimate as it stands (no phase of the same key has finished yet). */
    PLANNED
  }

  /**
   * One phase of one iteration.
   *
   * @param iteration the iteration (0 before the first)
   * @param phase the phase's key
   * @param estimate the plan's estimate, seconds
   * @param seconds the measured seconds ({@link Source#MEASURED}) or the forecast (0 when {@link Source#SKIPPED})
   * @param source where the seconds come from
   */
  public record Row(int iteration, String phase, double estimate, double seconds, Source source) {}

  private final List<Row> rows;
  private final double measuredSeconds;
  private final double skippedSeconds;
  private final double remainingSeconds;

  private RunForecast(List<Row> rows, double measuredSeconds, double skippedSeconds, double remainingSeconds) {
    this.rows = List.copyOf(rows);
    this.measuredSeconds = measuredSeconds;
    this.skippedSeconds = skippedSeconds;
    this.remainingSeconds = remainingSeconds;
  }

  /**
   * Revises a plan by measured phase times.
   *
   * @param plan the plan made before the run
   * @param measured the seconds of every finished phase, by iteration and then phase key (phases the plan does not
   *     list are ignored)
   * @return the forecast
   */
  public static RunForecast of(RunPlan plan, Map<Integer, Map<String, Double>> measured) {
    Preconditions.checkNotNull(plan, "plan");
    Preconditions.checkNotNull(measured, "measured");
    List<PhaseEstimate> phases = plan.phases();
    int lastMeasured = -1;
    for (int i = 0; i < phases.size(); i++) {
      if (measuredSeconds(measured, phases.get(i)) != null) {
        lastMeasured = i;
      }
    }
    List<Row> rows = new ArrayList<>(phases.size());
    Map<String, double[]> latest = new HashMap<>(); // phase key -> {estimate, measured} of its latest finished run
    double done = 0;
    double skipped = 0;
    double left = 0;
    for (int i = 0; i < phases.size(); i++) {
      PhaseEstimate p = phases.get(i);
      Double m = measuredSeconds(measured, p);
      if (m != null) {
        rows.add(new Row(p.iteration(), p.phase(), p.seconds(), m, Source.MEASURED));
        latest.put(p.phase(), new double[] {p.seconds(), m});
        done += m;
      } else if (i < lastMeasured) {
        rows.add(new Row(p.iteration(), p.phase(), p.seconds(), 0, Source.SKIPPED));
        skipped += p.seconds();
      } else {
        double[] before = latest.get(p.phase());
        double s;
        Source source;
        if (before == null) {
          s = p.seconds();
          source = Source.PLANNED;
        } else {
          s = before[0] > 0 ? p.seconds() * before[1] / before[0] : before[1];
          source = Source.REVISED;
        }
        rows.add(new Row(p.iteration(), p.phase(), p.seconds(), s, source));
        left += s;
      }
    }
    return new RunForecast(rows, done, skipped, left);
  }

  private static Double measuredSeconds(Map<Integer, Map<String, Double>> measured, PhaseEstimate p) {
    Map<String, Double> it = measured.get(p.iteration());
    Double s = it == null ? null : it.get(p.phase());
    return s == null || !(s >= 0) || s.isInfinite() ? null : s;
  }

  /**
   * Returns one row per phase of the plan, in its order.
   *
   * @return the rows
   */
  public List<Row> rows() {
    return rows;
  }

  /**
   * Returns the seconds of the planned phases that have finished.
   *
   * @return the measured seconds
   */
  public double measuredSeconds() {
    return measuredSeconds;
  }

  /**
   * Returns the forecast seconds of the planned phases still to run.
   *
   * @return the seconds left
   */
  public double remainingSeconds() {
    return remainingSeconds;
  }

  /**
   * Returns the forecast wall time of the whole planned run: measured, plus the estimates of the phases counted as
   * done without a measurement here ({@link Source#SKIPPED}), plus remaining.
   *
   * @return the seconds
   */
  public double totalSeconds() {
    return measuredSeconds + skippedSeconds + remainingSeconds;
  }

  /**
   * Returns true when at least one phase still to run has a revised estimate.
   *
   * @return whether the forecast differs from the plan for the phases left
   */
  public boolean revised() {
    return rows.stream().anyMatch(r -> r.source() == Source.REVISED);
  }
}
