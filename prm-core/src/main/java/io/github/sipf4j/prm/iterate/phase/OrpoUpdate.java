package io.github.sipf4j.prm.iterate.phase;

import io.github.sipf4j.orpo.loss.NllScope;
import io.github.sipf4j.orpo.loss.OrpoLoss;
import io.github.sipf4j.orpo.model.CausalLm;
import io.github.sipf4j.orpo.text.SequenceEncoder;
import io.github.sipf4j.orpo.train.AnchorSet;
import io.github.sipf4j.orpo.train.EncodedPair;
import io.github.sipf4j.orpo.train.OrpoTrainer;
import io.github.sipf4j.orpo.train.TrainerConfig;
import java.io.IOException;
import java.util.List;

/** {@link PolicyUpdate#orpo}. */
final class OrpoUpdate implements PolicyUpdate {

  private final float lambda;
  private final NllScope nllScope;

  OrpoUpdate(float lambda, NllScope nllScope) {
    this.lambda = lambda;
    this.nllScope = nllScope;
  }

  @Override
  public Trained train(IterationScope scope, CausalLm policy, SequenceEncoder encoder, TrainerConfig config,
      AnchorSet anchors, long padId) throws IOException {
    List<EncodedPair> pairs = OrpoTrainer.encode(scope.get(Artefacts.PAIR_DATASET), encoder);
    if (pairs.isEmpty()) {
      return new Trained(0, null);
    }
    OrpoLoss loss = OrpoLoss.builder().lambda(lambda).nllScope(nllScope).build();
    return new Trained(pairs.size(), new OrpoTrainer(policy, config, loss, padId).fit(pairs, anchors));
  }
}
