package io.github.mptcpnio.bench;

import io.github.mptcpnio.testing.Forked;
import io.github.mptcpnio.testing.Netns;
import io.github.mptcpnio.testing.TwoPaths;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Benchmark 8: bulk transfer between two hosts over an unthrottled link ({@link TwoPaths} without a rate limit:
 * two namespaces joined by veth pairs; one subflow, or two when the server announces its path-B address), for each
 * way a Java program sends ({@link TwoHostApp}: write() from heap and direct buffers, transferTo, transferFrom, a
 * Netty epoll client), with
 * the kernel's buffer sizes and with fixed SO_SNDBUF/SO_RCVBUF, under every baseline; beside them, the C reference
 * {@code iperf3} on plain TCP and under {@code mptcpize} ({@code -Z}: sendfile, {@code -w}: the fixed buffers).
 * Each cell is a fresh sender JVM making {@code reps} transfers of {@code seconds}; the receiver JVM of a baseline
 * stays up for all cells of that baseline. The counters that explain a cell (zero-window advertisements,
 * MPTCP-level retransmissions, data the receiver already had) are the change in both namespaces across the cell.
 */
final class TwoHostRun {
    /** Counters recorded per cell, summed over the two namespaces. */
    static final List<String> COUNTERS = List.of("TcpExtTCPFromZeroWindowAdv", "TcpRetransSegs",
            "MPTcpExtMPTCPRetrans", "MPTcpExtDuplicateData");
    static final String IPERF = "iperf3";
    static final String IPERF_MPTCPIZE = "iperf3 under mptcpize";
    private static final Pattern MBPS = Pattern.compile("mbps=([\\d.]+) bytes=(\\d+) nanos=(\\d+) gaps200=(\\d+)");
    /** The receiver's pauses of 200 ms or more, summed over a cell's transfers (Java rows only). */
    static final String GAPS = "ReceiverGaps200ms";
    private static final Pattern IPERF_RECEIVED =
            Pattern.compile("\"sum_received\"\\s*:\\s*\\{[^}]*?\"bits_per_second\"\\s*:\\s*([\\d.eE+]+)");

    /** The cells {@code bench/kernels.sh} runs on every kernel: write() and sendfile, kernel and 64 KiB buffers. */
    static final int[] KERNELS_BUFFERS = {0, 64};
    static final List<String> KERNELS_METHODS = List.of("direct", "transferTo");

    private final Suite suite;
    private final boolean smoke;
    private final boolean kernels;

    /** {@code kernels}: only the cells, baselines (plain JDK, agent) and iperf3 rows compared across kernels. */
    TwoHostRun(Suite suite, boolean kernels) {
        this.suite = suite;
        this.smoke = suite.smoke;
        this.kernels = kernels;
    }

    /** One cell of the table: how many subflows, which buffer size (KiB, 0 = the kernel's), which method. */
    record Cell(int subflows, int bufferKib, String method) {
    }

    /** The figures of one cell for one variant (a baseline label or one of the two iperf3 rows). */
    record Figure(Stat mbps, Map<String, Long> counters) {
    }

    Results.TwoHost run() throws Exception {
        Results.TwoHost r = new Results.TwoHost();
        r.seconds = smoke ? 0.2 : 1.0;
        r.reps = smoke ? 1 : 3;
        int[] buffers = smoke ? new int[] {0} : kernels ? KERNELS_BUFFERS : TwoHostApp.BUFFERS;
        for (int subflows = 1; subflows <= 2; subflows++) {
            try (TwoPaths net = TwoPaths.create()) {
                if (subflows == 2) {
                    net.announcePathB(false);
                }
                for (boolean mptcp : new boolean[] {false, true}) {
                    iperf(net, mptcp, subflows, buffers, r);
                }
                for (Baseline b : Baseline.values()) {
                    if (kernels ? b == Baseline.JDK || b == Baseline.AGENT
                            : b != Baseline.AGENT_DEFAULT) { // across hosts the default rules make it MPTCP: the agent's
                        java(net, b, subflows, buffers, r);
                    }
                }
            }
        }
        r.kernel = Suite.exec(List.of("uname", "-r"), 10).trim();
        r.iperf = Suite.exec(List.of("iperf3", "--version"), 10).lines().findFirst().orElse("?").trim();
        return r;
    }

