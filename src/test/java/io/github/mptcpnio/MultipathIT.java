package io.github.mptcpnio;

import apps.BulkApp;
import io.github.mptcpnio.testing.Forked;
import io.github.mptcpnio.testing.HostPair;
import io.github.mptcpnio.testing.Lines;
import io.github.mptcpnio.testing.MeasuredOnKernel;
import io.github.mptcpnio.testing.RequiresMptcp;
import io.github.mptcpnio.testing.SubflowProbe;
import io.github.mptcpnio.testing.TwoPaths;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.concurrent.TimeUnit;

import static io.github.mptcpnio.testing.TwoPaths.PORT;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Real multipath through the switch: two network namespaces joined by two links ({@link TwoPaths}), server and
 * client in forked JVMs started inside them. Everything runs in CI as root; {@code MPTCP_REQUIRED=true} turns a
 * missing prerequisite into a failure.
 */
@RequiresMptcp(netns = true)
@Timeout(value = 120, unit = TimeUnit.SECONDS)
class MultipathIT {
    private static final String PORT_ARG = String.valueOf(PORT);

    /**
     * Proof 1: a connection opened on path A gets a second subflow on path B, seen by both ends (addresses checked)
     * and by the server's kernel (MP_JOIN counters).
     */
    @ParameterizedTest(name = "{0}")
    @CsvSource({
        "IPv4, 192.0.2.1,     192.0.2.2|192.0.2.1,                       198.51.100.2|198.51.100.1",
        "IPv6, 2001:db8:a::1, 2001:db8:a:0:0:0:0:2|2001:db8:a:0:0:0:0:1, 2001:db8:b:0:0:0:0:2|2001:db8:b:0:0:0:0:1",
    })
    void subflowsOverBothPaths(String family, String serverAddress, String pathA, String pathB) throws Exception {
        for (int attempt = 1; !subflowsOverBothPaths(family, serverAddress, pathA, pathB, attempt); attempt++) {
            // retried, on fresh namespaces, for the one signature below; anything else fails at once
        }
    }

    /** Attempts on fresh namespaces before the join-reset signature ({@link #subflowsOverBothPaths}) fails the test. */
    private static final int ATTEMPTS = 3;

