package io.github.sipf4j.orpo.text;

import com.google.common.base.Preconditions;

/**
 * Encodes (prompt, response) pairs for training with TRL's rules: {@code BOS + prompt + response + EOS}; when the
 * whole exceeds {@code maxLength} the response is truncated first (from its end, losing its EOS); when not even one
 * response token fits, encoding fails with {@link SequenceTooLongException} instead of producing a sequence whose
 * log-probability would be an empty mean (NaN).
 */
public final class SequenceEncoder {

  private final TextTokenizer tokenizer;
  private final PromptTemplate template;
  private final int maxLength;
  private final boolean addBos;
  private final boolean addEos;

  /**
   * Creates an encoder that adds BOS before the prompt when the tokenizer {@linkplain TextTokenizer#addsBos() uses
   * one} (always, except for Hugging Face tokenizers without a BOS token such as Qwen's) and EOS after the response.
   *
   * @param tokenizer the tokenizer
   * @param template the prompt template applied to questions by {@link #encodeQuestion}
   * @param maxLength the maximum total length in tokens
   */
  public SequenceEncoder(TextTokenizer tokenizer, PromptTemplate template, int maxLength) {
    this(tokenizer, template, maxLength, Preconditions.checkNotNull(tokenizer, "tokenizer").addsBos(), true);
  }

  /**
   * Creates an encoder.
   *
   * @param tokenizer the tokenizer
   * @param template the prompt template applied to questions by {@link #encodeQuestion}
   * @param maxLength the maximum total length in tokens
   * @param addBos whether to put BOS before the prompt
   * @param addEos whether to put EOS after the response
   */
  public SequenceEncoder(
      TextTokenizer tokenizer, PromptTemplate template, int maxLength, boolean addBos, boolean addEos) {
    Preconditions.checkArgument(maxLength >= 2, "maxLength must be at least 2, got %s", maxLength);
    this.tokenizer = Preconditions.checkNotNull(tokenizer, "tokenizer");
    this.template = Preconditions.checkNotNull(template, "template");
    this.maxLength = maxLength;
    this.addBos = addBos;
    this.addEos = addEos;
  }

  /**
   * Encodes a prompt (already formatted) followed by a response.
   *
   * @param prompt the prompt text
   * @param response the response text
   * @return the encoded sequence
   * @throws SequenceTooLongException if the prompt leaves no room for any response token
   */
  public EncodedSequence encode(String prompt, String response) {
    long[] p = encodePrompt(prompt);
    long[] r = tokenizer.encode(response);
    int responseLength = r.length + (addEos ? 1 : 0);
    Preconditions.checkArgument(responseLength > 0, "the response is empty: nothing to score");
    int room = maxLength - p.length;
    if (room < 1) {
      throw new SequenceTooLongException(String.format(
          "the prompt takes %d of %d tokens and leaves no room for the response; prompt starts with: %s",
          p.length, maxLength, abbreviate(prompt)));
    }
    boolean truncated = responseLength > room;
    int keep = Math.min(responseLength, room);
    long[] ids = new long[p.length + keep];
    System.arraycopy(p, 0, ids, 0, p.length);
    System.arraycopy(r, 0, ids, p.length, Math.min(r.length, keep));
    if (!truncated && addEos) {
      ids[ids.length - 1] = tokenizer.eosId();
    }
    return new EncodedSequence(ids, p.length, truncated);
  }

  /**
   * Formats a question with the template and encodes it with a response.
   *
   * @param question the question
   * @param response the response text
   * @return the encoded sequence
   * @throws SequenceTooLongException if the prompt leaves no room for any response token
   */
  public EncodedSequence encodeQuestion(String question, String response) {
    return encode(template.format(question), response);
  }

  /**
   * Encodes a prompt alone (with BOS when enabled), as sampling needs it.
   *
   * @param prompt the prompt text
   * @return the prompt ids
   */
  public long[] encodePrompt(String prompt) {
    long[] p = tokenizer.encode(prompt);
    if (!addBos) {
      return p;
    }
    long[] out = new long[p.length + 1];
    out[0] = tokenizer.bosId();
    System.arraycopy(p, 0, out, 1, p.length);
    return out;
  }

  /**
   * Returns the template.
   *
   * @return the prompt template
   */
  public PromptTemplate template() {
    return template;
  }

  /**
   * Returns the tokenizer.
   *
   * @return the tokenizer
   */
  public TextTokenizer tokenizer() {
    return tokenizer;
  }

  /**
   * Returns the maximum total length.
   *
   * @return the maximum length in tokens
   */
  public int maxLength() {
    return maxLength;
  }

  private static String abbreviate(String s) {
    return s.length() <= 60 ? s : s.substring(0, 57) + "...";
  }
}
