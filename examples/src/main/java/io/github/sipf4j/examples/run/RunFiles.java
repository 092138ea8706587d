package io.github.sipf4j.examples.run;

import io.github.sipf4j.examples.run.YamlTree.YList;
import io.github.sipf4j.examples.run.YamlTree.YMap;
import io.github.sipf4j.examples.run.YamlTree.YNode;
import io.github.sipf4j.examples.run.YamlTree.YScalar;
import io.github.sipf4j.prm.rollout.RolloutEngineFactory;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.regex.Pattern;

/**
 * Reads a run file: parses the YAML, applies {@code --set key.path=value} overrides, checks every key and value
 * against {@link RunSchema}, fills in the defaults, and checks what the values say together (a model is named, the
 * files exist, the device and engine are known). Every problem is collected; if there is any, a
 * {@link RunFileException} lists them all, each with its key path and line, before any work starts.
 *
 * <pre>{@code
 * RunSettings s = RunFiles.read(Path.of("run.yaml"), List.of("orpo.lambda=0.2"), Path.of(""));
 * int n = s.getInt("sampling.samples_per_question");
 * }</pre>
 */
public final class RunFiles {

  private static final Pattern SAFE_NAME = Pattern.compile("[A-Za-z0-9._-]+");
  private static final Pattern DEVICE = Pattern.compile("cpu|gpu(:\\d+)?");
  private static final Pattern INDEX = Pattern.compile("\\d+");

  private RunFiles() {}

  /**
   * Reads and checks a run file.
   *
   * @param file the run file
   * @param overrides {@code key.path=value} settings that replace the file's (list items by index: {@code
   *     tasks.0.limit=100}); values are YAML ({@code [q_proj, v_proj]} is a list)
   * @param baseDir the folder that relative paths in the file are resolved against (the working directory)
   * @return the resolved settings
   * @throws IOException if the file cannot be read
   * @throws RunFileException listing every problem of the file
   */
  public static RunSettings read(Path file, List<String> overrides, Path baseDir) throws IOException {
    if (!Files.isRegularFile(file)) {
      throw new NoSuchFileException(file.toString(), null, "no such run file");
    }
    return parse(Files.readString(file), file.toString(), overrides, baseDir);
  }

  /**
   * Checks a run file's text.
   *
   * @param text the YAML text
   * @param label the name used in messages (the file name)
   * @param overrides {@code key.path=value} settings (see {@link #read})
   * @param baseDir the folder that relative paths are resolved against
   * @return the resolved settings
   * @throws RunFileException listing every problem
   */
  public static RunSettings parse(String text, String label, List<String> overrides, Path baseDir) {
    return parse(text, label, overrides, baseDir, true);
  }

  /**
   * Checks a run file's keys and values, and what they say together only when asked (the reference file, which
   * shows every section at once, is read without).
   */
  static RunSettings parse(String text, String label, List<String> overrides, Path baseDir, boolean together) {
    List<RunProblem> problems = new ArrayList<>();
    YNode root = YamlTree.parse(text, label, problems);
    if (!(root instanceof YMap)) {
      throw new RunFileException(label, List.of(new RunProblem("(root)", root.line(),
          "a run file is a mapping of settings (key: value)")));
    }
    YMap map = (YMap) root;
    for (String o : overrides) {
      applyOverride(map, o, problems);
    }
    Resolver r = new Resolver(problems, baseDir);
    Map<String, Object> resolved = r.section(map, RunSchema.root(), "");
    if (problems.isEmpty() && together) {
      r.crossChecks(resolved);
    }
    if (!problems.isEmpty()) {
      List<RunProblem> sorted = new ArrayList<>(problems);
      sorted.sort(java.util.Comparator.comparingInt(p -> p.line() == 0 ? Integer.MAX_VALUE : p.line()));
      throw new RunFileException(label, sorted);
    }
    return new RunSettings(resolved, baseDir);
  }

