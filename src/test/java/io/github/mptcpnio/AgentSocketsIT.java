package io.github.mptcpnio;

import apps.AsyncEchoApp;
import apps.EarlySocketAgent;
import apps.EchoApp;
import apps.HttpUrlApp;
import apps.SocketEchoApp;
import apps.UntouchedApp;
import apps.UrgentDataApp;
import io.github.mptcpnio.testing.Forked;
import io.github.mptcpnio.testing.Lines;
import io.github.mptcpnio.testing.Netns;
import io.github.mptcpnio.testing.RequiresMptcp;
import io.github.mptcpnio.testing.SocketIntrospectionProbe;
import io.github.mptcpnio.testing.SocketStateProbe;
import io.github.mptcpnio.internal.linux.Sockets;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

import java.io.OutputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.jar.Attributes;
import java.util.jar.JarEntry;
import java.util.jar.JarOutputStream;
import java.util.jar.Manifest;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The agent converts every TCP socket of the JVM where the JDK creates it: {@code java.net.Socket} and
 * {@code ServerSocket}, asynchronous channels, the JDK's own users ({@code HttpURLConnection}), NIO channels of the
 * JDK's own provider. Each program is unmodified (it never imports the library) and runs in a forked JVM with only
 * {@code -javaagent}; MPTCP is proven by the kernel's counters in a private namespace, on both ends: every
 * connection's SYN carried MP_CAPABLE ({@code MPCapableSYNRX}, the client was MPTCP) and so did every SYN-ACK
 * ({@code MPCapableSYNACKRX}, the listener was MPTCP).
 */
@Timeout(value = 60, unit = TimeUnit.SECONDS)
class AgentSocketsIT {

    private static String testClasses() {
        return Path.of("target", "test-classes").toAbsolutePath().toString();
    }

    private static Forked agentJvm(Netns ns, String options) {
        return Forked.jvm().in(ns).classPath(testClasses()).args(AgentIT.agent() + options, Forked.NATIVE_ACCESS);
    }

    private static void assertBothEndsMptcp(Netns ns, Forked.Result r, int connections) throws Exception {
        Map<String, Long> c = ns.counters();
        assertEquals(connections, c.getOrDefault("MPTcpExtMPCapableSYNRX", 0L), () -> c + "\n" + r);
        assertEquals(connections, c.getOrDefault("MPTcpExtMPCapableSYNACKRX", 0L), () -> c + "\n" + r);
        assertEquals(connections, Netns.connections(c), () -> "no other connection: " + c);
        assertTrue(r.stderr().lines().noneMatch(l -> l.startsWith("WARNING")), "no warning:\n" + r.stderr());
    }

    @RequiresMptcp(netns = true)
    @ParameterizedTest(name = "{0} over {1}")
    @CsvSource({
        "apps.SocketEchoApp, 127.0.0.1",
        "apps.SocketEchoApp, ::1",
        "apps.AsyncEchoApp,  127.0.0.1",
        "apps.AsyncEchoApp,  ::1",
        "apps.EchoApp,       127.0.0.1",
    })
    void everyKindOfTcpSocketIsCreatedAsMptcp(String app, String host) throws Exception {
        try (Netns ns = Netns.create("agent-kinds")) {
            Forked.Result r = agentJvm(ns, "").run(app, 30, host, "4", "100000").assertExit(0);
            assertEquals("OK connections=4 bytes=400000", r.stdout().trim(), r::toString);
            assertBothEndsMptcp(ns, r, 4);
        }
    }

    @RequiresMptcp(netns = true)
    @Test
    void httpUrlConnectionToTheJdkHttpServer() throws Exception {
        try (Netns ns = Netns.create("agent-http")) {
            Forked.Result r = agentJvm(ns, "").run(HttpUrlApp.class.getName(), 30, "10").assertExit(0);
            assertEquals("OK requests=10", r.stdout().trim(), r::toString);
            assertBothEndsMptcp(ns, r, 10);
        }
    }

    /** Without the agent the same programs are plain TCP: the counters above are not the kernel's default. */
    @RequiresMptcp(netns = true)
    @Test
    void withoutTheAgentTheSameProgramIsPlainTcp() throws Exception {
        try (Netns ns = Netns.create("agent-control")) {
            Forked.Result r = Forked.jvm().in(ns).classPath(testClasses())
                    .run(SocketEchoApp.class.getName(), 30, "127.0.0.1", "2", "1000").assertExit(0);
            assertEquals("OK connections=2 bytes=2000", r.stdout().trim(), r::toString);
            assertEquals(0, ns.counter("MPTcpExtMPCapableSYNRX"));
            assertEquals(2, Netns.connections(ns.counters()));
        }
    }

