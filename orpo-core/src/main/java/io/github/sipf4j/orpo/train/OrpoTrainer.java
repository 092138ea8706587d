package io.github.sipf4j.orpo.train;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDArrays;
import ai.djl.ndarray.NDList;
import io.github.sipf4j.orpo.data.PreferencePair;
import io.github.sipf4j.orpo.loss.OrpoLoss;
import io.github.sipf4j.orpo.loss.OrpoOutput;
import io.github.sipf4j.orpo.model.CausalLm;
import io.github.sipf4j.orpo.text.EncodedSequence;
import io.github.sipf4j.orpo.text.SequenceEncoder;
import io.github.sipf4j.orpo.text.SequenceTooLongException;
import io.github.sipf4j.orpo.text.TokenBatch;
import java.util.ArrayList;
import java.util.List;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * ORPO training over a preference dataset: each micro-batch runs one forward pass over the chosen and rejected
 * sequences concatenated (chosen rows first), then {@link OrpoLoss}. Metrics carry TRL's names ({@code loss},
 * {@code nll_loss}, {@code log_odds_ratio}, {@code log_odds_chosen}, {@code logps/chosen}, {@code logps/rejected},
 * {@code rewards/chosen}, {@code rewards/rejected}, {@code rewards/accuracies}, {@code rewards/margins}).
 *
 * <pre>{@code
 * List<EncodedPair> pairs = OrpoTrainer.encode(PreferenceJsonl.read(file), encoder);
 * OrpoTrainer orpo = new OrpoTrainer(lm, TrainerConfig.builder().epochs(2).build(), OrpoLoss.builder().build(),
 *     tokenizer.padId());
 * TrainingSummary s = orpo.fit(pairs);
 * }</pre>
 */
public final class OrpoTrainer extends AbstractTrainer<EncodedPair> {

  private static final Logger LOG = LoggerFactory.getLogger(OrpoTrainer.class);

  private final OrpoLoss loss;
  private final long padId;

  /**
   * Creates the trainer.
   *
   * @param model the model to train
   * @param config the trainer configuration
   * @param loss the ORPO loss (λ and NLL scope)
   * @param padId the tokenizer's padding id
   */
  public OrpoTrainer(CausalLm model, TrainerConfig config, OrpoLoss loss, long padId) {
    super(model, config);
    this.loss = loss;
    this.padId = padId;
  }

  /**
   * Encodes text pairs, leaving out (and logging) pairs whose prompt leaves no room for a response.
   *
   * @param pairs the text pairs; prompts are used as they are (already formatted)
   * @param encoder the encoder
   * @return the encoded pairs, in order
   */
  public static List<EncodedPair> encode(List<PreferencePair> pairs, SequenceEncoder encoder) {
    List<EncodedPair> out = new ArrayList<>(pairs.size());
    int dropped = 0;
    for (PreferencePair p : pairs) {
      try {
        out.add(new EncodedPair(encoder.encode(p.prompt(), p.chosen()), encoder.encode(p.prompt(), p.rejected())));
      } catch (SequenceTooLongException e) {
        dropped++;
        LOG.warn("preference pair left out: {}", e.getMessage());
      }
    }
    if (dropped > 0) {
      LOG.warn("{} of {} preference pairs did not fit in {} tokens and were left out", dropped, pairs.size(),
          encoder.maxLength());
    }
    return out;
  }

  /**
   * Returns the loss.
   *
   * @return the ORPO loss
   */
  public OrpoLoss loss() {
    return loss;
  }

  @Override
  protected String name() {
    return "orpo";
  }

  @Override
  protected int exampleLength(EncodedPair example) {
    return example.length();
  }

  @Override
  protected MicroBatchObjective<List<EncodedPair>> objective() {
    return (batch, manager) -> {
      List<EncodedSequence> rows = new ArrayList<>(2 * batch.size());
      long tokens = 0;
      for (EncodedPair p : batch) {
        rows.add(p.chosen());
        tokens += p.chosen().length() - 1 + p.rejected().length() - 1;
      }
      for (EncodedPair p : batch) {
        rows.add(p.rejected());
      }
      TokenBatch b = TokenBatch.collate(rows, padId, manager);
      NDArray logits = model.forward(b.inputIds(), b.attentionMask(), true);
      OrpoOutput out = loss.compute(logits, b.labels(), b.responseMask(), b.tokenMask());
      NDArray metrics = metricVector(out);
      return new LossTerms(out.loss(), metrics, OrpoOutput.METRIC_NAMES, batch.size(), tokens,
          new NDList(b.labels(), b.responseMask(), b.tokenMask()), new NDList(logits));
    };
  }

  static NDArray metricVector(OrpoOutput out) {
    return NDArrays.stack(new NDList(out.metricArrays()));
  }
}