  /** Sets one {@code key.path=value} into the tree, creating sections on the way. */
  private static void applyOverride(YMap root, String override, List<RunProblem> problems) {
    int eq = override.indexOf('=');
    if (eq <= 0) {
      problems.add(new RunProblem("--set " + override, 0, "expected key.path=value"));
      return;
    }
    String path = override.substring(0, eq).strip().replace("[", ".").replace("]", "");
    String[] parts = path.split("\\.");
    List<RunProblem> valueProblems = new ArrayList<>();
    YNode value;
    try {
      value = relabel(YamlTree.parse(override.substring(eq + 1), "--set " + path, valueProblems));
    } catch (RunFileException e) {
      problems.add(new RunProblem(path, 0, "--set value is not valid YAML"));
      return;
    }
    if (override.substring(eq + 1).isBlank()) {
      value = new YScalar("", true, 0);
    }
    YNode at = root;
    for (int i = 0; i < parts.length; i++) {
      String part = parts[i];
      boolean last = i == parts.length - 1;
      if (at instanceof YMap m) {
        if (last) {
          m.entries().put(part, value);
          m.keyLines().put(part, 0);
        } else {
          YNode next = m.entries().get(part);
          if (next == null || next instanceof YScalar s && s.isNull()) {
            next = INDEX.matcher(parts[i + 1]).matches() ? new YList(new ArrayList<>(), 0)
                : new YMap(new LinkedHashMap<>(), new LinkedHashMap<>(), 0);
            m.entries().put(part, next);
            m.keyLines().put(part, 0);
          }
          at = next;
        }
      } else if (at instanceof YList l && INDEX.matcher(part).matches()) {
        int idx = Integer.parseInt(part);
        if (idx > l.items().size()) {
          problems.add(new RunProblem(path, 0, "--set: the list has " + l.items().size() + " items; index " + idx
              + " would leave a gap"));
          return;
        }
        if (last) {
          if (idx == l.items().size()) {
            l.items().add(value);
          } else {
            l.items().set(idx, value);
          }
        } else {
          if (idx == l.items().size()) {
            l.items().add(new YMap(new LinkedHashMap<>(), new LinkedHashMap<>(), 0));
          }
          at = l.items().get(idx);
        }
      } else {
        problems.add(new RunProblem(path, 0, "--set: '" + String.join(".", List.of(parts).subList(0, i))
            + "' is not a section"));
        return;
      }
    }
  }

  /** A value given on the command line has no line in the file. */
  private static YNode relabel(YNode n) {
    if (n instanceof YScalar s) {
      return new YScalar(s.text(), s.plain(), 0);
    }
    if (n instanceof YList l) {
      List<YNode> items = new ArrayList<>();
      l.items().forEach(x -> items.add(relabel(x)));
      return new YList(items, 0);
    }
    YMap m = (YMap) n;
    Map<String, YNode> e = new LinkedHashMap<>();
    Map<String, Integer> lines = new LinkedHashMap<>();
    m.entries().forEach((k, v) -> {
      e.put(k, relabel(v));
      lines.put(k, 0);
    });
    return new YMap(e, lines, 0);
  }

  /** Walks the tree against the schema. */
  private static final class Resolver {
    private final List<RunProblem> problems;
    private final Path baseDir;
    private final Map<String, Integer> lines = new LinkedHashMap<>();

    Resolver(List<RunProblem> problems, Path baseDir) {
      this.problems = problems;
      this.baseDir = baseDir;
    }

