package io.github.sipf4j.prm.iterate.phase;

import java.io.IOException;
import java.util.List;

/**
 * A typed artefact of an iteration: its file name inside the iteration's folder and how it is written and read back.
 * Phases exchange their outputs through an {@link IterationScope} by these keys ({@link Artefacts} holds the loop's
 * own), never by re-parsing JSON by hand.
 *
 * @param file the file name inside the iteration's folder, such as {@code samples.jsonl}
 * @param reader reads the artefact back (and checks it against the iteration)
 * @param writer writes the artefact
 * @param <T> the value's type
 */
public record Artefact<T>(String file, Reader<T> reader, Writer<T> writer) {

  /**
   * Reads an artefact.
   *
   * @param <T> the value's type
   */
  @FunctionalInterface
  public interface Reader<T> {

    /**
     * Reads the artefact of an iteration.
     *
     * @param scope the iteration
     * @param name the artefact's name in the store
     * @return the value
     * @throws IOException if it cannot be read or does not belong to the iteration
     */
    T read(IterationScope scope, String name) throws IOException;
  }

  /**
   * Writes an artefact.
   *
   * @param <T> the value's type
   */
  @FunctionalInterface
  public interface Writer<T> {

    /**
     * Writes the artefact.
     *
     * @param store the store
     * @param name the artefact's name in the store
     * @param value the value
     * @throws IOException if writing fails
     */
    void write(ArtefactStore store, String name, T value) throws IOException;
  }

  /**
   * An artefact of JSON lines, one record per line.
   *
   * @param file the file name
   * @param type the record class
   * @param <R> the record type
   * @return the artefact
   */
  public static <R> Artefact<List<R>> lines(String file, Class<R> type) {
    return new Artefact<>(file, (scope, name) -> scope.store().readLines(name, type),
        ArtefactStore::writeLines);
  }
}