    /**
     * One attempt; false only when the join was sent and answered but reset on its way back (client: MP_JOIN SYN
     * sent, no MP_JOIN SYN-ACK counted; server: the join's request reset in SYN_RECV) and attempts are left.
     * Seen over IPv6 only: twice in CI (stops 26 and 27: {@code MPJoinSynRx=1}, {@code TcpExtEmbryonicRsts=1}, a plain
     * RST from the client), in a local run on a loaded machine twice in a row (stop 32) and once on a quiet one
     * (stop 33). The likely cause, from the kernel's code, not proven by a trace: the client resets a join whose SYN-ACK
     * arrives before its connection is fully established ({@code mptcp_finish_join}), and it is fully established
     * only once a DSS from the server reaches it; an IPv6 ADD_ADDR (28 bytes) travels in a packet of its own without
     * one, right after the handshake, so the join raced the client JVM's first write. Since then the server echoes the
     * client's first byte and path B is announced only once the client has the echo (9 of 9 local runs passed at the
     * first attempt, each in under 4 s). The kernel does not retry a failed join, so should the signature still
     * appear, the test tries a fresh connection, up to {@link #ATTEMPTS} times, and says so.
     */
    private static boolean subflowsOverBothPaths(String family, String serverAddress, String pathA, String pathB,
                                                 int attempt) throws Exception {
        try (TwoPaths net = TwoPaths.create()) {
            try (Forked.Running server = Forked.jvm().in(net.server).enabled()
                    .start(SubflowProbe.class.getName(), "server", PORT_ARG, "2")) {
                server.awaitLine("listening=", 30);
                Forked.Result client;
                try (Forked.Running clientRun = Forked.jvm().in(net.client).enabled()
                        .start(SubflowProbe.class.getName(), "client", serverAddress, PORT_ARG, "2")) {
                    // announced once the client has the server's echo: its end is then fully established, and a
                    // join answered before that would be refused by the client's kernel (see ATTEMPTS)
                    clientRun.awaitLine("established=", 30);
                    net.announcePathB(family.equals("IPv6"));
                    client = clientRun.finish(30).assertExit(0);
                }
                Forked.Result serverResult = server.finish(30).assertExit(0);

                Map<String, Long> clientCounters = net.client.counters();
                Map<String, Long> counters = net.server.counters();
                boolean joinReset = clientCounters.getOrDefault("MPTcpExtMPJoinSynTx", 0L) >= 1
                        && clientCounters.getOrDefault("MPTcpExtMPJoinSynAckRx", 0L) == 0
                        && counters.getOrDefault("TcpExtEmbryonicRsts", 0L) >= 1;
                if (attempt < ATTEMPTS && joinReset
                        && (subflows(client.stdout()).size() == 1 || subflows(serverResult.stdout()).size() == 1)) {
                    System.out.println("MultipathIT " + family + ": the MP_JOIN was reset (client MPJoinSynTx="
                            + clientCounters.get("MPTcpExtMPJoinSynTx") + ", MPJoinSynAckRx=0; server MPJoinSynRx="
                            + counters.get("MPTcpExtMPJoinSynRx") + ", EmbryonicRsts="
                            + counters.get("TcpExtEmbryonicRsts") + "); one more attempt on fresh namespaces");
                    return false;
                }
                assertEquals(Set.of(pathA, pathB), subflows(client.stdout()),
                        () -> client + "\nclient counters " + clientCounters + "\nserver counters " + counters);
                assertEquals(Set.of(reverse(pathA), reverse(pathB)), subflows(serverResult.stdout()),
                        () -> serverResult + "\nclient counters " + clientCounters + "\nserver counters " + counters);
                for (Forked.Result r : List.of(client, serverResult)) {
                    assertEquals("true", Lines.parse(r.stdout()).get("multipath"), r::toString);
                    assertEquals("1", Lines.parse(r.stdout()).get("infoSubflows"), "one additional subflow");
                }
                assertEquals(1, counters.getOrDefault("MPTcpExtMPJoinSynRx", 0L), counters::toString);
                assertEquals(1, counters.getOrDefault("MPTcpExtMPJoinAckRx", 0L), counters::toString);
                // at least once: TwoPaths has the server send a lost or unechoed ADD_ADDR again after 1 s
                assertTrue(clientCounters.getOrDefault("MPTcpExtAddAddr", 0L) >= 1,
                        () -> "the client received the server's ADD_ADDR: " + clientCounters);
                return true;
            }
        }
    }

    private static String reverse(String localRemote) {
        String[] p = localRemote.split("\\|");
        return p[1] + "|" + p[0];
    }

    static Set<String> subflows(String stdout) {
        Set<String> out = new TreeSet<>();
        for (String line : stdout.split("\n")) {
            if (line.startsWith("subflow=")) {
                out.add(line.substring("subflow=".length()).trim());
            }
        }
        return out;
    }

    private static final long MIB = 1 << 20;