    Map<String, Object> section(YMap node, RunSchema.Section schema, String path) {
      Map<String, Object> out = new LinkedHashMap<>();
      node.entries().forEach((key, value) -> {
        if (!schema.children().containsKey(key)) {
          problems.add(new RunProblem(join(path, key), node.keyLines().getOrDefault(key, 0),
              "unknown key" + suggestion(key, schema, path)));
        }
      });
      schema.children().forEach((name, child) -> {
        String p = join(path, name);
        YNode given = node.entries().get(name);
        int line = node.keyLines().getOrDefault(name, node.line());
        lines.put(p, given == null ? 0 : line);
        boolean absent = given == null || given instanceof YScalar s && s.isNull();
        if (child instanceof RunKey k) {
          if (absent) {
            if (k.required()) {
              problems.add(new RunProblem(p, path.isEmpty() ? 0 : node.line(), "required"
                  + (k.choices().isEmpty() ? "" : " (one of " + String.join(", ", k.choices()) + ")")));
            }
            out.put(name, k.defaultValue());
          } else {
            out.put(name, value(given, k, p, line));
          }
        } else if (child instanceof RunSchema.Section s) {
          if (given == null) {
            out.put(name, s.optional() ? null : section(empty(node.line()), s, p));
          } else if (absent) {
            out.put(name, section(empty(line), s, p)); // written but empty: on, with its defaults
          } else if (given instanceof YMap m) {
            out.put(name, section(m, s, p));
          } else {
            problems.add(new RunProblem(p, line, "must be a section of settings (key: value lines)"));
          }
        } else {
          RunSchema.ListOf l = (RunSchema.ListOf) child;
          List<Object> items = new ArrayList<>();
          if (absent) {
            if (l.required()) {
              problems.add(new RunProblem(p, path.isEmpty() ? 0 : node.line(), "required: a list of at least one "
                  + "item"));
            }
          } else if (given instanceof YList list) {
            if (list.items().isEmpty() && l.required()) {
              problems.add(new RunProblem(p, line, "must hold at least one item"));
            }
            for (int i = 0; i < list.items().size(); i++) {
              YNode item = list.items().get(i);
              String ip = p + "[" + i + "]";
              lines.put(ip, item.line());
              if (item instanceof YMap m) {
                items.add(section(m, l.element(), ip));
              } else {
                problems.add(new RunProblem(ip, item.line(), "must be a section of settings (key: value lines)"));
              }
            }
          } else {
            problems.add(new RunProblem(p, line, "must be a list (lines starting with '- ')"));
          }
          out.put(name, items);
        }
      });
      return out;
    }

    private static YMap empty(int line) {
      return new YMap(new LinkedHashMap<>(), new LinkedHashMap<>(), line);
    }

    private Object value(YNode given, RunKey k, String path, int line) {
      if (k.type() == RunKey.Type.STRING_LIST) {
        List<String> out = new ArrayList<>();
        if (given instanceof YList l) {
          for (YNode n : l.items()) {
            if (n instanceof YScalar s && !s.isNull()) {
              out.add(s.text());
            } else {
              problems.add(new RunProblem(path, n.line(), "must be a list of names"));
              return k.defaultValue();
            }
          }
        } else if (given instanceof YScalar s) {
          out.add(s.text());
        } else {
          problems.add(new RunProblem(path, line, "must be a list of names, got a section"));
          return k.defaultValue();
        }
        return check(k, path, line, List.copyOf(out), RunKey.show(out));
      }
      if (!(given instanceof YScalar s)) {
        problems.add(new RunProblem(path, line, "must be " + article(k) + ", got a "
            + (given instanceof YList ? "list" : "section")));
        return k.defaultValue();
      }
      String t = s.text().strip();
      Object v;
      try {
        v = switch (k.type()) {
          case INT -> Integer.parseInt(t.replace("_", ""));
          case LONG -> Long.parseLong(t.replace("_", ""));
          case DOUBLE -> parseDouble(t);
          case BOOL -> parseBool(t);
          case STRING, PATH -> s.text();
          case CHOICE -> {
            String c = t.toLowerCase(Locale.ROOT);
            if (!k.choices().contains(c)) {
              throw new IllegalArgumentException("must be one of " + String.join(", ", k.choices()) + ", got '" + t
                  + "'" + closest(c, k.choices()));
            }
            yield c;
          }
          default -> throw new IllegalStateException(k.type().toString());
        };
      } catch (NumberFormatException e) {
        problems.add(new RunProblem(path, line, "must be " + article(k) + ", got '" + t + "'"));
        return k.defaultValue();
      } catch (IllegalArgumentException e) {
        problems.add(new RunProblem(path, line, e.getMessage()));
        return k.defaultValue();
      }
      return check(k, path, line, v, t);
    }

