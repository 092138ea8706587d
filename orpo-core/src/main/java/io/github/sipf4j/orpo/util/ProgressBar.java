package io.github.sipf4j.orpo.util;

import java.io.PrintStream;
import java.util.Locale;

/**
 * A text progress bar with rate and ETA, for long work: {@code label [=====>    ] 450/1000 45% 12.3 it/s ETA 00:44
 * loss 1.234}. On a terminal it redraws one line at most five times a second; when standard error is not a terminal
 * (a log file, CI) it prints a line at every 10% instead, so logs stay short. A disabled bar prints nothing.
 */
public final class ProgressBar implements AutoCloseable {

  private static final int WIDTH = 28;

  private final String label;
  private final long total;
  private final String unit;
  private final PrintStream out;
  private final boolean enabled;
  private final boolean interactive;
  private final long startNanos = System.nanoTime();
  private long startDone = -1;
  private long lastDrawNanos;
  private int lastDecile = -1;
  private long done;
  private String suffix = "";

  /**
   * Creates a bar on standard error.
   *
   * @param label what is progressing
   * @param total the number of units of the whole task
   * @param unit the unit of the rate, e.g. {@code "it"} or {@code "tok"}
   * @param enabled whether to print at all
   */
  public ProgressBar(String label, long total, String unit, boolean enabled) {
    this(label, total, unit, enabled, System.err, System.console() != null);
  }

  /**
   * Creates a bar on a given stream.
   *
   * @param label what is progressing
   * @param total the number of units of the whole task
   * @param unit the unit of the rate
   * @param enabled whether to print at all
   * @param out where to print
   * @param interactive whether to redraw one line (a terminal) or print a line per decile
   */
  public ProgressBar(String label, long total, String unit, boolean enabled, PrintStream out, boolean interactive) {
    this.label = label;
    this.total = Math.max(1, total);
    this.unit = unit;
    this.enabled = enabled;
    this.out = out;
    this.interactive = interactive;
  }

  /**
   * Reports progress.
   *
   * @param doneUnits units done so far (absolute, not a delta)
   * @param status a short status shown after the ETA, e.g. the current loss; may be empty
   */
  public void update(long doneUnits, String status) {
    if (startDone < 0) {
      startDone = doneUnits;
    }
    done = doneUnits;
    suffix = status == null ? "" : status;
    if (!enabled) {
      return;
    }
    long now = System.nanoTime();
    int decile = (int) (10 * Math.min(done, total) / total);
    if (interactive) {
      if (now - lastDrawNanos > 200_000_000L || done >= total) {
        out.print('\r' + render(now));
        out.flush();
        lastDrawNanos = now;
      }
    } else if (decile != lastDecile) {
      out.println(render(now));
      lastDecile = decile;
    }
  }

  /**
   * Renders the bar as text.
   *
   * @param nowNanos the current {@link System#nanoTime()}
   * @return the line
   */
  String render(long nowNanos) {
    double seconds = Math.max(1e-9, (nowNanos - startNanos) / 1e9);
    double rate = (done - Math.max(0, startDone)) / seconds;
    long shown = Math.min(done, total);
    int filled = (int) (WIDTH * shown / total);
    StringBuilder bar = new StringBuilder();
    for (int i = 0; i < WIDTH; i++) {
      bar.append(i < filled ? '=' : i == filled ? '>' : ' ');
    }
    String eta = rate > 0 ? formatSeconds((total - shown) / rate) : "--:--";
    return String.format(Locale.ROOT, "%s [%s] %d/%d %3d%% %.1f %s/s ETA %s %s", label, bar, shown, total,
        100 * shown / total, rate, unit, eta, suffix).stripTrailing();
  }

  static String formatSeconds(double s) {
    long t = Math.round(s);
    return t >= 3600 ? String.format(Locale.ROOT, "%d:%02d:%02d", t / 3600, t / 60 % 60, t % 60)
        : String.format(Locale.ROOT, "%02d:%02d", t / 60, t % 60);
  }

  /** Finishes the line. */
  @Override
  public void close() {
    if (enabled && interactive) {
      out.print('\r' + render(System.nanoTime()) + System.lineSeparator());
      out.flush();
    } else if (enabled && lastDecile < 10 && done > 0) {
      out.println(render(System.nanoTime()));
    }
  }
}
