package io.github.sipf4j.orpo.model;

import ai.djl.Device;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.nn.Block;
import ai.djl.nn.Parameter;
import ai.djl.util.Pair;
import io.github.sipf4j.orpo.util.Safetensors;
import java.io.IOException;
import java.util.LinkedHashMap;
import java.util.Map;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * A causal language model: token ids to next-token logits. Every other part of sipf4j trains and samples through
 * this interface, so a user's own model only has to implement it, keeping the contract below. The self-iterative
 * loop checks the shapes and types and the save/load round trip when it is built, and refuses a model that breaks
 * them before any work.
 *
 * <ul>
 *   <li><b>Shapes and types.</b> {@code inputIds} is an int64 array (batch, time), {@code attentionMask} has the same
 *       shape with 1 for real tokens and 0 for padding, and {@link #forward} returns a float32 array
 *       (batch, time, {@link #vocabSize()}) whose row {@code t} scores the token at {@code t + 1}; the same holds for
 *       {@link #forwardHidden} with {@link #hiddenSize()} in place of the vocabulary. Arrays passed in live on
 *       {@link #getDevice()}; the caller creates them from a sub-manager of {@link #getManager()} and closes them.
 *   <li><b>Positions come from the attention mask.</b> The logits of a real token depend only on the real tokens up
 *       to it, never on padding nor on where the sequence sits in the batch: the sampler pads prompts on the left,
 *       trainers pad sequences on the right, and both must see the same logits as an unpadded batch of one. A model
 *       with absolute positions numbers the real tokens from the first 1 of the mask (a running sum of the mask),
 *       not from column 0; masked positions must not be attended to.
 *   <li><b>The cache equals the full forward.</b> When {@link #supportsKvCache()} is true, {@link #forwardCached}
 *       on new tokens gives the logits {@link #forward} gives at those positions on the whole sequence (up to
 *       floating-point rounding), for any split into chunks and with rows removed by {@link KvCache#selectRows}.
 *   <li><b>Save and load round-trip.</b> {@link #save} writes a folder that a {@link CausalLmKind} recognises and
 *       loads to the same parameters, by name, as {@link #getBlock()} holds; register the kind of your own folders
 *       with {@link java.util.ServiceLoader} (see {@link CausalLms}). Nothing else may assume a file name inside
 *       the folder. Every trainable parameter is a parameter of {@link #getBlock()}: trainers update and checkpoint
 *       them ({@link #saveWeights}, {@link #loadWeights}), and the loop restores saved weights by copying them.
 *   <li><b>Training.</b> Gradients flow from the logits to {@link #trainableParameters()}; with {@code training}
 *       false, {@code forward} is deterministic (no dropout).
 * </ul>
 *
 * <pre>{@code
 * try (CausalLm lm = DecoderLm.create(DecoderConfig.builder().build(), Device.cpu());
 *      NDManager m = lm.getManager().newSubManager()) {
 *   NDArray ids = m.create(new long[][] {{1, 5, 9}});
 *   NDArray logits = lm.forward(ids, ids.onesLike(), false); // (1, 3, vocab), float32
 * }
 * }</pre>
 */
public interface CausalLm extends AutoCloseable {

  /**
   * Computes next-token logits for every position.
   *
   * @param inputIds int64 token ids, shape (batch, time)
   * @param attentionMask 1 for real tokens and 0 for padding, shape (batch, time); left or right padding, positions
   *     derived from it
   * @param training whether to apply training-only behaviour such as dropout
   * @return float32 logits, shape (batch, time, vocab)
   */
  NDArray forward(NDArray inputIds, NDArray attentionMask, boolean training);

  /**
   * Tells whether {@link #forwardHidden} is implemented.
   *
   * @return true when the model exposes its final hidden states
   */
  default boolean supportsHiddenStates() {
    return false;
  }

  /**
   * Computes the final hidden states (after the last layer norm, before the output head), for heads of one's own
   * such as a process reward model's classifier.
   *
   * @param inputIds int64 token ids, shape (batch, time)
   * @param attentionMask 1 for real tokens and 0 for padding, shape (batch, time)
   * @param training whether to apply training-only behaviour such as dropout
   * @return float32 hidden states, shape (batch, time, {@link #hiddenSize()})
   * @throws UnsupportedOperationException when {@link #supportsHiddenStates()} is false
   */
  default NDArray forwardHidden(NDArray inputIds, NDArray attentionMask, boolean training) {
    throw new UnsupportedOperationException(getClass().getSimpleName() + " does not expose hidden states");
  }

  /**
   * Returns the width of {@link #forwardHidden}'s output.
   *
   * @return the hidden size
   * @throws UnsupportedOperationException when {@link #supportsHiddenStates()} is false
   */
  default int hiddenSize() {
    throw new UnsupportedOperationException(getClass().getSimpleName() + " does not expose hidden states");
  }

  /**
   * Tells whether {@link #newCache} and {@link #forwardCached} are implemented.
   *
   * @return true when the model supports incremental decoding with a key/value cache
   */
  default boolean supportsKvCache() {
    return false;
  }

  /**
   * Creates an empty key/value cache for incremental decoding.
   *
   * @param batchSize the number of rows the cache will hold
   * @return a new, empty cache; the caller closes it
   * @throws UnsupportedOperationException when {@link #supportsKvCache()} is false
   */
  default KvCache newCache(int batchSize) {
    throw new UnsupportedOperationException(getClass().getSimpleName() + " has no key/value cache");
  }

  /**
   * Runs the model on new tokens that continue the sequences held in {@code cache}, and appends their keys and
   * values to it. The logits equal those of {@link #forward} on the whole sequence at the new positions.
   *
   * @param newIds int64 ids of the new tokens, shape (batch, newTime)
   * @param newMask 1 for real tokens and 0 for padding among the new tokens, shape (batch, newTime)
   * @param cache the cache of this model holding the earlier tokens; it grows by {@code newTime}
   * @return float32 logits for the new positions, shape (batch, newTime, vocab)
   * @throws UnsupportedOperationException when {@link #supportsKvCache()} is false
   */
  default NDArray forwardCached(NDArray newIds, NDArray newMask, KvCache cache) {
    throw new UnsupportedOperationException(getClass().getSimpleName() + " has no key/value cache");
  }

  /**
   * Returns the DJL block holding this model's parameters.
   *
   * @return the block
   */
  Block getBlock();

  /**
   * Returns the trainable parameters with their names, in a stable order.
   *
   * @return the (name, parameter) pairs whose gradients training updates
   */
  default List<Pair<String, Parameter>> trainableParameters() {
    List<Pair<String, Parameter>> out = new ArrayList<>();
    for (Pair<String, Parameter> p : getBlock().getParameters()) {
      if (p.getValue().requiresGradient()) {
        out.add(p);
      }
    }
    return out;
  }

  /**
   * Returns the manager that owns the parameters; create per-step sub-managers from it.
   *
   * @return the model's manager
   */
  NDManager getManager();

  /**
   * Returns the device the parameters live on.
   *
   * @return the device
   */
  Device getDevice();

  /**
   * Returns the number of token ids the model scores.
   *
   * @return the vocabulary size
   */
  int vocabSize();

  /**
   * Returns the longest sequence the model accepts.
   *
   * @return the maximum length in tokens
   */
  int maxLength();

  /**
   * Saves the weights (and whatever is needed to rebuild the model) to a directory that this model's
   * {@link CausalLmKind} recognises and loads back to the same parameters.
   *
   * @param dir the directory; created if missing
   * @throws IOException if writing fails
   */
  void save(Path dir) throws IOException;

  /**
   * Writes the trainable parameters alone as safetensors under their names (PyTorch reads the file directly).
   *
   * @param file the target file, written beside and moved into place atomically
   * @throws IOException if writing fails
   */
  default void saveWeights(Path file) throws IOException {
    Map<String, NDArray> named = new LinkedHashMap<>();
    for (Pair<String, Parameter> p : getBlock().getParameters()) {
      named.put(p.getKey(), p.getValue().getArray());
    }
    Safetensors.write(file, named);
  }

  /**
   * Copies weights written by {@link #saveWeights} into the parameters, in place.
   *
   * @param file the safetensors file
   * @throws IOException if the file cannot be read or a parameter is missing or has another shape
   */
  default void loadWeights(Path file) throws IOException {
    Map<String, NDArray> named = new LinkedHashMap<>();
    for (Pair<String, Parameter> p : getBlock().getParameters()) {
      named.put(p.getKey(), p.getValue().getArray());
    }
    Safetensors.loadInto(file, named);
  }

  /** Releases the native memory of the parameters. */
  @Override
  void close();
}