    private Object check(RunKey k, String path, int line, Object v, String text) {
      if (k.rule() != null) {
        String p = k.rule().problem(v);
        if (p != null) {
          problems.add(new RunProblem(path, line, p + ", got " + text));
        }
      }
      return v;
    }

    private static double parseDouble(String t) {
      String x = t.replace("_", "");
      if (x.equalsIgnoreCase(".nan") || x.equalsIgnoreCase(".inf") || x.equalsIgnoreCase("-.inf")
          || x.equalsIgnoreCase("nan") || x.toLowerCase(Locale.ROOT).contains("infinity")) {
        throw new IllegalArgumentException("must be a finite number, got '" + t + "'");
      }
      double d = Double.parseDouble(x);
      if (!Double.isFinite(d)) {
        throw new IllegalArgumentException("must be a finite number, got '" + t + "'");
      }
      return d;
    }

    private static boolean parseBool(String t) {
      return switch (t.toLowerCase(Locale.ROOT)) {
        case "true" -> true;
        case "false" -> false;
        default -> throw new IllegalArgumentException("must be true or false, got '" + t + "'");
      };
    }

    private static String article(RunKey k) {
      return switch (k.type()) {
        case INT, LONG -> "a whole number";
        case DOUBLE -> "a number";
        case BOOL -> "true or false";
        case PATH -> "a file or folder name";
        case STRING_LIST -> "a list of names";
        default -> "a name";
      };
    }

