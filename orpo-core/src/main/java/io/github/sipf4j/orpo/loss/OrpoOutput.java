package io.github.sipf4j.orpo.loss;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDArrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Everything one ORPO forward computes, still on the device: the loss to differentiate and the scalars TRL reports.
 * {@link #metrics()} copies all metrics to the host in one transfer.
 *
 * @param loss the scalar loss \( \mathcal{L}_{NLL} + \lambda\,\overline{\mathcal{L}_{OR}} \)
 * @param nllLoss the NLL term
 * @param chosenLogps (batch) mean response log-probabilities of the chosen sequences
 * @param rejectedLogps (batch) mean response log-probabilities of the rejected sequences
 * @param logOdds (batch) log odds ratios
 * @param logSigmoidOdds (batch) \( \log\sigma(\text{log odds}) \), the negated per-example odds-ratio loss
 * @param lambda the weight λ of the odds-ratio term
 */
public record OrpoOutput(
    NDArray loss,
    NDArray nllLoss,
    NDArray chosenLogps,
    NDArray rejectedLogps,
    NDArray logOdds,
    NDArray logSigmoidOdds,
    float lambda) {

  /** TRL's metric names, in the order {@link #metrics()} returns them. */
  public static final List<String> METRIC_NAMES = List.of("loss", "nll_loss", "log_odds_ratio", "log_odds_chosen",
      "logps/chosen", "logps/rejected", "rewards/chosen", "rewards/rejected", "rewards/accuracies",
      "rewards/margins");

  /**
   * Computes TRL's metrics and copies them to the host with a single transfer: {@code rewards/chosen} is
   * λ·mean(logp_w), {@code rewards/accuracies} the share of pairs with logp_w &gt; logp_l, {@code log_odds_ratio}
   * the mean log-sigmoid of the log odds and {@code log_odds_chosen} the mean log odds.
   *
   * @return the metrics by name, in {@link #METRIC_NAMES} order
   */
  public Map<String, Float> metrics() {
    NDArray all = NDArrays.stack(new ai.djl.ndarray.NDList(metricArrays()));
    double[] values = all.toType(ai.djl.ndarray.types.DataType.FLOAT64, false).toDoubleArray();
    Map<String, Float> out = new LinkedHashMap<>();
    for (int i = 0; i < values.length; i++) {
      out.put(METRIC_NAMES.get(i), (float) values[i]);
    }
    return out;
  }

  /**
   * Returns the metrics as scalar arrays on the device, in {@link #METRIC_NAMES} order, all of the log-probs' type.
   *
   * @return the scalar arrays
   */
  public NDArray[] metricArrays() {
    NDArray cw = chosenLogps.mean();
    NDArray rw = rejectedLogps.mean();
    NDArray acc = chosenLogps.gt(rejectedLogps).toType(cw.getDataType(), false).mean();
    NDArray margin = chosenLogps.sub(rejectedLogps).mean().mul(lambda);
    return new NDArray[] {loss.toType(cw.getDataType(), false), nllLoss.toType(cw.getDataType(), false),
        logSigmoidOdds.mean(), logOdds.mean(), cw, rw, cw.mul(lambda), rw.mul(lambda), acc, margin};
  }
}
