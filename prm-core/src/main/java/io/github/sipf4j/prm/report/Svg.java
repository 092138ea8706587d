package io.github.sipf4j.prm.report;

import com.google.common.html.HtmlEscapers;
import java.util.List;
import java.util.Locale;

/**
 * Inline SVG charts, drawn in Java so the report needs no script and no network. Every plotted value is an element of
 * class {@code datum} with a {@code <title>} (the browser's tooltip); non-finite values are left out, never drawn.
 */
final class Svg {

  /** The chart's width in pixels. */
  static final int WIDTH = 580;

  private static final int LEFT = 56;
  private static final int RIGHT = 24;
  private static final int TOP = 34;
  private static final int BOTTOM = 36;

  /**
   * One series of a chart.
   *
   * @param name its name in the legend
   * @param color its CSS colour
   * @param values one value per point or category (NaN: none)
   * @param lower per point, the lower end of an interval, or null
   * @param upper per point, the upper end, or null
   * @param hints per point, the tooltip's text, or null for the value alone
   */
  record Series(String name, String color, double[] values, double[] lower, double[] upper, String[] hints) {

    static Series of(String name, String color, double[] values) {
      return new Series(name, color, values, null, null, null);
    }
  }

  private Svg() {}

  /**
   * A line chart over ordered points (iterations), each series with an optional shaded interval and error bars.
   *
   * @param id the element's id
   * @param title the chart's title
   * @param x the label of each point
   * @param series the series, all as long as {@code x}
   * @param percent whether values are fractions shown as percentages
   * @param yMax the top of the value axis (the values' own maximum when larger)
   * @return the {@code <svg>} element
   */
  static String lines(String id, String title, List<String> x, List<Series> series, boolean percent, double yMax) {
    int height = 260;
    double top = yMax;
    for (Series s : series) {
      for (int i = 0; i < x.size(); i++) {
        top = Math.max(top, finite(s.upper() == null ? Double.NaN : s.upper()[i], finite(s.values()[i], 0)));
      }
    }
    double[] ticks = ticks(top);
    double max = ticks[ticks.length - 1];
    double plotW = WIDTH - LEFT - RIGHT;
    double plotH = height - TOP - BOTTOM;
    StringBuilder b = open(id, "chart lines", title, height, series);
    axis(b, ticks, max, plotH, percent);
    double step = x.size() <= 1 ? 0 : plotW / (x.size() - 1);
    for (int i = 0; i < x.size(); i++) {
      double px = LEFT + (x.size() <= 1 ? plotW / 2 : i * step);
      b.append(String.format(Locale.ROOT, "<text class=\"tick\" x=\"%.1f\" y=\"%d\" text-anchor=\"middle\">%s</text>",
          px, height - BOTTOM + 16, esc(x.get(i))));
    }
    for (Series s : series) {
      StringBuilder band = new StringBuilder();
      StringBuilder bandBack = new StringBuilder();
      StringBuilder path = new StringBuilder();
      StringBuilder marks = new StringBuilder();
      for (int i = 0; i < x.size(); i++) {
        double v = s.values()[i];
        if (!Double.isFinite(v)) {
          continue;
        }
        double px = LEFT + (x.size() <= 1 ? plotW / 2 : i * step);
        double py = TOP + plotH * (1 - v / max);
        path.append(path.length() == 0 ? "M" : " L").append(String.format(Locale.ROOT, "%.1f %.1f", px, py));
        if (s.lower() != null && Double.isFinite(s.lower()[i]) && Double.isFinite(s.upper()[i])) {
          double lo = TOP + plotH * (1 - s.lower()[i] / max);
          double hi = TOP + plotH * (1 - s.upper()[i] / max);
          band.append(band.length() == 0 ? "" : " ").append(String.format(Locale.ROOT, "%.1f,%.1f", px, hi));
          bandBack.insert(0, String.format(Locale.ROOT, " %.1f,%.1f", px, lo));
          marks.append(String.format(Locale.ROOT, "<path class=\"ci\" d=\"M%.1f %.1f V%.1f M%.1f %.1f H%.1f M%.1f %.1f "
              + "H%.1f\" stroke=\"%s\"/>", px, lo, hi, px - 4, lo, px + 4, px - 4, hi, px + 4, s.color()));
        }
        String hint = s.hints() != null && s.hints()[i] != null ? s.hints()[i] : x.get(i) + ": " + value(v, percent);
        marks.append(String.format(Locale.ROOT, "<circle class=\"datum\" cx=\"%.1f\" cy=\"%.1f\" r=\"4\" fill=\"%s\">"
            + "<title>%s</title></circle>", px, py, s.color(), esc(hint)));
        if (x.size() <= 16) {
          boolean last = x.size() > 1 && i == x.size() - 1;
          marks.append(String.format(Locale.ROOT, "<text class=\"val\" x=\"%.1f\" y=\"%.1f\"%s>%s</text>",
              last ? px - 6 : px + 6, py - 6, last ? " text-anchor=\"end\"" : "", esc(value(v, percent))));
        }
      }
      if (band.length() > 0 && band.indexOf(" ") > 0) {
        b.append("<polygon class=\"band\" fill=\"").append(s.color()).append("\" points=\"").append(band)
            .append(bandBack).append("\"/>");
      }
      if (path.length() > 0) {
        b.append("<path class=\"line\" fill=\"none\" stroke=\"").append(s.color()).append("\" d=\"").append(path)
            .append("\"/>");
      }
      b.append(marks);
    }
    return b.append("</svg>").toString();
  }