    /** What the values say together; only run when every value has the right type. */
    @SuppressWarnings("unchecked")
    void crossChecks(Map<String, Object> r) {
      Map<String, Object> model = (Map<String, Object>) r.get("model");
      String path = (String) model.get("path");
      boolean embedded = (Boolean) model.get("embedded");
      if (path == null && !embedded) {
        problems.add(new RunProblem("model", line("model"), "name a model: model.path (a Hugging Face folder or "
            + "a saved sipf4j model) or model.embedded: true (a new character-level DecoderLm, trained by "
            + "warm_start)"));
      } else if (path != null && embedded) {
        problems.add(new RunProblem("model.embedded", line("model.embedded"), "give model.path or "
            + "model.embedded: true, not both"));
      } else if (path != null) {
        Path p = resolve(path);
        if (!Files.isDirectory(p)) {
          problems.add(new RunProblem("model.path", line("model.path"), "no such folder: " + p));
        } else if (!Files.exists(p.resolve("tokenizer.json")) && !Files.exists(p.resolve("tokenizer.model"))) {
          problems.add(new RunProblem("model.path", line("model.path"), "the folder " + p + " has no tokenizer "
              + "file (tokenizer.json)"));
        }
      }
      if (embedded && r.get("warm_start") == null) {
        problems.add(new RunProblem("model.embedded", line("model.embedded"), "a new model knows nothing: add a "
            + "warm_start section (gold rationales to train it on)"));
      }
      if ("bfloat16".equals(model.get("dtype"))) {
        problems.add(new RunProblem("model.dtype", line("model.dtype"), "bfloat16 is not available: DJL 0.36's "
            + "PyTorch engine cannot make bfloat16 arrays; use float16 on a GPU or float32"));
      }
      if (embedded && "float16".equals(model.get("dtype"))) {
        problems.add(new RunProblem("model.dtype", line("model.dtype"), "the embedded DecoderLm trains in float32 "
            + "only"));
      }
      String device = ((String) r.get("device")).strip().toLowerCase(Locale.ROOT);
      if (!DEVICE.matcher(device).matches()) {
        problems.add(new RunProblem("device", line("device"), "must be cpu, gpu or gpu:N, got '" + device + "'"));
      }
      Map<String, Object> rollout = (Map<String, Object>) r.get("rollout");
      String engine = (String) rollout.get("engine");
      if (!RolloutEngineFactory.names().contains(engine)) {
        problems.add(new RunProblem("rollout.engine", line("rollout.engine"), RolloutEngineFactory.unknown(engine)));
      }
      List<String> engineSettings = (List<String>) rollout.get("settings");
      for (int i = 0; i < engineSettings.size(); i++) {
        if (engineSettings.get(i).indexOf('=') <= 0) {
          problems.add(new RunProblem("rollout.settings[" + i + "]", line("rollout.settings"), "must be KEY=VALUE, "
              + "got '" + engineSettings.get(i) + "'"));
        }
      }
      if (r.get("lora") != null && Boolean.TRUE.equals(((Map<String, Object>) r.get("model")).get("embedded"))) {
        problems.add(new RunProblem("lora", line("lora"), LORA_NEEDS_FOLDER));
      }
      Map<String, Object> warm = (Map<String, Object>) r.get("warm_start");
      if (warm != null) {
        taskSource((Map<String, Object>) warm.get("tasks"), "warm_start.tasks", false);
      }
      List<Object> tasks = (List<Object>) r.get("tasks");
      for (int i = 0; i < tasks.size(); i++) {
        taskSource((Map<String, Object>) tasks.get(i), "tasks[" + i + "]", false);
      }
      List<Object> eval = (List<Object>) r.get("eval");
      Set<String> names = new HashSet<>();
      for (int i = 0; i < eval.size(); i++) {
        Map<String, Object> e = (Map<String, Object>) eval.get(i);
        String p = "eval[" + i + "]";
        taskSource(e, p, true);
        String name = (String) e.get("name");
        if (!SAFE_NAME.matcher(name).matches()) {
          problems.add(new RunProblem(p + ".name", line(p + ".name"), "must be made of letters, digits, '.', '-' "
              + "and '_', got '" + name + "'"));
        } else if (!names.add(name)) {
          problems.add(new RunProblem(p + ".name", line(p + ".name"), "evaluation set '" + name + "' is named "
              + "twice (give each a name:)"));
        }
      }
      Map<String, Object> prm = (Map<String, Object>) r.get("prm");
      if (prm.get("lora") != null) {
        if (r.get("lora") == null) {
          problems.add(new RunProblem("prm.lora", line("prm.lora"), "the PRM's adapters sit on the policy's frozen "
              + "base: add a lora section (the policy's adapters)"));
        }
        if (!"process".equals(r.get("mode")) || !"learned".equals(prm.get("rewards"))) {
          problems.add(new RunProblem("prm.lora", line("prm.lora"), "applies to a learned PRM (mode: process, "
              + "prm.rewards: learned); the mode is " + r.get("mode") + ", the rewards " + prm.get("rewards")));
        }
      }
      if (!"process".equals(r.get("mode")) && "monte_carlo".equals(prm.get("rewards"))) {
        problems.add(new RunProblem("prm.rewards", line("prm.rewards"), "monte_carlo rewards apply to mode: "
            + "process only; the mode is " + r.get("mode")));
      }
      for (String section : List.of("warm_start", "prm", "orpo")) {
        Map<String, Object> sec = (Map<String, Object>) r.get(section);
        Integer micro = sec == null ? null : (Integer) sec.get("micro_batch_size");
        if (micro != null && micro > (Integer) sec.get("batch_size")) {
          String p = section + ".micro_batch_size";
          problems.add(new RunProblem(p, line(p), "must be at most " + section + ".batch_size ("
              + sec.get("batch_size") + "), got " + micro));
        }
      }
      Map<String, Object> pairs = (Map<String, Object>) r.get("pairs");
      if ((Boolean) pairs.get("prefer_flawed_rejected") && "rft".equals(r.get("mode"))) {
        problems.add(new RunProblem("pairs.prefer_flawed_rejected", line("pairs.prefer_flawed_rejected"),
            "applies to preference pairs; mode rft trains on correct samples"));
      }
    }