    /**
     * Proof 2: both paths limited to the same rate; a bulk transfer through the provider on two paths against the
     * same transfer with path B down. Both must deliver the same SHA-256; two paths must be at least 1.6 times as
     * fast, and each path must carry at least 30 % of the bytes (client veth tx counters).
     */
    @Test
    void bandwidthAggregation() throws Exception {
        int rateMbit = 20;
        long bytes = 16 * MIB;
        try (TwoPaths net = TwoPaths.create()) {
            net.announcePathB(false);
            net.rateLimit("pa", rateMbit);
            net.rateLimit("pb", rateMbit);
            long a0 = net.clientTxBytes("pa");
            long b0 = net.clientTxBytes("pb");
            Map<String, String> two = net.transfer(TwoPaths.A4_SERVER, bytes, "blocking", true).get(0);
            long onA = net.clientTxBytes("pa") - a0;
            long onB = net.clientTxBytes("pb") - b0;

            net.down("pb");
            Map<String, String> one = net.transfer(TwoPaths.A4_SERVER, bytes, "selector", true).get(0);

            double twoMbps = bytes * 8.0 / 1000 / Long.parseLong(two.get("millis"));
            double oneMbps = bytes * 8.0 / 1000 / Long.parseLong(one.get("millis"));
            double shareA = (double) onA / (onA + onB);
            System.out.printf("aggregation: one path %.1f Mbit/s, two paths %.1f Mbit/s, ratio %.2f, "
                    + "path A %.0f %% / path B %.0f %% of %d bytes on the wire%n", oneMbps, twoMbps, twoMbps / oneMbps,
                    100 * shareA, 100 * (1 - shareA), onA + onB);
            assertTrue(twoMbps >= 1.6 * oneMbps, String.format("two paths %.1f vs one path %.1f Mbit/s", twoMbps,
                    oneMbps));
            assertTrue(shareA >= 0.3 && shareA <= 0.7, String.format("path A carried %.0f %%", 100 * shareA));
        }
    }

    /**
     * Proof 3: during a 64 MiB transfer the path of the initial subflow (A) goes down. The transfer completes with
     * the same SHA-256; the longest gap between two reads on the receiver is reported.
     */
    @Test
    void failoverWithoutLoss() throws Exception {
        long bytes = 64 * MIB;
        try (TwoPaths net = TwoPaths.create()) {
            net.announcePathB(false);
            net.rateLimit("pa", 50);
            net.rateLimit("pb", 50);
            try (Forked.Running server = Forked.jvm().in(net.server).enabled()
                    .start(BulkApp.class.getName(), "server", PORT_ARG, "selector");
                 Forked.Running client = Forked.jvm().in(net.client).enabled()
                         .start(BulkApp.class.getName(), "client", TwoPaths.A4_SERVER, PORT_ARG,
                                 String.valueOf(bytes))) {
                server.awaitLine("listening=", 30);
                HostPair.awaitProgress(server, 16 * MIB);
                long downAt = System.nanoTime();
                net.down("pa");
                Forked.Result c = client.finish(90).assertExit(0);
                Forked.Result s = server.finish(30).assertExit(0);
                Map<String, String> sf = Lines.parse(s.stdout());
                assertEquals(String.valueOf(bytes), sf.get("received"), s::toString);
                assertEquals(Lines.parse(c.stdout()).get("sha256"), sf.get("sha256"), "no byte lost or changed");
                System.out.printf("failover: path A down after 16 MiB; transfer completed %d ms later; longest "
                        + "stall %s ms; total %s ms%n", (System.nanoTime() - downAt) / 1_000_000,
                        sf.get("maxStallMs"), sf.get("millis"));
            }
        }
    }

