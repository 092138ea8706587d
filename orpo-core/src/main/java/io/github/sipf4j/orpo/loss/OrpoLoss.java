package io.github.sipf4j.orpo.loss;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDList;
import ai.djl.training.loss.Loss;
import com.google.common.base.Preconditions;
import io.github.sipf4j.orpo.util.Scalars;

/**
 * Odds ratio preference optimisation (ORPO, Hong et al. 2024), matching TRL's {@code ORPOTrainer.odds_ratio_loss}:
 * no reference model, the loss is
 * \( \mathcal{L} = \mathcal{L}_{NLL}(y_w) + \lambda \cdot \frac{1}{B}\sum_b -\log\sigma\Big(\log
 * \frac{\mathrm{odds}(y_w|x)}{\mathrm{odds}(y_l|x)}\Big) \) with \( \mathrm{odds}(y|x) = \frac{p}{1-p} \) and
 * \( \log p \) the mean response-token log-probability. The log odds are
 * \( (\ell_w - \ell_l) - (\log(1 - e^{\ell_w}) - \log(1 - e^{\ell_l})) \).
 *
 * <p>Numerics: \( \log(1 - e^{x}) \) is computed as \( \log(-2t) - \log(1 - t) \) with \( t = \tanh(x/2) \), which is
 * exact algebra and accurate for every \( x &lt; 0 \) down to the smallest normal floats (a confident model has
 * \( \ell \approx -10^{-9} \), where the naive form gives \( \log 0 = -\infty \), TRL's historical NaN). Only for
 * \( x &gt; -10^{-20} \) is \( x \) clamped to \( -10^{-20} \), so that \( \ell = 0 \) exactly stays finite.
 *
 * <p>As a DJL {@link Loss}: {@code predictions} is {@code (logits)} of the concatenated batch, chosen rows first,
 * and {@code labels} is {@code (labels, responseMask, tokenMask)} of the same rows (see
 * {@link io.github.sipf4j.orpo.text.TokenBatch}); {@link #evaluate} returns the scalar loss; called again with the same
 * {@code NDList} objects (as DJL's {@code updateAccumulators} does) it returns the value it already computed instead
 * of computing the loss a second time.
 *
 * <pre>{@code
 * OrpoLoss loss = OrpoLoss.builder().lambda(0.1f).build();
 * OrpoOutput out = loss.compute(logits, batch.labels(), batch.responseMask(), batch.tokenMask());
 * collector.backward(out.loss());
 * Map<String, Float> metrics = out.metrics(); // TRL's names: rewards/chosen, log_odds_ratio, ...
 * }</pre>
 */
public final class OrpoLoss extends Loss {

  /** The default weight λ of the odds-ratio term, as in the ORPO paper and TRL (where it is called beta). */
  public static final float DEFAULT_LAMBDA = 0.1f;

  /** The default NLL scope: {@link NllScope#RESPONSE}. */
  public static final NllScope DEFAULT_NLL_SCOPE = NllScope.RESPONSE;

  private static final double CLAMP = -1e-20;

  private final float lambda;
  private final NllScope nllScope;
  private NDList lastLabels;
  private NDList lastPredictions;
  private NDArray lastLoss;

  private OrpoLoss(String name, float lambda, NllScope nllScope) {
    super(name);
    Preconditions.checkArgument(lambda >= 0 && Float.isFinite(lambda), "lambda must be finite and >= 0, got %s",
        lambda);
    this.lambda = lambda;
    this.nllScope = Preconditions.checkNotNull(nllScope, "nllScope");
  }

  /**
   * Returns a builder with the defaults: name {@code "orpo_loss"}, λ = {@value #DEFAULT_LAMBDA}, NLL over response
   * tokens.
   *
   * @return a new builder
   */
  public static Builder builder() {
    return new Builder();
  }

  /**
   * Computes \( \log(1 - e^{x}) \) for \( x \le 0 \) stably as \( \log(-2t) - \log(1-t) \), \( t = \tanh(x/2) \).
   *
   * @param x log-probabilities, every element \( \le 0 \)
   * @return \( \log(1 - e^{x}) \) elementwise, finite everywhere (see the class comment for the clamp near 0)
   */
  public static NDArray log1mexp(NDArray x) {
    NDArray t = x.minimum(Scalars.of(x, CLAMP)).div(Scalars.of(x, 2)).tanh();
    return t.mul(Scalars.of(t, -2)).log().sub(t.neg().add(1).log());
  }

  /**
   * Returns the log odds ratio \( (\ell_w - \ell_l) - (\log(1 - e^{\ell_w}) - \log(1 - e^{\ell_l})) \).
   *
   * @param chosenLogps (batch) mean log-probabilities of the chosen responses, each \( \le 0 \)
   * @param rejectedLogps (batch) mean log-probabilities of the rejected responses, each \( \le 0 \)
   * @return (batch) log odds ratios
   */
  public static NDArray logOdds(NDArray chosenLogps, NDArray rejectedLogps) {
    return chosenLogps.sub(rejectedLogps).sub(log1mexp(chosenLogps).sub(log1mexp(rejectedLogps)));
  }

