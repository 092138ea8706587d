package io.github.sipf4j.orpo.lora;

import ai.djl.ndarray.types.Shape;
import io.github.sipf4j.orpo.model.AdaptableLm;
import io.github.sipf4j.orpo.model.LinearProjection;
import io.github.sipf4j.orpo.util.SafetensorsFile;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.TreeSet;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Collectors;

/**
 * The checks that put a PEFT adapter folder onto a base model: every tensor's key and shape against the base's
 * projections and the settings, the recorded base model against the base's name, and where the named base lives.
 */
final class AdapterFolder {

  private static final String KEY_PREFIX = LoraModel.KEY_PREFIX;
  private static final Pattern TENSOR_KEY = Pattern.compile(Pattern.quote(KEY_PREFIX)
      + "(.+)\\.lora_([AB])\\.weight");
  private static final Pattern LAYER_PREFIX = Pattern.compile("(?:.*\\.)?[^.]+\\.\\d+\\.(.+)");

  private AdapterFolder() {}

  /** The distinct projection names after the layer index ({@code self_attn.q_proj}, {@code attn.qkv}), sorted. */
  static Set<String> moduleNames(List<LinearProjection> projections) {
    Set<String> out = new TreeSet<>();
    for (LinearProjection p : projections) {
      Matcher m = LAYER_PREFIX.matcher(p.module());
      out.add(m.matches() ? m.group(1) : p.module());
    }
    return out;
  }

  /** The folder {@code base_model_name_or_path} names: absolute, relative to the adapter, or to the working one. */
  static Path baseFolder(Path dir, Path configFile, String name) throws IOException {
    String field = LoraFormatException.field("base_model_name_or_path");
    if (name == null || name.isBlank()) {
      throw new LoraFormatException(configFile, field, "names no base model; load the base yourself and use "
          + "LoraModel.load(base, dir)");
    }
    Path p = Path.of(name);
    List<Path> candidates = p.isAbsolute() ? List.of(p) : List.of(dir.resolve(p), p);
    for (Path c : candidates) {
      if (Files.isDirectory(c)) {
        return c;
      }
    }
    throw new LoraFormatException(configFile, field, "is \"" + name + "\", which is not a local folder (looked at "
        + candidates.stream().map(Path::toString).collect(Collectors.joining(" and ")) + "); sipf4j downloads "
        + "nothing: load the base yourself and use LoraModel.load(base, dir)");
  }

  /** Fails unless the recorded base and the base's name or path are equal or end in the same path component. */
  static void checkBaseName(Path configFile, String adapterBase, AdaptableLm base) throws LoraFormatException {
    Optional<String> mine = base.nameOrPath();
    if (adapterBase == null || adapterBase.isBlank() || mine.isEmpty() || sameModel(adapterBase, mine.get())) {
      return;
    }
    throw new LoraFormatException(configFile, LoraFormatException.field("base_model_name_or_path"), "is \""
        + adapterBase + "\" but the base model is " + mine.get() + "; load the adapter onto the model it was made "
        + "for, or load with checkBaseName false if this is the same model under another name");
  }

  private static boolean sameModel(String a, String b) {
    String x = a.replaceAll("[/\\\\]+$", "");
    String y = b.replaceAll("[/\\\\]+$", "");
    return x.equals(y) || lastSegment(x).equals(lastSegment(y));
  }

  private static String lastSegment(String s) {
    return s.substring(Math.max(s.lastIndexOf('/'), s.lastIndexOf('\\')) + 1);
  }

  /** Checks every tensor of an adapter file against the base and the settings; returns the adapted projections. */
  static List<Integer> checkTensors(SafetensorsFile file, List<LinearProjection> projections,
      AdapterConfigFile adapterConfig, Path configFile) throws LoraFormatException {
    Map<String, Integer> index = new HashMap<>();
    for (int i = 0; i < projections.size(); i++) {
      index.put(projections.get(i).module(), i);
    }
    Path path = file.path();
    Map<String, Set<String>> found = new LinkedHashMap<>();
    for (SafetensorsFile.TensorInfo info : file.tensors().values()) {
      String name = info.name();
      String where = LoraFormatException.tensor(name);
      Matcher m = TENSOR_KEY.matcher(name);
      if (!m.matches()) {
        throw new LoraFormatException(path, where, "is not a LoRA matrix (" + KEY_PREFIX + "MODULE.lora_A.weight or "
            + ".lora_B.weight); DoRA magnitudes, biases, embeddings and saved modules are not supported");
      }
      String module = m.group(1);
      if (!index.containsKey(module)) {
        throw new LoraFormatException(path, where, "adapts module " + module + ", which the base model does not "
            + "have; its projections are named " + moduleNames(projections) + " under their layers");
      }
      if (!List.of("F32", "F16", "BF16").contains(info.dtype())) {
        throw new LoraFormatException(path, where, "has dtype " + info.dtype() + "; adapters must be F32, F16 or BF16");
      }
      found.computeIfAbsent(module, k -> new LinkedHashSet<>()).add(m.group(2));
    }
    LoraConfig config = adapterConfig.config();
    List<Integer> selected = new ArrayList<>();
    for (int i = 0; i < projections.size(); i++) {
      LinearProjection p = projections.get(i);
      String module = p.module();
      Set<String> parts = found.get(module);
      boolean targeted = config.targets(module);
      if (parts == null) {
        if (targeted && adapterConfig.explicitTargets()) {
          throw new LoraFormatException(path, LoraFormatException.tensor(KEY_PREFIX + module + ".lora_A.weight"),
              "is missing: " + configFile.getFileName() + " targets module " + module + " of the base model");
        }
        continue;
      }
      if (adapterConfig.explicitTargets() && !targeted) {
        throw new LoraFormatException(path, LoraFormatException.tensor(KEY_PREFIX + module + ".lora_A.weight"),
            "adapts module " + module + ", which " + configFile.getFileName() + "'s target_modules do not select");
      }
      for (String ab : List.of("A", "B")) {
        if (!parts.contains(ab)) {
          throw new LoraFormatException(path, LoraFormatException.tensor(KEY_PREFIX + module + ".lora_" + ab
              + ".weight"), "is missing; module " + module + " has only lora_" + parts.iterator().next());
        }
      }
      int rank = config.rankFor(module);
      Shape wantA = new Shape(rank, p.inFeatures());
      Shape wantB = new Shape(p.outFeatures(), rank);
      for (String ab : List.of("A", "B")) {
        String name = KEY_PREFIX + module + ".lora_" + ab + ".weight";
        Shape got = file.tensor(name).shape();
        Shape want = ab.equals("A") ? wantA : wantB;
        if (!got.equals(want)) {
          throw new LoraFormatException(path, LoraFormatException.tensor(name), "has shape " + got + ", the base's "
              + "projection " + module + " (in " + p.inFeatures() + ", out " + p.outFeatures() + ") with r " + rank
              + " needs " + want);
        }
      }
      selected.add(i);
    }
    if (selected.isEmpty()) {
      throw new LoraFormatException(path, "file", "holds no adapter matrices");
    }
    return selected;
  }
}
