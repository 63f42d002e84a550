package io.github.mptcpnio;

import apps.RulesApp;
import io.github.mptcpnio.testing.Forked;
import io.github.mptcpnio.testing.Lines;
import io.github.mptcpnio.testing.Netns;
import io.github.mptcpnio.testing.RequiresMptcp;
import io.github.mptcpnio.testing.TwoPaths;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

import java.io.IOException;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The agent's rules over real connections, in private namespaces: an unmodified {@link RulesApp} connects with every
 * kind of JDK socket to a server in a second namespace and to a service on its own loopback, and the kernel says which
 * connections are MPTCP ({@code ss -M}, the {@code MPTcpExt} counters of each namespace). Options set before the
 * connect, a bound local port, non-blocking connects registered with a selector first, failures, closes and interrupts
 * racing the connect, many threads at once and a churn of 100,000 decided connections are each compared with what a
 * plain JVM does.
 */
@RequiresMptcp(netns = true)
@Timeout(value = 180, unit = TimeUnit.SECONDS)
class RulesIT {
    private static final String SERVER = TwoPaths.A4_SERVER;
    private static final String DEST = SERVER + ":7000";

    private static Forked agent(Netns ns, String options) {
        return Forked.jvm().in(ns).classPath(AgentIT.testClasses())
                .args(AgentIT.rawAgent() + options, Forked.NATIVE_ACCESS);
    }

    /** The local ports of the namespace's MPTCP connections ({@code ss -Mn}). */
    private static Set<Integer> mptcpLocalPorts(Netns ns) throws IOException {
        Set<Integer> ports = new HashSet<>();
        for (String line : ns.exec("ss", "-Mn").split("\n")) { // State Recv-Q Send-Q Local:Port Peer:Port
            String[] f = line.trim().split("\\s+");
            if (f.length >= 5 && f[0].equals("ESTAB")) {
                ports.add(Integer.parseInt(f[3].substring(f[3].lastIndexOf(':') + 1)));
            }
        }
        return ports;
    }

    /** The {@code conn=} lines: kind and destination, then what was read back. */
    private static List<String[]> connections(String stdout) {
        List<String[]> out = new ArrayList<>();
        for (String line : stdout.split("\n")) {
            if (line.startsWith("conn=")) {
                String[] f = line.substring(5).split(" ", 3);
                out.add(new String[] {f[0], f[1], f[2]});
            }
        }
        return out;
    }

    private static int localPort(String facts) {
        return Integer.parseInt(facts.replaceFirst("^local=(\\d+).*", "$1"));
    }

    /** Without the local port and the peer's address, which differ from run to run. */
    private static String options(String facts) {
        return facts.replaceFirst("^local=\\d+ ", "").replaceFirst(" peer=.*$", "");
    }

    @Test
    void byDefaultLoopbackClientsStayTcpAndTheServerBoundOnesAreMptcp() throws Exception {
        try (TwoPaths net = TwoPaths.create();
             Forked.Running server = agent(net.server, "").start(RulesApp.class.getName(), "serve", "7000")) {
            server.awaitLine("listening=", 30);
            Map<String, Long> serverBefore = net.server.counters();
            try (Forked.Running client = agent(net.client, "").start(RulesApp.class.getName(), "connect", "5", DEST,
                    DEST + "@bind", "local")) {
                client.awaitLine("ready=", 60);
                Set<Integer> mptcp = mptcpLocalPorts(net.client); // while the application holds its connections
                String out = client.finish(30).assertExit(0).stdout();
                List<String[]> conns = connections(out);
                assertEquals(12, conns.size(), out);
                for (String[] c : conns) {
                    boolean loopback = c[1].equals("local");
                    assertEquals(!loopback, mptcp.contains(localPort(c[2])), c[0] + " to " + c[1] + ": " + mptcp
                            + "\n" + out);
                    assertTrue(!c[2].contains("keptBoundPort=false"), "a bound port is kept: " + c[2]);
                }
            }
            // the kernel's count: 8 MP_CAPABLE handshakes from the client namespace, all answered by the server
            Map<String, Long> c = net.client.counters();
            assertEquals(8, c.getOrDefault("MPTcpExtMPCapableSYNTX", 0L), c::toString);
            assertEquals(8, c.getOrDefault("MPTcpExtMPCapableSYNACKRX", 0L), c::toString);
            assertTrue(c.getOrDefault("TcpActiveOpens", 0L) >= 12, c::toString);
            Map<String, Long> s = net.server.counters();
            assertEquals(8, s.getOrDefault("MPTcpExtMPCapableSYNRX", 0L)
                    - serverBefore.getOrDefault("MPTcpExtMPCapableSYNRX", 0L), s::toString);
        }
    }

