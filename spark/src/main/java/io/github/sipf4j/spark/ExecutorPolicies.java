package io.github.sipf4j.spark;

import ai.djl.Device;
import io.github.sipf4j.orpo.model.CausalLm;
import io.github.sipf4j.orpo.text.TextTokenizer;
import io.github.sipf4j.prm.rollout.PolicyRef;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.BasicFileAttributes;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;

/**
 * The policies loaded in one executor JVM, so that an executor loads an iteration's policy once and not once per
 * task or job. Models are not thread-safe, so a running task borrows a model of its own and gives it back; an
 * executor therefore holds as many copies of a policy as it runs tasks at once (one on a GPU executor that runs one
 * task per GPU). A policy is keyed by its directory, its model kind, the device and a fingerprint of its files
 * (names, sizes, modification times), so a folder rewritten in place is loaded again. The models of the
 * {@value #KEEP} most recently used policies stay; older ones are closed.
 */
final class ExecutorPolicies {

  /** How many policies (keys) stay loaded: an iteration's sampling/simulation policy and its evaluated successor. */
  static final int KEEP = 2;

  private static final Map<Key, Deque<Loaded>> IDLE = new LinkedHashMap<>(4, 0.75f, true);

  private ExecutorPolicies() {}

  /** A policy on a device, as of its files' state. */
  record Key(PolicyRef ref, String device, String fingerprint) {}

  /** A loaded policy: its model and tokenizer, and how long loading took (0 when it was reused). */
  record Loaded(Key key, CausalLm model, TextTokenizer tokenizer, long loadNanos) {}

  /**
   * Borrows a loaded copy of a policy, loading one when none is idle.
   *
   * @param ref the policy
   * @param device the device
   * @return the copy; give it back with {@link #giveBack}
   * @throws IOException if the directory cannot be read here (the message names it and this host) or the model does
   *     not load
   */
  static Loaded borrow(PolicyRef ref, Device device) throws IOException {
    Path dir = ref.path();
    if (!Files.isDirectory(dir) || !Files.isReadable(dir)) {
      throw new IOException("the policy directory " + dir + " cannot be read on " + where() + " ("
          + (Files.exists(dir) ? "not a readable directory" : "it does not exist there") + "): every Spark executor "
          + "must read the run's work directory, so put it on a shared file system mounted at the same path");
    }
    Key key = new Key(ref, device.toString(), fingerprint(dir));
    synchronized (IDLE) {
      Deque<Loaded> idle = IDLE.get(key);
      if (idle != null && !idle.isEmpty()) {
        Loaded l = idle.pop();
        return new Loaded(key, l.model(), l.tokenizer(), 0);
      }
    }
    long t0 = System.nanoTime();
    CausalLm model = ref.load(device, List.of());
    try {
      TextTokenizer tokenizer = ref.loadTokenizer();
      return new Loaded(key, model, tokenizer, System.nanoTime() - t0);
    } catch (IOException | RuntimeException e) {
      model.close();
      throw e;
    }
  }

  /**
   * Gives a borrowed copy back for the next task, and closes the copies of policies no longer among the
   * {@value #KEEP} most recent.
   *
   * @param loaded the copy
   */
  static void giveBack(Loaded loaded) {
    List<Loaded> evicted = new ArrayList<>();
    synchronized (IDLE) {
      IDLE.computeIfAbsent(loaded.key(), k -> new ArrayDeque<>()).push(loaded);
      Iterator<Map.Entry<Key, Deque<Loaded>>> it = IDLE.entrySet().iterator();
      for (int n = IDLE.size(); n > KEEP && it.hasNext(); n--) {
        evicted.addAll(it.next().getValue());
        it.remove();
      }
    }
    evicted.forEach(ExecutorPolicies::close);
  }

  /** Closes every idle copy (in local mode the executor is this JVM, so an engine's {@code close} calls this). */
  static void clear() {
    List<Loaded> all = new ArrayList<>();
    synchronized (IDLE) {
      IDLE.values().forEach(all::addAll);
      IDLE.clear();
    }
    all.forEach(ExecutorPolicies::close);
  }

  /**
   * Counts the idle copies held, for tests.
   *
   * @return the number of loaded models not in use
   */
  static int idleCopies() {
    synchronized (IDLE) {
      return IDLE.values().stream().mapToInt(Deque::size).sum();
    }
  }

  private static void close(Loaded l) {
    try (CausalLm m = l.model(); TextTokenizer t = l.tokenizer()) {
      // closed by try-with-resources
    }
  }

  private static String fingerprint(Path dir) throws IOException {
    StringBuilder sb = new StringBuilder();
    try (Stream<Path> files = Files.walk(dir)) {
      for (Path f : files.sorted().toList()) {
        BasicFileAttributes a = Files.readAttributes(f, BasicFileAttributes.class);
        if (a.isRegularFile()) {
          sb.append(dir.relativize(f)).append(':').append(a.size()).append(':')
              .append(a.lastModifiedTime().toMillis()).append(';');
        }
      }
    }
    return sb.toString();
  }

  private static String where() {
    org.apache.spark.SparkEnv env = org.apache.spark.SparkEnv.get();
    String host;
    try {
      host = java.net.InetAddress.getLocalHost().getHostName();
    } catch (IOException e) {
      host = "an unknown host";
    }
    return "executor " + (env == null ? "?" : env.executorId()) + " (host " + host + ")";
  }
}
