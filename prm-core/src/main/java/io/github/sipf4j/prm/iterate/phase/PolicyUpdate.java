package io.github.sipf4j.prm.iterate.phase;

import io.github.sipf4j.orpo.loss.NllScope;
import io.github.sipf4j.orpo.model.CausalLm;
import io.github.sipf4j.orpo.text.SequenceEncoder;
import io.github.sipf4j.orpo.train.AnchorSet;
import io.github.sipf4j.orpo.train.TrainerConfig;
import io.github.sipf4j.orpo.train.TrainingSummary;
import java.io.IOException;

/**
 * How the policy learns from the iteration's data set: the strategy behind {@link TrainPolicyPhase}. {@link #orpo}
 * trains on preference pairs ({@link TrainingSetBuilder#preferencePairs}); {@link #sft} on supervised examples
 * ({@link TrainingSetBuilder#sftExamples}).
 */
public interface PolicyUpdate {

  /**
   * What an update trained.
   *
   * @param examples the training examples that fit the policy's context
   * @param summary the trainer's summary, or null when there was nothing to train on
   */
  record Trained(int examples, TrainingSummary summary) {}

  /**
   * Trains the policy in place on the iteration's accumulated data set.
   *
   * @param scope the iteration (its {@code dataset.jsonl})
   * @param policy the policy, holding the iteration's starting weights
   * @param encoder encodes prompts and completions for the policy
   * @param config the trainer's settings (checkpoints in the iteration's {@code train/})
   * @param anchors supervised anchor sequences joining every step, or null
   * @param padId the tokenizer's padding id
   * @return what was trained
   * @throws IOException if the data set cannot be read or a checkpoint cannot be written
   */
  Trained train(IterationScope scope, CausalLm policy, SequenceEncoder encoder, TrainerConfig config,
      AnchorSet anchors, long padId) throws IOException;

  /**
   * ORPO on the accumulated preference pairs: \( \mathcal{L} = \mathcal{L}_{NLL}(y_w) + \lambda \cdot
   * \mathcal{L}_{OR} \).
   *
   * @param lambda the weight λ of the odds-ratio term
   * @param nllScope which tokens the NLL term covers
   * @return the update
   */
  static PolicyUpdate orpo(float lambda, NllScope nllScope) {
    return new OrpoUpdate(lambda, nllScope);
  }

  /**
   * Supervised fine-tuning on the accumulated examples (rejection-sampling fine-tuning).
   *
   * @param nllScope which tokens the loss covers
   * @return the update
   */
  static PolicyUpdate sft(NllScope nllScope) {
    return new SftUpdate(nllScope);
  }
}
