package io.github.sipf4j.orpo.loss;

import ai.djl.ndarray.NDArray;
import com.google.common.base.Preconditions;

/**
 * Per-sequence log-probabilities of given labels under given logits. The caller has aligned logits and labels:
 * {@code logits[b, t]} scores {@code labels[b, t]} (nothing is shifted here).
 */
public final class SequenceLogProbs {

  private SequenceLogProbs() {}

  /**
   * Returns the token log-probabilities \( \log p(y_{b,t}) = z_{b,t,y} - \log\sum_v e^{z_{b,t,v}} \).
   *
   * @param logits (batch, time, vocab) floating point
   * @param labels (batch, time) integer ids
   * @return (batch, time) log-probabilities, in the logits' data type
   */
  public static NDArray tokens(NDArray logits, NDArray labels) {
    Preconditions.checkArgument(logits.getShape().dimension() == 3 && labels.getShape().dimension() == 2
            && logits.getShape().get(0) == labels.getShape().get(0)
            && logits.getShape().get(1) == labels.getShape().get(1),
        "logits (batch, time, vocab) %s and labels (batch, time) %s do not match", logits.getShape(),
        labels.getShape());
    NDArray index = labels.toType(ai.djl.ndarray.types.DataType.INT64, false).expandDims(2);
    return logits.logSoftmax(2).gather(index, 2).squeeze(2);
  }

  /**
   * Returns the sum of token log-probabilities under a mask, \( \sum_t m_{b,t} \log p(y_{b,t}) \).
   *
   * @param logits (batch, time, vocab)
   * @param labels (batch, time) integer ids
   * @param mask (batch, time) with 1 where a token counts and 0 elsewhere
   * @return (batch) sums
   */
  public static NDArray sum(NDArray logits, NDArray labels, NDArray mask) {
    NDArray m = mask.toType(logits.getDataType(), false);
    return tokens(logits, labels).mul(m).sum(new int[] {1});
  }

  /**
   * Returns the mean of token log-probabilities under a mask,
   * \( \sum_t m_{b,t} \log p(y_{b,t}) / \max(1, \sum_t m_{b,t}) \). A row with an empty mask gives 0; the encoders
   * never produce one.
   *
   * @param logits (batch, time, vocab)
   * @param labels (batch, time) integer ids
   * @param mask (batch, time) with 1 where a token counts and 0 elsewhere
   * @return (batch) means
   */
  public static NDArray mean(NDArray logits, NDArray labels, NDArray mask) {
    NDArray m = mask.toType(logits.getDataType(), false);
    NDArray total = tokens(logits, labels).mul(m).sum(new int[] {1});
    return total.div(m.sum(new int[] {1}).maximum(1));
  }
}
