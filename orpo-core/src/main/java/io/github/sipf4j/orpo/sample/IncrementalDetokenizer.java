package io.github.sipf4j.orpo.sample;

import io.github.sipf4j.orpo.text.TextTokenizer;
import java.util.Arrays;

/**
 * Decodes the new tokens of one row as they arrive, in constant time per token, the way vLLM's detokenizer does:
 * it decodes a short window ending at the new token and keeps the part that the window without the new token did
 * not already produce. A few prompt tokens start the window, so a word-initial token keeps its leading space. Text
 * ending in U+FFFD (an incomplete UTF-8 sequence) waits for the next token.
 */
final class IncrementalDetokenizer {

  /** How many prompt tokens give the first new tokens their context. */
  static final int CONTEXT = 5;

  private static final char REPLACEMENT = '\uFFFD';

  private final TextTokenizer tokenizer;
  private long[] ids;
  private final int contextLength;
  private int size;
  private int prefixOffset;
  private int readOffset;
  private final StringBuilder text = new StringBuilder();

  IncrementalDetokenizer(TextTokenizer tokenizer, long[] prompt, int capacity) {
    this.tokenizer = tokenizer;
    this.contextLength = Math.min(CONTEXT, prompt.length);
    this.ids = new long[contextLength + Math.max(1, capacity)];
    System.arraycopy(prompt, prompt.length - contextLength, ids, 0, contextLength);
    this.size = contextLength;
    this.prefixOffset = 0;
    this.readOffset = contextLength;
  }

  /**
   * Adds a token and returns the number of characters the text had before it (new text, if any, starts there).
   *
   * @param id the new token id
   * @return the text length before the token
   */
  int append(long id) {
    if (size == ids.length) {
      ids = Arrays.copyOf(ids, ids.length * 2);
    }
    ids[size++] = id;
    int before = text.length();
    String prefix = tokenizer.decode(Arrays.copyOfRange(ids, prefixOffset, readOffset));
    String all = tokenizer.decode(Arrays.copyOfRange(ids, prefixOffset, size));
    if (all.length() > prefix.length() && all.charAt(all.length() - 1) != REPLACEMENT && all.startsWith(prefix)) {
      text.append(all, prefix.length(), all.length());
      prefixOffset = readOffset;
      readOffset = size;
    }
    return before;
  }

  /**
   * Returns the text decoded so far.
   *
   * @return the incremental text
   */
  StringBuilder text() {
    return text;
  }

  /**
   * Decodes the new tokens of a finished row in one go, with the same prompt context.
   *
   * @param tokenizer the tokenizer
   * @param prompt the prompt ids
   * @param tokens the new token ids
   * @param count how many of {@code tokens} to decode
   * @return the text of the new tokens
   */
  static String decodeAll(TextTokenizer tokenizer, long[] prompt, long[] tokens, int count) {
    if (count == 0) {
      return "";
    }
    int ctx = Math.min(CONTEXT, prompt.length);
    long[] window = new long[ctx + count];
    System.arraycopy(prompt, prompt.length - ctx, window, 0, ctx);
    System.arraycopy(tokens, 0, window, ctx, count);
    String prefix = ctx == 0 ? "" : tokenizer.decode(Arrays.copyOf(window, ctx));
    String all = tokenizer.decode(window);
    return all.startsWith(prefix) ? all.substring(prefix.length()) : tokenizer.decode(Arrays.copyOf(tokens, count));
  }
}
