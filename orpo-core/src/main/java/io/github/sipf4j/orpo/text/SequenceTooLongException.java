package io.github.sipf4j.orpo.text;

/** Thrown when a prompt is so long that no token of its response fits within the maximum length. */
public final class SequenceTooLongException extends IllegalArgumentException {
  private static final long serialVersionUID = 1L;

  /**
   * Creates the exception.
   *
   * @param message what did not fit
   */
  public SequenceTooLongException(String message) {
    super(message);
  }
}
