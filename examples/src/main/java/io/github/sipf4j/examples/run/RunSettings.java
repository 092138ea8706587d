package io.github.sipf4j.examples.run;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.snakeyaml.engine.v2.api.Dump;
import org.snakeyaml.engine.v2.api.DumpSettings;
import org.snakeyaml.engine.v2.common.FlowStyle;

/**
 * The settings of a checked run file with every default filled in: a tree of sections (maps), lists and values
 * ({@code Integer}, {@code Long}, {@code Double}, {@code Boolean}, {@code String}, {@code List<String>}), read by key
 * path. An optional section that is not written ({@code lora}, {@code warm_start}) is null. Made by
 * {@link RunFiles}; immutable.
 */
public final class RunSettings {

  private final Map<String, Object> tree;
  private final Path baseDir;

  RunSettings(Map<String, Object> tree, Path baseDir) {
    this.tree = freeze(tree);
    this.baseDir = baseDir;
  }

  @SuppressWarnings("unchecked")
  private static Map<String, Object> freeze(Map<String, Object> m) {
    Map<String, Object> out = new LinkedHashMap<>();
    m.forEach((k, v) -> out.put(k, v instanceof Map<?, ?> sub ? freeze((Map<String, Object>) sub)
        : v instanceof List<?> l ? freezeList(l) : v));
    return Collections.unmodifiableMap(out);
  }

  @SuppressWarnings("unchecked")
  private static List<Object> freezeList(List<?> l) {
    List<Object> out = new ArrayList<>();
    l.forEach(v -> out.add(v instanceof Map<?, ?> m ? freeze((Map<String, Object>) m) : v));
    return Collections.unmodifiableList(out);
  }

  /**
   * Returns the value at a key path.
   *
   * @param path such as {@code orpo.lambda}
   * @return the value, or null when unset (or inside an absent optional section)
   */
  @SuppressWarnings("unchecked")
  public Object get(String path) {
    Object at = tree;
    for (String part : path.split("\\.")) {
      if (!(at instanceof Map<?, ?> m)) {
        return null;
      }
      at = ((Map<String, Object>) m).get(part);
    }
    return at;
  }

  /**
   * Returns an int setting.
   *
   * @param path the key path
   * @return the value
   */
  public int getInt(String path) {
    return ((Number) get(path)).intValue();
  }

  /**
   * Returns a long setting.
   *
   * @param path the key path
   * @return the value
   */
  public long getLong(String path) {
    return ((Number) get(path)).longValue();
  }

  /**
   * Returns a number setting.
   *
   * @param path the key path
   * @return the value
   */
  public double getDouble(String path) {
    return ((Number) get(path)).doubleValue();
  }

  /**
   * Returns a true/false setting.
   *
   * @param path the key path
   * @return the value
   */
  public boolean getBool(String path) {
    return (Boolean) get(path);
  }

  /**
   * Returns a text setting.
   *
   * @param path the key path
   * @return the value, or null when unset
   */
  public String getString(String path) {
    return (String) get(path);
  }

  /**
   * Returns a list-of-names setting, such as {@code lora.target_modules}.
   *
   * @param path the key path
   * @return the names
   */
  @SuppressWarnings("unchecked")
  public List<String> getStrings(String path) {
    return (List<String>) get(path);
  }

  /**
   * Returns a file setting resolved against the working directory the file was read in.
   *
   * @param path the key path
   * @return the file, or null when unset
   */
  public Path getPath(String path) {
    String s = getString(path);
    return s == null ? null : resolve(s);
  }

  /**
   * Resolves a file name of the run file.
   *
   * @param file a file name, relative or absolute
   * @return the file
   */
  public Path resolve(String file) {
    Path f = Path.of(file);
    return f.isAbsolute() ? f : baseDir.resolve(f);
  }

  /**
   * Returns a section.
   *
   * @param path the section's key path
   * @return its settings, or null for an absent optional section
   */
  @SuppressWarnings("unchecked")
  public Map<String, Object> section(String path) {
    return (Map<String, Object>) get(path);
  }

  /**
   * Returns a list of sections, such as {@code tasks} or {@code eval}.
   *
   * @param path the list's key path
   * @return the items' settings
   */
  @SuppressWarnings("unchecked")
  public List<Map<String, Object>> list(String path) {
    Object v = get(path);
    return v == null ? List.of() : (List<Map<String, Object>>) v;
  }

  /**
   * Returns the whole tree.
   *
   * @return the settings, unmodifiable
   */
  public Map<String, Object> tree() {
    return tree;
  }

  /**
   * Writes the settings as YAML, every default included: a run file that reproduces this run.
   *
   * @return the YAML text
   */
  public String toYaml() {
    DumpSettings s = DumpSettings.builder().setDefaultFlowStyle(FlowStyle.BLOCK).setIndent(2)
        .setIndicatorIndent(2).setIndentWithIndicator(true).build();
    return new Dump(s).dumpToString(withoutNulls(tree));
  }

  /** Unset values and absent optional sections are left out: read back, they are unset and absent again. */
  @SuppressWarnings("unchecked")
  private static Object withoutNulls(Object v) {
    if (v instanceof Map<?, ?> m) {
      Map<String, Object> out = new LinkedHashMap<>();
      ((Map<String, Object>) m).forEach((k, x) -> {
        if (x != null) {
          out.put(k, withoutNulls(x));
        }
      });
      return out;
    }
    if (v instanceof List<?> l) {
      List<Object> out = new ArrayList<>();
      l.forEach(x -> out.add(withoutNulls(x)));
      return out;
    }
    return v;
  }
}
