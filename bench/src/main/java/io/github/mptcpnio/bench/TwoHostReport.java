package io.github.mptcpnio.bench;

import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/** Writes the two-host part ({@link TwoHostRun}) as its own Markdown file, {@code TWOHOST.md}. */
final class TwoHostReport {
    private static final List<String> VARIANTS = List.of(Baseline.JDK.label, Baseline.MPTCPIZE.label,
            Baseline.SWITCH.label, Baseline.AGENT.label, TwoHostRun.IPERF, TwoHostRun.IPERF_MPTCPIZE);
    private final Results r;
    private final Results.TwoHost t;
    private final StringBuilder md = new StringBuilder();

    TwoHostReport(Results r) {
        this.r = r;
        this.t = r.twoHost;
    }

    /** Cells in reading order: subflows, then buffer size, then the methods in {@link TwoHostApp#METHODS} order. */
    private List<TwoHostRun.Cell> sortedCells() {
        List<TwoHostRun.Cell> cells = new ArrayList<>(t.cells.keySet());
        cells.sort(Comparator.comparingInt(TwoHostRun.Cell::subflows)
                .thenComparingInt(TwoHostRun.Cell::bufferKib)
                .thenComparingInt(c -> TwoHostApp.METHODS.indexOf(c.method())));
        return cells;
    }

    String markdown() {
        md.append(Report.opening(r, "mptcp-nio between two hosts: bulk transfer over an unthrottled link",
                "one short transfer per cell, kernel buffer sizes only", ", kernel " + t.kernel + ", " + t.iperf));
        line("Reproduce: `bench/run.sh --only twohost` as root (about 12 minutes). What the figures mean and why "
                + "they are what they are: [docs/performance.md](../docs/performance.md).");
        line("");
        line("Two network namespaces joined by veth pairs without any rate limit (the test fixture `TwoPaths`); "
                + "**1 subflow**: the server announces nothing; **2 subflows**: it announces its second address, "
                + "both links equal. Each cell: a fresh sender JVM (`TwoHostApp`) makes " + t.reps + " transfers of "
                + fmt(t.seconds, 1) + " s each to the receiver JVM of the same baseline; MB/s (10^6 bytes/s) at the "
                + "receiver, first byte to EOF, **median (min–max)**. Buffer: `kernel` = no socket option "
                + "(autotuning); `64K`… = `SO_SNDBUF` on the sender before connect and `SO_RCVBUF` on the listener "
                + "before bind. Methods: `heap`/`direct` = `SocketChannel.write` from a heap/direct buffer; "
                + "`transferTo` = `FileChannel.transferTo` from a file in tmpfs (sendfile); `transferFrom` = the "
                + "receiver's `FileChannel.transferFrom` into a file, the sender writing from a direct buffer; "
                + "`netty` = a Netty 4.2 epoll client writing 256 KiB direct buffers while its channel is writable "
                + "(\"–\" under the switch, which does not reach Netty's native transports). "
                + "iperf3 rows (C, no JVM): `direct` = its default write loop, `transferTo` = `-Z` (sendfile), "
                + "fixed buffers = `-w` on both ends.");
        line("");
        line("| subflows | buffer | method | " + String.join(" | ", VARIANTS) + " | agent/mptcpize | agent/jdk |");
        line("|---|---|---|---|---|---|---|---|---|---|---|");
        for (TwoHostRun.Cell cell : sortedCells()) {
            Map<String, TwoHostRun.Figure> figures = t.cells.get(cell);
            StringBuilder s = new StringBuilder("| " + cell.subflows() + " | " + buffer(cell.bufferKib()) + " | "
                    + cell.method() + " |");
            for (String v : VARIANTS) {
                TwoHostRun.Figure f = figures.get(v);
                s.append(' ').append(f == null ? "–" : f.mbps().format(0)).append(" |");
            }
            s.append(' ').append(ratio(figures, Baseline.AGENT.label, Baseline.MPTCPIZE.label)).append(" |");
            s.append(' ').append(ratio(figures, Baseline.AGENT.label, Baseline.JDK.label)).append(" |");
            line(s.toString());
        }
        line("");
        line("## Counters per cell");
        line("");
        line("Change across the cell (all its transfers), both namespaces summed: " + String.join(", ",
                TwoHostRun.COUNTERS) + ". `MPTcpExtMPTCPRetrans` counts the MPTCP-level retransmission timer's "
                + "reinjections; `MPTcpExtDuplicateData`, data the receiver already had.");
        line("");
        line("| subflows | buffer | method | variant | FromZeroWindowAdv | TcpRetransSegs | MPTCPRetrans | "
                + "DuplicateData |");
        line("|---|---|---|---|---|---|---|---|");
        for (TwoHostRun.Cell cell : sortedCells()) {
            for (String variant : VARIANTS) {
                TwoHostRun.Figure f = t.cells.get(cell).get(variant);
                if (f == null) {
                    continue;
                }
                Map<String, Long> c = f.counters();
                line("| " + cell.subflows() + " | " + buffer(cell.bufferKib()) + " | " + cell.method() + " | "
                        + variant + " | " + c.get("TcpExtTCPFromZeroWindowAdv") + " | " + c.get("TcpRetransSegs")
                        + " | " + c.get("MPTcpExtMPTCPRetrans") + " | " + c.get("MPTcpExtDuplicateData") + " |");
            }
        }
        return md.toString();
    }

    private static String buffer(int kib) {
        return kib == 0 ? "kernel" : kib >= 1024 ? kib / 1024 + "M" : kib + "K";
    }

    private static String ratio(Map<String, TwoHostRun.Figure> figures, String a, String b) {
        TwoHostRun.Figure x = figures.get(a);
        TwoHostRun.Figure y = figures.get(b);
        return x == null || y == null ? "–" : fmt(x.mbps().median() / y.mbps().median(), 2);
    }

    private static String fmt(double v, int decimals) {
        return String.format(Locale.ROOT, "%." + decimals + "f", v);
    }

    private void line(String s) {
        md.append(s).append('\n');
    }
}
