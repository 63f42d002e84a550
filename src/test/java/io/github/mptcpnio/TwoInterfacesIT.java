package io.github.mptcpnio;

import apps.BulkApp;
import apps.RulesApp;
import io.github.mptcpnio.testing.Forked;
import io.github.mptcpnio.testing.HostPair;
import io.github.mptcpnio.testing.Lines;
import io.github.mptcpnio.testing.Netns;
import io.github.mptcpnio.testing.RequiresMptcp;
import io.github.mptcpnio.testing.TwoInterfaces;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import java.io.IOException;
import java.util.Map;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The two-interface client ({@link TwoInterfaces}: two links on two subnets, a {@code subflow} endpoint and
 * source-based policy routing on the client, a server with one address), both ends unmodified JVMs under the agent
 * with its default rules: the server-bound connections are MPTCP with a subflow per interface, a service on the
 * client's own loopback stays TCP; two 50 Mbit/s links aggregate; either interface can go down without a byte lost;
 * a {@code backup} interface stays idle until the primary fails.
 */
@RequiresMptcp(netns = true, tools = "tc")
@Timeout(value = 180, unit = TimeUnit.SECONDS)
class TwoInterfacesIT {
    private static final long MIB = 1024 * 1024;
    private static final String PORT = "5201";

    private static Forked agent(Netns ns) {
        return Forked.jvm().in(ns).classPath(AgentIT.testClasses()).args(AgentIT.rawAgent(), Forked.NATIVE_ACCESS);
    }

    @Test
    void theServerBoundConnectionIsMptcpOverBothInterfacesAndTheLocalServiceTcp() throws Exception {
        try (TwoInterfaces net = TwoInterfaces.create(false);
             Forked.Running server = agent(net.server).start(RulesApp.class.getName(), "serve", "7000")) {
            server.awaitLine("listening=", 30);
            String dest = TwoInterfaces.SERVER + ":7000";
            try (Forked.Running client = agent(net.client).start(RulesApp.class.getName(), "connect", "5", dest,
                    "local")) {
                client.awaitLine("ready=", 60);
                String mptcp = net.client.exec("ss", "-Mn");
                String subflows = awaitSubflows(net.client, 4);
                String out = client.finish(30).assertExit(0).stdout();
                for (String line : out.split("\n")) {
                    if (line.startsWith("conn=")) {
                        String port = line.replaceFirst(".* local=(\\d+) .*", "$1");
                        boolean local = line.split(" ")[1].equals("local");
                        assertEquals(!local, mptcp.contains(":" + port + " "), line + "\n" + mptcp);
                    }
                }
                // every server-bound connection: its initial subflow through pa, a second one from pb's address
                assertEquals(4, count(subflows, TwoInterfaces.CLIENT_A), subflows);
                assertEquals(4, count(subflows, TwoInterfaces.CLIENT_B), subflows);
            }
            Map<String, Long> s = net.server.counters();
            assertEquals(4, s.getOrDefault("MPTcpExtMPCapableSYNRX", 0L), s::toString);
            assertEquals(4, s.getOrDefault("MPTcpExtMPJoinSynRx", 0L), s::toString);
            assertEquals(4, s.getOrDefault("MPTcpExtMPJoinAckRx", 0L), s::toString);
        }
    }

    /** The client's TCP subflows towards the server ({@code ss -tn}), once {@code expected} of them come from pb. */
    private static String awaitSubflows(Netns ns, int expected) throws Exception {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(5);
        while (true) {
            StringBuilder towardsServer = new StringBuilder();
            for (String line : ns.exec("ss", "-tn").split("\n")) {
                if (line.contains(TwoInterfaces.SERVER + ":") || line.contains(TwoInterfaces.SERVER + "]:")) {
                    towardsServer.append(line).append('\n');
                }
            }
            String out = towardsServer.toString();
            if (count(out, TwoInterfaces.CLIENT_B) >= expected || System.nanoTime() > deadline) {
                return out; // the JDK's sockets are dual-stack: [::ffff:192.0.2.2]:port
            }
            Thread.sleep(50);
        }
    }

    private static int count(String text, String needle) {
        int n = 0;
        for (int i = text.indexOf(needle); i >= 0; i = text.indexOf(needle, i + 1)) {
            n++;
        }
        return n;
    }

    /** One bulk transfer from the client to the server; fails unless every byte arrived unchanged. */
    private static Map<String, String> transfer(TwoInterfaces net, long bytes) throws Exception {
        try (Forked.Running s = agent(net.server).start(BulkApp.class.getName(), "server", PORT, "blocking")) {
            s.awaitLine("listening=", 30);
            Forked.Result c = agent(net.client).run(BulkApp.class.getName(), 120, "client", TwoInterfaces.SERVER,
                    PORT, String.valueOf(bytes)).assertExit(0);
            Map<String, String> sf = Lines.parse(s.finish(30).assertExit(0).stdout());
            assertEquals(String.valueOf(bytes), sf.get("received"));
            assertEquals(Lines.parse(c.stdout()).get("sha256"), sf.get("sha256"), "no byte lost or changed");
            return sf;
        }
    }