    /**
     * The reverse: path B goes down while data flows, then comes back. Measured on 6.18: a link going down does not
     * close the subflow (TCP keeps retransmitting), so when the link returns the same subflow carries data again;
     * the path manager does not need to add a new one. Proven with the subflow's own byte counter and SHA-256.
     */
    @Test
    @MeasuredOnKernel("6.18")
    void pathComesBackAndIsUsedAgain() throws Exception {
        try (TwoPaths net = TwoPaths.create()) {
            net.announcePathB(false);
            net.rateLimit("pa", 20);
            net.rateLimit("pb", 20);
            try (Forked.Running server = Forked.jvm().in(net.server).enabled()
                    .start(BulkApp.class.getName(), "server", PORT_ARG, "blocking");
                 Forked.Running client = Forked.jvm().in(net.client).enabled()
                         .start(SubflowProbe.class.getName(), "watch", TwoPaths.A4_SERVER, PORT_ARG, "12")) {
                server.awaitLine("listening=", 30);
                String beforeLine = awaitSnapshotWithPathB(client);
                long before = pathBBytes(beforeLine);
                net.down("pb");
                Thread.sleep(3000);
                long duringDown = net.clientTxBytes("pb");
                String whileDownLine = client.awaitFreshLine("snapshot=", 10);
                long whileDown = pathBBytes(whileDownLine);
                net.up("pb");
                Thread.sleep(4000);
                String afterLine = client.awaitFreshLine("snapshot=", 10);
                long after = pathBBytes(afterLine);
                long wireAfter = net.clientTxBytes("pb") - duringDown;
                Forked.Result c = client.finish(60).assertExit(0);
                Forked.Result s = server.finish(30).assertExit(0);
                assertEquals(Lines.parse(c.stdout()).get("sha256"), Lines.parse(s.stdout()).get("sha256"));
                assertEquals(Lines.parse(c.stdout()).get("sent"), Lines.parse(s.stdout()).get("received"));
                System.out.printf("path B: %d bytes before down, %d while down, %d after up (+%d on the wire)%n"
                        + "  before: %s%n  down:   %s%n  after:  %s%n", before, whileDown, after, wireAfter,
                        beforeLine, whileDownLine, afterLine);
                assertTrue(before > 0, "path B carried data before it went down");
                assertTrue(after > whileDown + 1_000_000, "path B carries data again after it came back");
                assertTrue(wireAfter > 1_000_000, "the veth counter confirms traffic on path B");
            }
        }
    }

    /** Runs SubflowProbe server and client over path A; returns the server's and the client's facts. */
    private static List<Map<String, String>> probePair(TwoPaths net, boolean serverSwitch, boolean clientSwitch)
            throws Exception {
        Forked serverJvm = Forked.jvm().in(net.server);
        Forked clientJvm = Forked.jvm().in(net.client);
        serverJvm.args(serverSwitch ? new String[] {Forked.SWITCH} : new String[0]).args(Forked.EXPORT,
                Forked.NATIVE_ACCESS);
        clientJvm.args(clientSwitch ? new String[] {Forked.SWITCH} : new String[0]).args(Forked.EXPORT,
                Forked.NATIVE_ACCESS);
        try (Forked.Running server = serverJvm.start(SubflowProbe.class.getName(), "server", PORT_ARG, "2")) {
            server.awaitLine("listening=", 30);
            Forked.Result c = clientJvm.run(SubflowProbe.class.getName(), 30, "client", TwoPaths.A4_SERVER,
                    PORT_ARG, "2").assertExit(0);
            Forked.Result s = server.finish(30).assertExit(0);
            return List.of(Lines.parse(s.stdout()), Lines.parse(c.stdout()));
        }
    }

