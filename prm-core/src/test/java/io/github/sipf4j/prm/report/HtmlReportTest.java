package io.github.sipf4j.prm.report;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class HtmlReportTest {

  /** The {@code <svg ...>...</svg>} element with this id. */
  static String chart(String html, String id) {
    Matcher m = Pattern.compile("<svg id=\"" + Pattern.quote(id) + "\"[^>]*>.*?</svg>", Pattern.DOTALL).matcher(html);
    assertTrue(m.find(), "chart " + id + " in the report");
    return m.group();
  }

  static int count(String text, String what) {
    int n = 0;
    for (int i = text.indexOf(what); i >= 0; i = text.indexOf(what, i + 1)) {
      n++;
    }
    return n;
  }

  static List<String> chartIds(String html) {
    List<String> ids = new ArrayList<>();
    Matcher m = Pattern.compile("<svg id=\"([^\"]+)\" class=\"chart").matcher(html);
    while (m.find()) {
      ids.add(m.group(1));
    }
    return ids;
  }

  @Test
  void aRunInProgressShowsOneCurvePerEvaluationSetAndWhatIsFinished(@TempDir Path dir) throws IOException {
    FabricatedRun.write(dir, 12, true);
    Path file = HtmlReport.withDefaults().write(dir);
    assertEquals(dir.resolve("report.html"), file);
    String html = Files.readString(file);
    // One chart per evaluation set, one point per finished evaluation (baseline and iteration 1; 2 is running).
    assertEquals(List.of("accuracy-in-domain", "accuracy-ood"), chartIds(html).subList(0, 2));
    for (String set : List.of("in-domain", "ood")) {
      String svg = chart(html, "accuracy-" + set);
      assertEquals(2, count(svg, "<circle class=\"datum\""), set);
      assertEquals(2, count(svg, "class=\"ci\""), "an interval per point of " + set);
    }
    assertTrue(html.contains("iteration 1: 42.5% (95% 28.5%–57.8%, 17 of 40)"), () -> "the recorded Wilson interval: "
        + chart(html, "accuracy-in-domain"));
    assertFalse(html.contains("NaN"));
    assertFalse(html.contains("Infinity"));
    assertTrue(html.contains("<span class=\"badge\">iteration 2 unfinished, last finished phase verify</span>"));
    // Phase times against the plan: both series, the plan's dominant phase named.
    String times = chart(html, "phase-times");
    assertTrue(times.contains("estimate") && times.contains("measured"));
    assertTrue(times.contains("simulate, estimate: 45 s") && times.contains("simulate, measured: 48 s"));
    assertTrue(times.contains("sample, estimate: 30 s") && times.contains("sample, measured: 30.4 s"),
        "a phase sums the iterations where it finished, and its estimates for the same iterations");
    assertTrue(html.contains("dominated by <b>simulate</b>"));
    assertTrue(html.contains("warm_start"), "a phase of the plan that the run does not measure is listed");
    // What is left: iteration 2's phases from simulate on, each as its iteration-1 run went (48 + 11 + 1.8 + 0.1 +
    // 22 + 20.5 s); the warm start, run elsewhere, adds nothing.
    assertTrue(html.contains("about 103 s left (the plan revised by the measured phase times)"), html);
    assertTrue(html.contains("the planned run takes about 6.5 min, 103 s of it still to come"),
        "measured, the warm start's estimate and what is left: " + html);
    // Pairs and PRM per iteration.
    assertEquals(2, count(chart(html, "pairs"), "<rect class=\"datum\""), "new and accumulated of iteration 1");
    assertEquals(3, count(chart(html, "prm"), "<circle class=\"datum\""), "step accuracy, F1, AUROC of iteration 1");
    // Rationales: iteration 1 shows 12, iteration 2 12 (sampled and verified, no labels yet).
    assertEquals(24, count(html, "<div class=\"rationale\">"));
    assertTrue(html.contains("<span class=\"chip\">MC 1/4</span>"), "Monte-Carlo share c/K");
    assertTrue(html.contains("<span class=\"chip\">PRM 0.90</span>"), "PRM score");
    assertEquals(2, count(html, "<div class=\"pair\">"));
    assertTrue(html.contains("<li class=\"step diff\""), "differing steps are marked");
  }

  @Test
  void aWarmStartRecordedOutsideTheLoopIsMeasuredAgainstThePlan(@TempDir Path dir) throws IOException {
    FabricatedRun.write(dir, 12, true);
    assertTrue(chart(HtmlReport.withDefaults().render(dir), "phase-times").contains("warm_start (not run)"));
    Path file = HtmlReport.recordPhaseTime(dir, 0, "warm_start", 151.5);
    assertEquals(dir.resolve("baseline/phases/warm_start.json"), file);
    String times = chart(HtmlReport.withDefaults().render(dir), "phase-times");
    assertFalse(times.contains("(not run)"), times);
    assertTrue(times.contains("warm_start, measured: 152 s"), times);
    // Bad keys and times are refused before anything is written; a loop phase records its own time.
    for (String phase : new String[] {"sample", "../x", ""}) {
      assertThrows(IllegalArgumentException.class, () -> HtmlReport.recordPhaseTime(dir, 0, phase, 1));
    }
    assertThrows(IllegalArgumentException.class, () -> HtmlReport.recordPhaseTime(dir, -1, "warm_start", 1));
    assertThrows(IllegalArgumentException.class, () -> HtmlReport.recordPhaseTime(dir, 0, "warm_start", Double.NaN));
  }

  @Test
  void modelOutputIsEscaped(@TempDir Path dir) throws IOException {
    FabricatedRun.write(dir, 12, false);
    String html = HtmlReport.withDefaults().render(dir);
    assertFalse(html.contains("<script>alert"));
    assertTrue(html.contains("&lt;script&gt;alert(&#39;step&#39;)&lt;/script&gt;"));
    assertEquals(1, count(html, "<script>"), "only the report's own script");
  }

  @Test
  void withoutAPlanThePhaseTimesStandAlone(@TempDir Path dir) throws IOException {
    FabricatedRun.write(dir, 8, false);
    String html = HtmlReport.withDefaults().render(dir);
    String times = chart(html, "phase-times");
    assertFalse(times.contains("estimate"));
    assertEquals(8, count(times, "<rect class=\"datum\""), "evaluate and the seven phases of iteration 1");
    assertTrue(html.contains("holds no <code>plan.json</code>"));
    assertFalse(html.contains("NaN"));
  }

  @Test
  void theRationalesShownAreBoundedAndDeterministic(@TempDir Path dir) throws IOException {
    FabricatedRun.write(dir, 60, false);
    HtmlReport report = HtmlReport.withDefaults().rationalesPerIteration(7).pairsPerIteration(1);
    String html = report.render(dir);
    assertEquals(14, count(html, "<div class=\"rationale\">"));
    assertEquals(1, count(html, "<div class=\"pair\">"));
    assertTrue(html.contains("<span class=\"ok\">correct</span>") && html.contains("<span class=\"bad\">incorrect"),
        "correct and incorrect rationales in turn");
    String again = report.render(dir);
    assertEquals(rationales(html), rationales(again));
  }

  private static String rationales(String html) {
    return html.substring(html.indexOf("<h2>Rationales</h2>"), html.indexOf("<h2>Chosen against rejected</h2>"));
  }

  @Test
  void aRunThatHasNotStartedAndADamagedFileStillGiveAPage(@TempDir Path dir) throws IOException {
    String empty = HtmlReport.withDefaults().render(dir);
    assertTrue(empty.contains("not started") && empty.contains("No evaluation has finished yet"));
    assertTrue(chartIds(empty).isEmpty());
    FabricatedRun.write(dir, 8, true);
    Files.writeString(dir.resolve("iteration-01/scores.jsonl"), "{\"sample\": 0, \"scores\": [0.5\n");
    Files.writeString(dir.resolve(RunPlan.FILE), "{\"version\": 7}");
    String html = HtmlReport.withDefaults().render(dir);
    assertTrue(html.contains("Files that could not be read"));
    assertTrue(html.contains("scores.jsonl"));
    assertTrue(html.contains("plan.json"));
    assertEquals(2, count(chart(html, "accuracy-ood"), "<circle class=\"datum\""), "the rest is shown");
  }

  @Test
  void theListenerNeverFailsTheRun(@TempDir Path dir) throws IOException {
    Path notADirectory = Files.writeString(dir.resolve("file"), "x");
    HtmlReportListener listener = new HtmlReportListener(notADirectory, HtmlReport.withDefaults());
    assertFalse(listener.write());
    listener.onPhaseEnd(1, io.github.sipf4j.prm.iterate.Phase.SAMPLE, 1.0, false);
    FabricatedRun.write(dir.resolve("run"), 8, false);
    HtmlReportListener ok = new HtmlReportListener(dir.resolve("run"), HtmlReport.withDefaults());
    assertTrue(ok.write());
    assertTrue(ok.write(), "a second write reuses the finished iterations");
    ok.onPhaseStart(2, io.github.sipf4j.prm.iterate.Phase.SIMULATE);
    assertTrue(Files.readString(dir.resolve("run/report.html"))
        .contains("<span class=\"badge\">running: iteration 2, phase simulate</span>"));
    ok.onPhaseEnd(2, io.github.sipf4j.prm.iterate.Phase.SIMULATE, 1.0, false);
    assertEquals(HtmlReport.withDefaults().render(dir.resolve("run")).replaceAll("written [^<]*<", ""),
        Files.readString(dir.resolve("run/report.html")).replaceAll("written [^<]*<", ""));
  }
}
