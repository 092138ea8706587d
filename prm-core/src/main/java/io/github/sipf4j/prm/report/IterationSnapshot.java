package io.github.sipf4j.prm.report;

import io.github.sipf4j.prm.iterate.EvalResult;
import io.github.sipf4j.prm.iterate.phase.SamplePhase;
import io.github.sipf4j.prm.iterate.phase.ScorePhase;
import io.github.sipf4j.prm.iterate.phase.SelectPhase;
import io.github.sipf4j.prm.iterate.phase.SimulatePhase;
import io.github.sipf4j.prm.iterate.phase.TrainPolicyPhase;
import io.github.sipf4j.prm.iterate.phase.TrainPrmPhase;
import io.github.sipf4j.prm.iterate.phase.VerifyPhase;
import io.github.sipf4j.prm.process.StepMetrics;
import java.util.List;
import java.util.Map;

/**
 * What the folder of one iteration (or {@code baseline/}, iteration 0) holds so far. A summary is null while its
 * phase has not finished (or when the run's mode does not run it).
 *
 * @param iteration the iteration, 0 for the starting policy's evaluation
 * @param folder the folder's name in the run directory
 * @param complete true when every phase of the iteration has finished
 * @param seconds the wall time of every finished phase, by phase key, in the order the phases run
 * @param evaluations the accuracy on each evaluation set, by name, or empty before the evaluation
 * @param sample the sample phase's summary
 * @param verify the verify phase's summary
 * @param simulate the simulate phase's summary
 * @param prm the PRM training's summary
 * @param prmMetrics the trained PRM's metrics on held-out rationales ({@code prm-metrics.json}), or null
 * @param score the score phase's summary
 * @param select the select phase's summary
 * @param train the policy training's summary
 * @param rationales the bounded, deterministic sample of rationales shown
 * @param pairs the bounded, deterministic sample of pairs shown
 * @param problems files that exist but could not be read, each with the reason
 */
record IterationSnapshot(int iteration, String folder, boolean complete, Map<String, Double> seconds,
    Map<String, EvalResult> evaluations, SamplePhase.Summary sample, VerifyPhase.Summary verify,
    SimulatePhase.Summary simulate, TrainPrmPhase.Summary prm, StepMetrics prmMetrics, ScorePhase.Summary score,
    SelectPhase.Summary select, TrainPolicyPhase.Summary train, List<RationaleView> rationales,
    List<PairView> pairs, List<String> problems) {}
