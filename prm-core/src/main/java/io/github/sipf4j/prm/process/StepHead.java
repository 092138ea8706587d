package io.github.sipf4j.prm.process;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import ai.djl.nn.AbstractBlock;
import ai.djl.nn.Parameter;
import ai.djl.training.ParameterStore;
import ai.djl.util.PairList;
import java.util.Random;

/**
 * The two-class classifier of a {@link DecoderPrm}: \( z = W f + b \) with \( W \in \mathbb{R}^{2 \times F} \)
 * (PyTorch {@code nn.Linear} layout) initialised from \( \mathcal{N}(0, 0.02^2) \) and \( b = 0 \). Class 1 is
 * "the step is correct". The block owns its parameters' arrays through its own manager.
 */
final class StepHead extends AbstractBlock implements AutoCloseable {

  /** The parameter name of the weight matrix. */
  static final String WEIGHT = "weight";

  /** The parameter name of the bias. */
  static final String BIAS = "bias";

  /** The standard deviation of the weight initialisation. */
  static final float INIT_STD = 0.02f;

  private final int featureSize;
  private final NDManager manager;
  private final Parameter weight;
  private final Parameter bias;

  StepHead(int featureSize, NDManager manager, long seed) {
    super((byte) 1);
    this.featureSize = featureSize;
    this.manager = manager;
    this.weight = addParameter(Parameter.builder().setName(WEIGHT).setType(Parameter.Type.WEIGHT).build());
    this.bias = addParameter(Parameter.builder().setName(BIAS).setType(Parameter.Type.BIAS).build());
    Random r = new Random(seed);
    float[] w = new float[2 * featureSize];
    for (int i = 0; i < w.length; i++) {
      w[i] = (float) (r.nextGaussian() * INIT_STD);
    }
    attach(weight, manager.create(w, new Shape(2, featureSize)), WEIGHT);
    attach(bias, manager.zeros(new Shape(2)), BIAS);
  }

  private static void attach(Parameter p, NDArray a, String name) {
    a.setName(name);
    p.setArray(a);
    a.setRequiresGradient(true);
  }

  /**
   * Applies the head.
   *
   * @param features (N, F) features
   * @return (N, 2) logits
   */
  NDArray apply(NDArray features) {
    return features.matMul(weight.getArray().transpose()).add(bias.getArray());
  }

  Parameter weight() {
    return weight;
  }

  Parameter bias() {
    return bias;
  }

  int featureSize() {
    return featureSize;
  }

  @Override
  protected NDList forwardInternal(
      ParameterStore parameterStore, NDList inputs, boolean training, PairList<String, Object> params) {
    return new NDList(apply(inputs.singletonOrThrow()));
  }

  @Override
  public Shape[] getOutputShapes(Shape[] inputShapes) {
    return new Shape[] {new Shape(inputShapes[0].get(0), 2)};
  }

  @Override
  public void close() {
    manager.close();
  }
}