    /**
     * Modes apply by role to {@code java.net} sockets, seen on the wire: MP_CAPABLE SYNs sent (the clients are MPTCP)
     * and MP_CAPABLE SYN-ACKs received (the listener is MPTCP too).
     */
    @RequiresMptcp(netns = true)
    @ParameterizedTest(name = "mode={0}")
    @CsvSource({
        // mode,  MP_CAPABLE SYNs sent, MP_CAPABLE SYN-ACKs received
        "both,    3, 3",
        "client,  3, 0",   // the clients ask, the plain listener does not answer: the kernel falls back
        "server,  0, 0",   // plain clients never ask (the listener's side: modesApplyByRoleToEveryKind)
        "off,     0, 0",
    })
    void modesApplyByRoleToJavaNetSockets(String mode, long synTx, long synAckRx) throws Exception {
        try (Netns ns = Netns.create("agent-modes")) {
            Forked.Result r = agentJvm(ns, ",mode=" + mode).run(SocketEchoApp.class.getName(), 30, "127.0.0.1",
                    "3", "1000").assertExit(0);
            assertEquals("OK connections=3 bytes=3000", r.stdout().trim(), r::toString);
            Map<String, Long> c = ns.counters();
            assertEquals(synTx, c.getOrDefault("MPTcpExtMPCapableSYNTX", 0L), c::toString);
            assertEquals(synAckRx, c.getOrDefault("MPTcpExtMPCapableSYNACKRX", 0L), c::toString);
        }
    }

    /** Every kind of socket, by role: listeners follow {@code server}, everything else {@code client}. */
    @RequiresMptcp
    @ParameterizedTest(name = "mode={0}")
    @CsvSource({"server", "client"})
    void modesApplyByRoleToEveryKind(String mode) throws Exception {
        Forked.Result r = Forked.jvm().args(AgentIT.agent() + ",mode=" + mode, Forked.NATIVE_ACCESS)
                .run(SocketStateProbe.class.getName(), 30).assertExit(0);
        Map<String, String> f = Lines.parse(r.stdout());
        List<String> kinds = f.keySet().stream().filter(k -> k.endsWith(".protocol")).sorted().toList();
        assertEquals(10, kinds.size(), r::toString);
        for (String k : kinds) {
            boolean listener = k.startsWith("server") || k.startsWith("asynchronousServer");
            assertEquals(listener == mode.equals("server") ? "MPTCP" : "TCP", f.get(k), k + ": " + r);
        }
    }

    @RequiresMptcp(netns = true)
    @Test
    void whereMptcpIsDisabledJavaNetSocketsStayTcpAndStrictModeRefuses() throws Exception {
        try (Netns ns = Netns.create("agent-off")) {
            ns.sysctl("net.mptcp.enabled", "0");
            Forked.Result r = agentJvm(ns, "").run(SocketEchoApp.class.getName(), 30, "127.0.0.1", "2", "1000")
                    .assertExit(0);
            assertEquals("OK connections=2 bytes=2000", r.stdout().trim(), r::toString);
            List<String> warnings = r.stderr().lines().filter(l -> l.startsWith("WARNING")).toList();
            assertEquals(1, warnings.size(), r.stderr());
            assertTrue(warnings.get(0).contains("DISABLED_BY_SYSCTL"), r.stderr());

            Forked.Result strict = agentJvm(ns, ",strict=true").run(SocketEchoApp.class.getName(), 30,
                    "127.0.0.1", "1", "10");
            assertNotEquals(0, strict.exit(), strict::toString);
            assertTrue(strict.stderr().contains("java.net.SocketException: mptcp.nio.strict=true and MPTCP is "
                    + "unavailable: DISABLED_BY_SYSCTL"), strict::toString);
        }
    }

