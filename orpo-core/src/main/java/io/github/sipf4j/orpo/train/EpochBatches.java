package io.github.sipf4j.orpo.train;

import com.google.common.base.Preconditions;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Random;

/**
 * Which examples each optimizer step reads: epoch {@code e} visits the examples in a permutation seeded by
 * {@code seed + e}, step {@code s} takes the {@code s mod stepsPerEpoch}-th batch of that order (the last batch of an
 * epoch may be short), and a batch is cut into micro-batches. The plan depends only on the step index, so a resumed
 * run reads exactly what the interrupted run would have.
 *
 * @param <E> the example type
 */
public final class EpochBatches<E> {

  private final List<E> examples;
  private final int batchSize;
  private final int microBatchSize;
  private final long seed;
  private List<Integer> order;
  private long orderEpoch = -1;

  /**
   * Creates the plan.
   *
   * @param examples the examples, at least one
   * @param batchSize examples per step
   * @param microBatchSize examples per forward pass, at most {@code batchSize}
   * @param seed the seed of the epoch permutations
   */
  public EpochBatches(List<E> examples, int batchSize, int microBatchSize, long seed) {
    Preconditions.checkArgument(!examples.isEmpty(), "no training examples");
    Preconditions.checkArgument(batchSize > 0 && microBatchSize > 0 && microBatchSize <= batchSize,
        "need 0 < microBatchSize (%s) <= batchSize (%s)", microBatchSize, batchSize);
    this.examples = examples;
    this.batchSize = batchSize;
    this.microBatchSize = microBatchSize;
    this.seed = seed;
  }

  /**
   * Returns the steps of one epoch.
   *
   * @return \( \lceil n / \text{batchSize} \rceil \)
   */
  public long stepsPerEpoch() {
    return (examples.size() + batchSize - 1) / batchSize;
  }

  /**
   * Returns the steps of a run.
   *
   * @param epochs the number of epochs
   * @param maxSteps when positive, the number of steps regardless of epochs
   * @return the total steps
   */
  public long totalSteps(int epochs, long maxSteps) {
    return maxSteps > 0 ? maxSteps : stepsPerEpoch() * epochs;
  }

  /**
   * Returns the epoch a step belongs to.
   *
   * @param step the 0-based step
   * @return the 0-based epoch
   */
  public int epochOf(long step) {
    return (int) (step / stepsPerEpoch());
  }

  /**
   * Tells whether a step is the last of its epoch.
   *
   * @param step the 0-based step
   * @return true for the last step of an epoch
   */
  public boolean endsEpoch(long step) {
    return (step + 1) % stepsPerEpoch() == 0;
  }

  /**
   * Returns the micro-batches of a step.
   *
   * @param step the 0-based step
   * @return the step's examples, cut into micro-batches
   */
  public List<List<E>> microBatches(long step) {
    int epoch = epochOf(step);
    if (epoch != orderEpoch) {
      order = permutation(examples.size(), seed + epoch);
      orderEpoch = epoch;
    }
    int from = (int) ((step % stepsPerEpoch()) * batchSize);
    int to = Math.min(examples.size(), from + batchSize);
    List<List<E>> micro = new ArrayList<>();
    for (int i = from; i < to; i += microBatchSize) {
      List<E> mb = new ArrayList<>();
      for (int j = i; j < Math.min(to, i + microBatchSize); j++) {
        mb.add(examples.get(order.get(j)));
      }
      micro.add(mb);
    }
    return micro;
  }

  /**
   * Returns the data order of one epoch: a permutation of {@code 0..n-1} seeded by {@code seed}.
   *
   * @param n the number of examples
   * @param seed the seed
   * @return the permutation
   */
  static List<Integer> permutation(int n, long seed) {
    List<Integer> order = new ArrayList<>(n);
    for (int i = 0; i < n; i++) {
      order.add(i);
    }
    Collections.shuffle(order, new Random(seed));
    return order;
  }
}
