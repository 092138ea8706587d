package io.github.sipf4j.orpo.train;

import com.google.common.base.Preconditions;
import java.util.ArrayList;
import java.util.Collections;
import java.util.Comparator;
import java.util.List;
import java.util.Random;
import java.util.function.ToIntFunction;

/**
 * Which examples each optimizer step reads: epoch {@code e} visits the examples in a permutation seeded by
 * {@code seed + e}, step {@code s} takes the {@code s mod stepsPerEpoch}-th batch of that order (the last batch of an
 * epoch may be short), and a batch is cut into micro-batches. The plan depends only on the step index, so a resumed
 * run reads exactly what the interrupted run would have.
 *
 * <p>With example lengths ({@linkplain TrainingArguments#groupByLength() grouping by length}), an epoch's
 * permutation is cut into mega-batches of {@value #MEGABATCH_BATCHES} batches, each mega-batch is sorted by length
 * (longest first) and cut into batches, and the batches are visited in an order seeded by {@code seed + e} as well,
 * the batch holding the epoch's longest example first (so that a step that does not fit in memory fails at once, not
 * hours in). Each batch is sorted longest first before it is cut into micro-batches. Every example is still read
 * once per epoch, and a batch pads to a length close to its examples' own instead of the longest of a random draw.
 *
 * @param <E> the example type
 */
public final class EpochBatches<E> {

  /** Batches per mega-batch of length grouping (that of Hugging Face's {@code LengthGroupedSampler}). */
  public static final int MEGABATCH_BATCHES = 50;

  private final List<E> examples;
  private final int batchSize;
  private final int microBatchSize;
  private final long seed;
  private final int[] lengths;
  private List<List<Integer>> plan;
  private long planEpoch = -1;

  /**
   * Creates the plan.
   *
   * @param examples the examples, at least one
   * @param batchSize examples per step
   * @param microBatchSize examples per forward pass, at most {@code batchSize}
   * @param seed the seed of the epoch permutations
   */
  public EpochBatches(List<E> examples, int batchSize, int microBatchSize, long seed) {
    this(examples, batchSize, microBatchSize, seed, null);
  }

  /**
   * Creates the plan, grouping examples of similar length into batches when {@code length} is given.
   *
   * @param examples the examples, at least one
   * @param batchSize examples per step
   * @param microBatchSize examples per forward pass, at most {@code batchSize}
   * @param seed the seed of the epoch permutations
   * @param length the length of an example in tokens (what a batch pads to), read once per example here; null for
   *     batches in plain permutation order
   */
  public EpochBatches(List<E> examples, int batchSize, int microBatchSize, long seed, ToIntFunction<E> length) {
    Preconditions.checkArgument(!examples.isEmpty(), "no training examples");
    Preconditions.checkArgument(batchSize > 0 && microBatchSize > 0 && microBatchSize <= batchSize,
        "need 0 < microBatchSize (%s) <= batchSize (%s)", microBatchSize, batchSize);
    this.examples = examples;
    this.batchSize = batchSize;
    this.microBatchSize = microBatchSize;
    this.seed = seed;
    if (length == null) {
      this.lengths = null;
    } else {
      this.lengths = new int[examples.size()];
      for (int i = 0; i < lengths.length; i++) {
        lengths[i] = length.applyAsInt(examples.get(i));
      }
    }
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
    List<Integer> batch = batchIndices(step);
    List<List<E>> micro = new ArrayList<>();
    for (int i = 0; i < batch.size(); i += microBatchSize) {
      List<E> mb = new ArrayList<>();
      for (int j = i; j < Math.min(batch.size(), i + microBatchSize); j++) {
        mb.add(examples.get(batch.get(j)));
      }
      micro.add(mb);
    }
    return micro;
  }

  /**
   * Returns the indices of the examples a step reads, in the order they are cut into micro-batches.
   *
   * @param step the 0-based step
   * @return indices into the examples
   */
  List<Integer> batchIndices(long step) {
    int epoch = epochOf(step);
    if (epoch != planEpoch) {
      plan = epochPlan(seed + epoch);
      planEpoch = epoch;
    }
    return plan.get((int) (step % stepsPerEpoch()));
  }

  /** The batches of one epoch, in the order the steps read them. */
  private List<List<Integer>> epochPlan(long epochSeed) {
    List<Integer> order = permutation(examples.size(), epochSeed);
    List<List<Integer>> batches = new ArrayList<>();
    if (lengths == null) {
      for (int from = 0; from < order.size(); from += batchSize) {
        batches.add(order.subList(from, Math.min(order.size(), from + batchSize)));
      }
      return batches;
    }
    Comparator<Integer> longestFirst = Comparator.comparingInt((Integer i) -> lengths[i]).reversed();
    int mega = MEGABATCH_BATCHES * batchSize;
    for (int from = 0; from < order.size(); from += mega) {
      List<Integer> group = new ArrayList<>(order.subList(from, Math.min(order.size(), from + mega)));
      group.sort(longestFirst);
      for (int b = 0; b < group.size(); b += batchSize) {
        batches.add(group.subList(b, Math.min(group.size(), b + batchSize)));
      }
    }
    // Visit the batches in a seeded order (not longest to shortest within each mega-batch), the one holding the
    // longest example first; the epoch's only short batch, if any, stays where the shuffle puts it.
    Collections.shuffle(batches, new Random(~epochSeed));
    int longest = 0;
    for (int b = 1; b < batches.size(); b++) {
      if (lengths[batches.get(b).get(0)] > lengths[batches.get(longest).get(0)]) {
        longest = b;
      }
    }
    Collections.swap(batches, 0, longest);
    return batches;
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