    /** Kind-specific keys of a task source; fills in an evaluation set's name from its file or split. */
    private void taskSource(Map<String, Object> s, String p, boolean named) {
      String kind = (String) s.get("kind");
      String file = (String) s.get("file");
      if ("synthetic".equals(kind)) {
        if (file != null) {
          problems.add(new RunProblem(p + ".file", line(p + ".file"), "synthetic tasks are generated; give split, "
              + "count and seed instead of a file"));
        }
      } else {
        if (file == null) {
          problems.add(new RunProblem(p + ".file", line(p), "required for kind " + kind));
        } else {
          Path f = resolve(file);
          boolean folderOk = "mmlu".equals(kind) && Files.isDirectory(f);
          if (!Files.isRegularFile(f) && !folderOk) {
            problems.add(new RunProblem(p + ".file", line(p + ".file"), "no such file: " + f
                + ("mmlu".equals(kind) ? " (an MMLU CSV file or a folder of them)" : "")));
          }
        }
        for (String only : List.of("split", "count", "seed")) {
          if (line(p + "." + only) > 0) {
            problems.add(new RunProblem(p + "." + only, line(p + "." + only), "applies to kind synthetic only"));
          }
          s.remove(only);
        }
      }
      if (named && s.get("name") == null) {
        String n = "synthetic".equals(kind) ? (String) s.get("split")
            : file == null ? kind : stripExtensions(Path.of(file).getFileName().toString());
        s.put("name", n);
      }
    }

    private Path resolve(String file) {
      Path f = Path.of(file);
      return f.isAbsolute() ? f : baseDir.resolve(f);
    }

    private int line(String path) {
      return lines.getOrDefault(path, 0);
    }

    private String suggestion(String key, RunSchema.Section schema, String path) {
      String near = closest(key, new ArrayList<>(schema.children().keySet()));
      if (!near.isEmpty()) {
        return near;
      }
      List<String> elsewhere = new ArrayList<>();
      find(RunSchema.root(), "", key, elsewhere);
      elsewhere.remove(join(path, key));
      return elsewhere.isEmpty() ? "; this section takes " + String.join(", ", schema.children().keySet())
          : " (did you mean '" + elsewhere.get(0) + "'?)";
    }

    private static void find(RunSchema.Section s, String path, String key, List<String> out) {
      s.children().forEach((name, child) -> {
        String p = join(path, name);
        if (name.equals(key)) {
          out.add(p);
        }
        if (child instanceof RunSchema.Section sub) {
          find(sub, p, key, out);
        } else if (child instanceof RunSchema.ListOf l) {
          find(l.element(), p + "[]", key, out);
        }
      });
    }
  }

  /** Why a lora section needs a model folder. */
  static final String LORA_NEEDS_FOLDER = "LoRA adapters need a model folder (model.path): a saved adapter names the "
      + "folder of its frozen base, and the embedded model has none; set model.path or remove the lora section";

  /** " (did you mean 'x'?)" for the nearest name within edit distance 2, or "". */
  static String closest(String key, List<String> names) {
    String best = null;
    int bestD = Integer.MAX_VALUE;
    for (String n : names) {
      int d = distance(key.toLowerCase(Locale.ROOT), n);
      if (d < bestD) {
        bestD = d;
        best = n;
      }
    }
    return best != null && bestD <= Math.max(1, Math.min(2, key.length() / 3)) ? " (did you mean '" + best + "'?)"
        : "";
  }

  /** Damerau-free Levenshtein distance. */
  static int distance(String a, String b) {
    int[] prev = new int[b.length() + 1];
    int[] cur = new int[b.length() + 1];
    for (int j = 0; j <= b.length(); j++) {
      prev[j] = j;
    }
    for (int i = 1; i <= a.length(); i++) {
      cur[0] = i;
      for (int j = 1; j <= b.length(); j++) {
        int c = a.charAt(i - 1) == b.charAt(j - 1) ? 0 : 1;
        cur[j] = Math.min(Math.min(cur[j - 1] + 1, prev[j] + 1), prev[j - 1] + c);
      }
      int[] t = prev;
      prev = cur;
      cur = t;
    }
    return prev[b.length()];
  }

  private static String join(String path, String key) {
    return path.isEmpty() ? key : path + "." + key;
  }

  private static String stripExtensions(String name) {
    String n = name;
    for (String ext : List.of(".gz", ".jsonl", ".json", ".csv")) {
      if (n.toLowerCase(Locale.ROOT).endsWith(ext)) {
        n = n.substring(0, n.length() - ext.length());
      }
    }
    return n.replaceAll("[^A-Za-z0-9._-]", "_");
  }
}
