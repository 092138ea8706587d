package io.github.sipf4j.orpo.train;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDList;
import java.util.List;

/**
 * What an objective computes for one micro-batch, still on the device.
 *
 * @param loss the scalar loss of the micro-batch (a mean over its examples)
 * @param metrics a 1-D array of metric values, in {@code names} order; copied to the host once per micro-batch
 * @param names the metric names
 * @param examples the number of examples (pairs or sequences) in the micro-batch: the weight of its loss
 * @param tokens the number of real tokens the forward pass read
 * @param labels the labels in DJL's form, for DJL training listeners
 * @param predictions the predictions in DJL's form, for DJL training listeners
 */
public record LossTerms(
    NDArray loss, NDArray metrics, List<String> names, int examples, long tokens, NDList labels, NDList predictions) {}
