package io.github.sipf4j.orpo.text;

/**
 * One encoded (prompt, response) sequence: {@code ids[0..promptLength)} are the prompt (with BOS when the encoder
 * adds it) and the rest the response (with EOS unless the response was truncated).
 *
 * @param ids the token ids
 * @param promptLength the number of leading prompt ids
 * @param truncated whether the response was cut to fit the encoder's maximum length
 */
public record EncodedSequence(long[] ids, int promptLength, boolean truncated) {

  /**
   * Returns the number of response ids.
   *
   * @return the response length
   */
  public int responseLength() {
    return ids.length - promptLength;
  }

  /**
   * Returns the total length.
   *
   * @return the number of ids
   */
  public int length() {
    return ids.length;
  }
}
