package io.github.sipf4j.prm.rollout;

import ai.djl.Device;
import io.github.sipf4j.orpo.model.CausalLmKind;
import java.io.IOException;
import java.util.Collection;
import java.util.List;

/**
 * Where a {@link LocalRolloutEngine} gets the model, tokenizer and verifier of a job. {@link #loading} loads them from
 * the job's references (what a remote worker does); the self-iterative loop supplies the policy it already holds in
 * memory instead, so that a phase loads nothing when the policy holds the weights it needs.
 */
@FunctionalInterface
public interface RolloutResources {

  /**
   * Opens the context of one job; the engine closes it when the job is done.
   *
   * @param job the job
   * @return the context: a model holding the weights of {@link RolloutJob#policy()} (when the job has one), its
   *     tokenizer, and the verifier
   * @throws IOException if a model cannot be loaded
   */
  RolloutContext open(RolloutJob<?> job) throws IOException;

  /**
   * Loads everything from the job: {@link RolloutContext#open}.
   *
   * @param device where loaded parameters live
   * @param extraKinds model kinds to try before the registered ones; may be empty
   * @return the resources
   */
  static RolloutResources loading(Device device, Collection<CausalLmKind> extraKinds) {
    List<CausalLmKind> kinds = List.copyOf(extraKinds);
    return job -> RolloutContext.open(job, device, kinds);
  }
}
