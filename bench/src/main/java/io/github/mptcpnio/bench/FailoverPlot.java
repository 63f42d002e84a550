package io.github.mptcpnio.bench;

import org.jfree.chart.ChartFactory;
import org.jfree.chart.ChartUtils;
import org.jfree.chart.JFreeChart;
import org.jfree.chart.plot.PlotOrientation;
import org.jfree.chart.plot.ValueMarker;
import org.jfree.chart.plot.XYPlot;
import org.jfree.chart.ui.RectangleAnchor;
import org.jfree.chart.ui.TextAnchor;
import org.jfree.data.xy.XYSeries;
import org.jfree.data.xy.XYSeriesCollection;

import java.awt.BasicStroke;
import java.awt.Color;
import java.io.IOException;
import java.nio.file.Path;
import java.util.List;

/** Renders the failover run as a PNG: throughput per path over time, the moment path A went down marked. */
final class FailoverPlot {
    private FailoverPlot() {
    }

    /** The look every chart of the bench shares: white background, light grey grid. */
    static void whiteGrid(XYPlot plot) {
        plot.setBackgroundPaint(Color.WHITE);
        plot.setDomainGridlinePaint(Color.LIGHT_GRAY);
        plot.setRangeGridlinePaint(Color.LIGHT_GRAY);
    }

    /** The dashed red line, labelled, that marks when something happened to path A. */
    static ValueMarker eventMarker(double x, String label) {
        ValueMarker m = new ValueMarker(x, Color.RED, new BasicStroke(1.5f, BasicStroke.CAP_BUTT,
                BasicStroke.JOIN_MITER, 10f, new float[] {6f, 4f}, 0f));
        m.setLabel(label);
        m.setLabelAnchor(RectangleAnchor.TOP_RIGHT);
        m.setLabelTextAnchor(TextAnchor.TOP_LEFT);
        return m;
    }

    static void render(List<double[]> series, double downAt, int rateMbit, Path png) throws IOException {
        System.setProperty("java.awt.headless", "true");
        XYSeries a = new XYSeries("path A (192.0.2.0/24), initial subflow");
        XYSeries b = new XYSeries("path B (198.51.100.0/24), joined subflow");
        for (double[] s : series) {
            a.add(s[0], s[1]);
            b.add(s[0], s[2]);
        }
        XYSeriesCollection data = new XYSeriesCollection();
        data.addSeries(a);
        data.addSeries(b);
        JFreeChart chart = ChartFactory.createXYLineChart(
                "Failover: path A goes down mid-transfer (both paths " + rateMbit + " Mbit/s)",
                "seconds since the client started", "client transmit, Mbit/s (wire)", data,
                PlotOrientation.VERTICAL, true, false, false);
        XYPlot plot = chart.getXYPlot();
        whiteGrid(plot);
        plot.getRenderer().setSeriesPaint(0, new Color(0x1f77b4));
        plot.getRenderer().setSeriesPaint(1, new Color(0xff7f0e));
        plot.getRenderer().setSeriesStroke(0, new BasicStroke(2f));
        plot.getRenderer().setSeriesStroke(1, new BasicStroke(2f));
        plot.addDomainMarker(eventMarker(downAt, "path A down"));
        ChartUtils.saveChartAsPNG(png.toFile(), chart, 960, 480);
    }
}
