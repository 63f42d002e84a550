package io.github.mptcpnio.bench;

import org.jfree.chart.ChartFactory;
import org.jfree.chart.ChartUtils;
import org.jfree.chart.JFreeChart;
import org.jfree.chart.plot.PlotOrientation;
import org.jfree.chart.plot.ValueMarker;
import org.jfree.chart.plot.XYPlot;
import org.jfree.data.xy.XYSeries;
import org.jfree.data.xy.XYSeriesCollection;

import java.awt.BasicStroke;
import java.awt.Color;
import java.io.IOException;
import java.nio.file.Path;
import java.util.List;
import java.util.Locale;

/**
 * Renders the receiver's goodput around each event of one setting of {@link FailoverRun} (time 0 = the event), with
 * each run's recovery and its longest gap between reads in the legend and the recovery times marked.
 */
final class RecoveryPlot {
    private static final Color[] COLORS = {new Color(0x1f77b4), new Color(0xff7f0e), new Color(0x2ca02c)};

    private RecoveryPlot() {
    }

    static void render(List<FailoverRun.Outcome> runs, String setting, Path png) throws IOException {
        System.setProperty("java.awt.headless", "true");
        XYSeriesCollection data = new XYSeriesCollection();
        for (FailoverRun.Outcome o : runs) {
            XYSeries s = new XYSeries(String.format(Locale.ROOT, "path A %s: recovered %s, longest gap %d ms",
                    o.event(), o.recoveryMs() < 0 ? "never" : o.recoveryMs() + " ms", o.maxGapMs()));
            long first = o.timeline().get(0)[0];
            long last = o.timeline().get(o.timeline().size() - 1)[0];
            for (long t = first + 100; t <= last; t += 100) { // 100 ms bins
                double mbit = (FailoverRun.bytesAt(o.timeline(), t) - FailoverRun.bytesAt(o.timeline(), t - 100))
                        * 8 / 1e6 / 0.1;
                s.add((t - o.eventAtMs()) / 1000.0, mbit);
            }
            data.addSeries(s);
        }
        JFreeChart chart = ChartFactory.createXYLineChart(
                "What the receiver gets when path A fails (" + setting + ", both paths " + FailoverRun.RATE_MBIT
                        + " Mbit/s)", "seconds since the event on path A", "receiver goodput, Mbit/s (100 ms bins)",
                data, PlotOrientation.VERTICAL, true, false, false);
        XYPlot plot = chart.getXYPlot();
        FailoverPlot.whiteGrid(plot);
        for (int i = 0; i < runs.size(); i++) {
            plot.getRenderer().setSeriesPaint(i, COLORS[i % COLORS.length]);
            plot.getRenderer().setSeriesStroke(i, new BasicStroke(2f));
            if (runs.get(i).recoveryMs() >= 0) {
                ValueMarker m = new ValueMarker(runs.get(i).recoveryMs() / 1000.0, COLORS[i % COLORS.length],
                        new BasicStroke(1f, BasicStroke.CAP_BUTT, BasicStroke.JOIN_MITER, 10f, new float[] {2f, 3f},
                                0f));
                plot.addDomainMarker(m);
            }
        }
        plot.addDomainMarker(FailoverPlot.eventMarker(0, "event on path A"));
        ChartUtils.saveChartAsPNG(png.toFile(), chart, 960, 480);
    }
}