    /**
     * The MPTCP-only failures, defused under the agent: {@code setOOBInline(false)} succeeds (it asks for the
     * default), and urgent data throws instead of reaching the peer in-band. Without the agent the JDK's own
     * behaviour on plain TCP is the reference: the peer never sees the urgent byte.
     */
    @RequiresMptcp
    @Test
    void oobInlineFalseSucceedsAndUrgentDataThrowsInsteadOfCorruptingTheStream() throws Exception {
        Map<String, String> jdk = Lines.parse(Forked.jvm().classPath(testClasses())
                .run(UrgentDataApp.class.getName(), 30).assertExit(0).stdout());
        Forked.Result r = Forked.jvm().classPath(testClasses()).args(AgentIT.agent(), Forked.NATIVE_ACCESS)
                .run(UrgentDataApp.class.getName(), 30).assertExit(0);
        Map<String, String> agent = Lines.parse(r.stdout());
        for (String kind : List.of("socket", "channel")) {
            assertEquals("ok", jdk.get(kind + ".sendUrgentData"), jdk::toString);
            assertEquals("41", jdk.get(kind + ".peerRead"), "plain TCP discards the urgent byte: " + jdk);
            assertEquals("ok", agent.get(kind + ".setOOBInline"), r::toString);
            assertEquals("ok", agent.get(kind + ".acceptedSetOOBInline"), r::toString);
            assertEquals("false", agent.get(kind + ".getOOBInline"), r::toString);
            assertTrue(agent.get(kind + ".sendUrgentData").startsWith("java.net.SocketException: Urgent data is "
                    + "not sent on MPTCP sockets"), r::toString);
            assertEquals("41", agent.get(kind + ".peerRead"), "no urgent byte in the stream: " + r);
        }
    }

    /**
     * Created as MPTCP in place, yet equal to what the JDK creates, flag by flag, for every kind of socket: the same
     * program run without and with the agent.
     */
    @RequiresMptcp
    @Test
    void everyKindIsCreatedWithTheJdksOwnStateAndOnlyTheProtocolDiffers() throws Exception {
        Forked.Result plain = Forked.jvm().args(Forked.NATIVE_ACCESS).run(SocketStateProbe.class.getName(), 30)
                .assertExit(0);
        Forked.Result agent = Forked.jvm().args(AgentIT.agent(), Forked.NATIVE_ACCESS)
                .run(SocketStateProbe.class.getName(), 30).assertExit(0);
        Map<String, String> jdk = Lines.parse(plain.stdout());
        Map<String, String> ours = Lines.parse(agent.stdout());
        List<String> kinds = jdk.keySet().stream().filter(k -> k.endsWith(".state")).map(k -> k.replace(".state", ""))
                .sorted().toList();
        assertEquals(10, kinds.size(), plain::toString);
        for (String kind : kinds) {
            assertTrue(jdk.get(kind + ".state").startsWith("domain AF_INET"), plain::toString);
            assertEquals(jdk.get(kind + ".state"), ours.get(kind + ".state"), kind);
            assertEquals("TCP", jdk.get(kind + ".protocol"), kind);
            assertEquals("MPTCP", ours.get(kind + ".protocol"), kind);
        }
    }

    /** Introspection answers for the new kinds too: {@code Socket}, {@code ServerSocket}, asynchronous channels. */
    @RequiresMptcp
    @Test
    void introspectionOfJavaNetSocketsAndAsynchronousChannels() throws Exception {
        Forked.Result r = Forked.jvm().args(AgentIT.agent(), Forked.NATIVE_ACCESS)
                .run(SocketIntrospectionProbe.class.getName(), 30).assertExit(0);
        Map<String, String> f = Lines.parse(r.stdout());
        for (String k : List.of("serverSocket.multipath", "socket.multipath", "accepted.multipath",
                "socket.subflowIsOwn", "asyncServer.multipath", "async.multipath", "async.subflowIsOwn",
                "async.info")) {
            assertEquals("true", f.get(k), k + ": " + r);
        }
        assertEquals(Sockets.kernelAtLeast(6, 5) ? "1000" : "-1", f.get("socket.bytesSent"), r::toString);
        assertEquals("1", f.get("socket.subflows"), r::toString);
        assertEquals("java.net.SocketException: Socket is closed", f.get("closedSocket"), r::toString);
        assertEquals("java.nio.channels.ClosedChannelException", f.get("closedAsync"), r::toString);
    }

    /** Without the agent, a {@code java.net} socket's descriptor is out of reach: the exception names what to add. */
    @RequiresMptcp
    @Test
    void withoutTheAgentJavaNetIntrospectionNamesTheMissingFlags() throws Exception {
        try (java.net.ServerSocket server = new java.net.ServerSocket(0)) {
            UnsupportedOperationException e = org.junit.jupiter.api.Assertions.assertThrows(
                    UnsupportedOperationException.class, () -> Mptcp.isMultipath(server));
            assertTrue(e.getMessage().contains("--add-opens java.base/java.net=ALL-UNNAMED"), e.getMessage());
        }
    }