  /**
   * Returns the per-example odds-ratio loss \( -\log\sigma(\text{log odds}) = \mathrm{softplus}(-\text{log odds}) \).
   *
   * @param chosenLogps (batch) mean log-probabilities of the chosen responses, each \( \le 0 \)
   * @param rejectedLogps (batch) mean log-probabilities of the rejected responses, each \( \le 0 \)
   * @return (batch) losses, finite for every input \( \le 0 \)
   */
  public static NDArray oddsRatioLoss(NDArray chosenLogps, NDArray rejectedLogps) {
    return softplus(logOdds(chosenLogps, rejectedLogps).neg());
  }

  /** Stable softplus \( \max(z, 0) + \log(1 + e^{-|z|}) \), written with primitive ops so float64 works too. */
  static NDArray softplus(NDArray z) {
    return z.maximum(Scalars.of(z, 0)).add(z.abs().neg().exp().add(1).log());
  }

  /**
   * Computes the loss and TRL's metrics for a concatenated batch (the first half of the rows chosen, the second
   * half rejected, pair {@code i} being rows {@code i} and {@code B + i}).
   *
   * @param logits (2B, time, vocab) aligned with {@code labels}
   * @param labels (2B, time) target ids
   * @param responseMask (2B, time) 1 on response tokens: the log-probs average over these
   * @param tokenMask (2B, time) 1 on every real token: the NLL averages over these when the scope is {@link
   *     NllScope#PROMPT_AND_RESPONSE}
   * @return the loss and metrics, still on the device
   */
  public OrpoOutput compute(NDArray logits, NDArray labels, NDArray responseMask, NDArray tokenMask) {
    long rows = logits.getShape().get(0);
    Preconditions.checkArgument(rows % 2 == 0 && rows > 0, "the batch must hold chosen then rejected rows, got %s",
        rows);
    long half = rows / 2;
    NDArray tokenLogps = SequenceLogProbs.tokens(logits, labels);
    NDArray resp = responseMask.toType(tokenLogps.getDataType(), false);
    NDArray seqLogps = tokenLogps.mul(resp).sum(new int[] {1}).div(resp.sum(new int[] {1}).maximum(1));
    NDArray chosen = seqLogps.get("0:{}", half);
    NDArray rejected = seqLogps.get("{}:", half);
    NDArray nllMask = (nllScope == NllScope.RESPONSE ? resp : tokenMask.toType(tokenLogps.getDataType(), false))
        .get("0:{}", half);
    NDArray nll = tokenLogps.get("0:{}", half).mul(nllMask).sum().div(nllMask.sum().maximum(1)).neg();
    NDArray logOdds = logOdds(chosen, rejected);
    NDArray orLoss = softplus(logOdds.neg());
    NDArray orMean = orLoss.mean();
    NDArray loss = nll.add(orMean.mul(Scalars.of(orMean, lambda)));
    return new OrpoOutput(loss, nll, chosen, rejected, logOdds, orLoss.neg(), lambda);
  }

  /**
   * Returns the weight of the odds-ratio term.
   *
   * @return λ
   */
  public float lambda() {
    return lambda;
  }

  /**
   * Returns which tokens the NLL term covers.
   *
   * @return the NLL scope
   */
  public NllScope nllScope() {
    return nllScope;
  }

  /**
   * Computes the scalar loss: {@code predictions = (logits)}, {@code labels = (labels, responseMask, tokenMask)}.
   *
   * @param labels the labels, response mask and token mask of the concatenated batch
   * @param predictions the logits of the concatenated batch
   * @return the scalar loss
   */
  @Override
  public NDArray evaluate(NDList labels, NDList predictions) {
    Preconditions.checkArgument(labels.size() == 3 && predictions.size() == 1,
        "OrpoLoss takes labels (labels, responseMask, tokenMask) and predictions (logits)");
    if (labels == lastLabels && predictions == lastPredictions && lastLoss != null) {
      return lastLoss; // DJL's updateAccumulators calls evaluate again for the same batch: reuse, do not recompute
    }
    NDArray loss = compute(predictions.get(0), labels.get(0), labels.get(1), labels.get(2)).loss();
    lastLabels = labels;
    lastPredictions = predictions;
    lastLoss = loss;
    return loss;
  }

  /** Builds an {@link OrpoLoss}. */
  public static final class Builder {
    private String name = "orpo_loss";
    private float lambda = DEFAULT_LAMBDA;
    private NllScope nllScope = DEFAULT_NLL_SCOPE;

    private Builder() {}

    /**
     * Sets the evaluator name.
     *
     * @param name the name
     * @return this builder
     */
    public Builder name(String name) {
      this.name = name;
      return this;
    }

    /**
     * Sets λ.
     *
     * @param lambda the weight of the odds-ratio term, finite and non-negative
     * @return this builder
     */
    public Builder lambda(float lambda) {
      this.lambda = lambda;
      return this;
    }

    /**
     * Sets the NLL scope.
     *
     * @param scope which chosen tokens the NLL covers
     * @return this builder
     */
    public Builder nllScope(NllScope scope) {
      this.nllScope = scope;
      return this;
    }

    /**
     * Builds the loss.
     *
     * @return the loss
     */
    public OrpoLoss build() {
      return new OrpoLoss(name, lambda, nllScope);
    }
  }
}
