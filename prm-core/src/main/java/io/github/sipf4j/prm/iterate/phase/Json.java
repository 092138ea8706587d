package io.github.sipf4j.prm.iterate.phase;

import com.google.gson.Gson;
import com.google.gson.GsonBuilder;

/** The JSON settings of a run's files: no HTML escaping, NaN and infinities written as such. */
final class Json {

  /** Compact, for JSON lines. */
  static final Gson GSON = new GsonBuilder().disableHtmlEscaping().serializeSpecialFloatingPointValues().create();

  /** Pretty-printed, for JSON files. */
  static final Gson PRETTY = new GsonBuilder().disableHtmlEscaping().serializeSpecialFloatingPointValues()
      .setPrettyPrinting().create();

  private Json() {}
}
