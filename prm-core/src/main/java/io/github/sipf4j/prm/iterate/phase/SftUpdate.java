package io.github.sipf4j.prm.iterate.phase;

import io.github.sipf4j.orpo.loss.NllScope;
import io.github.sipf4j.orpo.model.CausalLm;
import io.github.sipf4j.orpo.text.EncodedSequence;
import io.github.sipf4j.orpo.text.SequenceEncoder;
import io.github.sipf4j.orpo.text.SequenceTooLongException;
import io.github.sipf4j.orpo.train.AnchorSet;
import io.github.sipf4j.orpo.train.SftTrainer;
import io.github.sipf4j.orpo.train.TrainerConfig;
import java.io.IOException;
import java.util.ArrayList;
import java.util.List;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/** {@link PolicyUpdate#sft}. */
final class SftUpdate implements PolicyUpdate {

  private static final Logger LOG = LoggerFactory.getLogger(SftUpdate.class);

  private final NllScope nllScope;

  SftUpdate(NllScope nllScope) {
    this.nllScope = nllScope;
  }

  @Override
  public Trained train(IterationScope scope, CausalLm policy, SequenceEncoder encoder, TrainerConfig config,
      AnchorSet anchors, long padId) throws IOException {
    List<EncodedSequence> seqs = new ArrayList<>();
    for (SftRecord r : scope.get(Artefacts.SFT_DATASET)) {
      try {
        seqs.add(encoder.encode(r.prompt(), r.completion()));
      } catch (SequenceTooLongException e) {
        LOG.warn("SFT example left out: {}", e.getMessage());
      }
    }
    if (seqs.isEmpty()) {
      return new Trained(0, null);
    }
    return new Trained(seqs.size(), new SftTrainer(policy, config, padId, nllScope).fit(seqs, anchors));
  }
}
