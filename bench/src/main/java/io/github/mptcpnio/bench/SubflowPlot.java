package io.github.mptcpnio.bench;

import jdk.jfr.consumer.RecordedEvent;
import jdk.jfr.consumer.RecordingFile;
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
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Renders what JDK Flight Recorder saw of a run: the {@code io.github.mptcpnio.Subflow} events of the client JVM,
 * one series per subflow (by its local address), each the rate of its {@code bytesSent} between two snapshots.
 * Nothing here measures the wire: the chart shows exactly what an operator's recording contains.
 */
final class SubflowPlot {
    private SubflowPlot() {
    }

    /** Returns how many Subflow events the recording had. */
    static int render(Path recording, long downAtEpochMillis, String title, Path png) throws IOException {
        System.setProperty("java.awt.headless", "true");
        Map<String, List<RecordedEvent>> bySubflow = new LinkedHashMap<>();
        long first = Long.MAX_VALUE;
        int count = 0;
        for (RecordedEvent e : RecordingFile.readAllEvents(recording)) {
            if (e.getEventType().getName().equals("io.github.mptcpnio.Subflow")) {
                String key = e.getString("local") + " -> " + e.getString("remote");
                bySubflow.computeIfAbsent(key, k -> new ArrayList<>()).add(e);
                first = Math.min(first, e.getStartTime().toEpochMilli());
                count++;
            }
        }
        XYSeriesCollection data = new XYSeriesCollection();
        for (Map.Entry<String, List<RecordedEvent>> s : bySubflow.entrySet()) {
            XYSeries series = new XYSeries("subflow " + s.getKey());
            List<RecordedEvent> events = s.getValue();
            for (int i = 1; i < events.size(); i++) {
                long t0 = events.get(i - 1).getStartTime().toEpochMilli();
                long t1 = events.get(i).getStartTime().toEpochMilli();
                long bytes = events.get(i).getLong("bytesSent") - events.get(i - 1).getLong("bytesSent");
                if (t1 > t0) {
                    series.add((t1 - first) / 1e3, bytes * 8.0 / 1000 / (t1 - t0));
                }
            }
            data.addSeries(series);
        }
        JFreeChart chart = ChartFactory.createXYLineChart(title, "seconds since the first snapshot",
                "bytesSent rate per subflow, Mbit/s (from the JFR events)", data, PlotOrientation.VERTICAL, true,
                false, false);
        XYPlot plot = chart.getXYPlot();
        FailoverPlot.whiteGrid(plot);
        Color[] colors = {new Color(0x1f77b4), new Color(0xff7f0e), new Color(0x2ca02c), new Color(0xd62728)};
        for (int i = 0; i < data.getSeriesCount(); i++) {
            plot.getRenderer().setSeriesPaint(i, colors[i % colors.length]);
            plot.getRenderer().setSeriesStroke(i, new BasicStroke(2f));
        }
        if (first != Long.MAX_VALUE) {
            ValueMarker down = new ValueMarker((downAtEpochMillis - first) / 1e3, Color.RED, new BasicStroke(1.5f,
                    BasicStroke.CAP_BUTT, BasicStroke.JOIN_MITER, 10f, new float[] {6f, 4f}, 0f));
            down.setLabel("path A down");
            down.setLabelAnchor(RectangleAnchor.TOP_RIGHT);
            down.setLabelTextAnchor(TextAnchor.TOP_LEFT);
            plot.addDomainMarker(down);
        }
        ChartUtils.saveChartAsPNG(png.toFile(), chart, 960, 480);
        return count;
    }
}