  /**
   * A horizontal bar chart: one row per category, one bar per series in each row.
   *
   * @param id the element's id
   * @param title the chart's title
   * @param categories the rows' labels
   * @param series the series, all as long as {@code categories}
   * @param unit appended to the values shown, such as {@code " s"}
   * @param counts whether the values are counts (whole-number ticks)
   * @return the {@code <svg>} element
   */
  static String bars(String id, String title, List<String> categories, List<Series> series, String unit,
      boolean counts) {
    int barH = 11;
    int rowH = series.size() * barH + 8;
    int left = 140;
    int height = TOP + categories.size() * rowH + BOTTOM;
    double top = 0;
    for (Series s : series) {
      for (double v : s.values()) {
        top = Math.max(top, finite(v, 0));
      }
    }
    double[] ticks = ticks(counts ? Math.max(top, 5) : top);
    double max = ticks[ticks.length - 1];
    double plotW = WIDTH - left - RIGHT - 40;
    StringBuilder b = open(id, "chart bars", title, height, series);
    for (double t : ticks) {
      double px = left + plotW * t / max;
      b.append(String.format(Locale.ROOT, "<line class=\"grid\" x1=\"%.1f\" x2=\"%.1f\" y1=\"%d\" y2=\"%d\"/>"
          + "<text class=\"tick\" x=\"%.1f\" y=\"%d\" text-anchor=\"middle\">%s</text>", px, px, TOP,
          height - BOTTOM, px, height - BOTTOM + 16, esc(number(t))));
    }
    for (int c = 0; c < categories.size(); c++) {
      int y0 = TOP + c * rowH + 4;
      b.append(String.format(Locale.ROOT, "<text class=\"cat\" x=\"%d\" y=\"%d\" text-anchor=\"end\">%s</text>",
          left - 6, y0 + series.size() * barH / 2 + 4, esc(categories.get(c))));
      for (int k = 0; k < series.size(); k++) {
        Series s = series.get(k);
        double v = s.values()[c];
        if (!Double.isFinite(v)) {
          continue;
        }
        double w = Math.max(1, plotW * v / max);
        int y = y0 + k * barH;
        String hint = s.hints() != null && s.hints()[c] != null ? s.hints()[c]
            : categories.get(c) + ", " + s.name() + ": " + number(v) + unit;
        b.append(String.format(Locale.ROOT, "<rect class=\"datum\" x=\"%d\" y=\"%d\" width=\"%.1f\" height=\"%d\" "
            + "fill=\"%s\"><title>%s</title></rect><text class=\"val\" x=\"%.1f\" y=\"%d\">%s</text>", left, y, w,
            barH - 2, s.color(), esc(hint), left + w + 4, y + barH - 3, esc(number(v) + unit)));
      }
    }
    return b.append("</svg>").toString();
  }