    /**
     * What the application set before its connect, and its bound port, read back after it: the same under the agent
     * (where the server-bound sockets were switched to MPTCP at their connect) as in a plain JVM.
     */
    @Test
    void optionsSetBeforeTheConnectAreCarriedOver() throws Exception {
        try (TwoPaths net = TwoPaths.create();
             Forked.Running server = agent(net.server, "").start(RulesApp.class.getName(), "serve", "7000")) {
            server.awaitLine("listening=", 30);
            String plain = Forked.jvm().in(net.client).classPath(AgentIT.testClasses())
                    .run(RulesApp.class.getName(), 60, "connect", "0", DEST, DEST + "@bind", "local").assertExit(0)
                    .stdout();
            String agent = agent(net.client, "").run(RulesApp.class.getName(), 60, "connect", "0", DEST,
                    DEST + "@bind", "local").assertExit(0).stdout();
            List<String[]> p = connections(plain);
            List<String[]> a = connections(agent);
            assertEquals(12, p.size(), plain);
            assertEquals(p.size(), a.size(), agent);
            for (int i = 0; i < p.size(); i++) {
                assertEquals(p.get(i)[0] + " " + p.get(i)[1] + " " + options(p.get(i)[2]),
                        a.get(i)[0] + " " + a.get(i)[1] + " " + options(a.get(i)[2]));
            }
            assertEquals(8, net.client.counter("MPTcpExtMPCapableSYNACKRX"), "the agent's were MPTCP");
        }
    }

    /** Rules by destination, port and role, first match wins; the mode still excludes a role before any rule. */
    @Test
    void rulesDecideByDestinationPortAndRole() throws Exception {
        try (TwoPaths net = TwoPaths.create();
             Forked.Running server = agent(net.server, "=rules=listener port 7002 tcp")
                     .start(RulesApp.class.getName(), "serve", "7000,7001,7002")) {
            server.awaitLine("listening=", 30);
            Forked.Result r = agent(net.client, "=rules=client " + SERVER + " port 7001 tcp;client loopback mptcp")
                    .run(RulesApp.class.getName(), 60, "connect", "0", SERVER + ":7000", SERVER + ":7001",
                            SERVER + ":7002", "local").assertExit(0);
            assertEquals(16, connections(r.stdout()).size(), r::toString);
            Map<String, Long> c = net.client.counters();
            // 7000: MPTCP both ends; 7001: TCP by the client's rule; 7002: MPTCP client, TCP listener by the server's
            // rule (the kernel falls back); local: MPTCP by the client's rule, its listener MPTCP by default
            assertEquals(12, c.getOrDefault("MPTcpExtMPCapableSYNTX", 0L), c::toString);
            assertEquals(8, c.getOrDefault("MPTcpExtMPCapableSYNACKRX", 0L), c::toString);
            assertTrue(r.stderr().contains("rules: client " + SERVER + " port 7001 tcp; client loopback mptcp; then "
                    + "defaults client loopback tcp; listener loopback tcp; mptcp"), r.stderr());

            agent(net.client, "=mode=server,rules=client mptcp").run(RulesApp.class.getName(), 60, "connect", "0", DEST)
                    .assertExit(0);
            assertEquals(12, net.client.counter("MPTcpExtMPCapableSYNTX"), "mode=server keeps every client on TCP");
        }
    }

    /**
     * An option MPTCP refuses, set before the connect, keeps the socket on TCP: a traffic class on a dual-stack
     * {@code Socket} ({@code IPV6_TCLASS}). On an IPv4 channel MPTCP takes {@code IP_TOS}: it is switched, the class
     * carried over. In strict mode the refused option fails the connect, naming it.
     */
    @Test
    void anOptionMptcpRefusesKeepsTheSocketOnTcp() throws Exception {
        try (TwoPaths net = TwoPaths.create();
             Forked.Running server = agent(net.server, "").start(RulesApp.class.getName(), "serve", "7000")) {
            server.awaitLine("listening=", 30);
            try (Forked.Running client = agent(net.client, "").start(RulesApp.class.getName(), "tos", "5", DEST)) {
                client.awaitLine("ready=", 30);
                Set<Integer> mptcp = mptcpLocalPorts(net.client);
                String out = client.finish(30).assertExit(0).stdout();
                Map<String, String> lines = new java.util.HashMap<>();
                for (String l : out.split("\n")) {
                    if (l.startsWith("tos.")) {
                        lines.put(l.substring(0, l.indexOf(' ')), l);
                    }
                }
                String socket = lines.get("tos.socket");
                String channel = lines.get("tos.channel4");
                assertTrue(socket.endsWith(" class=40"), out);
                assertTrue(channel.endsWith(" class=40"), out);
                assertFalse(mptcp.contains(Integer.parseInt(socket.replaceFirst(".* local=(\\d+) .*", "$1"))),
                        "the dual-stack Socket with a traffic class stays TCP: " + out + " " + mptcp);
                assertTrue(mptcp.contains(Integer.parseInt(channel.replaceFirst(".* local=(\\d+) .*", "$1"))),
                        "the IPv4 channel with IP_TOS is MPTCP: " + out + " " + mptcp);
            }
            Forked.Result strict = agent(net.client, "=strict=true").run(RulesApp.class.getName(), 30, "tos", "0",
                    DEST).assertExit(0);
            assertTrue(strict.stdout().contains("tos.socket " + DEST + " failed=java.net.SocketException: "
                    + "mptcp.nio.strict=true and the application set IPV6_TCLASS=40"), strict.stdout());
            assertTrue(strict.stdout().contains("tos.channel4 " + DEST + " local="), strict.stdout());
        }
    }