    /**
     * Another agent ahead of ours opened sockets in its {@code premain}, so the JDK's socket classes were loaded before
     * our agent ran: it retransforms them, and every kind of socket the application then creates is MPTCP.
     */
    @RequiresMptcp
    @Test
    void socketClassesLoadedBeforeTheAgentAreRetransformed(@TempDir Path dir) throws Exception {
        Path early = dir.resolve("early-agent.jar");
        Manifest manifest = new Manifest();
        manifest.getMainAttributes().put(Attributes.Name.MANIFEST_VERSION, "1.0");
        manifest.getMainAttributes().putValue("Premain-Class", EarlySocketAgent.class.getName());
        try (OutputStream out = Files.newOutputStream(early); JarOutputStream jar = new JarOutputStream(out, manifest)) {
            jar.putNextEntry(new JarEntry("apps/EarlySocketAgent.class"));
            jar.write(Files.readAllBytes(Path.of(testClasses(), "apps", "EarlySocketAgent.class")));
            jar.closeEntry();
        }
        Forked.Result r = Forked.jvm().args("-javaagent:" + early, AgentIT.agent(), Forked.NATIVE_ACCESS,
                "-Xlog:class+load=info:file=" + dir.resolve("classes.log"))
                .run(SocketStateProbe.class.getName(), 30).assertExit(0);
        Map<String, String> f = Lines.parse(r.stdout());
        assertTrue(f.containsKey("early.sockets"), r::toString);
        List<String> loads = Files.readAllLines(dir.resolve("classes.log"));
        int net = indexOf(loads, " sun.nio.ch.Net ");
        int ours = indexOf(loads, " io.github.mptcpnio.internal.agent.Agent ");
        assertTrue(net >= 0 && ours > net, "Net was loaded before our agent: " + net + " < " + ours);
        assertTrue(indexOf(loads, " io.github.mptcpnio.internal.agent.AgentStart$Retransforming ") > ours,
                "retransformed by a retransformation-capable transformer added for them");
        List<String> kinds = f.keySet().stream().filter(k -> k.endsWith(".protocol")).sorted().toList();
        assertEquals(10, kinds.size(), r::toString);
        for (String k : kinds) {
            assertEquals("MPTCP", f.get(k), k + ": " + r);
        }
        assertTrue(r.stderr().lines().noneMatch(l -> l.startsWith("WARNING")), r.stderr());
    }

    private static int indexOf(List<String> lines, String fragment) {
        for (int i = 0; i < lines.size(); i++) {
            if (lines.get(i).contains(fragment)) {
                return i;
            }
        }
        return -1;
    }

    @RequiresMptcp
    @Test
    void datagramAndUnixDomainSocketsAreUntouched() throws Exception {
        Forked.Result r = Forked.jvm().classPath(testClasses()).args(AgentIT.agent(), Forked.NATIVE_ACCESS)
                .run(UntouchedApp.class.getName(), 30).assertExit(0);
        Map<String, String> f = Lines.parse(r.stdout());
        assertEquals("ok", f.get("datagramSocket"), r::toString);
        assertEquals("ok", f.get("datagramChannel"), r::toString);
        assertEquals("ok", f.get("unixChannel"), r::toString);
    }

    /**
     * A JDK whose {@code sun.nio.ch.Net} the rewriter does not recognise (simulated by pointing it at method names that
     * do not exist): the application still starts, one WARNING names the class and the JDK, and NIO channels are still
     * MPTCP through the switch's provider.
     */
    @RequiresMptcp(netns = true)
    @Test
    void anUnknownJdkShapeLeavesTheClassAloneWarnsOnceAndFallsBackToTheProvider() throws Exception {
        try (Netns ns = Netns.create("agent-shape")) {
            Forked.Result r = Forked.jvm().in(ns).classPath(testClasses())
                    .args(AgentIT.agent(), Forked.NATIVE_ACCESS, "-Dmptcp.nio.agent.netSocketMethods=noSuchMethod")
                    .run(EchoApp.class.getName(), 30, "127.0.0.1", "2", "1000").assertExit(0);
            assertEquals("OK connections=2 bytes=2000", r.stdout().trim(), r::toString);
            List<String> warnings = r.stderr().lines().filter(l -> l.startsWith("WARNING")).toList();
            assertEquals(1, warnings.size(), r.stderr());
            assertTrue(warnings.get(0).contains("sun.nio.ch.Net not rewritten on JDK "
                    + Runtime.version().feature()), r.stderr());
            assertEquals(2, ns.counter("MPTcpExtMPCapableSYNRX"), "NIO channels through the provider");
        }
    }
}
