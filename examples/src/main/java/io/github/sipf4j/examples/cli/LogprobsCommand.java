package io.github.sipf4j.examples.cli;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import com.google.gson.JsonObject;
import io.github.sipf4j.orpo.data.DataFormatException;
import io.github.sipf4j.orpo.loss.SequenceLogProbs;
import io.github.sipf4j.orpo.model.CausalLm;
import io.github.sipf4j.orpo.text.PromptTemplate;
import io.github.sipf4j.orpo.text.SequenceEncoder;
import io.github.sipf4j.orpo.text.TextTokenizer;
import java.io.IOException;
import java.io.Writer;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/**
 * {@code sipf4j logprobs}: the model's log-probability of every token of every input line given the tokens before it.
 *
 * <p>For each request (see {@link TokenRequests}) it writes, in input order, one JSON object: {@code line} (the input
 * line), {@code input_ids} (the ids scored, the text's encoding for a {@code text} line), {@code token_logprobs}
 * (element {@code t} is \( \log p(x_{t+1} \mid x_0 \dots x_t) \), one fewer than the ids, computed in float32 as
 * {@link SequenceLogProbs} computes it) and {@code sum_logprob}. Lines are scored in batches of consecutive lines,
 * right-padded (padding changes no real token's logits) and capped so that a batch's logits stay under
 * {@value #MAX_LOGITS} values; each batch's results are written and flushed before the next is read, so a large file
 * never sits in memory. The whole input is checked before the model runs: bad input writes nothing.
 */
@Command(
    name = "logprobs",
    mixinStandardHelpOptions = true,
    description = "Writes the log-probability of every token of every input line (JSON lines in, JSON lines out).")
public final class LogprobsCommand implements Callable<Integer> {

  /** The most logits (rows x length x vocabulary) one batch may hold: 2^28 float32 values, 1 GiB. */
  static final long MAX_LOGITS = 1L << 28;

  @Spec CommandSpec spec;

  @Mixin ModelInputOptions io;

  @Option(names = "--batch-size", defaultValue = "16",
      description = "The most lines scored together (default: ${DEFAULT-VALUE}).")
  int batchSize;

  /** Creates the command; picocli fills in the options. */
  public LogprobsCommand() {}

  /**
   * Scores the input.
   *
   * @return 0 on success; 2, after one line on standard error, for a bad option, input line or model folder, or an
   *     output that cannot be written
   */
  @Override
  public Integer call() {
    try {
      if (batchSize < 1) {
        throw new IllegalArgumentException("--batch-size must be at least 1");
      }
      io.check();
      try (TextTokenizer tok = io.tokenizer(false);
          CausalLm lm = io.load()) {
        SequenceEncoder encoder = tok == null ? null : new SequenceEncoder(tok, PromptTemplate.DEFAULT,
            Math.max(2, lm.maxLength()));
        TokenRequests requests = new TokenRequests(io.input, encoder == null ? null : encoder::encodePrompt,
            lm.vocabSize(), lm.maxLength(), "longer than the model's maximum length of " + lm.maxLength());
        requests.validate();
        long pad = tok != null && tok.padId() >= 0 && tok.padId() < lm.vocabSize() ? tok.padId() : 0;
        try (Writer w = io.open(spec.commandLine().getOut())) {
          List<TokenRequests.Request> batch = new ArrayList<>();
          int[] longest = new int[1];
          requests.read(r -> {
            int l = Math.max(longest[0], r.ids().length);
            if (!batch.isEmpty() && (batch.size() == batchSize
                || (batch.size() + 1L) * l * lm.vocabSize() > MAX_LOGITS)) {
              score(lm, batch, longest[0], pad, w);
              batch.clear();
              l = r.ids().length;
            }
            batch.add(r);
            longest[0] = l;
          });
          if (!batch.isEmpty()) {
            score(lm, batch, longest[0], pad, w);
          }
        }
      }
      return 0;
    } catch (IllegalArgumentException | DataFormatException | IOException e) {
      spec.commandLine().getErr().println(e.getMessage());
      return 2;
    }
  }

  /** Scores one batch of right-padded lines and writes their results, in order, then flushes. */
  private static void score(CausalLm lm, List<TokenRequests.Request> batch, int width, long pad, Writer w)
      throws IOException {
    int rows = batch.size();
    float[] lp = new float[0];
    if (width > 1) {
      long[] ids = new long[rows * width];
      long[] mask = new long[ids.length];
      Arrays.fill(ids, pad);
      for (int i = 0; i < rows; i++) {
        long[] r = batch.get(i).ids();
        System.arraycopy(r, 0, ids, i * width, r.length);
        Arrays.fill(mask, i * width, i * width + r.length, 1L);
      }
      try (NDManager m = lm.getManager().newSubManager()) {
        Shape shape = new Shape(rows, width);
        NDArray idArray = m.create(ids, shape);
        NDArray logits = lm.forward(idArray, m.create(mask, shape), false).toType(DataType.FLOAT32, false);
        lp = SequenceLogProbs.tokens(logits.get(":, :-1, :"), idArray.get(":, 1:")).toFloatArray();
      }
    }
    for (int i = 0; i < rows; i++) {
      TokenRequests.Request r = batch.get(i);
      float[] tokens = Arrays.copyOfRange(lp, i * (width - 1), i * (width - 1) + r.ids().length - 1);
      double sum = 0;
      for (float v : tokens) {
        sum += v;
      }
      JsonObject o = new JsonObject();
      o.addProperty("line", r.line());
      o.add("input_ids", ModelInputOptions.array(r.ids()));
      o.add("token_logprobs", ModelInputOptions.array(tokens));
      o.addProperty("sum_logprob", sum);
      ModelInputOptions.writeLine(w, o);
    }
    w.flush();
  }
}
