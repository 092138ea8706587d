package io.github.sipf4j.prm.process;

import com.google.common.base.Preconditions;
import io.github.sipf4j.orpo.text.TextTokenizer;
import java.util.Arrays;
import java.util.List;

/**
 * A prompt followed by a rationale, encoded step by step, with the token span of every step.
 *
 * <p>The encoded rationale is, by definition, the concatenation of the per-step encodings
 * \( \mathrm{ids} = \mathrm{prompt} \,\|\, \mathrm{enc}(s_1) \,\|\, \dots \,\|\, \mathrm{enc}(s_n) \), so that every
 * step owns whole tokens and its last token is well defined. For the character-level tokenizer this equals encoding
 * the whole text; for a subword tokenizer it may differ from encoding the joined text at step boundaries (a merge
 * across a boundary is never made). Both training and scoring of a {@link DecoderPrm} use this encoding, so they
 * agree.
 *
 * @param ids the prompt ids followed by the rationale ids
 * @param promptLength the number of leading prompt ids
 * @param starts for each step, the index in {@code ids} of its first token
 * @param ends for each step, the index in {@code ids} one past its last token
 */
public record StepSpans(long[] ids, int promptLength, int[] starts, int[] ends) {

  /**
   * Validates the spans: consecutive, non-empty, covering the rationale.
   *
   * @param ids the {@code ids} component (see the record)
   * @param promptLength the {@code promptLength} component (see the record)
   * @param starts the {@code starts} component (see the record)
   * @param ends the {@code ends} component (see the record)
   */
  public StepSpans {
    Preconditions.checkNotNull(ids, "ids");
    Preconditions.checkArgument(starts.length == ends.length, "starts and ends differ in length");
    int at = promptLength;
    for (int i = 0; i < starts.length; i++) {
      Preconditions.checkArgument(starts[i] == at && ends[i] > starts[i], "step %s has the bad span [%s, %s)", i,
          starts[i], ends[i]);
      at = ends[i];
    }
    Preconditions.checkArgument(at == ids.length, "the spans cover %s of %s ids", at, ids.length);
  }

  /**
   * Encodes a prompt's ids followed by the steps of a rationale.
   *
   * @param tokenizer the tokenizer of the steps
   * @param promptIds the prompt's ids (with BOS if wanted)
   * @param steps the steps, each encoding to at least one token
   * @return the ids and spans
   * @throws IllegalArgumentException if a step encodes to no token (it would have no last token to score)
   */
  public static StepSpans encode(TextTokenizer tokenizer, long[] promptIds, List<String> steps) {
    long[][] parts = new long[steps.size()][];
    int total = promptIds.length;
    for (int i = 0; i < parts.length; i++) {
      parts[i] = tokenizer.encode(steps.get(i));
      if (parts[i].length == 0) {
        throw new IllegalArgumentException("step " + i + " encodes to no token: " + abbreviate(steps.get(i)));
      }
      total += parts[i].length;
    }
    long[] ids = Arrays.copyOf(promptIds, total);
    int[] starts = new int[parts.length];
    int[] ends = new int[parts.length];
    int at = promptIds.length;
    for (int i = 0; i < parts.length; i++) {
      System.arraycopy(parts[i], 0, ids, at, parts[i].length);
      starts[i] = at;
      at += parts[i].length;
      ends[i] = at;
    }
    return new StepSpans(ids, promptIds.length, starts, ends);
  }

  /**
   * Returns the number of steps.
   *
   * @return the step count
   */
  public int stepCount() {
    return starts.length;
  }

  /**
   * Returns the index in {@link #ids()} of a step's last token, where a process reward model reads its score.
   *
   * @param step the 0-based step
   * @return {@code ends()[step] - 1}
   */
  public int lastToken(int step) {
    return ends[step] - 1;
  }

  /**
   * Returns the total length.
   *
   * @return the number of ids
   */
  public int length() {
    return ids.length;
  }

  private static String abbreviate(String s) {
    String v = s.replace("\n", "\\n").replace("\r", "\\r");
    return v.length() <= 40 ? '"' + v + '"' : '"' + v.substring(0, 37) + "...\"";
  }
}
