package io.github.sipf4j.orpo.util;

import ai.djl.pytorch.jni.JniUtils;

/**
 * Switches libtorch's grad mode off on this thread until closed, then restores it. Grad mode is per thread, and a
 * thread DJL has not set up (a Spark executor's task thread, an application's own pool) starts with it on, so code
 * that never needs gradients (decoding, rollouts) records none wherever it runs.
 *
 * <pre>{@code
 * try (NoGradScope noGrad = NoGradScope.open()) {
 *   ... // no autograd graph is recorded here
 * }
 * }</pre>
 */
public final class NoGradScope implements AutoCloseable {
  private final boolean restore;

  private NoGradScope(boolean restore) {
    this.restore = restore;
  }

  /**
   * Switches grad mode off when it is on.
   *
   * @return the scope; closing it turns grad mode back on if it was on
   */
  public static NoGradScope open() {
    boolean on = JniUtils.isGradMode();
    if (on) {
      JniUtils.setGradMode(false);
    }
    return new NoGradScope(on);
  }

  /** Restores the thread's grad mode. */
  @Override
  public void close() {
    if (restore) {
      JniUtils.setGradMode(true);
    }
  }
}
