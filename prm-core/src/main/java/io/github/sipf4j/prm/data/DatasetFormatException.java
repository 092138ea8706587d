package io.github.sipf4j.prm.data;

import java.nio.file.Path;

/**
 * A data set file that does not have the expected format. The message and the accessors name the file, the
 * 1-based line where the bad record starts and the field at fault.
 */
public final class DatasetFormatException extends RuntimeException {
  private static final long serialVersionUID = 1L;

  /** The field name used when the whole record is at fault: malformed JSON, a wrong column count, an empty file. */
  public static final String RECORD = "<record>";

  private final transient Path file;
  private final long line;
  private final String field;

  /**
   * Creates the exception.
   *
   * @param file the file
   * @param line the 1-based line where the bad record starts
   * @param field the field at fault, or {@link #RECORD}
   * @param problem what is wrong
   */
  public DatasetFormatException(Path file, long line, String field, String problem) {
    this(file, line, field, problem, null);
  }

  /**
   * Creates the exception with a cause.
   *
   * @param file the file
   * @param line the 1-based line where the bad record starts
   * @param field the field at fault, or {@link #RECORD}
   * @param problem what is wrong
   * @param cause the parser's exception, or {@code null}
   */
  public DatasetFormatException(Path file, long line, String field, String problem, Throwable cause) {
    super(file + ":" + line + ": field '" + field + "': " + problem, cause);
    this.file = file;
    this.line = line;
    this.field = field;
  }

  /**
   * Returns the file.
   *
   * @return the file that failed to load
   */
  public Path file() {
    return file;
  }

  /**
   * Returns the line.
   *
   * @return the 1-based line where the bad record starts
   */
  public long line() {
    return line;
  }

  /**
   * Returns the field.
   *
   * @return the field at fault, or {@link #RECORD} for the whole record
   */
  public String field() {
    return field;
  }
}
