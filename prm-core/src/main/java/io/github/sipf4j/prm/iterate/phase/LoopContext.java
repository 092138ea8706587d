package io.github.sipf4j.prm.iterate.phase;

import com.google.common.base.Preconditions;
import io.github.sipf4j.orpo.text.PromptTemplate;
import io.github.sipf4j.prm.rollout.RolloutEngine;
import io.github.sipf4j.prm.rollout.VerifierSpec;

/**
 * What every phase of a run shares: where artefacts go, who runs rollouts, the policy in memory, the prompt template,
 * the verifier as data, the sharding, the run's seed and whether to draw progress bars.
 *
 * @param store the run's artefacts
 * @param engine runs sampling, verification, simulation and evaluation
 * @param policy the policy in memory and which saved weights it holds
 * @param template formats every prompt
 * @param verifier the verifier as data for engines that run elsewhere, or null when it is only an object (then only
 *     an engine holding that object can run the rollouts)
 * @param shards how rollout jobs are cut into shards
 * @param seed the run's seed; every phase derives its own ({@link io.github.sipf4j.prm.rollout.StreamKeys})
 * @param progress whether phases draw progress bars
 */
public record LoopContext(ArtefactStore store, RolloutEngine engine, PolicyState policy, PromptTemplate template,
    VerifierSpec verifier, RolloutShards shards, long seed, boolean progress) {

  /**
   * Checks the required parts.
   *
   * @param store the {@code store} component (see the record)
   * @param engine the {@code engine} component (see the record)
   * @param policy the {@code policy} component (see the record)
   * @param template the {@code template} component (see the record)
   * @param verifier the {@code verifier} component (see the record)
   * @param shards the {@code shards} component (see the record)
   * @param seed the {@code seed} component (see the record)
   * @param progress the {@code progress} component (see the record)
   */
  public LoopContext {
    Preconditions.checkNotNull(store, "store");
    Preconditions.checkNotNull(engine, "engine");
    Preconditions.checkNotNull(policy, "policy");
    Preconditions.checkNotNull(template, "template");
    Preconditions.checkNotNull(shards, "shards");
  }
}
