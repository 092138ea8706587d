package io.github.sipf4j.orpo.text;

import com.google.gson.JsonArray;
import com.google.gson.JsonElement;
import com.google.gson.JsonObject;
import com.google.gson.JsonParseException;
import com.google.gson.JsonParser;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;
import java.util.function.Function;

/**
 * The special token ids a Hugging Face model folder names in its configs, never guessed from token names:
 * {@code tokenizer_config.json} ({@code bos_token}, {@code eos_token}, {@code pad_token} as strings or {@code
 * AddedToken} objects, looked up in {@code tokenizer.json}; {@code add_bos_token}), then {@code
 * generation_config.json} and {@code config.json} ({@code bos_token_id}, {@code eos_token_id} as a number or a list,
 * {@code pad_token_id}), in that order of precedence.
 *
 * <ul>
 *   <li>EOS, the id training appends to responses: the tokenizer's {@code eos_token}, else the first {@code
 *       eos_token_id}. Required.
 *   <li>The ids that end a generation: EOS, then every {@code eos_token_id} of {@code generation_config.json} (of
 *       {@code config.json} when the former has none), such as Llama 3's {@code <|eot_id|>}.
 *   <li>BOS: the tokenizer's {@code bos_token}; when {@code tokenizer_config.json} has no {@code bos_token} key, the
 *       first {@code bos_token_id}. It is put before prompts ({@link #addBos}) when {@code add_bos_token} says so, or,
 *       when that is absent, whenever there is a BOS token; a {@code bos_token: null} (Qwen) means none. Without one,
 *       {@link #bos} is still a valid id (the configs' {@code bos_token_id}, else EOS) for code that needs a
 *       separator.
 *   <li>PAD: the tokenizer's {@code pad_token}, else {@code pad_token_id}, else EOS.
 * </ul>
 *
 * @param bos the BOS id
 * @param addBos whether prompts start with BOS
 * @param eos the EOS id
 * @param eosIds every id that ends a generation, EOS first
 * @param pad the padding id
 */
record SpecialTokens(long bos, boolean addBos, long eos, long[] eosIds, long pad) {

  static final String TOKENIZER_CONFIG = "tokenizer_config.json";
  static final String GENERATION_CONFIG = "generation_config.json";
  static final String MODEL_CONFIG = "config.json";

  /**
   * Reads a folder's special ids.
   *
   * @param dir the model folder
   * @param idOf the id of a token's text in {@code tokenizer.json}, or null
   * @param tokenizerFile the tokenizer file, named in errors
   * @return the ids, or null when none of the three files names any special token (not a Hugging Face folder)
   * @throws IOException if a file is malformed, names a token the tokenizer lacks, or no EOS can be found
   */
  static SpecialTokens read(Path dir, Function<String, Long> idOf, Path tokenizerFile) throws IOException {
    Path tcFile = dir.resolve(TOKENIZER_CONFIG);
    Path gcFile = dir.resolve(GENERATION_CONFIG);
    Path ccFile = dir.resolve(MODEL_CONFIG);
    JsonObject tc = object(tcFile);
    JsonObject gc = object(gcFile);
    JsonObject cc = object(ccFile);
    Long tcBos = token(tc, "bos_token", tcFile, idOf, tokenizerFile);
    Long tcEos = token(tc, "eos_token", tcFile, idOf, tokenizerFile);
    Long tcPad = token(tc, "pad_token", tcFile, idOf, tokenizerFile);
    List<Long> gcEos = ids(gc, "eos_token_id", gcFile);
    List<Long> ccEos = ids(cc, "eos_token_id", ccFile);
    Long idBos = first(ids(gc, "bos_token_id", gcFile), ids(cc, "bos_token_id", ccFile));
    Long idPad = first(ids(gc, "pad_token_id", gcFile), ids(cc, "pad_token_id", ccFile));
    if (tcBos == null && tcEos == null && tcPad == null && gcEos.isEmpty() && ccEos.isEmpty() && idBos == null
        && idPad == null) {
      return null;
    }
    Long eos = tcEos != null ? tcEos : first(gcEos, ccEos);
    if (eos == null) {
      throw new IOException(dir + ": no EOS token: neither " + TOKENIZER_CONFIG + "'s eos_token nor "
          + GENERATION_CONFIG + "'s or " + MODEL_CONFIG + "'s eos_token_id names one");
    }
    Set<Long> stops = new LinkedHashSet<>();
    stops.add(eos);
    stops.addAll(gc != null && gc.has("eos_token_id") ? gcEos : ccEos);
    boolean tcSaysBos = tc != null && tc.has("bos_token");
    Long namedBos = tcSaysBos ? tcBos : idBos;
    boolean addBos = namedBos != null;
    if (tc != null && tc.has("add_bos_token") && !tc.get("add_bos_token").isJsonNull()) {
      addBos = addBos && tc.get("add_bos_token").getAsBoolean();
    }
    long bos = namedBos != null ? namedBos : idBos != null ? idBos : eos;
    long pad = tcPad != null ? tcPad : idPad != null ? idPad : eos;
    return new SpecialTokens(bos, addBos, eos, stops.stream().mapToLong(Long::longValue).toArray(), pad);
  }

  private static JsonObject object(Path file) throws IOException {
    if (!Files.isRegularFile(file)) {
      return null;
    }
    try {
      return JsonParser.parseString(Files.readString(file, StandardCharsets.UTF_8)).getAsJsonObject();
    } catch (JsonParseException | IllegalStateException e) {
      throw new IOException(file + ": malformed JSON: " + e.getMessage(), e);
    }
  }

  /** A token named by text (or an AddedToken object), looked up in the tokenizer; null when absent or null. */
  private static Long token(JsonObject o, String key, Path file, Function<String, Long> idOf, Path tokenizerFile)
      throws IOException {
    if (o == null || !o.has(key) || o.get(key).isJsonNull()) {
      return null;
    }
    JsonElement e = o.get(key);
    String content;
    if (e.isJsonPrimitive()) {
      content = e.getAsString();
    } else if (e.isJsonObject() && e.getAsJsonObject().has("content")) {
      content = e.getAsJsonObject().get("content").getAsString();
    } else {
      throw new IOException(file + ": field '" + key + "' must be a string or an object with \"content\", got " + e);
    }
    Long id = idOf.apply(content);
    if (id == null) {
      throw new IOException(file + ": field '" + key + "': token \"" + content + "\" is not in " + tokenizerFile);
    }
    return id;
  }

  /** Token ids given as a number or a list of numbers; empty when absent or null. */
  private static List<Long> ids(JsonObject o, String key, Path file) throws IOException {
    List<Long> out = new ArrayList<>();
    if (o == null || !o.has(key) || o.get(key).isJsonNull()) {
      return out;
    }
    JsonElement e = o.get(key);
    try {
      if (e.isJsonArray()) {
        for (JsonElement x : (JsonArray) e) {
          out.add(nonNegative(x.getAsLong(), file, key));
        }
      } else {
        out.add(nonNegative(e.getAsLong(), file, key));
      }
    } catch (NumberFormatException | UnsupportedOperationException | IllegalStateException ex) {
      throw new IOException(file + ": field '" + key + "' must be a token id or a list of them, got " + e, ex);
    }
    return out;
  }

  private static long nonNegative(long id, Path file, String key) throws IOException {
    if (id < 0) {
      throw new IOException(file + ": field '" + key + "' holds the negative id " + id);
    }
    return id;
  }

  @SafeVarargs
  private static Long first(List<Long>... lists) {
    for (List<Long> l : lists) {
      if (!l.isEmpty()) {
        return l.get(0);
      }
    }
    return null;
  }
}
