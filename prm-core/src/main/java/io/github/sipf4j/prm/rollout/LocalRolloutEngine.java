package io.github.sipf4j.prm.rollout;

import ai.djl.Device;
import com.google.common.base.Preconditions;
import io.github.sipf4j.orpo.sample.Sample;
import io.github.sipf4j.orpo.sample.SamplingListener;
import io.github.sipf4j.orpo.util.ProgressBar;
import java.io.IOException;
import java.util.ArrayList;
import java.util.List;

/**
 * Runs rollout jobs in this process: opens the job's context once (the policy stays loaded while the job runs),
 * splits the shards into {@code partitions} contiguous partitions and runs each through {@link RolloutPartition}, one
 * after the other. The number of partitions does not change the records (see {@link RolloutJob}); more than one
 * serves to check that a distributed engine will reproduce a local run.
 *
 * <pre>{@code
 * try (RolloutEngine engine = new LocalRolloutEngine(Device.cpu(), 1)) {
 *   List<PredictionRecord> answers = engine.run(new EvaluateJob(ref, VerifierSpec.forTaskKind(), "test",
 *       PromptTemplate.DEFAULT, tasks, SamplingConfig.builder().maxNewTokens(256).build(), 256));
 * }
 * }</pre>
 */
public final class LocalRolloutEngine implements RolloutEngine {

  private final RolloutResources resources;
  private final int partitions;
  private final boolean progress;

  /**
   * Creates an engine that loads every job's policy and verifier from the job itself, without progress bars.
   *
   * @param device where loaded parameters live
   * @param partitions how many partitions to split each job into, at least 1
   */
  public LocalRolloutEngine(Device device, int partitions) {
    this(RolloutResources.loading(device, List.of()), partitions, false);
  }

  /**
   * Creates an engine.
   *
   * @param resources where jobs get their model, tokenizer and verifier
   * @param partitions how many partitions to split each job into, at least 1
   * @param progress whether to draw one progress bar per job on standard error
   */
  public LocalRolloutEngine(RolloutResources resources, int partitions, boolean progress) {
    Preconditions.checkArgument(partitions >= 1, "partitions must be at least 1, got %s", partitions);
    this.resources = Preconditions.checkNotNull(resources, "resources");
    this.partitions = partitions;
    this.progress = progress;
  }

  /**
   * Returns the number of partitions each job is split into.
   *
   * @return at least 1
   */
  public int partitions() {
    return partitions;
  }

  @Override
  public <R> List<R> run(RolloutJob<R> job) throws IOException {
    if (job.size() == 0) {
      return List.of();
    }
    List<R> out = new ArrayList<>(job.size());
    try (RolloutContext context = resources.open(job);
        ProgressBar bar = new ProgressBar(job.name(), job.units(), job.unit(), progress)) {
      long[] done = {0, 0}; // units of finished shards, units reported within the running shard
      RolloutContext view = context.withListener(new SamplingListener() {
        @Override
        public void onSample(Sample sample) {
          bar.update(done[0] + ++done[1], "");
        }
      });
      for (int[] range : RolloutPartition.split(job.shards(), partitions)) {
        out.addAll(RolloutPartition.run(job, range[0], range[1], view, units -> {
          done[0] += units;
          done[1] = 0;
          bar.update(done[0], "");
        }));
      }
    }
    return out;
  }
}
