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
 * Any Hugging Face {@code tokenizer.json} works through {@link #fromFile(Path)}; given a Hugging Face model folder,
 * the special ids are the ones its {@code tokenizer_config.json}, {@code generation_config.json} and {@code
 * config.json} name (see {@link #fromFile(Path)}).
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
  private final boolean addsBos;
  private final long[] eosIds;

  private TextTokenizer(byte[] json, String source, Long bos, Long eos, Long pad, Path folder) throws IOException {
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
    Map<String, Long> vocabIds = new HashMap<>();
    JsonObject model = root.has("model") && root.get("model").isJsonObject() ? root.getAsJsonObject("model") : null;
    if (model != null && model.has("vocab")) {
      JsonElement vocab = model.get("vocab");
      if (vocab.isJsonObject()) {
        for (Map.Entry<String, JsonElement> e : vocab.getAsJsonObject().entrySet()) {
          long id = e.getValue().getAsLong();
          vocabIds.put(e.getKey(), id);
          maxId = Math.max(maxId, id);
        }
      } else if (vocab.isJsonArray()) {
        long id = 0;
        for (JsonElement piece : vocab.getAsJsonArray()) {
          if (piece.isJsonArray() && piece.getAsJsonArray().size() > 0) {
            vocabIds.putIfAbsent(piece.getAsJsonArray().get(0).getAsString(), id);
          }
          id++;
        }
        maxId = Math.max(maxId, vocab.getAsJsonArray().size() - 1L);
      }
    }
    if (maxId < 0) {
      throw new IOException(source + ": the tokenizer has an empty vocabulary");
    }
    this.vocabSize = (int) (maxId + 1);
    SpecialTokens named = folder == null ? null : SpecialTokens.read(folder,
        content -> added.containsKey(content) ? added.get(content) : vocabIds.get(content), Path.of(source));
    if (named != null) {
      this.bosId = named.bos();
      this.eosId = named.eos();
      this.padId = named.pad();
      this.addsBos = named.addBos();
      this.eosIds = named.eosIds();
    } else {
      this.bosId = bos != null ? bos : find(added, BOS_NAMES, source, "BOS");
      this.eosId = eos != null ? eos : find(added, EOS_NAMES, source, "EOS");
      this.padId = pad != null ? pad : added.values().stream().filter(id -> PAD_NAMES.contains(specials.get(id)))
          .findFirst().orElse(eosId);
      this.addsBos = true;
      this.eosIds = new long[] {eosId};
    }
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
      return new TextTokenizer(in.readAllBytes(), CHAR_RESOURCE, null, null, null, null);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  /**
   * Loads a Hugging Face {@code tokenizer.json}, or the tokenizer of a model folder.
   *
   * <p>Given a folder whose {@code tokenizer_config.json}, {@code generation_config.json} or {@code config.json}
   * names special tokens (a Hugging Face model folder), the ids are those: EOS from the tokenizer's {@code
   * eos_token}, else the first {@code eos_token_id}; every {@code eos_token_id} of the generation config ends a
   * generation ({@link #eosIds()}); BOS from {@code bos_token} (or {@code bos_token_id}), put before prompts only
   * when {@code add_bos_token} allows it and there is one ({@link #addsBos()}); PAD from {@code pad_token} (or
   * {@code pad_token_id}), else EOS. Otherwise (a lone {@code tokenizer.json}, or a folder of sipf4j's own model)
   * BOS, EOS and PAD are found among the added tokens by their usual names, and PAD falls back to EOS.
   *
   * @param file the {@code tokenizer.json} file, or a directory holding one
   * @return a new tokenizer; the caller closes it
   * @throws IOException if a file cannot be read or is malformed, a config names a token the tokenizer lacks, or no
   *     EOS token can be found
   */
  public static TextTokenizer fromFile(Path file) throws IOException {
    Path f = Files.isDirectory(file) ? file.resolve(FILE_NAME) : file;
    return new TextTokenizer(Files.readAllBytes(f), f.toString(), null, null, null,
        Files.isDirectory(file) ? file : null);
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
    return new TextTokenizer(Files.readAllBytes(f), f.toString(), bos, eos, pad, null);
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
   * Returns the beginning-of-sequence id. For a model whose tokenizer has no BOS token ({@link #addsBos()} false) it
   * is still a valid id (the configs' {@code bos_token_id}, else EOS) for code that needs a separator.
   *
   * @return the BOS id
   */
  public long bosId() {
    return bosId;
  }

  /**
   * Tells whether prompts start with {@link #bosId()}: true for the character-level tokenizer and for tokenizers
   * found by token names, and for Hugging Face folders as their {@code tokenizer_config.json} says (see {@link
   * #fromFile(Path)}). {@link SequenceEncoder}'s default follows it.
   *
   * @return whether to put BOS before a prompt
   */
  public boolean addsBos() {
    return addsBos;
  }

  /**
   * Returns every id that ends a generation: {@link #eosId()} first, then the others a Hugging Face folder's {@code
   * generation_config.json} lists (Llama 3 Instruct ends turns with {@code <|eot_id|>}).
   *
   * @return the stop ids, a copy
   */
  public long[] eosIds() {
    return eosIds.clone();
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
