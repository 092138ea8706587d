package io.github.sipf4j.orpo.data;

import java.nio.file.Path;

/**
 * Input data that does not have the expected format, located precisely: the message reads
 * {@code FILE:LINE: field 'FIELD': PROBLEM}, or {@code FILE:LINE:COLUMN: field 'FIELD': PROBLEM} when the reader knows
 * the column, and the accessors return the same parts. Every loader and reader of
 * sipf4j (preference pairs, stepwise labels, GSM8K, MBPP, HumanEval, MMLU) reports bad input with it. It is
 * unchecked so that streaming readers can throw it from inside a stream; whatever a reader produced before the bad
 * record stays with the caller.
 */
public class DataFormatException extends RuntimeException {
  private static final long serialVersionUID = 1L;

  /** The field name used when the whole record is at fault: malformed JSON, a wrong column count, an empty file. */
  public static final String RECORD = "<record>";

  private final transient Path file;
  private final long line;
  private final long column;
  private final String field;

  /**
   * Creates the exception.
   *
   * @param file the file
   * @param line the 1-based line where the bad record starts
   * @param field the field at fault, or {@link #RECORD} (null is taken as {@link #RECORD})
   * @param problem what is wrong
   */
  public DataFormatException(Path file, long line, String field, String problem) {
    this(file, line, field, problem, null);
  }

  /**
   * Creates the exception with a cause.
   *
   * @param file the file
   * @param line the 1-based line where the bad record starts
   * @param field the field at fault, or {@link #RECORD} (null is taken as {@link #RECORD})
   * @param problem what is wrong
   * @param cause the parser's exception, or null
   */
  public DataFormatException(Path file, long line, String field, String problem, Throwable cause) {
    this(file, line, 0, field, problem, cause);
  }

  /**
   * Creates the exception with the column where the problem is.
   *
   * @param file the file
   * @param line the 1-based line where the bad record starts
   * @param column the 1-based column of the bad value on that line, or 0 when unknown
   * @param field the field at fault, or {@link #RECORD} (null is taken as {@link #RECORD})
   * @param problem what is wrong
   * @param cause the parser's exception, or null
   */
  public DataFormatException(Path file, long line, long column, String field, String problem, Throwable cause) {
    super(file + ":" + line + (column > 0 ? ":" + column : "") + ": field '" + (field == null ? RECORD : field)
        + "': " + problem, cause);
    this.file = file;
    this.line = line;
    this.column = column;
    this.field = field == null ? RECORD : field;
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
   * Returns the column.
   *
   * @return the 1-based column of the bad value, or 0 when the reader does not know it
   */
  public long column() {
    return column;
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
