package io.github.mptcpnio.bench;

import io.github.mptcpnio.testing.Forked;
import io.github.mptcpnio.testing.Netns;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Benchmark 10: N concurrent connections between a client JVM and a server JVM ({@link ScaleApp}) in a fresh network
 * namespace over loopback, for every baseline, N = {@link #SIZES} (the JVM lifts its descriptor limit to the hard one). Kernel memory from the kernel's own slab
 * accounting ({@code Slab:} of {@code /proc/meminfo}, and the socket caches of {@code /proc/slabinfo}) — both ends of
 * every connection are in this kernel, so per connection means both sockets (and, for MPTCP, their subflows); JVM
 * heap (after a full GC), RSS and descriptors from the client JVM, RSS from the server's {@code /proc/<pid>}. Then,
 * under the agent, a churn of {@link #CHURN} connections opened and closed one by one, with the client JVM's
 * descriptors and heap before and after.
 */
final class ScaleRun {
    /**
     * Up to just under this machine's hard descriptor limit, 20,000 per process, which cannot be raised here (root
     * without CAP_SYS_RESOURCE: {@code prlimit} answers EPERM); each JVM holds one descriptor per connection.
     */
    static final int[] SIZES = {1_000, 5_000, 10_000, 19_000};
    static final int CHURN = 100_000;
    private static final Pattern KV = Pattern.compile("(\\w+)=(\\d+)");
    private final Suite suite;
    private final boolean smoke;

    ScaleRun(Suite suite) {
        this.suite = suite;
        this.smoke = suite.smoke;
    }

    /** One baseline at one N. Bytes are per connection (kernel: both ends). */
    record Point(String kind, Baseline baseline, int n, double slabPerConn, Map<String, Double> cachesPerConn,
                 double heapPerConn, double clientRssPerConn, double serverRssPerConn, double establishPerSec,
                 double closeMillis, long p50us, long p99us, double roundMsgsPerSec) {
    }

    /**
     * The churn check, two rounds of n in one client JVM: its counts before, after the first round (JIT and
     * allocator warmed up) and after the second, and the server's descriptors before and after both.
     */
    record Churn(int n, long millis, Map<String, Long> before, Map<String, Long> after1, Map<String, Long> after2,
                 long serverFdsBefore, long serverFdsAfter) {
    }

    List<Point> points = new ArrayList<>();
    Churn churn;

    /**
     * The two programs: {@code nio}, a one-Selector server and blocking SocketChannels; {@code socket}, a thread per
     * connection over java.net sockets on both ends — not under the switch, which does not reach java.net sockets.
     */
    static final List<String> KINDS = List.of("nio", "socket");

    void run() throws Exception {
        int[] sizes = smoke ? new int[] {200} : SIZES;
        for (String kind : KINDS) {
            for (int n : sizes) {
                for (Baseline b : Baseline.values()) {
                    if ((kind.equals("socket") && b == Baseline.SWITCH) || b == Baseline.AGENT_DEFAULT) {
                        continue; // the agent's default rules keep loopback clients on TCP: the jdk's figures
                    }
                    Point p = once(kind, b, n);
                    points.add(p);
                    System.out.printf(Locale.ROOT, "=== scale %s %s n=%d: kernel %.0f B/conn, heap %.0f B/conn, "
                            + "client rss %.0f B/conn, server rss %.0f B/conn, %.0f conn/s, p50 %d us p99 %d us, "
                            + "%.0f msgs/s%n", kind, b.label, n, p.slabPerConn(), p.heapPerConn(),
                            p.clientRssPerConn(), p.serverRssPerConn(), p.establishPerSec(), p.p50us(), p.p99us(),
                            p.roundMsgsPerSec());
                }
            }
        }
        churn = churn(smoke ? 2_000 : CHURN);
        if (!churn.after2().get("fds").equals(churn.before().get("fds"))
                || churn.serverFdsAfter() != churn.serverFdsBefore()) {
            throw new IllegalStateException("descriptors leaked in the churn: " + churn);
        }
    }

    private List<String> jvm(Netns ns, Baseline b, String... args) {
        List<String> cmd = new ArrayList<>(ns.prefix());
        cmd.addAll(suite.command(b, ScaleApp.class.getName(), args));
        return cmd;
    }

    private Point once(String kind, Baseline b, int n) throws Exception {
        boolean nio = kind.equals("nio");
        try (Netns ns = Netns.create("scale");
             Forked.Running server = Forked.background(jvm(ns, b, nio ? "server" : "thread-server", "7000"))) {
            server.awaitLine("listening=", 60);
            long serverPid = TwoHostRun.javaPid(server, "ScaleApp");
            Map<String, Long> k0 = kernel();
            long rss0 = rss(serverPid);
            Process client = new ProcessBuilder(jvm(ns, b, nio ? "client" : "socket-client", "127.0.0.1", "7000",
                    String.valueOf(n)))
                    .redirectError(ProcessBuilder.Redirect.DISCARD).start();
            try (BufferedReader out = new BufferedReader(new InputStreamReader(client.getInputStream(),
                    StandardCharsets.UTF_8)); OutputStream in = client.getOutputStream()) {
                Map<String, Long> before = phase(out, in, "memory");
                Map<String, Long> established = phase(out, in, "established");
                Map<String, Long> kN = kernel();
                long rssN = rss(serverPid);
                Map<String, Long> memN = phase(out, in, "memory");
                Map<String, Long> latency = phase(out, in, "latency");
                Map<String, Long> rounds = phase(out, in, "rounds");
                Map<String, Long> closed = phase(out, in, "closed");
                phase(out, in, "memory"); // after closing: not used, the allocator keeps what it had
                if (!client.waitFor(60, TimeUnit.SECONDS) || client.exitValue() != 0) {
                    throw new IllegalStateException(kind + " " + b.label + " n=" + n + ": the client failed");
                }
                Map<String, Double> caches = new LinkedHashMap<>();
                for (String cache : CACHES) {
                    caches.put(cache, (double) (kN.get(cache) - k0.get(cache)) / n);
                }
                return new Point(kind, b, n, (kN.get("Slab") - k0.get("Slab")) / (double) n, caches,
                        (memN.get("heap") - before.get("heap")) / (double) n,
                        (memN.get("rss") - before.get("rss")) / (double) n, (rssN - rss0) / (double) n,
                        n / (established.get("millis") / 1e3), closed.get("millis"), latency.get("p50us"),
                        latency.get("p99us"), rounds.get("msgs") / (rounds.get("millis") / 1e3));
            } finally {
                client.destroyForcibly();
            }
        }
    }

    private Churn churn(int n) throws Exception {
        try (Netns ns = Netns.create("churn");
             Forked.Running server = Forked.background(jvm(ns, Baseline.AGENT, "server", "7000"))) {
            server.awaitLine("listening=", 60);
            long serverPid = TwoHostRun.javaPid(server, "ScaleApp");
            long fds0 = fds(serverPid);
            String out = Suite.exec(jvm(ns, Baseline.AGENT, "churn", "127.0.0.1", "7000", String.valueOf(n)), 600);
            Thread.sleep(500); // the server closes its ends as their EOFs arrive
            long fds1 = fds(serverPid);
            Map<String, Long> churned = fields(line(out, "churned2"));
            Churn c = new Churn(n, churned.get("millis"), fields(line(out, "before")), fields(line(out, "after1")),
                    fields(line(out, "after2")), fds0, fds1);
            System.out.printf(Locale.ROOT, "=== churn of 2 x %d connections under the agent: client %s -> %s -> %s, "
                    + "server fds %d -> %d%n", n, c.before(), c.after1(), c.after2(), fds0, fds1);
            return c;
        }
    }

    /** The socket slab caches reported per connection besides the total. */
    static final List<String> CACHES = List.of("TCP", "TCPv6", "MPTCP", "MPTCPv6", "sock_inode_cache");

    /** {@code Slab} (bytes, /proc/meminfo) and the bytes in use of each cache of {@link #CACHES}. */
    static Map<String, Long> kernel() throws IOException {
        Map<String, Long> k = new LinkedHashMap<>();
        for (String line : Files.readAllLines(Path.of("/proc/meminfo"))) {
            if (line.startsWith("Slab:")) {
                k.put("Slab", Long.parseLong(line.replaceAll("\\D", "")) * 1024);
            }
        }
        for (String cache : CACHES) {
            k.put(cache, 0L);
        }
        for (String line : Files.readAllLines(Path.of("/proc/slabinfo"))) {
            String[] f = line.trim().split("\\s+");
            if (k.containsKey(f[0]) && !f[0].equals("Slab")) { // name active_objs num_objs objsize ...
                k.put(f[0], Long.parseLong(f[1]) * Long.parseLong(f[3]));
            }
        }
        return k;
    }

    private static long rss(long pid) throws IOException {
        for (String line : Files.readAllLines(Path.of("/proc", String.valueOf(pid), "status"))) {
            if (line.startsWith("VmRSS:")) {
                return Long.parseLong(line.replaceAll("\\D", "")) * 1024;
            }
        }
        throw new IllegalStateException("no VmRSS for " + pid);
    }

    private static long fds(long pid) throws IOException {
        try (var s = Files.list(Path.of("/proc", String.valueOf(pid), "fd"))) {
            return s.count();
        }
    }

    /** Reads the client's next line, which must start with the phase's name, and lets it go on. */
    private static Map<String, Long> phase(BufferedReader out, OutputStream in, String name) throws IOException {
        String line = out.readLine();
        if (line == null || !line.startsWith(name + " ")) {
            throw new IllegalStateException("expected '" + name + " ...' from the client, got: " + line);
        }
        in.write('\n');
        in.flush();
        return fields(line);
    }

    static Map<String, Long> fields(String line) {
        Map<String, Long> f = new LinkedHashMap<>();
        Matcher m = KV.matcher(line);
        while (m.find()) {
            f.put(m.group(1), Long.parseLong(m.group(2)));
        }
        return f;
    }

    private static String line(String out, String prefix) {
        return out.lines().filter(l -> l.startsWith(prefix + " ")).findFirst()
                .orElseThrow(() -> new IllegalStateException("no '" + prefix + "' line in:\n" + out));
    }
}
