/**
 * Losses over sequences: {@link io.github.sipf4j.orpo.loss.SequenceLogProbs} (mean and sum of token log-probabilities
 * under a mask) and {@link io.github.sipf4j.orpo.loss.OrpoLoss} (odds ratio preference optimisation, matching TRL's
 * {@code odds_ratio_loss} with a numerically stable \( \log(1 - e^x) \)).
 */
package io.github.sipf4j.orpo.loss;
