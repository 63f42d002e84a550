package io.github.mptcpnio.bench;

import org.jfree.chart.ChartFactory;
import org.jfree.chart.ChartUtils;
import org.jfree.chart.JFreeChart;
import org.jfree.chart.plot.PlotOrientation;
import org.jfree.chart.plot.XYPlot;
import org.jfree.data.xy.XYSeries;
import org.jfree.data.xy.XYSeriesCollection;

import java.awt.BasicStroke;
import java.io.IOException;
import java.nio.file.Path;
import java.util.Locale;

/** Writes the scale part ({@link ScaleRun}) as {@code SCALE.md} and its cost-against-N chart. */
final class ScaleReport {
    private final Results r;
    private final ScaleRun s;
    private final StringBuilder md = new StringBuilder();

    ScaleReport(Results r) {
        this.r = r;
        this.s = r.scale;
    }

    String markdown(Path out) throws IOException {
        md.append(Report.opening(r, "mptcp-nio at scale: what each connection costs, and how it grows",
                "200 connections, a churn of 2,000", ""));
        line("Reproduce: `bench/run.sh --only scale` as root (about 5 minutes).");
        line("");
        line("N connections between a client JVM and a server JVM over loopback in a fresh network namespace, two "
                + "programs (`ScaleApp`): **nio**, a one-Selector echo server and a client of blocking "
                + "`SocketChannel`s; **socket**, a platform thread per connection over `java.net.ServerSocket`/`Socket` "
                + "and a client of `Socket`s (not under the switch, which does not reach java.net sockets). The "
                + "client connects N times, one after the other, "
                + "one run per program, baseline and N. N stops at 19,000: each JVM holds a descriptor per "
                + "connection, and this machine's hard limit is 20,000 per process, which root cannot raise here "
                + "(`prlimit` answers EPERM: no CAP_SYS_RESOURCE). Per connection:");
        line("");
        line("- **kernel**: growth of `Slab:` in `/proc/meminfo` with the N connections open, divided by N — the "
                + "kernel's own accounting of its socket objects, both ends of each connection (loopback), with "
                + "MPTCP their subflows too; the socket caches alone (`TCP`, `TCPv6`, `MPTCP`, `MPTCPv6`, "
                + "`sock_inode_cache` of `/proc/slabinfo`, bytes of active objects) beside it. Slab is kernel-wide: "
                + "other activity on the machine is noise in it.");
        line("- **heap** (client, after a full GC) and **RSS** (client, and server from `/proc/<pid>/status`): with "
                + "the N connections open minus before the first, divided by N.");
        line("- **connect**: N blocking connects one after the other; **close**: closing all N; **p50/p99**: "
                + "64-byte round trips on 10 connections while the others idle; **loop**: every connection sends 64 "
                + "bytes, then every echo is read, 5 rounds — messages per second through the server (its one "
                + "Selector, or its N threads).");
        line("");
        line("| program | N | baseline | kernel B/conn | socket caches B/conn | heap B/conn | client RSS B/conn | "
                + "server RSS B/conn | connect conn/s | close ms | p50 µs | p99 µs | loop msgs/s |");
        line("|---|---|---|---|---|---|---|---|---|---|---|---|---|");
        for (ScaleRun.Point p : s.points) {
            double caches = p.cachesPerConn().values().stream().mapToDouble(Double::doubleValue).sum();
            line(String.format(Locale.ROOT, "| %s | %d | %s | %.0f | %.0f | %.0f | %.0f | %.0f | %.0f | %.0f | %d | "
                    + "%d | %.0f |", p.kind(), p.n(), p.baseline().label, p.slabPerConn(), caches, p.heapPerConn(),
                    p.clientRssPerConn(), p.serverRssPerConn(), p.establishPerSec(), p.closeMillis(), p.p50us(),
                    p.p99us(), p.roundMsgsPerSec()));
        }
        line("");
        line("Socket caches per connection, by cache (B):");
        line("");
        line("| program | N | baseline | " + String.join(" | ", ScaleRun.CACHES) + " |");
        line("|---|---|---|" + "---|".repeat(ScaleRun.CACHES.size()));
        for (ScaleRun.Point p : s.points) {
            StringBuilder row = new StringBuilder("| " + p.kind() + " | " + p.n() + " | " + p.baseline().label
                    + " |");
            for (String c : ScaleRun.CACHES) {
                row.append(String.format(Locale.ROOT, " %.0f |", p.cachesPerConn().get(c)));
            }
            line(row.toString());
        }
        line("");
        String png = r.smoke ? "scale-smoke.png" : "scale.png";
        chart(out.resolve(png));
        line("![kernel memory per connection against N](" + png + ")");
        line("");
        ScaleRun.Churn c = s.churn;
        line(String.format(Locale.ROOT, "**Churn under the agent:** two rounds of %,d connections, each opened, echoed "
                + "(1 byte) and closed one after the other, in one client JVM (second round %,d ms). Client JVM after "
                + "a full GC — before / after round 1 / after round 2: descriptors %d / %d / %d; heap %,d / %,d / "
                + "%,d B; RSS %,d / %,d / %,d B. Server descriptors %d before, %d after. The first round warms the "
                + "JIT and the allocator; the second must leave the counts where the first did: descriptors equal "
                + "(checked, the run fails otherwise), heap %+,d B, RSS %+,d B over %,d connections.",
                c.n(), c.millis(), c.before().get("fds"), c.after1().get("fds"), c.after2().get("fds"),
                c.before().get("heap"), c.after1().get("heap"), c.after2().get("heap"), c.before().get("rss"),
                c.after1().get("rss"), c.after2().get("rss"), c.serverFdsBefore(), c.serverFdsAfter(),
                c.after2().get("heap") - c.after1().get("heap"), c.after2().get("rss") - c.after1().get("rss"),
                c.n()));
        return md.toString();
    }

    private void chart(Path png) throws IOException {
        System.setProperty("java.awt.headless", "true");
        XYSeriesCollection data = new XYSeriesCollection();
        for (String kind : ScaleRun.KINDS) {
            for (Baseline b : Baseline.values()) {
                if (b == Baseline.AGENT_DEFAULT) {
                    continue; // not measured at scale: on loopback its sockets are the jdk's
                }
                XYSeries series = new XYSeries(b.label + ", " + kind);
                for (ScaleRun.Point p : s.points) {
                    if (p.baseline() == b && p.kind().equals(kind)) {
                        series.add(p.n(), p.slabPerConn() / 1024);
                    }
                }
                if (!series.isEmpty()) {
                    data.addSeries(series);
                }
            }
        }
        JFreeChart chart = ChartFactory.createXYLineChart("Kernel memory per connection (both ends, loopback)",
                "concurrent connections N", "KiB per connection (Slab growth / N)", data,
                PlotOrientation.VERTICAL, true, false, false);
        XYPlot plot = chart.getXYPlot();
        FailoverPlot.whiteGrid(plot);
        for (int i = 0; i < data.getSeriesCount(); i++) {
            plot.getRenderer().setSeriesStroke(i, new BasicStroke(2f));
        }
        ChartUtils.saveChartAsPNG(png.toFile(), chart, 960, 480);
    }

    private void line(String text) {
        md.append(text).append('\n');
    }
}