  private static StringBuilder open(String id, String cls, String title, int height, List<Series> series) {
    StringBuilder b = new StringBuilder();
    b.append(String.format(Locale.ROOT, "<svg id=\"%s\" class=\"%s\" xmlns=\"http://www.w3.org/2000/svg\" "
        + "viewBox=\"0 0 %d %d\" width=\"%d\" height=\"%d\" role=\"img\" aria-label=\"%s\">", esc(id), cls, WIDTH,
        height, WIDTH, height, esc(title)));
    b.append("<text class=\"title\" x=\"8\" y=\"16\">").append(esc(title)).append("</text>");
    double x = WIDTH - RIGHT;
    for (int k = series.size() - 1; k >= 0; k--) {
      Series s = series.get(k);
      x -= 24 + 6.6 * s.name().length();
      b.append(String.format(Locale.ROOT, "<rect x=\"%.1f\" y=\"8\" width=\"10\" height=\"10\" fill=\"%s\"/>"
          + "<text class=\"legend\" x=\"%.1f\" y=\"17\">%s</text>", x, s.color(), x + 14, esc(s.name())));
    }
    return b;
  }

  private static void axis(StringBuilder b, double[] ticks, double max, double plotH, boolean percent) {
    for (double t : ticks) {
      double py = TOP + plotH * (1 - t / max);
      b.append(String.format(Locale.ROOT, "<line class=\"grid\" x1=\"%d\" x2=\"%d\" y1=\"%.1f\" y2=\"%.1f\"/>"
          + "<text class=\"tick\" x=\"%d\" y=\"%.1f\" text-anchor=\"end\">%s</text>", LEFT, WIDTH - RIGHT, py, py,
          LEFT - 6, py + 4, esc(percent ? String.format(Locale.ROOT, "%.0f%%", 100 * t) : number(t))));
    }
  }

  /** Round tick values from 0 to at least {@code top}: steps of 1, 2 or 5 times a power of ten, at most 6 ticks. */
  static double[] ticks(double top) {
    if (!(top > 0)) {
      return new double[] {0, 1};
    }
    double raw = top / 5;
    double pow = Math.pow(10, Math.floor(Math.log10(raw)));
    double step = raw <= pow ? pow : raw <= 2 * pow ? 2 * pow : raw <= 5 * pow ? 5 * pow : 10 * pow;
    int n = (int) Math.ceil(top / step - 1e-9);
    double[] out = new double[n + 1];
    for (int i = 0; i <= n; i++) {
      out[i] = i * step;
    }
    return out;
  }

  /** A value as the charts and tables show it: a percentage with one decimal, or a short number. */
  static String value(double v, boolean percent) {
    if (!Double.isFinite(v)) {
      return "–";
    }
    return percent ? String.format(Locale.ROOT, "%.1f%%", 100 * v) : number(v);
  }

  /** A short number: integers as such, others to two decimals (one from 10, none from 100; below 0.01 as 1.2e-03). */
  static String number(double v) {
    if (!Double.isFinite(v)) {
      return "–";
    }
    if (v == Math.rint(v) && Math.abs(v) < 1e15) {
      return String.format(Locale.ROOT, "%,d", (long) v);
    }
    double a = Math.abs(v);
    if (a < 0.01) {
      return String.format(Locale.ROOT, "%.1e", v);
    }
    String s = String.format(Locale.ROOT, a >= 100 ? "%,.0f" : a >= 10 ? "%.1f" : "%.2f", v);
    return s.contains(".") ? s.replaceAll("\\.?0+$", "") : s;
  }

  static String esc(String s) {
    return HtmlEscapers.htmlEscaper().escape(s);
  }

  private static double finite(double v, double otherwise) {
    return Double.isFinite(v) ? v : otherwise;
  }
}
