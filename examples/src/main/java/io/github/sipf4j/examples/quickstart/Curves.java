package io.github.sipf4j.examples.quickstart;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.knowm.xchart.BitmapEncoder;
import org.knowm.xchart.XYChart;
import org.knowm.xchart.XYChartBuilder;
import org.knowm.xchart.XYSeries;
import org.knowm.xchart.style.markers.SeriesMarkers;

/** Draws learning curves (accuracy by iteration) as PNG files with XChart, headless. */
public final class Curves {

  private Curves() {}

  /**
   * One curve: a name, the y value per iteration (from 0) and optional error bars.
   *
   * @param name the legend entry
   * @param values the y values, one per iteration from 0
   * @param errors the error bars (the same length), or null
   */
  public record Series(String name, double[] values, double[] errors) {}

  /**
   * Draws one chart of accuracy (in %) by iteration.
   *
   * @param file the PNG file to write
   * @param title the chart's title
   * @param series the curves, in legend order
   * @throws IOException if the file cannot be written
   */
  public static void draw(Path file, String title, List<Series> series) throws IOException {
    System.setProperty("java.awt.headless", "true");
    XYChart chart = new XYChartBuilder().width(900).height(540).title(title)
        .xAxisTitle("iteration (0 = SFT warm start)").yAxisTitle("accuracy (%)").build();
    chart.getStyler().setLegendPosition(org.knowm.xchart.style.Styler.LegendPosition.OutsideE);
    chart.getStyler().setXAxisDecimalPattern("0");
    chart.getStyler().setYAxisDecimalPattern("0");
    for (Series s : series) {
      double[] x = new double[s.values().length];
      double[] y = new double[x.length];
      for (int i = 0; i < x.length; i++) {
        x[i] = i;
        y[i] = 100 * s.values()[i];
      }
      XYSeries xy;
      if (s.errors() != null) {
        double[] e = new double[x.length];
        for (int i = 0; i < x.length; i++) {
          e[i] = 100 * s.errors()[i];
        }
        xy = chart.addSeries(s.name(), x, y, e);
      } else {
        xy = chart.addSeries(s.name(), x, y);
      }
      xy.setMarker(SeriesMarkers.CIRCLE);
    }
    Files.createDirectories(file.toAbsolutePath().getParent());
    String name = file.getFileName().toString();
    String base = name.endsWith(".png") ? name.substring(0, name.length() - 4) : name;
    BitmapEncoder.saveBitmap(chart, file.resolveSibling(base).toString(), BitmapEncoder.BitmapFormat.PNG);
  }
}