    /**
     * Refused, timed out, closed or interrupted while connecting, connected again after a failure: every outcome the
     * same under the agent (where the sockets are switched to MPTCP first) as in a plain JVM.
     */
    @RequiresMptcp(netns = true, tools = "nft")
    @Test
    void failuresAndRacesAtTheConnectBehaveAsOnTheJdk() throws Exception {
        try (Netns ns = Netns.create("rules-fail")) {
            ns.exec("ip", "link", "add", "v0", "type", "veth", "peer", "name", "v1");
            ns.exec("ip", "addr", "add", "203.0.113.1/24", "dev", "v0");
            ns.exec("ip", "link", "set", "v0", "up");
            ns.exec("ip", "link", "set", "v1", "up");
            ns.exec("nft", "add table inet rules; add chain inet rules out { type filter hook output priority 0; }; "
                    + "add rule inet rules out ip daddr 203.0.113.7 drop");
            String[] args = {"failures", "203.0.113.1:9", "203.0.113.7:9"};
            String plain = Forked.jvm().in(ns).classPath(AgentIT.testClasses()).run(RulesApp.class.getName(), 60, args)
                    .assertExit(0).stdout();
            Map<String, String> p = Lines.parse(plain);
            assertTrue(p.get("failure.socket.refused").startsWith("java.net.ConnectException: Connection refused"),
                    plain);
            assertTrue(p.get("failure.socket.timeout").startsWith("java.net.SocketTimeoutException"), plain);
            long before = ns.counter("MPTcpExtMPCapableSYNTX");
            String agent = agent(ns, "").run(RulesApp.class.getName(), 60, args).assertExit(0).stdout();
            assertEquals(plain, agent);
            long syns = ns.counter("MPTcpExtMPCapableSYNTX") - before;
            assertTrue(syns >= 8, "the agent's attempts were MPTCP: " + syns);
        }
    }

    /** Many threads connecting at once, to a TCP and an MPTCP destination by rule: never a crossed descriptor. */
    @Test
    void concurrentConnectsAreNeverCrossWired() throws Exception {
        try (Netns ns = Netns.create("rules-conc")) {
            Forked.Result r = agent(ns, "=rules=client 127.0.0.2 mptcp").run(RulesApp.class.getName(), 150,
                    "concurrent", "16", "100", "local", "local2").assertExit(0);
            assertTrue(r.stdout().contains("concurrent=ok connections=1600"), r::toString);
            Map<String, Long> c = ns.counters();
            assertEquals(800, c.getOrDefault("MPTcpExtMPCapableSYNTX", 0L), c::toString);
            assertEquals(800, c.getOrDefault("MPTcpExtMPCapableSYNACKRX", 0L), c::toString);
        }
    }

    /** 100,000 decided connections, half switched to MPTCP, half left on TCP: the descriptors are back exactly. */
    @Test
    void descriptorsAreBackAfterAChurnOf100000DecidedConnections() throws Exception {
        try (Netns ns = Netns.create("rules-churn")) {
            Forked.Result r = agent(ns, "=rules=client 127.0.0.2 mptcp").run(RulesApp.class.getName(), 170, "churn",
                    "100000", "local", "local2").assertExit(0);
            Map<String, String> f = Lines.parse(r.stdout());
            assertEquals(f.get("fds.before"), f.get("fds.after"), r::toString);
            assertEquals(50_500, ns.counter("MPTcpExtMPCapableSYNACKRX"), "half of them MPTCP, warm-up included");
            System.out.println("churn of 100,000 decided connections: " + f.get("churn") + " " + r.stdout()
                    .replaceFirst("(?s).*millis=(\\d+).*", "$1") + " ms");
        }
    }
}
