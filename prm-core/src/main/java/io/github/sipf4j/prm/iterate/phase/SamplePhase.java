package io.github.sipf4j.prm.iterate.phase;

import com.google.common.base.Preconditions;
import io.github.sipf4j.orpo.sample.SamplingConfig;
import io.github.sipf4j.prm.iterate.Phase;
import io.github.sipf4j.prm.rollout.SampleJob;
import io.github.sipf4j.prm.rollout.SampleRecord;
import io.github.sipf4j.prm.rollout.StreamKeys;
import java.io.IOException;
import java.util.List;

/**
 * Samples N rationales per question from the iteration's starting policy, through the rollout engine
 * ({@link SampleJob}), and puts them as {@link Artefacts#SAMPLES}.
 */
public final class SamplePhase extends AbstractPhase<SamplePhase.Summary> {

  /**
   * The marker of the phase.
   *
   * @param questions the questions sampled
   * @param samples the rationales sampled
   * @param tokens the tokens generated
   */
  public record Summary(int questions, int samples, long tokens) {}

  private final LoopContext context;
  private final SamplingConfig sampling;

  /**
   * Creates the phase.
   *
   * @param context the run's shared parts
   * @param sampling how to sample (N is its {@code samplesPerPrompt}; its seed is derived per iteration)
   */
  public SamplePhase(LoopContext context, SamplingConfig sampling) {
    super(Phase.SAMPLE, Summary.class);
    this.context = Preconditions.checkNotNull(context, "context");
    this.sampling = Preconditions.checkNotNull(sampling, "sampling");
  }

  @Override
  public Summary run(IterationScope scope) throws IOException {
    List<SampleRecord> records = context.engine().run(new SampleJob(scope.startPolicy(), context.template(),
        scope.questions(), sampling, StreamKeys.phaseSeed(context.seed(), scope.iteration(), "sample"),
        context.shards().tasks()));
    scope.put(Artefacts.SAMPLES, records);
    long tokens = records.stream().mapToLong(SampleRecord::tokens).sum();
    return new Summary(scope.questions().size(), records.size(), tokens);
  }
}
