package io.github.sipf4j.orpo.text;

import ai.djl.huggingface.tokenizers.HuggingFaceTokenizer;
import com.google.common.base.Preconditions;
import com.google.gson.JsonElement;
import com.google.gson.JsonObject;
import com.google.gson.JsonParseException;
import com.google.gson.JsonParser;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * Text to token ids and back, over DJL's {@link HuggingFaceTokenizer} built with truncation, padding and automatic
 * special tokens all off (DJL's defaults truncate at 512 and pad, which silently corrupts training data). Special
 * tokens are added explicitly by {@link SequenceEncoder}.
 *
 * <p>{@link #characterLevel()} is the shipped vocabulary for arithmetic reasoning text: ids 0..3 are {@code <pad>},
 * {@code <s>}, {@code </s>}, {@code <unk>}, followed by newline, space, digits, letters and punctuation (90 ids).
 * Any Hugging Face {@code tokenizer.json} works through {@link #fromFile(Path)}.
 *
 * <pre>{@code
 * try (TextTokenizer tok = TextTokenizer.characterLevel()) {
 *   long[] ids = tok.encode("3*4=12");
 *   String back = tok.decode(ids);
 * }
 * }</pre>
 */
public final class TextTokenizer implements AutoCloseable {

  /** The file name under which {@link #save} writes the tokenizer. */
  public static final String FILE_NAME = "tokenizer.json";

  private static final String CHAR_RESOURCE = "char-tokenizer.json";
  private static final List<String> BOS_NAMES = List.of("<s>", "<bos>", "<|begin_of_text|>", "<|startoftext|>",
      "<|im_start|>", "<|endoftext|>");
  private static final List<String> EOS_NAMES = List.of("</s>", "<eos>", "<|end_of_text|>", "<|endoftext|>",
      "<|im_end|>", "<|eot_id|>");
  private static final List<String> PAD_NAMES = List.of("<pad>", "<|pad|>", "[PAD]", "<|finetune_right_pad_id|>");

  private final HuggingFaceTokenizer hf;
  private final byte[] json;
  private final int vocabSize;
  private final long bosId;
  private final long eosId;
  private final long padId;
  private final Map<Long, String> specials;

  private TextTokenizer(byte[] json, String source, Long bos, Long eos, Long pad) throws IOException {
    this.json = json;
    JsonObject root;
    try {
      root = JsonParser.parseString(new String(json, StandardCharsets.UTF_8)).getAsJsonObject();
    } catch (JsonParseException | IllegalStateException e) {
      throw new IOException(source + ": not a tokenizer.json: " + e.getMessage(), e);
    }
    Map<String, Long> added = new HashMap<>();
    this.specials = new HashMap<>();
    long maxId = -1;
    if (root.has("added_tokens") && root.get("added_tokens").isJsonArray()) {
      for (JsonElement e : root.getAsJsonArray("added_tokens")) {
        JsonObject o = e.getAsJsonObject();
        long id = o.get("id").getAsLong();
        String content = o.get("content").getAsString();
        added.put(content, id);
        if (o.has("special") && o.get("special").getAsBoolean()) {
          specials.put(id, content);
        }
        maxId = Math.max(maxId, id);
      }
    }
    JsonObject model = root.has("model") && root.get("model").isJsonObject() ? root.getAsJsonObject("model") : null;
    if (model != null && model.has("vocab")) {
      JsonElement vocab = model.get("vocab");
      if (vocab.isJsonObject()) {
        for (Map.Entry<String, JsonElement> e : vocab.getAsJsonObject().entrySet()) {
          maxId = Math.max(maxId, e.getValue().getAsLong());
        }
      } else if (vocab.isJsonArray()) {
        maxId = Math.max(maxId, vocab.getAsJsonArray().size() - 1L);
      }
    }
    if (maxId < 0) {
      throw new IOException(source + ": the tokenizer has an empty vocabulary");
    }
    this.vocabSize = (int) (maxId + 1);
    this.bosId = bos != null ? bos : find(added, BOS_NAMES, source, "BOS");
    this.eosId = eos != null ? eos : find(added, EOS_NAMES, source, "EOS");
    this.padId = pad != null ? pad : added.values().stream().filter(id -> PAD_NAMES.contains(specials.get(id)))
        .findFirst().orElse(eosId);
    try (InputStream in = new ByteArrayInputStream(json)) {
      this.hf = HuggingFaceTokenizer.newInstance(in, Map.of("addSpecialTokens", "false", "truncation", "false",
          "padding", "false", "modelMaxLength", String.valueOf(Integer.MAX_VALUE)));
    }
  }

  private static long find(Map<String, Long> added, List<String> names, String source, String what)
      throws IOException {
    for (String n : names) {
      Long id = added.get(n);
      if (id != null) {
        return id;
      }
    }
    throw new IOException(source + ": no " + what + " token among the added tokens (looked for " + names
        + "); name its id explicitly with TextTokenizer.fromFile(path, bos, eos, pad)");
  }

  /**
   * Returns the shipped character-level tokenizer for arithmetic reasoning text.
   *
   * @return a new tokenizer; the caller closes it
   */
  public static TextTokenizer characterLevel() {
    try (InputStream in = TextTokenizer.class.getResourceAsStream(CHAR_RESOURCE)) {
      if (in == null) {
        throw new IllegalStateException("resource " + CHAR_RESOURCE + " is missing from the orpo-core jar");
      }
      return new TextTokenizer(in.readAllBytes(), CHAR_RESOURCE, null, null, null);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  /**
   * Loads a Hugging Face {@code tokenizer.json}, finding BOS, EOS and PAD among its added tokens by their usual
   * names; PAD falls back to EOS.
   *
   * @param file the {@code tokenizer.json} file, or a directory holding one
   * @return a new tokenizer; the caller closes it
   * @throws IOException if the file cannot be read or has no recognisable BOS/EOS token
   */
  public static TextTokenizer fromFile(Path file) throws IOException {
    return fromFile(file, null, null, null);
  }

  /**
   * Loads a Hugging Face {@code tokenizer.json} with explicitly named special ids; a null id is found by name.
   *
   * @param file the {@code tokenizer.json} file, or a directory holding one
   * @param bos the beginning-of-sequence id, or null
   * @param eos the end-of-sequence id, or null
   * @param pad the padding id, or null
   * @return a new tokenizer; the caller closes it
   * @throws IOException if the file cannot be read
   */
  public static TextTokenizer fromFile(Path file, Long bos, Long eos, Long pad) throws IOException {
    Path f = Files.isDirectory(file) ? file.resolve(FILE_NAME) : file;
    return new TextTokenizer(Files.readAllBytes(f), f.toString(), bos, eos, pad);
  }

  /**
   * Encodes text without adding special tokens.
   *
   * @param text the text
   * @return its token ids
   */
  public long[] encode(String text) {
    Preconditions.checkNotNull(text, "text");
    if (text.isEmpty()) {
      return new long[0];
    }
    return hf.encode(text, false, false).getIds();
  }

  /**
   * Decodes ids to text, dropping special tokens.
   *
   * @param ids the token ids
   * @return the text
   */
  public String decode(long[] ids) {
    return hf.decode(ids, true);
  }

  /**
   * Returns the number of ids (largest id plus one).
   *
   * @return the vocabulary size
   */
  public int vocabSize() {
    return vocabSize;
  }

  /**
   * Returns the beginning-of-sequence id.
   *
   * @return the BOS id
   */
  public long bosId() {
    return bosId;
  }

  /**
   * Returns the end-of-sequence id.
   *
   * @return the EOS id
   */
  public long eosId() {
    return eosId;
  }

  /**
   * Returns the padding id.
   *
   * @return the PAD id
   */
  public long padId() {
    return padId;
  }

  /**
   * Tells whether an id is a special token (padding, BOS, EOS, unknown, ...).
   *
   * @param id the token id
   * @return true for special tokens
   */
  public boolean isSpecial(long id) {
    return specials.containsKey(id);
  }

  /**
   * Writes the tokenizer as {@value #FILE_NAME} into a directory, so that a saved model travels with it.
   *
   * @param dir the directory; created if missing
   * @throws IOException if writing fails
   */
  public void save(Path dir) throws IOException {
    Files.createDirectories(dir);
    Files.write(dir.resolve(FILE_NAME), json);
  }

  /** Releases the native tokenizer. */
  @Override
  public void close() {
    hf.close();
  }
}
