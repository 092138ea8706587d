package io.github.sipf4j.prm.iterate.phase;

import com.google.common.base.Preconditions;
import io.github.sipf4j.prm.rollout.PolicyRef;
import io.github.sipf4j.prm.task.ReasoningTask;
import java.io.IOException;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * One iteration as its phases see it: its number, its folder in the store, its questions, the policy it starts from,
 * and its artefacts. A phase puts what it produces ({@link #put}) and gets what earlier phases produced
 * ({@link #get}); an artefact produced in this process is handed over from memory, one produced before a restart is
 * read from the store once, when a phase first needs it.
 */
public final class IterationScope {

  private final ArtefactStore store;
  private final int iteration;
  private final String folder;
  private final String previousFolder;
  private final List<ReasoningTask> questions;
  private final PolicyRef startPolicy;
  private final Map<String, Object> cache = new HashMap<>();

  /**
   * Creates the scope of an iteration.
   *
   * @param store the run's store
   * @param iteration the iteration, from 1 (0 for the starting policy's evaluation)
   * @param folder the iteration's folder in the store, such as {@code iteration-01}
   * @param previousFolder the previous iteration's folder, or null for the first
   * @param questions the iteration's training questions, in order
   * @param startPolicy the policy the iteration starts from
   */
  public IterationScope(ArtefactStore store, int iteration, String folder, String previousFolder,
      List<ReasoningTask> questions, PolicyRef startPolicy) {
    this.store = Preconditions.checkNotNull(store, "store");
    this.iteration = iteration;
    this.folder = Preconditions.checkNotNull(folder, "folder");
    this.previousFolder = previousFolder;
    this.questions = List.copyOf(questions);
    this.startPolicy = Preconditions.checkNotNull(startPolicy, "startPolicy");
  }

  /**
   * Returns the iteration.
   *
   * @return from 1, or 0 for the starting policy's evaluation
   */
  public int iteration() {
    return iteration;
  }

  /**
   * Returns the store.
   *
   * @return the run's store
   */
  public ArtefactStore store() {
    return store;
  }

  /**
   * Returns the iteration's folder.
   *
   * @return such as {@code iteration-01}
   */
  public String folder() {
    return folder;
  }

  /**
   * Returns the name of a file or folder inside the iteration's folder.
   *
   * @param file the file name, such as {@code samples.jsonl}
   * @return the artefact's name in the store
   */
  public String name(String file) {
    return folder + "/" + file;
  }

  /**
   * Returns the iteration's training questions.
   *
   * @return the questions, in order (samples refer to them by index)
   */
  public List<ReasoningTask> questions() {
    return questions;
  }

  /**
   * Returns the policy the iteration starts from.
   *
   * @return the previous iteration's policy, or the run's starting policy
   */
  public PolicyRef startPolicy() {
    return startPolicy;
  }

  /**
   * Returns an artefact of this iteration, reading it from the store the first time when no phase of this process
   * produced it.
   *
   * @param a the artefact
   * @param <T> its type
   * @return the value
   * @throws IOException if it cannot be read
   */
  @SuppressWarnings("unchecked")
  public <T> T get(Artefact<T> a) throws IOException {
    Object v = cache.get(a.file());
    if (v == null) {
      v = a.reader().read(this, name(a.file()));
      cache.put(a.file(), v);
    }
    return (T) v;
  }

  /**
   * Writes an artefact of this iteration and keeps it for later phases.
   *
   * @param a the artefact
   * @param value the value
   * @param <T> its type
   * @throws IOException if writing fails
   */
  public <T> void put(Artefact<T> a, T value) throws IOException {
    a.writer().write(store, name(a.file()), value);
    cache.put(a.file(), value);
  }

  /**
   * Returns an artefact of the previous iteration, read from the store.
   *
   * @param a the artefact
   * @param <T> its type
   * @return the value, or null in the first iteration
   * @throws IOException if it cannot be read
   */
  public <T> T previous(Artefact<T> a) throws IOException {
    return previousFolder == null ? null : a.reader().read(this, previousFolder + "/" + a.file());
  }
}
