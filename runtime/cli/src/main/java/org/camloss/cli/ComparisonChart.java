package org.camloss.cli;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.camloss.runtime.Comparison;
import org.camloss.runtime.run.Json;
import org.knowm.xchart.BitmapEncoder;
import org.knowm.xchart.XYChart;
import org.knowm.xchart.XYChartBuilder;
import org.knowm.xchart.style.Styler;

/** The chart {@code compare} draws: mean test accuracy per epoch, one line per variant (XChart). */
final class ComparisonChart {
    private ComparisonChart() {}

    /** Writes the chart of {@code comparison} to {@code png}, atomically. */
    static void write(Comparison comparison, Path png, String title) {
        XYChart chart = new XYChartBuilder()
                .width(800)
                .height(500)
                .title(title)
                .xAxisTitle("epoch")
                .yAxisTitle("test accuracy (mean over seeds)")
                .build();
        chart.getStyler().setLegendPosition(Styler.LegendPosition.InsideSE);
        for (String v : comparison.variants()) {
            List<Double> curve = comparison.meanCurve(v);
            if (curve.isEmpty()) {
                continue;
            }
            List<Integer> epochs = new ArrayList<>();
            for (int i = 1; i <= curve.size(); i++) {
                epochs.add(i);
            }
            chart.addSeries(v, epochs, curve);
        }
        try {
            byte[] bytes = BitmapEncoder.getBitmapBytes(chart, BitmapEncoder.BitmapFormat.PNG);
            Path tmp = png.resolveSibling("." + png.getFileName() + ".tmp");
            Files.write(tmp, bytes);
            Json.moveAtomically(tmp, png);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot write " + png, e);
        }
    }
}
