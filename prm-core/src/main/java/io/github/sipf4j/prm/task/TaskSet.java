package io.github.sipf4j.prm.task;

import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Objects;
import java.util.Optional;
import java.util.Random;

/**
 * A named, ordered list of tasks with seeded shuffling and splitting. Shuffles use {@link java.util.Random}, whose
 * sequence is fixed by its specification, so the same seed gives the same order on every JVM.
 *
 * <pre>{@code
 * TaskSet all = Gsm8kLoader.standard().load(path);
 * TaskSet.Split s = all.split(0.9, 42L);   // s.first(): 90% for training, s.second(): 10% held out
 * }</pre>
 *
 * @param name a name for logs and reports (for example the file name or the synthetic split)
 * @param tasks the tasks, in order
 */
public record TaskSet(String name, List<ReasoningTask> tasks) {

  /**
   * Validates and copies the parts.
   *
   * @param name the name
   * @param tasks the tasks
   */
  public TaskSet {
    Objects.requireNonNull(name, "name");
    tasks = List.copyOf(tasks);
  }

  /**
   * Two disjoint parts of a task set.
   *
   * @param first the first part
   * @param second the second part
   */
  public record Split(TaskSet first, TaskSet second) {}

  /**
   * Returns the number of tasks.
   *
   * @return the size
   */
  public int size() {
    return tasks.size();
  }

  /**
   * Returns one task.
   *
   * @param index the position
   * @return the task at {@code index}
   */
  public ReasoningTask get(int index) {
    return tasks.get(index);
  }

  /**
   * Finds a task by its identifier.
   *
   * @param id the identifier
   * @return the first task with that identifier, if any
   */
  public Optional<ReasoningTask> byId(String id) {
    return tasks.stream().filter(t -> t.id().equals(id)).findFirst();
  }

  /**
   * Returns the tasks in a seeded random order.
   *
   * @param seed the shuffle seed
   * @return a new task set with the same name
   */
  public TaskSet shuffled(long seed) {
    List<ReasoningTask> copy = new ArrayList<>(tasks);
    Collections.shuffle(copy, new Random(seed));
    return new TaskSet(name, copy);
  }

  /**
   * Returns the first {@code n} tasks, or all when there are fewer.
   *
   * @param n how many to keep
   * @return a new task set with the same name
   */
  public TaskSet take(int n) {
    if (n < 0) {
      throw new IllegalArgumentException("n must be >= 0: " + n);
    }
    return new TaskSet(name, tasks.subList(0, Math.min(n, tasks.size())));
  }

  /**
   * Shuffles with a seed and cuts into two parts; the first holds {@code round(fraction * size)} tasks.
   *
   * @param fraction the share of the first part, in [0, 1]
   * @param seed the shuffle seed
   * @return the two parts, named {@code name + "/first"} and {@code name + "/second"}
   */
  public Split split(double fraction, long seed) {
    if (!(fraction >= 0 && fraction <= 1)) {
      throw new IllegalArgumentException("fraction must be in [0, 1]: " + fraction);
    }
    List<ReasoningTask> shuffled = shuffled(seed).tasks();
    int cut = (int) Math.round(fraction * shuffled.size());
    return new Split(
        new TaskSet(name + "/first", shuffled.subList(0, cut)),
        new TaskSet(name + "/second", shuffled.subList(cut, shuffled.size())));
  }
}
