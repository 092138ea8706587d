package io.github.sipf4j.orpo.text;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import com.google.common.base.Preconditions;
import java.util.List;

/**
 * A right-padded batch of encoded sequences, already shifted for next-token prediction: the model reads {@code
 * inputIds} (each sequence without its last id) and position {@code t} of the logits scores {@code labels[t]} (each
 * sequence without its first id). All arrays are (batch, width) with width = longest sequence − 1.
 *
 * @param inputIds int64 model inputs
 * @param attentionMask int64, 1 for real input tokens and 0 for padding
 * @param labels int64 target ids (padding positions hold the pad id)
 * @param responseMask float32, 1 where the label is a response token (what log-probs average over)
 * @param tokenMask float32, 1 where the label is any real token, prompt or response (TRL's NLL scope)
 */
public record TokenBatch(
    NDArray inputIds, NDArray attentionMask, NDArray labels, NDArray responseMask, NDArray tokenMask) {

  /**
   * Pads and shifts sequences into arrays created by {@code manager}.
   *
   * @param sequences the sequences, each of length at least 2 with at least one response id
   * @param padId the id written into padding positions
   * @param manager the manager that owns the new arrays
   * @return the batch
   */
  public static TokenBatch collate(List<EncodedSequence> sequences, long padId, NDManager manager) {
    Preconditions.checkArgument(!sequences.isEmpty(), "cannot collate an empty list of sequences");
    int width = 1;
    for (EncodedSequence s : sequences) {
      Preconditions.checkArgument(s.length() >= 2 && s.responseLength() >= 1 && s.promptLength() >= 1,
          "a sequence needs at least one prompt id and one response id: %s", s);
      width = Math.max(width, s.length() - 1);
    }
    int b = sequences.size();
    long[][] in = new long[b][width];
    long[][] mask = new long[b][width];
    long[][] labels = new long[b][width];
    float[][] response = new float[b][width];
    float[][] tokens = new float[b][width];
    for (int i = 0; i < b; i++) {
      EncodedSequence s = sequences.get(i);
      long[] ids = s.ids();
      java.util.Arrays.fill(in[i], padId);
      java.util.Arrays.fill(labels[i], padId);
      for (int t = 0; t < ids.length - 1; t++) {
        in[i][t] = ids[t];
        mask[i][t] = 1;
        labels[i][t] = ids[t + 1];
        tokens[i][t] = 1f;
        response[i][t] = t + 1 >= s.promptLength() ? 1f : 0f;
      }
    }
    return new TokenBatch(manager.create(in), manager.create(mask), manager.create(labels), manager.create(response),
        manager.create(tokens));
  }

  /**
   * Returns the number of rows.
   *
   * @return the batch size
   */
  public long batchSize() {
    return inputIds.getShape().get(0);
  }
}
