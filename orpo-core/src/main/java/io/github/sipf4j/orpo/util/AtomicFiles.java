package io.github.sipf4j.orpo.util;

import java.io.BufferedOutputStream;
import java.io.BufferedWriter;
import java.io.IOException;
import java.io.OutputStream;
import java.io.OutputStreamWriter;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.Comparator;
import java.util.stream.Stream;

/**
 * Files that either hold their whole new content or their old one: each is written beside its target
 * ({@code name.tmp}) and then moved into place atomically, so a process killed mid-write never leaves a truncated
 * file. Missing parent directories are created.
 */
public final class AtomicFiles {

  private AtomicFiles() {}

  /** Writes the content of a file to a stream. */
  @FunctionalInterface
  public interface StreamBody {
    /**
     * Writes the content.
     *
     * @param out the (buffered) stream of the temporary file
     * @throws IOException if writing fails
     */
    void writeTo(OutputStream out) throws IOException;
  }

  /** Writes the content of a text file. */
  @FunctionalInterface
  public interface TextBody {
    /**
     * Writes the content.
     *
     * @param out a UTF-8 writer on the temporary file
     * @throws IOException if writing fails
     */
    void writeTo(BufferedWriter out) throws IOException;
  }

  /**
   * Replaces a file with what {@code body} writes.
   *
   * @param file the target file
   * @param body writes the content
   * @throws IOException if writing or moving fails (the target is then unchanged)
   */
  public static void write(Path file, StreamBody body) throws IOException {
    Path parent = file.toAbsolutePath().getParent();
    if (parent != null) {
      Files.createDirectories(parent);
    }
    Path tmp = file.resolveSibling(file.getFileName() + ".tmp");
    try (OutputStream out = new BufferedOutputStream(Files.newOutputStream(tmp))) {
      body.writeTo(out);
    }
    Files.move(tmp, file, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
  }

  /**
   * Replaces a text file with what {@code body} writes, in UTF-8.
   *
   * @param file the target file
   * @param body writes the text
   * @throws IOException if writing or moving fails (the target is then unchanged)
   */
  public static void writeText(Path file, TextBody body) throws IOException {
    write(file, out -> {
      BufferedWriter w = new BufferedWriter(new OutputStreamWriter(out, StandardCharsets.UTF_8));
      body.writeTo(w);
      w.flush();
    });
  }

  /**
   * Replaces a file with the given bytes.
   *
   * @param file the target file
   * @param bytes the content
   * @throws IOException if writing or moving fails
   */
  public static void write(Path file, byte[] bytes) throws IOException {
    write(file, out -> out.write(bytes));
  }

  /**
   * Replaces a text file with the given text, in UTF-8.
   *
   * @param file the target file
   * @param text the content
   * @throws IOException if writing or moving fails
   */
  public static void writeString(Path file, String text) throws IOException {
    write(file, text.getBytes(StandardCharsets.UTF_8));
  }

  /**
   * Deletes a file or a directory with everything below it; nothing happens when it does not exist.
   *
   * @param path the file or directory
   * @throws IOException if something cannot be deleted
   */
  public static void deleteRecursively(Path path) throws IOException {
    if (!Files.exists(path)) {
      return;
    }
    try (Stream<Path> walk = Files.walk(path)) {
      for (Path q : walk.sorted(Comparator.reverseOrder()).toList()) {
        Files.delete(q);
      }
    }
  }
}
