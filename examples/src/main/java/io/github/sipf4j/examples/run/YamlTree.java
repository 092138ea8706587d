package io.github.sipf4j.examples.run;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.snakeyaml.engine.v2.api.LoadSettings;
import org.snakeyaml.engine.v2.api.lowlevel.Compose;
import org.snakeyaml.engine.v2.exceptions.Mark;
import org.snakeyaml.engine.v2.exceptions.MarkedYamlEngineException;
import org.snakeyaml.engine.v2.exceptions.YamlEngineException;
import org.snakeyaml.engine.v2.nodes.MappingNode;
import org.snakeyaml.engine.v2.nodes.Node;
import org.snakeyaml.engine.v2.nodes.NodeTuple;
import org.snakeyaml.engine.v2.nodes.ScalarNode;
import org.snakeyaml.engine.v2.nodes.SequenceNode;

/**
 * A YAML document as a tree of mappings, sequences and scalars that remembers the line of every key and value, so
 * that a run file's problems can name their line. Read with snakeyaml-engine's composer (no object construction: a
 * run file cannot instantiate classes); scalars stay text until the schema converts them.
 */
final class YamlTree {

  private YamlTree() {}

  /** A node of the tree. */
  sealed interface YNode permits YMap, YList, YScalar {
    /**
     * Returns the node's line, from 1; 0 for a value given on the command line.
     *
     * @return the line
     */
    int line();
  }

  /**
   * A mapping with string keys, in the file's order.
   *
   * @param entries the values by key
   * @param keyLines the line of every key
   * @param line the mapping's line
   */
  record YMap(Map<String, YNode> entries, Map<String, Integer> keyLines, int line) implements YNode {}

  /**
   * A sequence.
   *
   * @param items the items
   * @param line the sequence's line
   */
  record YList(List<YNode> items, int line) implements YNode {}

  /**
   * A scalar as written.
   *
   * @param text the text
   * @param plain whether it was written without quotes (only then do {@code null}, {@code ~} and an empty value
   *     mean "not set")
   * @param line the scalar's line
   */
  record YScalar(String text, boolean plain, int line) implements YNode {
    /**
     * Returns whether the scalar is YAML's null.
     *
     * @return true for an unquoted {@code null}, {@code Null}, {@code NULL}, {@code ~} or empty value
     */
    boolean isNull() {
      return plain && (text.isEmpty() || text.equals("~") || text.equalsIgnoreCase("null"));
    }
  }

  /**
   * Parses a YAML document.
   *
   * @param text the document
   * @param label the name used in syntax errors (the file name)
   * @param problems where duplicate or non-string keys are reported
   * @return the root node, or an empty mapping for an empty document
   * @throws RunFileException for a YAML syntax error, naming its line and column
   */
  static YNode parse(String text, String label, List<RunProblem> problems) {
    LoadSettings settings = LoadSettings.builder().setLabel(label).setUseMarks(true).setAllowDuplicateKeys(true)
        .setMaxAliasesForCollections(50).build();
    Optional<Node> root;
    try {
      root = new Compose(settings).composeString(text);
    } catch (MarkedYamlEngineException e) {
      int line = e.getProblemMark().map(m -> m.getLine() + 1).orElse(0);
      String where = e.getProblemMark().map(m -> "column " + (m.getColumn() + 1) + ": ").orElse("");
      throw new RunFileException(label, List.of(new RunProblem("(yaml)", line, "not valid YAML: " + where
          + e.getProblem())));
    } catch (YamlEngineException e) {
      throw new RunFileException(label, List.of(new RunProblem("(yaml)", 0, "not valid YAML: " + e.getMessage())));
    }
    return root.isEmpty() ? new YMap(new LinkedHashMap<>(), new LinkedHashMap<>(), 1)
        : convert(root.get(), "", problems);
  }

  private static YNode convert(Node n, String path, List<RunProblem> problems) {
    int line = line(n.getStartMark());
    if (n instanceof ScalarNode s) {
      return new YScalar(s.getValue(), s.isPlain(), line);
    }
    if (n instanceof SequenceNode s) {
      List<YNode> items = new ArrayList<>();
      for (int i = 0; i < s.getValue().size(); i++) {
        items.add(convert(s.getValue().get(i), path + "[" + i + "]", problems));
      }
      return new YList(items, line);
    }
    MappingNode m = (MappingNode) n;
    Map<String, YNode> entries = new LinkedHashMap<>();
    Map<String, Integer> lines = new LinkedHashMap<>();
    for (NodeTuple t : m.getValue()) {
      int keyLine = line(t.getKeyNode().getStartMark());
      if (!(t.getKeyNode() instanceof ScalarNode k)) {
        problems.add(new RunProblem(path.isEmpty() ? "(root)" : path, keyLine, "keys must be plain names"));
        continue;
      }
      String key = k.getValue();
      String child = path.isEmpty() ? key : path + "." + key;
      if (entries.containsKey(key)) {
        problems.add(new RunProblem(child, keyLine, "given twice (first on line " + lines.get(key) + ")"));
        continue;
      }
      entries.put(key, convert(t.getValueNode(), child, problems));
      lines.put(key, keyLine);
    }
    return new YMap(entries, lines, line);
  }

  private static int line(Optional<Mark> mark) {
    return mark.map(m -> m.getLine() + 1).orElse(0);
  }
}
