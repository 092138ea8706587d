package io.github.sipf4j.prm.iterate.phase;

import com.google.common.base.Preconditions;
import io.github.sipf4j.prm.iterate.Phase;
import io.github.sipf4j.prm.rollout.SampleRecord;
import io.github.sipf4j.prm.rollout.VerdictRecord;
import io.github.sipf4j.prm.rollout.VerifyJob;
import java.io.IOException;
import java.util.List;

/** Checks every sample's final answer through the rollout engine ({@link VerifyJob}): {@link Artefacts#VERDICTS}. */
public final class VerifyPhase extends AbstractPhase<VerifyPhase.Summary> {

  /**
   * The marker of the phase.
   *
   * @param correct the samples verified correct
   * @param samples the samples verified
   */
  public record Summary(int correct, int samples) {}

  private final LoopContext context;

  /**
   * Creates the phase.
   *
   * @param context the run's shared parts
   */
  public VerifyPhase(LoopContext context) {
    super(Phase.VERIFY, Summary.class);
    this.context = Preconditions.checkNotNull(context, "context");
  }

  @Override
  public Summary run(IterationScope scope) throws IOException {
    List<SampleRecord> samples = scope.get(Artefacts.SAMPLES);
    List<VerdictRecord> verdicts = context.engine().run(new VerifyJob(context.verifier(), scope.questions(), samples,
        context.shards().rationales()));
    scope.put(Artefacts.VERDICTS, verdicts);
    int correct = (int) verdicts.stream().filter(VerdictRecord::correct).count();
    return new Summary(correct, samples.size());
  }
}