    /**
     * Proof 4: a middlebox on path A strips the MPTCP option from every packet ({@code nft ... reset tcp option
     * mptcp} in the server's prerouting hook). The kernel falls back to plain TCP per connection by itself; data
     * arrives intact and both ends report {@code isMultipath() == false}.
     */
    @RequiresMptcp(netns = true, tools = "nft")
    @Test
    void middleboxThatStripsMptcpFallsBackToTcp() throws Exception {
        try (TwoPaths net = TwoPaths.create()) {
            net.announcePathB(false);
            net.server.exec("nft", "add table inet middlebox");
            net.server.exec("nft", "add chain inet middlebox strip { type filter hook prerouting priority -300 ; }");
            net.server.exec("nft", "add rule inet middlebox strip iifname pa tcp option mptcp exists counter "
                    + "reset tcp option mptcp");
            List<Map<String, String>> facts = probePair(net, true, true);
            for (Map<String, String> f : facts) {
                assertEquals("false", f.get("multipath"), f::toString);
                assertEquals("none", f.get("infoSubflows"), f::toString);
            }
            Map<String, String> bulk = net.transfer(TwoPaths.A4_SERVER, 4 * MIB, "blocking", true).get(0);
            assertEquals(String.valueOf(4 * MIB), bulk.get("received"));
            String rules = net.server.exec("nft", "list chain inet middlebox strip");
            assertTrue(rules.matches("(?s).*counter packets [1-9].*"), "the middlebox rule matched:\n" + rules);
            Map<String, Long> server = net.server.counters();
            Map<String, Long> client = net.client.counters();
            System.out.println("middlebox: server " + mptcpCounters(server) + "; client " + mptcpCounters(client));
            assertEquals(0, server.getOrDefault("MPTcpExtMPCapableSYNRX", 0L), "the server never saw MP_CAPABLE");
            assertEquals(0, server.getOrDefault("MPTcpExtMPJoinSynRx", 0L), "no subflow could be added");
            assertTrue(client.getOrDefault("MPTcpExtMPCapableSYNTX", 0L) >= 2, "the client did ask for MPTCP");
            assertEquals(client.get("MPTcpExtMPCapableSYNTX"), client.get("MPTcpExtMPCapableFallbackSYNACK"),
                    "every connection fell back when the SYN-ACK came without MP_CAPABLE");
        }
    }

    private static Map<String, Long> mptcpCounters(Map<String, Long> all) {
        Map<String, Long> out = new java.util.TreeMap<>();
        all.forEach((k, v) -> {
            if (k.startsWith("MPTcpExt") && v != 0) {
                out.put(k.substring("MPTcpExt".length()), v);
            }
        });
        return out;
    }

    /** Proof 5: MPTCP client with a plain-TCP server, and plain client with an MPTCP server, across namespaces. */
    @Test
    void mixedPeersAcrossNamespaces() throws Exception {
        try (TwoPaths net = TwoPaths.create()) {
            net.announcePathB(false);
            List<Map<String, String>> mptcpClient = probePair(net, false, true);
            assertEquals("false", mptcpClient.get(0).get("multipath"), "plain server");
            assertEquals("false", mptcpClient.get(1).get("multipath"), "the MPTCP client fell back");
            assertEquals(0, net.server.counter("MPTcpExtMPCapableSYNRX"));
            assertTrue(net.client.counter("MPTcpExtMPCapableSYNTX") >= 1, "the client asked for MPTCP");

            List<Map<String, String>> mptcpServer = probePair(net, true, false);
            assertEquals("false", mptcpServer.get(0).get("multipath"), "a plain client is accepted as plain TCP");
            assertEquals("false", mptcpServer.get(1).get("multipath"));
            assertEquals(0, net.server.counter("MPTcpExtMPCapableSYNRX"), "no MP_CAPABLE SYN arrived");

            // and bulk data arrives intact in both mixed combinations
            net.transfer(TwoPaths.A4_SERVER, 8 * MIB, "selector", false, true);
            net.transfer(TwoPaths.A4_SERVER, 8 * MIB, "blocking", true, false);
        }
    }


    private static String awaitSnapshotWithPathB(Forked.Running client) throws Exception {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
        while (System.nanoTime() < deadline) {
            String line = client.awaitLine("snapshot=", 10);
            if (line.contains(TwoPaths.B4_CLIENT) && pathBBytes(line) > 0) {
                return line;
            }
        }
        throw new AssertionError("no subflow on path B within 10 s");
    }

    /** The bytesSent of the path-B subflow in a snapshot line, or 0 if it is not listed. */
    private static long pathBBytes(String snapshot) {
        for (String part : snapshot.split(";")) {
            String[] f = part.split("\\|");
            if (f.length == 3 && f[0].equals(TwoPaths.B4_CLIENT)) {
                return Long.parseLong(f[2]);
            }
        }
        return 0;
    }
}
