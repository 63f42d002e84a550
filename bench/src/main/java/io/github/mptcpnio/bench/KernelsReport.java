package io.github.mptcpnio.bench;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.TreeMap;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * The two-host cells on every kernel ({@code bench/kernels.sh}): each run of the {@code kernels} part writes its
 * kernel's record, {@code kernels/linux-<release>.tsv}, and {@code KERNELS.md} is made from all records there, so
 * that runs on the host and in guests of other kernels end up in one table of MPTCP/TCP ratios and stall counts.
 */
final class KernelsReport {
    private KernelsReport() {}

    private static final Pattern NUMBERS = Pattern.compile("\\d+");

    /** One kernel's record: a line per cell and variant, median/min/max MB/s and the counters across the cell. */
    static String record(Results r) {
        Results.TwoHost t = r.twoHost;
        StringBuilder s = new StringBuilder();
        s.append("# kernel\t").append(t.kernel).append('\n');
        s.append("# measured\t").append(r.started.withNano(0)).append(" on ").append(Report.machine())
                .append(", ").append(t.iperf).append(", commit ").append(System.getProperty("bench.commit", "unknown"))
                .append(r.smoke ? " (smoke run: not a measurement)" : "").append('\n');
        s.append("# transfers\t").append(t.reps).append(" of ").append(t.seconds).append(" s per cell\n");
        for (Map.Entry<TwoHostRun.Cell, Map<String, TwoHostRun.Figure>> c : t.cells.entrySet()) {
            for (Map.Entry<String, TwoHostRun.Figure> v : c.getValue().entrySet()) {
                Stat m = v.getValue().mbps();
                StringBuilder counters = new StringBuilder();
                v.getValue().counters().forEach((k, n) -> counters.append(counters.isEmpty() ? "" : ";")
                        .append(k).append('=').append(n));
                s.append(c.getKey().subflows()).append('\t').append(c.getKey().bufferKib()).append('\t')
                        .append(c.getKey().method()).append('\t').append(v.getKey()).append('\t')
                        .append(String.format(Locale.ROOT, "%.1f\t%.1f\t%.1f", m.median(), m.min(), m.max()))
                        .append('\t').append(counters).append('\n');
            }
        }
        return s.toString();
    }

    /** One kernel's figures as read back. */
    private record Kernel(String release, String measured, String transfers,
                          Map<String, Map<String, double[]>> mbps, Map<String, Map<String, Map<String, Long>>> counters) {}

    private static Kernel read(Path file) throws IOException {
        String release = file.getFileName().toString().replaceFirst("^linux-", "").replaceFirst("\\.tsv$", "");
        String measured = "";
        String transfers = "";
        Map<String, Map<String, double[]>> mbps = new LinkedHashMap<>();
        Map<String, Map<String, Map<String, Long>>> counters = new LinkedHashMap<>();
        for (String line : Files.readAllLines(file)) {
            String[] p = line.split("\t");
            if (line.startsWith("# measured")) {
                measured = p[1];
            } else if (line.startsWith("# transfers")) {
                transfers = p[1];
            } else if (!line.startsWith("#") && p.length >= 7) {
                String cell = p[0] + "\t" + p[1] + "\t" + p[2];
                mbps.computeIfAbsent(cell, c -> new LinkedHashMap<>()).put(p[3], new double[] {
                    Double.parseDouble(p[4]), Double.parseDouble(p[5]), Double.parseDouble(p[6])});
                Map<String, Long> c = new LinkedHashMap<>();
                if (p.length > 7) {
                    for (String kv : p[7].split(";")) {
                        int eq = kv.indexOf('=');
                        if (eq > 0) {
                            c.put(kv.substring(0, eq), Long.parseLong(kv.substring(eq + 1)));
                        }
                    }
                }
                counters.computeIfAbsent(cell, x -> new LinkedHashMap<>()).put(p[3], c);
            }
        }
        return new Kernel(release, measured, transfers, mbps, counters);
    }

    /** Release strings in version order: 6.1.0-57 before 6.12.118 before 6.18.44. */
    private static final Comparator<String> BY_VERSION = (a, b) -> {
        Matcher x = NUMBERS.matcher(a);
        Matcher y = NUMBERS.matcher(b);
        while (x.find() && y.find()) {
            int c = Long.compare(Long.parseLong(x.group()), Long.parseLong(y.group()));
            if (c != 0) {
                return c;
            }
        }
        return a.compareTo(b);
    };

