package io.github.sipf4j.prm.rollout;

import com.google.common.base.Preconditions;
import io.github.sipf4j.orpo.sample.Sampler;
import io.github.sipf4j.orpo.text.PromptTemplate;
import io.github.sipf4j.prm.process.RolloutRequest;
import io.github.sipf4j.prm.process.RolloutSimulator;
import io.github.sipf4j.prm.process.SimulatorConfig;
import io.github.sipf4j.prm.process.StepLabels;
import io.github.sipf4j.prm.task.ReasoningTask;
import java.util.ArrayList;
import java.util.List;

/**
 * Labels the steps of rationales by Monte-Carlo inference simulation ({@link RolloutSimulator}): K completions from
 * every step prefix, sampled from a saved model and verified. The completions of step {@code j} of a rationale draw
 * from the stream {@code (seed, RolloutSimulator.prefixKey(StreamKeys.sample(task id, sample index), j))}, so the
 * labels of a rationale do not depend on the other rationales of its shard or on the sharding.
 *
 * @param policy the simulator model (the iteration's policy unless a separate simulator model is used)
 * @param verifier the verifier, or null for the engine's own verifier object
 * @param template formats each task's prompt
 * @param tasks the tasks, indexed by {@link SimulationItem#question()}
 * @param items the rationales, in order
 * @param simulator K, δ, early stop and sampling; its sampling seed is replaced by {@code seed}, its progress bar is
 *     off
 * @param seed the seed of the phase's streams ({@link StreamKeys#phaseSeed})
 * @param shardSize the most rationales per shard
 */
public record SimulateJob(PolicyRef policy, VerifierSpec verifier, PromptTemplate template, List<ReasoningTask> tasks,
    List<SimulationItem> items, SimulatorConfig simulator, long seed, int shardSize)
    implements RolloutJob<LabelRecord> {

  /**
   * Validates the job and copies the lists.
   *
   * @param policy the {@code policy} component (see the record)
   * @param verifier the {@code verifier} component (see the record)
   * @param template the {@code template} component (see the record)
   * @param tasks the {@code tasks} component (see the record)
   * @param items the {@code items} component (see the record)
   * @param simulator the {@code simulator} component (see the record)
   * @param seed the {@code seed} component (see the record)
   * @param shardSize the {@code shardSize} component (see the record)
   */
  public SimulateJob {
    Preconditions.checkNotNull(policy, "policy");
    Preconditions.checkNotNull(template, "template");
    Preconditions.checkNotNull(simulator, "simulator");
    Preconditions.checkArgument(shardSize > 0, "shardSize must be positive, got %s", shardSize);
    tasks = List.copyOf(tasks);
    items = List.copyOf(items);
  }

  @Override
  public String name() {
    return "simulate";
  }

  @Override
  public int size() {
    return items.size();
  }

  @Override
  public String unit() {
    return "rationale";
  }

  @Override
  public List<LabelRecord> runShard(int shard, RolloutContext context) {
    List<SimulationItem> part = items.subList(shardStart(shard), shardEnd(shard));
    List<RolloutRequest> requests = new ArrayList<>(part.size());
    List<Long> keys = new ArrayList<>(part.size());
    for (SimulationItem it : part) {
      ReasoningTask t = tasks.get(it.question());
      requests.add(new RolloutRequest(t, template.format(t.prompt()), it.steps(), false));
      keys.add(StreamKeys.sample(t.id(), it.sampleIndex()));
    }
    SimulatorConfig cfg = new SimulatorConfig(simulator.rolloutsPerStep(), simulator.delta(), simulator.earlyStop(),
        simulator.sampling().toBuilder().seed(seed).showProgress(false).build(), false);
    RolloutSimulator sim = new RolloutSimulator(new Sampler(context.model(), context.encoder(template)),
        context.verifier(), cfg);
    List<StepLabels> labels = sim.label(requests, keys);
    List<LabelRecord> out = new ArrayList<>(labels.size());
    for (int j = 0; j < labels.size(); j++) {
      out.add(LabelRecord.of(part.get(j).sample(), labels.get(j)));
    }
    return out;
  }
}
