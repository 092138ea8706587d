package io.github.sipf4j.examples.cli;

import com.google.gson.Strictness;
import com.google.gson.stream.JsonReader;
import com.google.gson.stream.JsonToken;
import com.google.gson.stream.MalformedJsonException;
import io.github.sipf4j.orpo.data.DataFormatException;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.StringReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.function.Function;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * The input of {@code sipf4j logprobs} and {@code sipf4j generate}: a JSON-lines file with one request per line,
 * either {@code {"input_ids": [1, 15, 27]}} (token ids, used as they are) or {@code {"text": "..."}} (encoded by the
 * model's tokenizer, BOS first when the tokenizer adds one, {@code TextTokenizer.addsBos()}). Blank lines are
 * skipped; any other field is an error.
 *
 * <p>The file is read as a stream, line by line, so it never sits in memory. Every problem is a
 * {@link DataFormatException} naming the file, the line, the column and the field: malformed JSON (with the parser's
 * reason), a field other than the two, both or neither, an id that is not an integer or lies outside the model's
 * vocabulary, an empty sequence, a sequence over the length limit. {@link #validate()} reads the whole file once, so
 * that a command can refuse bad input before it loads anything onto the device or writes any output.
 */
public final class TokenRequests {

  /**
   * One request.
   *
   * @param line the 1-based line in the file
   * @param ids the token ids: the given ones, or the encoded text
   */
  public record Request(long line, long[] ids) {}

  /** Receives the requests in file order. */
  @FunctionalInterface
  public interface Sink {
    /**
     * Takes one request.
     *
     * @param request the request
     * @throws IOException if writing its result fails
     */
    void accept(Request request) throws IOException;
  }

  private static final Pattern COLUMN = Pattern.compile(" at line \\d+ column (\\d+)");

  private final Path file;
  private final Function<String, long[]> encoder;
  private final int vocab;
  private final int maxTokens;
  private final String limit;

  /**
   * Describes the file and the rules its requests must follow.
   *
   * @param file the JSON-lines file
   * @param encoder encodes a {@code text} request (BOS included when wanted); null when the model folder has no
   *     tokenizer, and then only {@code input_ids} are accepted
   * @param vocab the model's vocabulary size: every id must be in {@code [0, vocab)}
   * @param maxTokens the most tokens a request may have
   * @param limit why that is the most, completing "N tokens, ...", for example "longer than the model's maximum
   *     length of 2048"
   */
  public TokenRequests(Path file, Function<String, long[]> encoder, int vocab, int maxTokens, String limit) {
    this.file = file;
    this.encoder = encoder;
    this.vocab = vocab;
    this.maxTokens = maxTokens;
    this.limit = limit;
  }

  /**
   * Reads and checks every request without keeping any.
   *
   * @return the number of requests
   * @throws IOException if the file cannot be read
   * @throws DataFormatException at the first bad request
   */
  public long validate() throws IOException {
    long[] count = new long[1];
    read(r -> count[0]++);
    return count[0];
  }

  /**
   * Reads the requests in order and hands each to the sink.
   *
   * @param sink receives the requests
   * @throws IOException if the file cannot be read or the sink fails
   * @throws DataFormatException at the first bad request (the sink has had every request before it)
   */
  public void read(Sink sink) throws IOException {
    try (BufferedReader in = Files.newBufferedReader(file, StandardCharsets.UTF_8)) {
      String text;
      long line = 0;
      while ((text = in.readLine()) != null) {
        line++;
        if (!text.isBlank()) {
          sink.accept(parse(line, text));
        }
      }
    }
  }

  /** Parses and checks one line. */
  Request parse(long line, String text) {
    JsonReader r = new JsonReader(new StringReader(text));
    r.setStrictness(Strictness.STRICT);
    long[] ids = null;
    int idsColumn = 0;
    String prompt = null;
    int textColumn = 0;
    try {
      if (r.peek() != JsonToken.BEGIN_OBJECT) {
        throw error(line, valueColumn(r), null, "expected a JSON object with \"input_ids\" or \"text\"");
      }
      r.beginObject();
      while (r.hasNext()) {
        int at = column(r) - 1; // the reader stands after the name's opening quote
        String name = r.nextName();
        if (name.equals("input_ids") && ids == null) {
          idsColumn = valueColumn(r);
          ids = readIds(r, line);
        } else if (name.equals("text") && prompt == null) {
          textColumn = valueColumn(r);
          if (r.peek() != JsonToken.STRING) {
            throw error(line, textColumn, "text", "expected a string, got " + r.peek());
          }
          prompt = r.nextString();
        } else if (name.equals("input_ids") || name.equals("text")) {
          throw error(line, at, name, "given twice");
        } else {
          throw error(line, at, name, "unknown field; a line holds \"input_ids\" (token ids) or \"text\"");
        }
      }
      r.endObject();
      if (r.peek() != JsonToken.END_DOCUMENT) {
        throw error(line, column(r), null, "more after the JSON object");
      }
    } catch (MalformedJsonException | IllegalStateException e) {
      throw malformed(line, e);
    } catch (IOException e) {
      throw malformed(line, e);
    }
    if (ids != null && prompt != null) {
      throw error(line, textColumn, "text", "a line holds \"input_ids\" or \"text\", not both");
    }
    if (ids == null && prompt == null) {
      throw error(line, 1, null, "a line needs \"input_ids\" (token ids) or \"text\"");
    }
    String field = ids != null ? "input_ids" : "text";
    int at = ids != null ? idsColumn : textColumn;
    if (ids == null) {
      if (encoder == null) {
        throw error(line, at, field, "the model folder has no tokenizer.json, so give \"input_ids\" instead");
      }
      ids = encoder.apply(prompt);
      for (long id : ids) {
        if (id < 0 || id >= vocab) {
          throw error(line, at, field, "the tokenizer gives id " + id + ", outside the model's vocabulary of "
              + vocab + " ids");
        }
      }
    }
    if (ids.length == 0) {
      throw error(line, at, field, "no tokens");
    }
    if (ids.length > maxTokens) {
      throw error(line, at, field, ids.length + " tokens, " + limit);
    }
    return new Request(line, ids);
  }

  private long[] readIds(JsonReader r, long line) throws IOException {
    if (r.peek() != JsonToken.BEGIN_ARRAY) {
      throw error(line, valueColumn(r), "input_ids", "expected an array of token ids, got " + r.peek());
    }
    r.beginArray();
    long[] ids = new long[16];
    int n = 0;
    while (r.hasNext()) {
      String field = "input_ids[" + n + "]";
      JsonToken kind = r.peek();
      if (kind != JsonToken.NUMBER) {
        throw error(line, valueColumn(r), field, "expected an integer token id, got " + kind);
      }
      // The reader stands after a number that fits a long, and at the start of any other.
      int column = column(r);
      String literal = r.nextString();
      long id;
      try {
        id = Long.parseLong(literal);
      } catch (NumberFormatException e) {
        throw error(line, column, field, "expected an integer token id, got " + literal);
      }
      int at = column - literal.length();
      if (id < 0 || id >= vocab) {
        throw error(line, at, field, "id " + id + " is outside the model's vocabulary of " + vocab + " ids");
      }
      if (n == ids.length) {
        ids = Arrays.copyOf(ids, 2 * n);
      }
      ids[n++] = id;
    }
    r.endArray();
    return Arrays.copyOf(ids, n);
  }

  /** The column of the value the reader is about to read (it stands after a string's opening quote). */
  private static int valueColumn(JsonReader r) throws IOException {
    JsonToken kind = r.peek();
    int c = column(r);
    return kind == JsonToken.STRING ? c - 1 : kind == JsonToken.NUMBER ? c : Math.max(1, c - 1);
  }

  /** The reader's position as a 1-based column, from its description ("... at line 1 column 12 path $.x"). */
  private static int column(JsonReader r) {
    Matcher m = COLUMN.matcher(r.toString());
    return m.find() ? Integer.parseInt(m.group(1)) : 0;
  }

  private DataFormatException malformed(long line, Exception e) {
    String message = String.valueOf(e.getMessage());
    Matcher m = COLUMN.matcher(message);
    int column = m.find() ? Integer.parseInt(m.group(1)) : 0;
    String reason = m.find(0) ? message.substring(0, m.start()) : message.lines().findFirst().orElse(message);
    if (reason.startsWith("Use JsonReader.setStrictness")) {
      reason = "unexpected character";
    }
    return new DataFormatException(file, line, column, null, "malformed JSON: " + reason, e);
  }

  private DataFormatException error(long line, int column, String field, String problem) {
    return new DataFormatException(file, line, column, field, problem, null);
  }
}