    @Test
    void twoInterfacesOf50MbitAggregate() throws Exception {
        long bytes = 32 * MIB;
        try (TwoInterfaces net = TwoInterfaces.create(false)) {
            net.rateLimit("pa", 50);
            net.rateLimit("pb", 50);
            long a0 = net.clientTxBytes("pa");
            long b0 = net.clientTxBytes("pb");
            Map<String, String> two = transfer(net, bytes);
            long onA = net.clientTxBytes("pa") - a0;
            long onB = net.clientTxBytes("pb") - b0;
            net.down("pb");
            Map<String, String> one = transfer(net, bytes);
            double twoMbps = bytes * 8.0 / 1000 / Long.parseLong(two.get("millis"));
            double oneMbps = bytes * 8.0 / 1000 / Long.parseLong(one.get("millis"));
            System.out.printf("two interfaces: one path %.1f Mbit/s, two paths %.1f Mbit/s, ratio %.2f; pa %.0f %%, "
                    + "pb %.0f %% of the bytes%n", oneMbps, twoMbps, twoMbps / oneMbps, 100.0 * onA / (onA + onB),
                    100.0 * onB / (onA + onB));
            assertTrue(twoMbps >= 1.8 * oneMbps, String.format("two paths %.1f vs one path %.1f Mbit/s", twoMbps,
                    oneMbps));
        }
    }

    /** Either interface goes down a quarter into a 48 MiB transfer: it completes, every byte unchanged. */
    @ParameterizedTest(name = "{0} goes down")
    @ValueSource(strings = {"pa", "pb"})
    void eitherInterfaceGoingDownLosesNothing(String link) throws Exception {
        long bytes = 48 * MIB;
        try (TwoInterfaces net = TwoInterfaces.create(false)) {
            net.rateLimit("pa", 50);
            net.rateLimit("pb", 50);
            downDuringATransfer(net, link, bytes, 12 * MIB);
        }
    }

    /**
     * With the {@code backup} flag, the second interface carries (almost) nothing while the primary works — the
     * subflow is there, idle — and takes over when the primary goes down, without a byte lost.
     */
    @Test
    void aBackupInterfaceStaysIdleUntilThePrimaryFails() throws Exception {
        long bytes = 48 * MIB;
        try (TwoInterfaces net = TwoInterfaces.create(true)) {
            net.rateLimit("pa", 50);
            net.rateLimit("pb", 50);
            long b0 = net.clientTxBytes("pb");
            long[] onB = downDuringATransfer(net, "pa", bytes, 16 * MIB);
            long idle = onB[0] - b0;
            long after = onB[1] - onB[0];
            System.out.printf("backup interface: %d bytes sent on pb while pa worked (16 MiB transferred), %d after "
                    + "pa went down%n", idle, after);
            assertTrue(idle < 256 * 1024, "pb stays idle while pa works: " + idle + " bytes");
            assertTrue(after > 24 * MIB, "pb carries the rest: " + after + " bytes");
        }
    }

    /**
     * Takes {@code link} down once the server has received {@code at} bytes; returns the bytes sent on pb until then
     * and at the end. The transfer must complete with the same SHA-256.
     */
    private static long[] downDuringATransfer(TwoInterfaces net, String link, long bytes, long at) throws Exception {
        try (Forked.Running server = agent(net.server).start(BulkApp.class.getName(), "server", PORT, "selector");
             Forked.Running client = agent(net.client).start(BulkApp.class.getName(), "client", TwoInterfaces.SERVER,
                     PORT, String.valueOf(bytes))) {
            server.awaitLine("listening=", 30);
            HostPair.awaitProgress(server, at);
            long pbBefore = net.clientTxBytes("pb");
            long downAt = System.nanoTime();
            net.down(link);
            Forked.Result c = client.finish(120).assertExit(0);
            Forked.Result s = server.finish(30).assertExit(0);
            Map<String, String> sf = Lines.parse(s.stdout());
            assertEquals(String.valueOf(bytes), sf.get("received"), s::toString);
            assertEquals(Lines.parse(c.stdout()).get("sha256"), sf.get("sha256"), "no byte lost or changed");
            System.out.printf("%s down after %d MiB: completed %d ms later, longest stall %s ms%n", link, at / MIB,
                    (System.nanoTime() - downAt) / 1_000_000, sf.get("maxStallMs"));
            return new long[] {pbBefore, net.clientTxBytes("pb")};
        }
    }

}
