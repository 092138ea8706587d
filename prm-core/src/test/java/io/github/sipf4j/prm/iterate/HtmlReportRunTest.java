package io.github.sipf4j.prm.iterate;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ai.djl.Device;
import io.github.sipf4j.orpo.model.CausalLms;
import io.github.sipf4j.orpo.model.DecoderLm;
import io.github.sipf4j.prm.report.HtmlReport;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The report of a real (tiny) run, written by the trainer itself after every phase. */
class HtmlReportRunTest {

  @Test
  void theTrainerKeepsAReportOfTheRunAsItStands(@TempDir Path dir) throws IOException {
    Path weights = dir.resolve("initial");
    try (DecoderLm lm = TinyRun.newDecoder()) {
      lm.save(weights);
    }
    Path run = dir.resolve("run");
    Path file = run.resolve(HtmlReport.FILE);
    List<String> seen = new ArrayList<>();
    try (DecoderLm lm = (DecoderLm) CausalLms.load(weights, Device.cpu())) {
      SelfIterativeTrainer trainer = TinyRun.builder(lm, run, FeedbackMode.PROCESS).iterations(1)
          .listener(new SelfIterativeListener() {
            @Override
            public void onPhaseStart(int iteration, Phase phase) {
              // The report of the phase before this one is on disk when the next one starts.
              seen.add(phase.key() + ": " + status(read(file)));
            }
          }).build();
      trainer.run();
    }
    String all = String.join("\n", seen);
    assertEquals("evaluate: not started", seen.get(0), "the report exists from the start: " + all);
    assertEquals("sample: starting policy evaluated", seen.get(1), all);
    assertEquals("verify: iteration 1 unfinished, last finished phase sample", seen.get(2), all);
    assertEquals("evaluate: iteration 1 unfinished, last finished phase train_policy", seen.get(seen.size() - 1), all);
    String html = Files.readString(file);
    assertEquals("iteration 1 finished", status(html));
    Matcher svg = Pattern.compile("<svg id=\"accuracy-val\".*?</svg>", Pattern.DOTALL).matcher(html);
    assertTrue(svg.find());
    assertEquals(2, svg.group().split("<circle class=\"datum\"", -1).length - 1, "the start and iteration 1");
    assertFalse(html.contains("NaN"));
    assertEquals(18, html.split("<div class=\"rationale\">", -1).length - 1, "every one of the 18 samples");
    assertTrue(html.contains("<span class=\"chip\">PRM "), "steps scored by the trained PRM");
    assertFalse(html.contains("Files that could not be read"));
  }

  @Test
  void htmlReportFalseWritesNone(@TempDir Path dir) throws IOException {
    try (DecoderLm lm = TinyRun.newDecoder()) {
      TinyRun.builder(lm, dir, FeedbackMode.RFT).iterations(1).htmlReport(false).build().run();
    }
    assertTrue(Files.exists(dir.resolve("iteration-01/eval.json")));
    assertFalse(Files.exists(dir.resolve(HtmlReport.FILE)));
  }

  private static String read(Path file) {
    try {
      return Files.exists(file) ? Files.readString(file) : "";
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  private static String status(String html) {
    Matcher m = Pattern.compile("<span class=\"badge\">([^<]*)</span>").matcher(html);
    return m.find() ? m.group(1) : "no report";
  }
}
