package io.github.sipf4j.orpo.sample;

import com.google.common.base.Preconditions;
import java.util.Arrays;

/**
 * One generated sample: the new tokens that continue a prompt, their text and their log-probabilities.
 *
 * <p>{@code logProbs[i]} is the model's own log-probability of {@code tokenIds[i]}: the log-softmax of the raw
 * logits (temperature 1, no top-k or top-p), the quantity ORPO's and SFT's sequence log-probs are made of, so a
 * sample's mean log-prob here equals {@link io.github.sipf4j.orpo.loss.SequenceLogProbs} of the same response.
 * {@code samplingLogProbs[i]} is the log-probability under the distribution the token was actually drawn from
 * (temperature-scaled, top-k and top-p filtered, renormalised); it is 0 for greedy decoding, and is what an
 * importance weight or a policy-gradient estimator of the sampling policy needs.
 *
 * <p>When the sample ends at a stop token ({@link FinishReason#EOS}) that token is the last of {@code tokenIds} and
 * of the log-prob arrays (so the sum of {@code logProbs} scores the decision to stop too), but it is not part of
 * {@code text}. When it ends at a stop string, {@code text} ends with the stop string; its last token may decode to
 * more characters than the text keeps.
 *
 * @param promptIndex the index of the prompt (or prefix) in the request
 * @param sampleIndex the index of this sample among the samples of its prompt
 * @param tokenIds the new token ids, in order (the prompt is not included)
 * @param text the decoded new tokens, cut after a stop string and without the stop token
 * @param logProbs per new token, the model's raw log-probability (temperature 1, unfiltered)
 * @param samplingLogProbs per new token, the log-probability under the sampling distribution actually used
 * @param finishReason why the sample ended
 */
public record Sample(
    int promptIndex,
    int sampleIndex,
    long[] tokenIds,
    String text,
    float[] logProbs,
    float[] samplingLogProbs,
    FinishReason finishReason) {

  /**
   * Validates the sample and copies the arrays.
   *
   * @param promptIndex the {@code promptIndex} component (see the record)
   * @param sampleIndex the {@code sampleIndex} component (see the record)
   * @param tokenIds the {@code tokenIds} component (see the record)
   * @param text the {@code text} component (see the record)
   * @param logProbs the {@code logProbs} component (see the record)
   * @param samplingLogProbs the {@code samplingLogProbs} component (see the record)
   * @param finishReason the {@code finishReason} component (see the record)
   */
  public Sample {
    Preconditions.checkNotNull(text, "text");
    Preconditions.checkNotNull(finishReason, "finishReason");
    tokenIds = tokenIds.clone();
    logProbs = logProbs.clone();
    samplingLogProbs = samplingLogProbs.clone();
    Preconditions.checkArgument(logProbs.length == tokenIds.length && samplingLogProbs.length == tokenIds.length,
        "one log-prob per token: %s tokens, %s and %s log-probs", tokenIds.length, logProbs.length,
        samplingLogProbs.length);
  }

  /**
   * Returns a copy of the new token ids.
   *
   * @return the token ids
   */
  @Override
  public long[] tokenIds() {
    return tokenIds.clone();
  }

  /**
   * Returns a copy of the raw per-token log-probabilities.
   *
   * @return the log-probs under the unfiltered model at temperature 1
   */
  @Override
  public float[] logProbs() {
    return logProbs.clone();
  }

  /**
   * Returns a copy of the per-token log-probabilities under the sampling distribution.
   *
   * @return the log-probs under the temperature-scaled, filtered distribution (0 for greedy)
   */
  @Override
  public float[] samplingLogProbs() {
    return samplingLogProbs.clone();
  }

  /**
   * Returns the number of new tokens.
   *
   * @return the length of {@link #tokenIds()}
   */
  public int length() {
    return tokenIds.length;
  }

  /**
   * Returns the sum of the raw log-probabilities, \( \sum_i \log p(y_i \mid x, y_{&lt;i}) \).
   *
   * @return the sequence log-probability, 0 for an empty sample
   */
  public double sumLogProb() {
    double s = 0;
    for (float v : logProbs) {
      s += v;
    }
    return s;
  }

  /**
   * Returns the mean raw log-probability per token, the {@code logp} of ORPO.
   *
   * @return the mean log-probability, or NaN for an empty sample
   */
  public double meanLogProb() {
    return tokenIds.length == 0 ? Double.NaN : sumLogProb() / tokenIds.length;
  }

  /**
   * Compares the contents of the arrays, not their identities.
   *
   * @param o the other object
   * @return true when every field is equal
   */
  @Override
  public boolean equals(Object o) {
    return o instanceof Sample s && promptIndex == s.promptIndex && sampleIndex == s.sampleIndex
        && Arrays.equals(tokenIds, s.tokenIds) && text.equals(s.text) && Arrays.equals(logProbs, s.logProbs)
        && Arrays.equals(samplingLogProbs, s.samplingLogProbs) && finishReason == s.finishReason;
  }

  /**
   * Hashes the contents of the arrays.
   *
   * @return the hash code
   */
  @Override
  public int hashCode() {
    return Arrays.hashCode(new int[] {promptIndex, sampleIndex, Arrays.hashCode(tokenIds), text.hashCode(),
        Arrays.hashCode(logProbs), Arrays.hashCode(samplingLogProbs), finishReason.hashCode()});
  }

  /**
   * Describes the sample briefly.
   *
   * @return a one-line description
   */
  @Override
  public String toString() {
    return "Sample[prompt=" + promptIndex + ", sample=" + sampleIndex + ", tokens=" + tokenIds.length + ", finish="
        + finishReason + ", text=" + text.replace("\n", "\\n") + "]";
  }
}
