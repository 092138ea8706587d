package io.github.sipf4j.orpo.data;

import java.io.IOException;
import java.nio.file.Path;

/**
 * Malformed input data, located precisely: the message reads {@code FILE:LINE: field "FIELD": PROBLEM}.
 */
public class DataFormatException extends IOException {
  private static final long serialVersionUID = 1L;

  private final transient Path file;
  private final long line;
  private final String field;

  /**
   * Creates the exception.
   *
   * @param file the file
   * @param line the 1-based line number, or 0 when the problem concerns the whole file
   * @param field the offending field, or null when the record as a whole is malformed
   * @param problem what is wrong
   * @param cause the underlying parse error, or null
   */
  public DataFormatException(Path file, long line, String field, String problem, Throwable cause) {
    super(file + (line > 0 ? ":" + line : "") + ": " + (field != null ? "field \"" + field + "\": " : "") + problem,
        cause);
    this.file = file;
    this.line = line;
    this.field = field;
  }

  /**
   * Returns the file.
   *
   * @return the file
   */
  public Path file() {
    return file;
  }

  /**
   * Returns the 1-based line number, 0 for the whole file.
   *
   * @return the line
   */
  public long line() {
    return line;
  }

  /**
   * Returns the offending field.
   *
   * @return the field name, or null
   */
  public String field() {
    return field;
  }
}
