package io.github.sipf4j.prm.iterate.phase;

import com.google.common.base.Preconditions;
import io.github.sipf4j.orpo.util.AtomicFiles;
import java.io.BufferedReader;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;

/**
 * An {@link ArtefactStore} in a local directory: artefact {@code a/b.jsonl} is the file {@code root/a/b.jsonl}. Files
 * are written beside their target and moved into place ({@link AtomicFiles}); a folder is written into
 * {@code name.tmp} and renamed.
 */
public final class LocalArtefactStore implements ArtefactStore {

  private final Path root;

  /**
   * Creates a store.
   *
   * @param root the directory; created on the first write
   */
  public LocalArtefactStore(Path root) {
    this.root = Preconditions.checkNotNull(root, "root");
  }

  /**
   * Returns the directory.
   *
   * @return the root directory
   */
  public Path root() {
    return root;
  }

  @Override
  public Path location(String name) {
    return root.resolve(name);
  }

  @Override
  public boolean exists(String name) {
    return Files.exists(location(name));
  }

  @Override
  public void writeText(String name, AtomicFiles.TextBody body) throws IOException {
    AtomicFiles.writeText(location(name), body);
  }

  @Override
  public BufferedReader reader(String name) throws IOException {
    return Files.newBufferedReader(location(name), StandardCharsets.UTF_8);
  }

  @Override
  public Path directory(String name) throws IOException {
    return Files.createDirectories(location(name));
  }

  @Override
  public void writeDirectory(String name, DirectoryBody body) throws IOException {
    Path dir = location(name);
    Path tmp = dir.resolveSibling(dir.getFileName() + ".tmp");
    AtomicFiles.deleteRecursively(tmp);
    Files.createDirectories(tmp);
    body.writeTo(tmp);
    AtomicFiles.deleteRecursively(dir);
    Files.move(tmp, dir, StandardCopyOption.ATOMIC_MOVE);
  }
}
