package io.github.sipf4j.orpo.model.hf;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/** The registry of decoder families, keyed by {@code config.json}'s {@code model_type}. */
final class HfFamilies {

  private static final Map<String, HfFamily> BY_TYPE = new LinkedHashMap<>();

  static {
    for (HfFamily f : List.of(LlamaFamily.llama(), LlamaFamily.qwen2(), LlamaFamily.gemma(), new PhiFamily())) {
      for (String type : f.modelTypes()) {
        BY_TYPE.put(type, f);
      }
    }
  }

  private HfFamilies() {}

  /** Returns the family of a model type, or null when none is registered. */
  static HfFamily forModelType(String modelType) {
    return BY_TYPE.get(modelType);
  }

  /** Returns the family of a parsed configuration. */
  static HfFamily of(HfConfig config) {
    return BY_TYPE.get(config.modelType());
  }

  /** Returns every supported model type, in registration order. */
  static List<String> modelTypes() {
    return new ArrayList<>(BY_TYPE.keySet());
  }
}