    private void java(TwoPaths net, Baseline b, int subflows, int[] buffers, Results.TwoHost r) throws Exception {
        Path dir = scratch();
        String port = String.valueOf(TwoPaths.PORT);
        List<String> receiver = new ArrayList<>(net.server.prefix());
        receiver.addAll(suite.command(b, TwoHostApp.class.getName(), "receiver", port,
                dir.resolve("received").toString()));
        try (Forked.Running rx = Forked.background(receiver)) {
            rx.awaitLine("listening=", 60);
            for (int buffer : buffers) {
                for (String method : kernels ? KERNELS_METHODS : TwoHostApp.METHODS) {
                    if (method.equals("netty") && !Suite.NETTY_BASELINES.contains(b)) {
                        continue; // the switch does not reach Netty's native transports
                    }
                    Cell cell = new Cell(subflows, buffer, method);
                    Map<String, Long> before = counters(net);
                    List<String> sender = new ArrayList<>(net.client.prefix());
                    sender.addAll(suite.command(b, TwoHostApp.class.getName(), "sender", TwoPaths.A4_SERVER, port,
                            String.valueOf(buffer), method, String.valueOf(r.seconds), String.valueOf(r.reps),
                            dir.resolve("sent").toString()));
                    String out = Suite.exec(sender, 120 + (long) (r.reps * r.seconds * 20));
                    List<Double> mbps = new ArrayList<>();
                    long gaps = 0;
                    Matcher m = MBPS.matcher(out);
                    while (m.find()) {
                        mbps.add(Double.parseDouble(m.group(1)));
                        gaps += Long.parseLong(m.group(4));
                    }
                    if (mbps.size() != r.reps) {
                        throw new IllegalStateException(b.label + " " + cell + ": expected " + r.reps
                                + " transfers, got:\n" + out);
                    }
                    Map<String, Long> counters = delta(before, counters(net));
                    counters.put(GAPS, gaps);
                    Figure f = new Figure(Stat.of(mbps), counters);
                    r.put(cell, b.label, f);
                    System.out.printf(Locale.ROOT, "=== two hosts %s on %s: %s MB/s %s%n", cell, b.label,
                            f.mbps().format(0), f.counters());
                }
            }
        } finally {
            deleteTree(dir);
        }
    }