    static String markdown(Path dir) throws IOException {
        List<Kernel> kernels = new ArrayList<>();
        try (var files = Files.list(dir)) {
            for (Path f : files.filter(p -> p.getFileName().toString().matches("linux-.*\\.tsv")).toList()) {
                kernels.add(read(f));
            }
        }
        kernels.sort(Comparator.comparing(Kernel::release, BY_VERSION));
        List<String> cells = new ArrayList<>();
        for (Kernel k : kernels) {
            for (String c : k.mbps().keySet()) {
                if (!cells.contains(c)) {
                    cells.add(c);
                }
            }
        }
        cells.sort(Comparator.comparing((String c) -> c.split("\t")[0]).thenComparing(c -> Integer.parseInt(
                c.split("\t")[1])).thenComparing(c -> TwoHostRun.KERNELS_METHODS.indexOf(c.split("\t")[2])));

        StringBuilder md = new StringBuilder("# MPTCP against plain TCP between two hosts, kernel by kernel\n\n");
        md.append("Made by `bench/kernels.sh` from the records in `bench/kernels/` (one per kernel, written by ")
          .append("`bench/run.sh --only kernels` on that kernel: this machine's natively, the others in qemu guests ")
          .append("of `bin/kernel-guest`). The cells of [TWOHOST.md](TWOHOST.md) that show the single-subflow ")
          .append("collapse: two namespaces over unthrottled veth pairs, one or two subflows, `SocketChannel.write` ")
          .append("from a direct buffer (`direct`) and `FileChannel.transferTo` (sendfile), the kernel's buffer sizes ")
          .append("and fixed 64 KiB ones; the plain JDK (TCP) against the agent (MPTCP), and iperf3 on TCP against ")
          .append("iperf3 under mptcpize. **Under emulation (TCG, no KVM) absolute speeds mean nothing**; the ")
          .append("ratios within one kernel's run and the stall signature do: MPTCP-level retransmissions ")
          .append("(`MPTcpExtMPTCPRetrans`), data the receiver already had (`MPTcpExtDuplicateData`), both summed over ")
          .append("the two namespaces across a cell, and the receiver's pauses of 200 ms or more between reads (Java ")
          .append("rows only).\n\n");
        md.append("| kernel | measured | transfers per cell |\n|---|---|---|\n");
        for (Kernel k : kernels) {
            md.append("| ").append(k.release()).append(" | ").append(k.measured()).append(" | ")
              .append(k.transfers()).append(" |\n");
        }
        md.append("\n## MPTCP / TCP, medians\n\n").append(header(kernels, "agent/jdk", "iperf3 mptcpize/plain"));
        for (String c : cells) {
            md.append(cellColumns(c));
            for (Kernel k : kernels) {
                md.append(' ').append(ratio(k, c, Baseline.AGENT.label, Baseline.JDK.label)).append(" | ")
                  .append(ratio(k, c, TwoHostRun.IPERF_MPTCPIZE, TwoHostRun.IPERF)).append(" |");
            }
            md.append('\n');
        }
        md.append("\n## The stall signature: MPTCP retransmissions / duplicate data / receiver pauses ≥ 200 ms\n\n")
          .append("Per cell: the agent's row as retransmissions / duplicate data / pauses, iperf3 under mptcpize's as ")
          .append("retransmissions / duplicate data. Plain TCP rows have no MPTCP counters.\n\n")
          .append(header(kernels, "agent", "iperf3 mptcpize"));
        for (String c : cells) {
            md.append(cellColumns(c));
            for (Kernel k : kernels) {
                Map<String, Long> a = k.counters().getOrDefault(c, Map.of()).getOrDefault(Baseline.AGENT.label,
                        Map.of());
                Map<String, Long> i = k.counters().getOrDefault(c, Map.of()).getOrDefault(TwoHostRun.IPERF_MPTCPIZE,
                        Map.of());
                md.append(' ').append(a.isEmpty() ? "–" : a.getOrDefault("MPTcpExtMPTCPRetrans", 0L) + " / "
                        + a.getOrDefault("MPTcpExtDuplicateData", 0L) + " / " + a.getOrDefault(TwoHostRun.GAPS, 0L))
                  .append(" | ").append(i.isEmpty() ? "–" : i.getOrDefault("MPTcpExtMPTCPRetrans", 0L) + " / "
                        + i.getOrDefault("MPTcpExtDuplicateData", 0L)).append(" |");
            }
            md.append('\n');
        }
        md.append("\n## MB/s, median (min–max)\n\nFor the record only: in a guest these are the emulator's speeds.\n\n")
          .append("| kernel | subflows | buffer | method | jdk | agent | iperf3 | iperf3 under mptcpize |\n")
          .append("|---|---|---|---|---|---|---|---|\n");
        for (Kernel k : kernels) {
            for (String c : cells) {
                md.append("| ").append(k.release()).append(' ').append(cellColumns(c));
                for (String v : List.of(Baseline.JDK.label, Baseline.AGENT.label, TwoHostRun.IPERF,
                        TwoHostRun.IPERF_MPTCPIZE)) {
                    double[] m = k.mbps().getOrDefault(c, Map.of()).get(v);
                    md.append(' ').append(m == null ? "–" : String.format(Locale.ROOT, "%.0f (%.0f–%.0f)", m[0], m[1],
                            m[2])).append(" |");
                }
                md.append('\n');
            }
        }
        return md.toString();
    }

    /** The header of a table with a cell's three columns, then two columns per kernel. */
    private static String header(List<Kernel> kernels, String first, String second) {
        StringBuilder head = new StringBuilder("| subflows | buffer | method |");
        StringBuilder rule = new StringBuilder("|---|---|---|");
        for (Kernel k : kernels) {
            head.append(' ').append(first).append(' ').append(shortName(k)).append(" | ").append(second).append(' ')
                    .append(shortName(k)).append(" |");
            rule.append("---|---|");
        }
        return head + "\n" + rule + "\n";
    }

    private static String shortName(Kernel k) {
        Matcher m = Pattern.compile("^\\d+\\.\\d+").matcher(k.release());
        return m.find() ? m.group() : k.release();
    }

    private static String cellColumns(String cell) {
        String[] p = cell.split("\t");
        return "| " + p[0] + " | " + (p[1].equals("0") ? "kernel" : p[1] + "K") + " | " + p[2] + " |";
    }

    private static String ratio(Kernel k, String cell, String mptcp, String tcp) {
        Map<String, double[]> m = k.mbps().getOrDefault(cell, Map.of());
        if (!m.containsKey(mptcp) || !m.containsKey(tcp) || m.get(tcp)[0] <= 0) {
            return "–";
        }
        return String.format(Locale.ROOT, "%.2f", m.get(mptcp)[0] / m.get(tcp)[0]);
    }
}
