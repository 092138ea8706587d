package io.github.sipf4j.orpo.train;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDArrays;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.types.DataType;
import io.github.sipf4j.orpo.loss.NllScope;
import io.github.sipf4j.orpo.loss.SequenceLogProbs;
import io.github.sipf4j.orpo.model.CausalLm;
import io.github.sipf4j.orpo.text.EncodedSequence;
import io.github.sipf4j.orpo.text.TokenBatch;
import java.util.List;

/**
 * Supervised fine-tuning: the token-mean negative log-likelihood of encoded (prompt, response) sequences, over the
 * response tokens ({@link NllScope#RESPONSE}, the default) or over prompt and response. Batches are right-padded to
 * their longest sequence. Metrics: {@code loss}, {@code token_accuracy} (greedy next-token accuracy on the scored
 * tokens).
 *
 * <pre>{@code
 * SftTrainer sft = new SftTrainer(lm, TrainerConfig.builder().epochs(3).build(), tokenizer.padId(), NllScope.RESPONSE);
 * TrainingSummary s = sft.fit(encodedSequences);
 * }</pre>
 */
public final class SftTrainer extends AbstractTrainer<EncodedSequence> {

  private static final List<String> NAMES = List.of("loss", "token_accuracy");

  private final long padId;
  private final NllScope scope;

  /**
   * Creates the trainer.
   *
   * @param model the model to train
   * @param config the trainer configuration
   * @param padId the tokenizer's padding id
   * @param scope which tokens the loss covers
   */
  public SftTrainer(CausalLm model, TrainerConfig config, long padId, NllScope scope) {
    super(model, config);
    this.padId = padId;
    this.scope = scope;
  }

  /**
   * Returns the mean token NLL of a batch: \( -\frac{1}{|M|}\sum_{t \in M} \log p(y_t) \) over the tokens {@code M}
   * that the scope selects.
   *
   * @param logits the batch's logits, aligned with its labels
   * @param b the batch
   * @param scope which tokens count
   * @return the scalar NLL, with gradients when the logits have them
   */
  static NDArray meanNll(NDArray logits, TokenBatch b, NllScope scope) {
    NDArray mask = mask(b, scope);
    return SequenceLogProbs.tokens(logits, b.labels()).mul(mask).sum().div(mask.sum().maximum(1)).neg();
  }

  private static NDArray mask(TokenBatch b, NllScope scope) {
    return scope == NllScope.RESPONSE ? b.responseMask() : b.tokenMask();
  }

  @Override
  protected String name() {
    return "sft";
  }

  @Override
  protected int exampleLength(EncodedSequence example) {
    return example.length();
  }

  @Override
  protected MicroBatchObjective<List<EncodedSequence>> objective() {
    return (batch, manager) -> {
      TokenBatch b = TokenBatch.collate(batch, padId, manager);
      NDArray logits = model.forward(b.inputIds(), b.attentionMask(), true);
      NDArray mask = mask(b, scope);
      NDArray count = mask.sum().maximum(1);
      NDArray loss = meanNll(logits, b, scope);
      NDArray correct = logits.argMax(2).eq(b.labels()).toType(DataType.FLOAT32, false).mul(mask).sum().div(count);
      NDArray metrics = NDArrays.stack(new NDList(loss, correct));
      long tokens = batch.stream().mapToLong(s -> s.length() - 1).sum();
      return new LossTerms(loss, metrics, NAMES, batch.size(), tokens,
          new NDList(b.labels(), b.responseMask(), b.tokenMask()), new NDList(logits));
    };
  }
}
