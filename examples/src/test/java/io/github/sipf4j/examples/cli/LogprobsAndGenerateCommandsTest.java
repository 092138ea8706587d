package io.github.sipf4j.examples.cli;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ai.djl.Device;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import com.google.gson.JsonArray;
import com.google.gson.JsonObject;
import com.google.gson.JsonParser;
import io.github.sipf4j.orpo.loss.SequenceLogProbs;
import io.github.sipf4j.orpo.model.DecoderConfig;
import io.github.sipf4j.orpo.model.DecoderLm;
import io.github.sipf4j.orpo.sample.Sample;
import io.github.sipf4j.orpo.sample.Sampler;
import io.github.sipf4j.orpo.sample.SamplingConfig;
import io.github.sipf4j.orpo.text.TextTokenizer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class LogprobsAndGenerateCommandsTest {

  @TempDir static Path shared;
  static Path model;
  static TextTokenizer tok;
  static DecoderLm lm;

  @TempDir Path dir;

  @BeforeAll
  static void makeModel() throws Exception {
    tok = TextTokenizer.characterLevel();
    model = shared.resolve("model");
    try (DecoderLm fresh = DecoderLm.create(DecoderConfig.builder().vocabSize(tok.vocabSize()).dModel(32).layers(2)
        .heads(4).maxLength(48).initStd(0.3f).build(), Device.cpu(), 3)) {
      fresh.save(model);
    }
    tok.save(model);
    lm = DecoderLm.load(model, Device.cpu());
  }

  @AfterAll
  static void close() {
    lm.close();
    tok.close();
  }

  private Path input(String... lines) throws Exception {
    Path file = dir.resolve("in.jsonl");
    Files.writeString(file, String.join("\n", lines) + "\n");
    return file;
  }

  private static List<JsonObject> parse(String jsonl) {
    List<JsonObject> out = new ArrayList<>();
    for (String line : jsonl.split("\n")) {
      if (!line.isBlank()) {
        out.add(JsonParser.parseString(line).getAsJsonObject());
      }
    }
    return out;
  }

  private static long[] longs(JsonArray a) {
    long[] out = new long[a.size()];
    for (int i = 0; i < out.length; i++) {
      out[i] = a.get(i).getAsLong();
    }
    return out;
  }

  private static float[] floats(JsonArray a) {
    float[] out = new float[a.size()];
    for (int i = 0; i < out.length; i++) {
      out[i] = a.get(i).getAsFloat();
    }
    return out;
  }

  /** The log-probs of one sequence scored alone, as the loss code computes them. */
  private static float[] direct(long[] ids) {
    if (ids.length < 2) {
      return new float[0];
    }
    try (NDManager m = lm.getManager().newSubManager()) {
      NDArray x = m.create(ids, new Shape(1, ids.length));
      NDArray logits = lm.forward(x, x.onesLike(), false);
      return SequenceLogProbs.tokens(logits.get(":, :-1, :"), x.get(":, 1:")).toFloatArray();
    }
  }

  private static long[] encodePrompt(String text) {
    long[] t = tok.encode(text);
    long[] out = new long[t.length + 1];
    out[0] = tok.bosId();
    System.arraycopy(t, 0, out, 1, t.length);
    return out;
  }

  @Test
  void logprobsEqualSequenceLogProbsOfEachLineAlone() throws Exception {
    Path in = input("{\"input_ids\": [1, 20, 21, 22, 23, 30]}", "{\"text\": \"12+30=42\\n\"}", "",
        "{\"input_ids\": [5]}", "{\"input_ids\": [1, 40, 41, 42, 43, 44, 45, 46, 47, 48, 49, 50, 51, 52, 53, 54, 55]}",
        "  {\"text\" : \"Q: 7*6?\"}  ");
    Path file = dir.resolve("scores.jsonl");
    CliRun scored = CliRun.of("logprobs", "--model", model.toString(), "--input", in.toString(), "--out",
        file.toString(), "--batch-size", "2");
    assertEquals(0, scored.exitCode, scored.err.toString());
    List<JsonObject> rows = parse(Files.readString(file));
    assertEquals(5, rows.size());
    long[] lines = {1, 2, 4, 5, 6};
    for (int i = 0; i < rows.size(); i++) {
      JsonObject r = rows.get(i);
      assertEquals(lines[i], r.get("line").getAsLong());
      long[] ids = longs(r.getAsJsonArray("input_ids"));
      float[] lp = floats(r.getAsJsonArray("token_logprobs"));
      float[] expected = direct(ids);
      assertEquals(ids.length - 1, lp.length);
      assertArrayEquals(expected, lp, 1e-5f, "line " + lines[i]);
      double sum = 0;
      for (float v : lp) {
        sum += v;
      }
      assertEquals(sum, r.get("sum_logprob").getAsDouble(), 1e-9);
    }
    assertArrayEquals(encodePrompt("12+30=42\n"), longs(rows.get(1).getAsJsonArray("input_ids")));
    assertArrayEquals(encodePrompt("Q: 7*6?"), longs(rows.get(4).getAsJsonArray("input_ids")));
    // Standard output by default, the same lines whatever the batch size.
    CliRun printed = CliRun.of("logprobs", "--model", model.toString(), "--input", in.toString(), "--batch-size",
        "16");
    assertEquals(0, printed.exitCode, printed.err.toString());
    List<JsonObject> again = parse(printed.out.toString());
    for (int i = 0; i < rows.size(); i++) {
      assertArrayEquals(floats(rows.get(i).getAsJsonArray("token_logprobs")),
          floats(again.get(i).getAsJsonArray("token_logprobs")), 1e-5f);
    }
  }

  @Test
  void greedyGenerateEqualsTheSamplersGreedyOutput() throws Exception {
    Path in = input("{\"text\": \"12+30=\"}", "{\"input_ids\": [1, 20, 21]}", "{\"text\": \"Q: 7*6?\\nA:\"}");
    CliRun greedy = CliRun.of("generate", "--model", model.toString(), "--input", in.toString(), "--max-new-tokens",
        "12", "--temperature", "0");
    assertEquals(0, greedy.exitCode, greedy.err.toString());
    List<JsonObject> rows = parse(greedy.out.toString());
    Sampler sampler = new Sampler(lm, tok);
    List<long[]> prompts = List.of(sampler.encodePrompt("12+30="), new long[] {1, 20, 21},
        sampler.encodePrompt("Q: 7*6?\nA:"));
    List<Sample> expected = sampler.sampleIds(prompts, SamplingConfig.builder().temperature(0).maxNewTokens(12)
        .build());
    assertEquals(3, rows.size());
    for (int i = 0; i < 3; i++) {
      JsonObject r = rows.get(i);
      Sample s = expected.get(i);
      assertEquals(i + 1, r.get("line").getAsInt());
      assertArrayEquals(s.tokenIds(), longs(r.getAsJsonArray("output_ids")));
      assertEquals(s.text(), r.get("text").getAsString());
      assertEquals(s.finishReason().name().toLowerCase(Locale.ROOT), r.get("finish_reason").getAsString());
      assertArrayEquals(s.logProbs(), floats(r.getAsJsonArray("token_logprobs")), 1e-6f);
    }
  }

  @Test
  void sampledGenerateIsReproducibleWhateverTheBatchSize() throws Exception {
    List<String> lines = new ArrayList<>();
    for (int i = 0; i < 7; i++) {
      lines.add("{\"text\": \"" + (i * 7) + "+" + (i + 3) + "=\"}");
    }
    Path in = input(lines.toArray(new String[0]));
    String[] args = {"generate", "--model", model.toString(), "--input", in.toString(), "--max-new-tokens", "10",
        "--temperature", "1", "--top-p", "0.95", "--seed", "7", "--stop", "\n", "--batch-size"};
    List<String> outputs = new ArrayList<>();
    for (String batch : new String[] {"1", "3", "64"}) {
      String[] full = java.util.Arrays.copyOf(args, args.length + 1);
      full[args.length] = batch;
      CliRun sampled = CliRun.of(full);
      assertEquals(0, sampled.exitCode, sampled.err.toString());
      outputs.add(sampled.out.toString());
    }
    for (String other : outputs.subList(1, 3)) {
      // The same tokens; the log-probs of other batch shapes may differ in the last bits.
      List<JsonObject> a = parse(outputs.get(0));
      List<JsonObject> b = parse(other);
      assertEquals(a.size(), b.size());
      for (int i = 0; i < a.size(); i++) {
        assertEquals(a.get(i).get("output_ids"), b.get(i).get("output_ids"));
        assertEquals(a.get(i).get("text"), b.get(i).get("text"));
        assertEquals(a.get(i).get("finish_reason"), b.get(i).get("finish_reason"));
        assertArrayEquals(floats(a.get(i).getAsJsonArray("token_logprobs")),
            floats(b.get(i).getAsJsonArray("token_logprobs")), 1e-5f);
      }
    }
    // Line i draws from the stream (seed, i), as Sampler.sampleIds does for prompt i.
    Sampler sampler = new Sampler(lm, tok);
    List<long[]> prompts = new ArrayList<>();
    for (int i = 0; i < 7; i++) {
      prompts.add(sampler.encodePrompt((i * 7) + "+" + (i + 3) + "="));
    }
    List<Sample> expected = sampler.sampleIds(prompts, SamplingConfig.builder().temperature(1).topP(0.95f).seed(7)
        .maxNewTokens(10).stopStrings("\n").build());
    List<JsonObject> rows = parse(outputs.get(0));
    for (int i = 0; i < 7; i++) {
      assertArrayEquals(expected.get(i).tokenIds(), longs(rows.get(i).getAsJsonArray("output_ids")), "line " + i);
    }
  }

  /** Runs a command that must fail and checks its one line of standard error, which holds {@code expected}. */
  private String fails(String expected, String... args) {
    CliRun run = CliRun.of(args);
    assertEquals(2, run.exitCode, "expected a failure: " + run.out);
    String message = run.err.toString().strip();
    assertFalse(message.contains("\n"), "one line, no stack trace: " + message);
    assertFalse(message.contains("Exception"), message);
    assertTrue(message.contains(expected), "expected \"" + expected + "\" in: " + message);
    assertEquals("", run.out.toString());
    return message;
  }

  private String logprobs(String expected, Path in) {
    return fails(expected, "logprobs", "--model", model.toString(), "--input", in.toString());
  }

  private String generate(String expected, Path in, String... more) {
    List<String> args = new ArrayList<>(List.of("generate", "--model", model.toString(), "--input", in.toString(),
        "--max-new-tokens", "4"));
    args.addAll(List.of(more));
    return fails(expected, args.toArray(new String[0]));
  }

  @Test
  void badInputGivesOneClearLineNamingTheFileLineAndColumn() throws Exception {
    Path missing = dir.resolve("missing.jsonl");
    logprobs("--input " + missing + ": no such file", missing);
    fails("no model found", "logprobs", "--model", dir.toString(), "--input", input("{\"input_ids\": [1]}").toString());

    Path in = input("{\"input_ids\": [1, 2]}", "{\"input_ids\": [1, 2,, 3]}");
    Path result = dir.resolve("never.jsonl");
    fails(in + ":2:22: field '<record>': malformed JSON: unexpected character", "logprobs", "--model",
        model.toString(), "--input", in.toString(), "--out", result.toString());
    assertFalse(Files.exists(result), "bad input writes nothing");

    in = input("{\"text\": \"abc\", \"prompt\": 3}");
    logprobs(in + ":1:17: field 'prompt': unknown field; a line holds \"input_ids\" (token ids) or \"text\"", in);
    in = input("{\"input_ids\": [1, 2, 999, 4]}");
    generate(in + ":1:22: field 'input_ids[2]': id 999 is outside the model's vocabulary of 90 ids", in);
    in = input("{\"input_ids\": [1, 2.5]}");
    logprobs(in + ":1:19: field 'input_ids[1]': expected an integer token id, got 2.5", in);
    logprobs("not both", input("{\"text\": \"abc\", \"input_ids\": [1]}"));
    logprobs(":1:1: field '<record>': a line needs \"input_ids\"", input("{}"));
    logprobs(":1:15: field 'input_ids': no tokens", input("{\"input_ids\": []}"));
    logprobs(":1:1: field '<record>': expected a JSON object", input("[1, 2]"));
    logprobs(":1:14: field '<record>': malformed JSON: Unterminated string", input("{\"text\": \"abc"));

    StringBuilder long48 = new StringBuilder("{\"input_ids\": [1");
    for (int i = 1; i < 48; i++) {
      long48.append(", 5");
    }
    in = input(long48 + "]}", long48 + ", 5]}");
    logprobs(":2:15: field 'input_ids': 49 tokens, longer than the model's maximum length of 48", in);
    generate(":1:15: field 'input_ids': 48 tokens, leaving no room for a new token within the model's maximum length "
        + "of 48", in);

    in = input("{\"text\": \"abc\"}");
    generate("topP must be in (0, 1]", in, "--top-p", "0");
    generate("--device tpu: expected cpu, gpu or gpu:N", in, "--device", "tpu");
  }
}
