package io.github.sipf4j.orpo.model;

import ai.djl.Device;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.nn.Block;
import ai.djl.nn.Parameter;
import ai.djl.util.Pair;
import com.google.common.base.Preconditions;
import java.io.IOException;
import java.nio.file.Path;
import java.util.List;

/**
 * A {@link CausalLm} that hands every call to another one: the base for a wrapper that changes one behaviour and
 * keeps the rest, such as a model that counts its forward passes, hides its key/value cache (to test a consumer's
 * path for TorchScript-like models) or saves in a format of its own. Every method of the interface, the default ones
 * included, is forwarded, so the wrapper supports exactly what the wrapped model supports until a subclass says
 * otherwise.
 *
 * <pre>{@code
 * CausalLm counting = new ForwardingCausalLm(lm) {
 *   @Override
 *   public NDArray forward(NDArray ids, NDArray mask, boolean training) {
 *     calls.incrementAndGet();
 *     return super.forward(ids, mask, training);
 *   }
 * };
 * }</pre>
 *
 * <p>{@link #close()} closes the wrapped model; override it to leave the wrapped model open.
 */
public class ForwardingCausalLm implements CausalLm {
  private final CausalLm delegate;

  /**
   * Wraps a model.
   *
   * @param delegate the model every call goes to
   */
  public ForwardingCausalLm(CausalLm delegate) {
    this.delegate = Preconditions.checkNotNull(delegate, "delegate");
  }

  /**
   * Returns the wrapped model.
   *
   * @return the model every call goes to
   */
  protected CausalLm delegate() {
    return delegate;
  }

  @Override
  public NDArray forward(NDArray inputIds, NDArray attentionMask, boolean training) {
    return delegate.forward(inputIds, attentionMask, training);
  }

  @Override
  public boolean supportsHiddenStates() {
    return delegate.supportsHiddenStates();
  }

  @Override
  public NDArray forwardHidden(NDArray inputIds, NDArray attentionMask, boolean training) {
    return delegate.forwardHidden(inputIds, attentionMask, training);
  }

  @Override
  public int hiddenSize() {
    return delegate.hiddenSize();
  }

  @Override
  public boolean supportsKvCache() {
    return delegate.supportsKvCache();
  }

  @Override
  public KvCache newCache(int batchSize) {
    return delegate.newCache(batchSize);
  }

  @Override
  public NDArray forwardCached(NDArray newIds, NDArray newMask, KvCache cache) {
    return delegate.forwardCached(newIds, newMask, cache);
  }

  @Override
  public Block getBlock() {
    return delegate.getBlock();
  }

  @Override
  public List<Pair<String, Parameter>> trainableParameters() {
    return delegate.trainableParameters();
  }

  @Override
  public NDManager getManager() {
    return delegate.getManager();
  }

  @Override
  public Device getDevice() {
    return delegate.getDevice();
  }

  @Override
  public int vocabSize() {
    return delegate.vocabSize();
  }

  @Override
  public int maxLength() {
    return delegate.maxLength();
  }

  @Override
  public void save(Path dir) throws IOException {
    delegate.save(dir);
  }

  @Override
  public void saveWeights(Path file) throws IOException {
    delegate.saveWeights(file);
  }

  @Override
  public void loadWeights(Path file) throws IOException {
    delegate.loadWeights(file);
  }

  @Override
  public void close() {
    delegate.close();
  }
}
