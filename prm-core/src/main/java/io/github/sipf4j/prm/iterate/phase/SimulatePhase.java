package io.github.sipf4j.prm.iterate.phase;

import com.google.common.base.Preconditions;
import com.google.gson.annotations.SerializedName;
import io.github.sipf4j.prm.iterate.Phase;
import io.github.sipf4j.prm.process.SimulatorConfig;
import io.github.sipf4j.prm.process.StepSplitter;
import io.github.sipf4j.prm.rollout.LabelRecord;
import io.github.sipf4j.prm.rollout.PolicyRef;
import io.github.sipf4j.prm.rollout.SampleRecord;
import io.github.sipf4j.prm.rollout.SimulateJob;
import io.github.sipf4j.prm.rollout.SimulationItem;
import io.github.sipf4j.prm.rollout.StreamKeys;
import java.io.IOException;
import java.util.ArrayList;
import java.util.List;

/**
 * Labels the steps of the samples the {@link RewardSource} asks for by Monte-Carlo inference simulation, through the
 * rollout engine ({@link SimulateJob}): {@link Artefacts#LABELS}.
 */
public final class SimulatePhase extends AbstractPhase<SimulatePhase.Summary> {

  /**
   * The marker of the phase.
   *
   * @param simulated the samples whose steps were labelled
   * @param flawedCorrect correct samples with a step before the last labelled wrong
   * @param completions the completions sampled
   * @param prefixes the step prefixes simulated
   */
  public record Summary(int simulated, @SerializedName("flawed_correct") int flawedCorrect, long completions,
      long prefixes) {}

  private final LoopContext context;
  private final SimulatorConfig simulator;
  private final PolicyRef simulatorModel;
  private final RewardSource rewards;
  private final StepSplitter splitter = StepSplitter.newlines();

  /**
   * Creates the phase.
   *
   * @param context the run's shared parts
   * @param simulator K, δ, early stop and sampling (its seed is derived per iteration)
   * @param simulatorModel the saved model that completes the prefixes, or null for the iteration's policy
   * @param rewards chooses the samples to simulate
   */
  public SimulatePhase(LoopContext context, SimulatorConfig simulator, PolicyRef simulatorModel,
      RewardSource rewards) {
    super(Phase.SIMULATE, Summary.class);
    this.context = Preconditions.checkNotNull(context, "context");
    this.simulator = Preconditions.checkNotNull(simulator, "simulator");
    this.simulatorModel = simulatorModel;
    this.rewards = Preconditions.checkNotNull(rewards, "rewards");
  }

  @Override
  public Summary run(IterationScope scope) throws IOException {
    List<SampleRecord> samples = scope.get(Artefacts.SAMPLES);
    List<SimulationItem> items = new ArrayList<>();
    for (int i : rewards.toSimulate(scope, StreamKeys.phaseSeed(context.seed(), scope.iteration(),
        "simulate-subset"))) {
      SampleRecord s = samples.get(i);
      items.add(new SimulationItem(i, s.question(), s.sample(), splitter.split(s.text())));
    }
    List<LabelRecord> labels = items.isEmpty() ? List.of() : context.engine().run(new SimulateJob(
        simulatorModel != null ? simulatorModel : scope.startPolicy(), context.verifier(), context.template(),
        scope.questions(), items, simulator, StreamKeys.phaseSeed(context.seed(), scope.iteration(), "simulate"),
        context.shards().rationales()));
    scope.put(Artefacts.LABELS, labels);
    int flawed = 0;
    long completions = 0;
    long prefixes = 0;
    for (LabelRecord l : labels) {
      flawed += l.flawedCorrect() ? 1 : 0;
      completions += l.completions();
      prefixes += l.simulatedPrefixes();
    }
    return new Summary(labels.size(), flawed, completions, prefixes);
  }
}
