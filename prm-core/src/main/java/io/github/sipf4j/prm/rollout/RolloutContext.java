package io.github.sipf4j.prm.rollout;

import ai.djl.Device;
import io.github.sipf4j.orpo.model.CausalLm;
import io.github.sipf4j.orpo.model.CausalLmKind;
import io.github.sipf4j.orpo.sample.SamplingListener;
import io.github.sipf4j.orpo.text.PromptTemplate;
import io.github.sipf4j.orpo.text.SequenceEncoder;
import io.github.sipf4j.orpo.text.TextTokenizer;
import io.github.sipf4j.prm.verify.OutcomeVerifier;
import java.io.IOException;
import java.util.ArrayList;
import java.util.Collection;
import java.util.List;

/**
 * What a partition of a {@link RolloutJob} runs with: the policy's model and tokenizer (for jobs that have a policy),
 * the verifier, and an optional listener that sees every finished sample (for progress). A context either borrows
 * these from its creator (an engine in the same process that already holds the policy) or owns what it loaded
 * ({@link #open}), and then releases it on {@link #close()}.
 */
public final class RolloutContext implements AutoCloseable {

  private final CausalLm model;
  private final TextTokenizer tokenizer;
  private final OutcomeVerifier verifier;
  private final SamplingListener listener;
  private final List<AutoCloseable> owned;
  private boolean closed;

  private RolloutContext(CausalLm model, TextTokenizer tokenizer, OutcomeVerifier verifier, SamplingListener listener,
      List<AutoCloseable> owned) {
    this.model = model;
    this.tokenizer = tokenizer;
    this.verifier = verifier;
    this.listener = listener;
    this.owned = owned;
  }

  /**
   * Creates a context that borrows its parts: closing it closes none of them.
   *
   * @param model the model holding the job's policy weights, or null for a job without a policy
   * @param tokenizer the model's tokenizer, or null with a null model
   * @param verifier the verifier, or null for a job that verifies nothing
   * @return the context
   */
  public static RolloutContext borrowing(CausalLm model, TextTokenizer tokenizer, OutcomeVerifier verifier) {
    return new RolloutContext(model, tokenizer, verifier, null, List.of());
  }

  /**
   * Loads what a job names: its policy through {@link PolicyRef#load} with the tokenizer saved beside it, and its
   * verifier through {@link VerifierSpecs#create}. Everything is released on {@link #close()}.
   *
   * @param job the job
   * @param device where the model's parameters will live
   * @param extraKinds model kinds handed over by the caller, tried before the registered ones; may be empty
   * @return the context
   * @throws IOException if the policy or its tokenizer cannot be loaded
   * @throws IllegalArgumentException if the job has no verifier specification or its kind is unknown
   */
  public static RolloutContext open(RolloutJob<?> job, Device device, Collection<CausalLmKind> extraKinds)
      throws IOException {
    if (job.verifies() && job.verifier() == null) {
      throw new IllegalArgumentException("rollout job '" + job.name() + "' names no verifier specification, so it "
          + "can only run where its verifier object is (describe the verifier with a VerifierSpec)");
    }
    List<AutoCloseable> owned = new ArrayList<>();
    try {
      CausalLm model = null;
      TextTokenizer tokenizer = null;
      if (job.policy() != null) {
        model = job.policy().load(device, extraKinds);
        owned.add(model);
        tokenizer = job.policy().loadTokenizer();
        owned.add(tokenizer);
      }
      OutcomeVerifier verifier = null;
      if (job.verifier() != null) {
        OutcomeVerifier v = VerifierSpecs.create(job.verifier());
        owned.add(() -> VerifierSpecs.release(v));
        verifier = v;
      }
      return new RolloutContext(model, tokenizer, verifier, null, owned);
    } catch (IOException | RuntimeException e) {
      closeAll(owned, e);
      throw e;
    }
  }

  /**
   * Returns a view of this context that reports finished samples to a listener; it shares (and does not own) this
   * context's parts.
   *
   * @param l the listener, or null
   * @return the view
   */
  public RolloutContext withListener(SamplingListener l) {
    return new RolloutContext(model, tokenizer, verifier, l, List.of());
  }

  /**
   * Returns the model.
   *
   * @return the model holding the job's policy weights
   * @throws IllegalStateException if the context has none
   */
  public CausalLm model() {
    if (model == null) {
      throw new IllegalStateException("this rollout context holds no model");
    }
    return model;
  }

  /**
   * Returns the model's tokenizer.
   *
   * @return the tokenizer
   * @throws IllegalStateException if the context has none
   */
  public TextTokenizer tokenizer() {
    if (tokenizer == null) {
      throw new IllegalStateException("this rollout context holds no tokenizer");
    }
    return tokenizer;
  }

  /**
   * Returns the verifier.
   *
   * @return the verifier
   * @throws IllegalStateException if the context has none
   */
  public OutcomeVerifier verifier() {
    if (verifier == null) {
      throw new IllegalStateException("this rollout context holds no verifier");
    }
    return verifier;
  }

  /**
   * Returns the listener of finished samples.
   *
   * @return the listener, or null
   */
  public SamplingListener listener() {
    return listener;
  }

  /**
   * Returns an encoder of prompts for the model, as training encodes them.
   *
   * @param template the prompt template
   * @return the encoder, bounded by the model's maximum length
   */
  public SequenceEncoder encoder(PromptTemplate template) {
    return new SequenceEncoder(tokenizer(), template, Math.max(2, model().maxLength()));
  }

  /** Releases what this context loaded (nothing for a borrowing context or a view). */
  @Override
  public void close() {
    if (!closed) {
      closed = true;
      closeAll(owned, null);
    }
  }

  private static void closeAll(List<AutoCloseable> resources, Throwable primary) {
    RuntimeException failure = null;
    for (int i = resources.size() - 1; i >= 0; i--) {
      try {
        resources.get(i).close();
      } catch (Exception e) {
        if (primary != null) {
          primary.addSuppressed(e);
        } else if (failure == null) {
          failure = new IllegalStateException("releasing a rollout context failed: " + e.getMessage(), e);
        } else {
          failure.addSuppressed(e);
        }
      }
    }
    if (failure != null) {
      throw failure;
    }
  }
}
