package io.github.sipf4j.prm.rollout;

import com.google.common.base.Preconditions;
import io.github.sipf4j.orpo.sample.Sample;
import io.github.sipf4j.orpo.sample.Sampler;
import io.github.sipf4j.orpo.sample.SamplingConfig;
import io.github.sipf4j.orpo.text.PromptTemplate;
import io.github.sipf4j.orpo.text.SequenceEncoder;
import io.github.sipf4j.prm.task.ReasoningTask;
import java.util.ArrayList;
import java.util.List;

/**
 * Samples {@code sampling.samplesPerPrompt()} rationales per task from a saved policy. Sample {@code s} of a task
 * draws from the stream {@code (seed, StreamKeys.task(id), s)}, so a task's samples do not depend on the other tasks
 * of its shard or on the sharding.
 *
 * @param policy the policy to sample from
 * @param template formats each task's prompt
 * @param tasks the tasks, in order
 * @param sampling how to sample; its seed is replaced by {@code seed} and its progress bar is off
 * @param seed the seed of the phase's streams ({@link StreamKeys#phaseSeed})
 * @param shardSize the most tasks per shard
 */
public record SampleJob(PolicyRef policy, PromptTemplate template, List<ReasoningTask> tasks,
    SamplingConfig sampling, long seed, int shardSize) implements RolloutJob<SampleRecord> {

  /**
   * Validates the job and copies the tasks.
   *
   * @param policy the {@code policy} component (see the record)
   * @param template the {@code template} component (see the record)
   * @param tasks the {@code tasks} component (see the record)
   * @param sampling the {@code sampling} component (see the record)
   * @param seed the {@code seed} component (see the record)
   * @param shardSize the {@code shardSize} component (see the record)
   */
  public SampleJob {
    Preconditions.checkNotNull(policy, "policy");
    Preconditions.checkNotNull(template, "template");
    Preconditions.checkNotNull(sampling, "sampling");
    Preconditions.checkArgument(shardSize > 0, "shardSize must be positive, got %s", shardSize);
    tasks = List.copyOf(tasks);
  }

  @Override
  public String name() {
    return "sample";
  }

  /**
   * Returns null: sampling verifies nothing.
   *
   * @return null
   */
  @Override
  public VerifierSpec verifier() {
    return null;
  }

  @Override
  public boolean verifies() {
    return false;
  }

  @Override
  public int size() {
    return tasks.size();
  }

  @Override
  public long units() {
    return (long) size() * sampling.samplesPerPrompt();
  }

  @Override
  public long shardUnits(int shard) {
    return (long) (shardEnd(shard) - shardStart(shard)) * sampling.samplesPerPrompt();
  }

  @Override
  public String unit() {
    return "seq";
  }

  @Override
  public List<SampleRecord> runShard(int shard, RolloutContext context) {
    int from = shardStart(shard);
    List<ReasoningTask> part = tasks.subList(from, shardEnd(shard));
    SequenceEncoder encoder = context.encoder(template);
    List<long[]> ids = new ArrayList<>(part.size());
    List<Long> keys = new ArrayList<>(part.size());
    for (ReasoningTask t : part) {
      ids.add(encoder.encodePrompt(template.format(t.prompt())));
      keys.add(StreamKeys.task(t.id()));
    }
    SamplingConfig cfg = sampling.toBuilder().seed(seed).showProgress(false).build();
    List<Sample> samples = new Sampler(context.model(), encoder).sampleIds(ids, keys, cfg, context.listener());
    List<SampleRecord> out = new ArrayList<>(samples.size());
    for (Sample s : samples) {
      ReasoningTask t = part.get(s.promptIndex());
      out.add(new SampleRecord(from + s.promptIndex(), t.id(), s.sampleIndex(), s.text(), s.length(),
          s.meanLogProb(), s.finishReason().name()));
    }
    return out;
  }
}
