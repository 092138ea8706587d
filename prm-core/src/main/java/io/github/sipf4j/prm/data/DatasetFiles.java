package io.github.sipf4j.prm.data;

import com.google.common.collect.AbstractIterator;
import com.google.gson.JsonElement;
import com.google.gson.JsonParseException;
import com.google.gson.JsonParser;
import com.google.gson.stream.JsonReader;
import com.google.gson.stream.JsonToken;
import io.github.sipf4j.orpo.data.DataFormatException;
import io.github.sipf4j.orpo.data.JsonLines;
import java.io.BufferedInputStream;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Iterator;
import java.util.Spliterator;
import java.util.Spliterators;
import java.util.function.Function;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import java.util.stream.StreamSupport;

/** Shared streaming readers: gzip detection, JSONL line by line and JSON arrays element by element. */
final class DatasetFiles {
  private static final Pattern GSON_LINE = Pattern.compile("line (\\d+)");

  private DatasetFiles() {}

  /** Opens a UTF-8 reader, decompressing gzip when the file starts with the gzip magic bytes. */
  static BufferedReader open(Path file) throws IOException {
    InputStream in = new BufferedInputStream(Files.newInputStream(file));
    in.mark(2);
    int b1 = in.read();
    int b2 = in.read();
    in.reset();
    if (b1 == 0x1f && b2 == 0x8b) {
      in = new java.util.zip.GZIPInputStream(in, 1 << 16);
    }
    return new BufferedReader(new InputStreamReader(in, StandardCharsets.UTF_8));
  }

  /** Streams the records of a JSONL file; blank lines are skipped, an empty file is an error. */
  static <T> Stream<T> jsonl(Path file, Function<JsonRecord, T> mapper) {
    BufferedReader reader;
    try {
      reader = open(file);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
    Iterator<T> it =
        new AbstractIterator<>() {
          private long lineNo;
          private long records;

          @Override
          protected T computeNext() {
            try {
              String line;
              while ((line = reader.readLine()) != null) {
                lineNo++;
                if (lineNo == 1 && line.startsWith("\uFEFF")) {
                  line = line.substring(1);
                }
                if (line.isBlank()) {
                  continue;
                }
                JsonElement element = JsonLines.parse(file, lineNo, line);
                records++;
                return mapper.apply(new JsonRecord(file, lineNo, element));
              }
            } catch (IOException e) {
              throw new UncheckedIOException(e);
            }
            if (records == 0) {
              throw new DataFormatException(file, 1, DataFormatException.RECORD, "the file holds no records");
            }
            return endOfData();
          }
        };
    return stream(it, reader);
  }

  /** Streams the objects of a file holding one JSON array, each with the line where it starts. */
  static <T> Stream<T> jsonArray(Path file, Function<JsonRecord, T> mapper) {
    BufferedReader reader;
    try {
      reader = open(file);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
    JsonReader json = new JsonReader(reader);
    Iterator<T> it =
        new AbstractIterator<>() {
          private boolean started;
          private long records;

          @Override
          protected T computeNext() {
            long line = 1;
            try {
              if (!started) {
                if (json.peek() != JsonToken.BEGIN_ARRAY) {
                  throw new DataFormatException(
                      file, line(json), DataFormatException.RECORD, "expected a JSON array of records");
                }
                json.beginArray();
                started = true;
              }
              if (!json.hasNext()) {
                json.endArray();
                if (records == 0) {
                  throw new DataFormatException(
                      file, line(json), DataFormatException.RECORD, "the array holds no records");
                }
                return endOfData();
              }
              json.peek();
              line = line(json);
              JsonElement element = JsonParser.parseReader(json);
              records++;
              return mapper.apply(new JsonRecord(file, line, element));
            } catch (JsonParseException | IOException e) {
              if (e instanceof IOException io && !(e instanceof com.google.gson.stream.MalformedJsonException)
                  && !(e instanceof java.io.EOFException)) {
                throw new UncheckedIOException(io);
              }
              long at = Math.max(line, lineFromMessage(e, line(json)));
              throw new DataFormatException(
                  file, at, DataFormatException.RECORD, "malformed JSON: " + rootMessage(e), e);
            }
          }
        };
    return stream(it, json);
  }

  /** The current line of a Gson reader, read from its location string ("... at line 5 column 3 path $[0]"). */
  static long line(JsonReader json) {
    Matcher m = GSON_LINE.matcher(json.toString());
    return m.find() ? Long.parseLong(m.group(1)) : 1;
  }

  private static long lineFromMessage(Throwable e, long fallback) {
    for (Throwable t = e; t != null; t = t.getCause()) {
      if (t.getMessage() != null) {
        Matcher m = GSON_LINE.matcher(t.getMessage());
        if (m.find()) {
          return Long.parseLong(m.group(1));
        }
      }
    }
    return fallback;
  }

  static String rootMessage(Throwable e) {
    Throwable t = e;
    while (t.getCause() != null) {
      t = t.getCause();
    }
    String m = t.getMessage() == null ? t.getClass().getSimpleName() : t.getMessage();
    int cut = m.indexOf("\nSee https");
    return cut > 0 ? m.substring(0, cut) : m;
  }

  private static <T> Stream<T> stream(Iterator<T> it, AutoCloseable resource) {
    return StreamSupport.stream(Spliterators.spliteratorUnknownSize(it, Spliterator.ORDERED | Spliterator.NONNULL), false)
        .onClose(
            () -> {
              try {
                resource.close();
              } catch (Exception e) {
                throw new IllegalStateException(e);
              }
            });
  }
}
