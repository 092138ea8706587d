package io.github.sipf4j.prm.iterate.phase;

import com.google.common.base.Preconditions;
import io.github.sipf4j.orpo.model.CausalLm;
import io.github.sipf4j.prm.rollout.PolicyRef;
import io.github.sipf4j.prm.rollout.RolloutContext;
import io.github.sipf4j.prm.rollout.RolloutJob;
import io.github.sipf4j.prm.rollout.RolloutResources;
import io.github.sipf4j.prm.verify.OutcomeVerifier;
import java.io.IOException;

/**
 * The rollout resources of a run in one process: the policy in memory (restored to the weights a job names when it
 * holds others, so a phase that follows training loads nothing), the simulator model in memory, and the verifier
 * object. Nothing is loaded per job and nothing is closed after one.
 */
public final class LiveRollouts implements RolloutResources {

  private final PolicyState policy;
  private final OutcomeVerifier verifier;
  private final CausalLm simulatorModel;
  private final PolicyRef simulatorRef;

  /**
   * Creates the resources.
   *
   * @param policy the policy in memory
   * @param verifier the verifier object
   * @param simulatorModel a separate simulator model in memory, or null
   * @param simulatorRef where that model is saved (how jobs name it), or null
   */
  public LiveRollouts(PolicyState policy, OutcomeVerifier verifier, CausalLm simulatorModel, PolicyRef simulatorRef) {
    this.policy = Preconditions.checkNotNull(policy, "policy");
    this.verifier = Preconditions.checkNotNull(verifier, "verifier");
    Preconditions.checkArgument((simulatorModel == null) == (simulatorRef == null),
        "a simulator model needs its saved reference and the reverse");
    this.simulatorModel = simulatorModel;
    this.simulatorRef = simulatorRef;
  }

  @Override
  public RolloutContext open(RolloutJob<?> job) throws IOException {
    PolicyRef ref = job.policy();
    CausalLm model = ref == null ? null : ref.equals(simulatorRef) ? simulatorModel : policy.restore(ref);
    return RolloutContext.borrowing(model, ref == null ? null : policy.tokenizer(), verifier);
  }
}