    /**
     * iperf3 as the C reference of the write() and sendfile rows ({@code -Z}); {@code -w} sets SO_SNDBUF and
     * SO_RCVBUF on both ends, like the Java rows' fixed sizes. transferFrom has no iperf3 equivalent.
     */
    private void iperf(TwoPaths net, boolean mptcp, int subflows, int[] buffers, Results.TwoHost r) throws Exception {
        String label = mptcp ? IPERF_MPTCPIZE : IPERF;
        List<String> wrap = mptcp ? List.of("mptcpize", "run") : List.of();
        for (int buffer : buffers) {
            for (String method : List.of("direct", "transferTo")) {
                Cell cell = new Cell(subflows, buffer, method);
                Map<String, Long> before = counters(net);
                List<Double> mbps = new ArrayList<>();
                for (int rep = 0; rep < r.reps; rep++) {
                    List<String> server = new ArrayList<>(net.server.prefix());
                    server.addAll(wrap);
                    // the client's -w reaches the server through iperf3's own parameters (3.12 refuses it on -s)
                    server.addAll(List.of("iperf3", "-s", "-1", "-p", String.valueOf(TwoPaths.PORT + 10)));
                    List<String> client = new ArrayList<>(net.client.prefix());
                    client.addAll(wrap);
                    client.addAll(List.of("iperf3", "-J", "-c", TwoPaths.A4_SERVER, "-p",
                            String.valueOf(TwoPaths.PORT + 10)));
                    // iperf3 takes whole seconds; the smoke run sends a fixed 8 MiB instead
                    client.addAll(smoke ? List.of("-n", "8M") : List.of("-t", String.valueOf((int) r.seconds)));
                    if (buffer > 0) {
                        client.addAll(List.of("-w", buffer + "K"));
                    }
                    if (method.equals("transferTo")) {
                        client.add("-Z");
                    }
                    try (Forked.Running s = Forked.background(server)) {
                        awaitListening(s, net.server, TwoPaths.PORT + 10);
                        String json = Suite.exec(client, 60);
                        Matcher m = IPERF_RECEIVED.matcher(json);
                        if (!m.find()) {
                            throw new IllegalStateException(label + " " + cell + ": no result in\n" + json);
                        }
                        mbps.add(Double.parseDouble(m.group(1)) / 8 / 1e6);
                        s.finish(30).assertExit(0);
                    }
                }
                Figure f = new Figure(Stat.of(mbps), delta(before, counters(net)));
                r.put(cell, label, f);
                System.out.printf(Locale.ROOT, "=== two hosts %s on %s: %s MB/s %s%n", cell, label,
                        f.mbps().format(0), f.counters());
            }
        }
    }

    /** Waits (bounded) until something listens on the port in the namespace, while the server still runs. */
    private static void awaitListening(Forked.Running server, Netns ns, int port) throws Exception {
        for (int i = 0; i < 100 && server.handle().isAlive(); i++) {
            if (ns.exec("ss", "-Hltn", "sport", "= :" + port).contains(":" + port)) {
                return;
            }
            Thread.sleep(50);
        }
        throw new IllegalStateException("nothing listens on port " + port + " in " + ns.name() + ":\n"
                + server.finish(10));
    }

    /** The pid of the JVM a command started (the command itself or a descendant) that runs mainClass. */
    static long javaPid(Forked.Running started, String mainClass) {
        return java.util.stream.Stream.concat(java.util.stream.Stream.of(started.handle()),
                        started.handle().descendants())
                .filter(h -> h.info().command().map(c -> c.endsWith("/java")).orElse(false)
                        && h.info().commandLine().map(c -> c.contains(mainClass)).orElse(false))
                .mapToLong(ProcessHandle::pid).findFirst()
                .orElseThrow(() -> new IllegalStateException("no JVM running " + mainClass));
    }

    private static Map<String, Long> counters(TwoPaths net) throws Exception {
        Map<String, Long> sum = new LinkedHashMap<>();
        for (Netns ns : new Netns[] {net.client, net.server}) {
            Map<String, Long> c = ns.counters();
            for (String name : COUNTERS) {
                sum.merge(name, c.getOrDefault(name, 0L), Long::sum);
            }
        }
        return sum;
    }

    private static Map<String, Long> delta(Map<String, Long> before, Map<String, Long> after) {
        Map<String, Long> d = new LinkedHashMap<>();
        for (String name : COUNTERS) {
            d.put(name, after.get(name) - before.get(name));
        }
        return d;
    }

    /** A directory in tmpfs when there is one, so that the file rows measure the network, not a disk. */
    private static Path scratch() throws Exception {
        Path shm = Path.of("/dev/shm");
        return Files.isDirectory(shm) && Files.isWritable(shm) ? Files.createTempDirectory(shm, "twohost")
                : Files.createTempDirectory("twohost");
    }

    private static void deleteTree(Path dir) throws Exception {
        try (var files = Files.list(dir)) {
            for (Path p : (Iterable<Path>) files::iterator) {
                Files.deleteIfExists(p);
            }
        }
        Files.deleteIfExists(dir);
    }
}
