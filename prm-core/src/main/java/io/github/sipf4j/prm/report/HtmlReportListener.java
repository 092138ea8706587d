package io.github.sipf4j.prm.report;

import com.google.common.base.Preconditions;
import io.github.sipf4j.prm.iterate.IterationReport;
import io.github.sipf4j.prm.iterate.Phase;
import io.github.sipf4j.prm.iterate.SelfIterativeListener;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.Map;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Rewrites a run directory's {@code report.html} ({@link HtmlReport}) when a phase starts (naming it as running),
 * after every phase and after every iteration, so the page always shows the run as it stands; the file is replaced
 * atomically. A report that cannot be written is logged
 * as a warning and never stops the run. Finished iterations are read once and kept, so a rewrite late in a long run
 * reads only the iteration in progress.
 *
 * <p>{@link io.github.sipf4j.prm.iterate.SelfIterativeTrainer} adds one for its work directory unless its builder's
 * {@code htmlReport(false)} turns it off; add one yourself with {@code listener(new HtmlReportListener(dir,
 * report))} for other settings.
 */
public final class HtmlReportListener implements SelfIterativeListener {

  private static final Logger LOG = LoggerFactory.getLogger(HtmlReportListener.class);

  private final Path runDir;
  private final HtmlReport report;
  private final Map<String, IterationSnapshot> finished = new HashMap<>();
  private boolean warned;

  /**
   * Creates a listener.
   *
   * @param runDir the run's work directory, where {@value HtmlReport#FILE} is written
   * @param report what the report shows
   */
  public HtmlReportListener(Path runDir, HtmlReport report) {
    this.runDir = Preconditions.checkNotNull(runDir, "runDir");
    this.report = Preconditions.checkNotNull(report, "report");
  }

  @Override
  public void onPhaseStart(int iteration, Phase phase) {
    write(iteration == 0 ? "running: evaluation of the starting policy"
        : "running: iteration " + iteration + ", phase " + phase.key());
  }

  @Override
  public void onPhaseEnd(int iteration, Phase phase, double seconds, boolean resumed) {
    if (!resumed) {
      write(null);
    }
  }

  @Override
  public void onIterationEnd(IterationReport iterationReport) {
    write(null);
  }

  /**
   * Writes the report now, as the files stand.
   *
   * @return true when it was written, false when writing failed (logged)
   */
  public boolean write() {
    return write(null);
  }

  private boolean write(String running) {
    try {
      report.write(runDir, finished, running);
      return true;
    } catch (Exception e) {
      // The report serves the person watching the run; the run itself must go on without it.
      if (!warned) {
        LOG.warn("could not write {}: {} (the run continues; later failures are logged at debug level)",
            runDir.resolve(HtmlReport.FILE), e.toString());
        warned = true;
      } else {
        LOG.debug("could not write {}", runDir.resolve(HtmlReport.FILE), e);
      }
      return false;
    }
  }
}
