package io.github.mptcpnio;

import apps.netty.GrpcApp;
import apps.netty.NativeEchoApp;
import apps.netty.NettyIntrospectionProbe;
import apps.netty.NettyOptionsProbe;
import apps.netty.ReactorHttpApp;
import apps.netty.UnknownNettyApp;
import io.github.mptcpnio.testing.Forked;
import io.github.mptcpnio.testing.Lines;
import io.github.mptcpnio.testing.Netns;
import io.github.mptcpnio.testing.RequiresMptcp;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

import java.io.File;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.stream.Collectors;
import java.util.stream.Stream;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Netty's native transports under the agent, unmodified, in forked JVMs in private namespaces: Netty 4.1 and 4.2 epoll,
 * 4.2 io_uring, Reactor Netty and gRPC's relocated copy ({@code grpc-netty-shaded}), each with its default transport.
 * Proof from outside: the namespace's kernel counters ({@code MPTcpExtMPCapableSYNRX} counts only MP_CAPABLE SYNs an
 * MPTCP listener received), the protocol the kernel reports for each socket ({@code SO_PROTOCOL}, read by the app
 * through Netty's own channel option), and the agent's counters by kind (read by the app over JMX), which say the
 * sockets came through Netty's rewritten {@code channel.unix.Socket}.
 */
@RequiresMptcp(netns = true)
@Timeout(value = 120, unit = TimeUnit.SECONDS)
class NativeTransportsIT {
    static final String LISTENER_KIND = "Netty native ServerSocketChannel";
    static final String CLIENT_KIND = "Netty native SocketChannel";

    /** Netty 4.1's epoll transport alone, with the test classes: target/netty-4.1 (the dependency plugin). */
    static String netty41ClassPath() throws IOException {
        String dir = System.getProperty("mptcp.nio.test.netty41");
        assertTrue(dir != null && Files.isDirectory(Path.of(dir)), "Netty 4.1 class path not built: " + dir);
        try (Stream<Path> jars = Files.list(Path.of(dir))) {
            return jars.map(Path::toString).sorted().collect(Collectors.joining(File.pathSeparator))
                    + File.pathSeparator + AgentIT.testClasses();
        }
    }

    /** The test class path without the io_uring transport: what an application with epoll alone has. */
    static String withoutIoUring() {
        return Stream.of(Forked.testClassPath().split(File.pathSeparator))
                .filter(e -> !Path.of(e).getFileName().toString().contains("io_uring"))
                .collect(Collectors.joining(File.pathSeparator));
    }

    static Forked agent(Netns ns, String... args) {
        return Forked.jvm().in(ns).args(AgentIT.agent(), Forked.NATIVE_ACCESS).args(args);
    }

    /**
     * The agent's defaults: Netty's loopback clients and its listener on a loopback address stay TCP; a rule naming
     * the address (127.0.0.2, loopback too) makes both MPTCP, the listener at its bind and the clients at their
     * connect — for epoll after Netty registered them with its epoll instance, which the switch must carry over, and
     * for io_uring, whose connect goes through its ring.
     */
    @ParameterizedTest(name = "Netty {0} {1}, rule: {2}")
    @CsvSource({
        "4.1, epoll,    ",
        "4.1, epoll,    127.0.0.2 mptcp",
        "4.2, epoll,    ",
        "4.2, epoll,    127.0.0.2 mptcp",
        "4.2, io_uring, ",
        "4.2, io_uring, 127.0.0.2 mptcp",
    })
    void rulesDecideNettysClientsAtTheirConnect(String netty, String transport, String rule) throws Exception {
        int n = 10;
        try (Netns ns = Netns.create("netty-rules")) {
            Forked jvm = Forked.jvm().in(ns).args(AgentIT.rawAgent() + (rule == null ? "" : "=rules=" + rule),
                    Forked.NATIVE_ACCESS);
            if (netty.equals("4.1")) {
                jvm = jvm.classPath(netty41ClassPath());
            }
            Forked.Result r = jvm.run(NativeEchoApp.class.getName(), 90, transport, String.valueOf(n), "127.0.0.2");
            skipIfTransportMissing(r, transport);
            r.assertExit(0);
            Map<String, String> out = Lines.parse(r.stdout());
            boolean clients = rule != null;
            assertEquals("protocol=" + (clients ? 262 : 6), out.get("server").split(" ")[1], r::toString);
            assertEquals(clients, out.get("kinds").contains(LISTENER_KIND + "=1"), out.get("kinds"));
            assertEquals("protocols=" + (clients ? 262 : 6), out.get("client").split(" ")[1], r::toString);
            assertEquals(clients, out.get("kinds").contains(CLIENT_KIND + "=" + n), out.get("kinds"));
            Map<String, Long> c = ns.counters();
            assertEquals(n, Netns.connections(c), c::toString);
            assertEquals(clients ? n : 0, c.getOrDefault("MPTcpExtMPCapableSYNTX", 0L), c::toString);
            assertEquals(clients ? n : 0, c.getOrDefault("MPTcpExtMPCapableSYNACKRX", 0L), c::toString);
        }
    }

    @ParameterizedTest(name = "Netty {0} {1}, mode={2}")
    @CsvSource({
        "4.1, epoll,    both",
        "4.1, epoll,    server",
        "4.1, epoll,    client",
        "4.2, epoll,    both",
        "4.2, epoll,    server",
        "4.2, epoll,    client",
        "4.2, io_uring, both",
        "4.2, io_uring, server",
        "4.2, io_uring, client",
    })
    void echoRunsOnMptcpByRole(String netty, String transport, String mode) throws Exception {
        int n = 20;
        try (Netns ns = Netns.create("netty")) {
            Forked jvm = agent(ns, "-Dmptcp.nio.mode=" + mode);
            if (netty.equals("4.1")) {
                jvm = jvm.classPath(netty41ClassPath());
            }
            Forked.Result r = jvm.run(NativeEchoApp.class.getName(), 90, transport, String.valueOf(n));
            skipIfTransportMissing(r, transport);
            r.assertExit(0);
            Map<String, String> out = Lines.parse(r.stdout());
            assertTrue(out.get("netty").startsWith(netty + "."), r::toString);
            assertEquals("netty-native OK connections=" + n, r.stdout().lines().reduce((a, b) -> b).orElse(""));
            String prefix = transport.equals("epoll") ? "Epoll" : "IoUring";
            assertTrue(out.get("server").startsWith(prefix + "ServerSocketChannel "), r::toString);
            assertTrue(out.get("client").startsWith(prefix + "SocketChannel "), r::toString);

            boolean listener = !mode.equals("client");
            boolean clients = !mode.equals("server");
            assertEquals("protocol=" + (listener ? 262 : 6), out.get("server").split(" ")[1], r::toString);
            assertEquals("protocols=" + (clients ? 262 : 6), out.get("client").split(" ")[1], r::toString);
            String kinds = out.get("kinds");
            assertEquals(listener, kinds.contains(LISTENER_KIND + "=1"), kinds);
            assertEquals(clients, kinds.contains(CLIENT_KIND + "=" + n), kinds);

            Map<String, Long> c = ns.counters();
            assertEquals(n, Netns.connections(c), c::toString);
            assertEquals(listener && clients ? n : 0, c.getOrDefault("MPTcpExtMPCapableSYNRX", 0L), c::toString);
            assertEquals(clients ? n : 0, c.getOrDefault("MPTcpExtMPCapableSYNTX", 0L), c::toString);
        }
    }

    /** io_uring is a kernel feature (and can be switched off); without it there is nothing of ours to test. */
    static void skipIfTransportMissing(Forked.Result r, String transport) {
        if (r.exit() == 2 && transport.equals("io_uring")) {
            Assumptions.abort("io_uring is unavailable in this environment (a kernel feature, not mptcp-nio's): "
                    + r.stdout().lines().filter(l -> l.startsWith("io_uring unavailable")).findFirst().orElse(""));
        }
    }

    /** Reactor Netty with its default transport: epoll where io_uring is not on the class path. */
    @Test
    void reactorNettyDefaultTransportEpoll() throws Exception {
        reactorNetty(withoutIoUring(), "EpollServerSocketChannel");
    }

    /** Reactor Netty 1.3 picks io_uring by itself when netty-transport-native-io_uring is on the class path. */
    @Test
    void reactorNettyPicksIoUringWhenOnTheClassPath() throws Exception {
        reactorNetty(Forked.testClassPath(), "IoUringServerSocketChannel");
    }

    private static void reactorNetty(String classPath, String serverChannel) throws Exception {
        int requests = 400;
        int concurrency = 32;
        try (Netns ns = Netns.create("reactor")) {
            Forked.Result r = agent(ns).classPath(classPath).run(ReactorHttpApp.class.getName(), 90,
                    String.valueOf(requests), String.valueOf(concurrency));
            Map<String, String> out = Lines.parse(r.stdout());
            if (serverChannel.startsWith("IoUring") && String.valueOf(out.get("io_uring")).startsWith("false")) {
                Assumptions.abort("io_uring is unavailable in this environment (a kernel feature, not mptcp-nio's): "
                        + out.get("io_uring"));
            }
            r.assertExit(0);
            assertEquals(serverChannel.startsWith("IoUring") ? "true" : "absent", out.get("io_uring"), r::toString);
            assertEquals("true", out.get("epoll"), r::toString);
            assertEquals(serverChannel, out.get("server"), r::toString);
            assertTrue(r.stdout().contains("reactor-netty OK requests=" + requests), r::toString);
            assertTrue(out.get("kinds").contains(LISTENER_KIND + "=1"), r::toString);
            assertProvenByKernel(ns, out.get("kinds"));
        }
    }

    /** gRPC hello world on grpc-netty-shaded: its relocated Netty, epoll by default; unary and streaming calls. */
    @Test
    void grpcOnItsShadedNetty() throws Exception {
        try (Netns ns = Netns.create("grpc")) {
            Forked.Result r = agent(ns).run(GrpcApp.class.getName(), 90, "4", "25").assertExit(0);
            Map<String, String> out = Lines.parse(r.stdout());
            assertEquals("true", out.get("epoll"), r::toString);
            assertTrue(r.stdout().contains("grpc OK unary=100 streamed=40"), r::toString);
            assertTrue(out.get("kinds").contains(LISTENER_KIND + "=1"), r::toString);
            assertTrue(out.get("kinds").contains(CLIENT_KIND + "=4"), r::toString);
            assertProvenByKernel(ns, out.get("kinds"));
        }
    }

    /**
     * gRPC clients with keep-alive set {@code TCP_USER_TIMEOUT}, which the kernel refuses on MPTCP sockets: under
     * {@code mptcpize} every call fails ("Panic!"); under the agent the calls work, with one WARNING, and the JMX
     * counter says how many settings had no effect (one per client channel).
     */
    @Test
    void grpcKeepAliveWorksUnderTheAgentButNotUnderMptcpize() throws Exception {
        try (Netns ns = Netns.create("grpcka")) {
            Forked.Result r = agent(ns).run(GrpcApp.class.getName(), 90, "3", "10", "keepalive").assertExit(0);
            assertTrue(r.stdout().contains("grpc OK unary=30 streamed=30"), r::toString);
            Map<String, String> out = Lines.parse(r.stdout());
            assertEquals("3", out.get("userTimeoutsNotApplied"), r::toString);
            assertEquals(1, r.stderr().lines().filter(l -> l.startsWith("WARNING: mptcp-nio agent: TCP_USER_TIMEOUT="))
                    .count(), r.stderr());
            assertProvenByKernel(ns, out.get("kinds"));
        }
        try (Netns ns = Netns.create("grpcka")) {
            Forked.Result r = Forked.jvm().in(ns).wrappedBy("mptcpize", "run").run(GrpcApp.class.getName(), 90, "1",
                    "1", "keepalive");
            assertEquals(1, r.exit(), r::toString);
            assertTrue(r.stderr().contains("Panic!"), r.stderr());
            assertTrue(r.stderr().contains("ChannelException: setsockopt() failed: Protocol not available"),
                    r.stderr());
        }
    }

    /** Every accepted connection was an MPTCP handshake, and there was one per client socket of Netty's. */
    private static void assertProvenByKernel(Netns ns, String kinds) throws IOException {
        Map<String, Long> c = ns.counters();
        long accepted = Netns.connections(c);
        assertTrue(accepted >= 1, c::toString);
        assertEquals(accepted, c.getOrDefault("MPTcpExtMPCapableSYNRX", 0L), c::toString);
        assertTrue(kinds.contains(CLIENT_KIND + "=" + accepted), "one Netty client socket per connection: " + kinds
                + " " + c);
    }

    /** MPTCP switched off in the namespace: Netty keeps working on TCP, and one WARNING says why. */
    @Test
    void fallbackKeepsNettyWorking() throws Exception {
        try (Netns ns = Netns.create("nettyoff")) {
            ns.sysctl("net.mptcp.enabled", "0");
            Forked.Result r = agent(ns).run(NativeEchoApp.class.getName(), 60, "epoll", "5").assertExit(0);
            Map<String, String> out = Lines.parse(r.stdout());
            assertEquals("EpollServerSocketChannel protocol=6", out.get("server"), r::toString);
            assertEquals("EpollSocketChannel protocols=6", out.get("client"), r::toString);
            assertEquals(1, r.stderr().lines().filter(l -> l.contains("mptcp-nio")).count(), r.stderr());
            assertTrue(r.stderr().contains("DISABLED_BY_SYSCTL"), r.stderr());
            assertEquals(0, ns.counter("MPTcpExtMPCapableSYNTX"), "no MPTCP handshake may have been tried");
        }
    }

    /** Strict mode: Netty's socket creation throws its own ChannelException, whose cause names the reason. */
    @Test
    void strictModeFailsNettysSocketCreationWithTheReason() throws Exception {
        try (Netns ns = Netns.create("nettystrict")) {
            ns.sysctl("net.mptcp.enabled", "0");
            Forked.Result r = agent(ns, "-Dmptcp.nio.strict=true").run(NativeEchoApp.class.getName(), 60, "epoll",
                    "1");
            assertEquals(1, r.exit(), r::toString);
            assertTrue(r.stderr().contains("io.netty.channel.ChannelException: newSocketStream(..) failed: "),
                    r.stderr());
            assertTrue(r.stderr().contains("DISABLED_BY_SYSCTL"), r.stderr());
            assertFalse(r.stdout().contains("netty-native OK"), r::toString);
        }
    }

    /** A class named like Netty's Socket with another shape is left as it is, with one WARNING naming it. */
    @Test
    void unrecognisedNettyIsLeftUntouchedWithOneWarning() throws Exception {
        try (Netns ns = Netns.create("nettyunknown")) {
            Forked.Result r = agent(ns).classPath(AgentIT.testClasses()).run(UnknownNettyApp.class.getName(), 30)
                    .assertExit(0);
            assertEquals("untouched=6", r.stdout().trim());
            assertEquals(1, r.stderr().lines().filter(l -> l.startsWith("WARNING: mptcp-nio agent: ")).count(),
                    r.stderr());
            assertTrue(r.stderr().contains("WARNING: mptcp-nio agent: fake.channel.unix.Socket in test-classes not "
                    + "rewritten"), r.stderr());
        }
    }

    /** Mptcp.isMultipath(int) and friends on Netty epoll channels, by descriptor, without a Netty dependency. */
    @Test
    void introspectionByDescriptor() throws Exception {
        try (Netns ns = Netns.create("nettyintro")) {
            Forked.Result r = agent(ns).run(NettyIntrospectionProbe.class.getName(), 60).assertExit(0);
            Map<String, String> out = Lines.parse(r.stdout());
            assertEquals("true", out.get("listener.multipath"), r::toString);
            for (String who : new String[] {"client", "accepted"}) {
                assertEquals("true", out.get(who + ".multipath"), r::toString);
                assertEquals("subflows:0", out.get(who + ".info"), r::toString); // no additional subflow
                assertTrue(out.get(who + ".subflows").startsWith("1 /127.0.0.1:"), r::toString);
            }
            assertEquals("ClosedChannelException", out.get("closed"), r::toString);
            assertTrue(out.get("file").startsWith("IllegalArgumentException: descriptor "), r::toString);
            assertEquals("IllegalArgumentException: not a descriptor: -1", out.get("negative"), r::toString);
        }
    }

    /**
     * Netty 4.2's jars are named modules that open no package: on the module path the agent must open the packages
     * it looks into. The application stays on the class path, as module-path users of Netty usually have it.
     */
    @Test
    void nettyAsNamedModules() throws Exception {
        String modules = Stream.of("netty-common-4", "netty-buffer-4", "netty-resolver-4", "netty-transport-4",
                        "netty-transport-native-unix-common-4", "netty-transport-classes-epoll-4",
                        "netty-transport-native-epoll-4")
                .map(prefix -> Forked.classPathEntries(prefix).stream()
                        .filter(e -> Path.of(e).getFileName().toString().startsWith(prefix)).findFirst()
                        .orElseThrow(() -> new AssertionError(prefix + " not on the test class path")))
                .collect(Collectors.joining(File.pathSeparator));
        try (Netns ns = Netns.create("nettymod")) {
            Forked.Result r = agent(ns, "--module-path", modules, "--add-modules", "ALL-MODULE-PATH")
                    .classPath(AgentIT.testClasses())
                    .run(NativeEchoApp.class.getName(), 60, "epoll", "5").assertExit(0);
            Map<String, String> out = Lines.parse(r.stdout());
            assertEquals("EpollServerSocketChannel protocol=262", out.get("server"), r::toString);
            assertEquals("EpollSocketChannel protocols=262", out.get("client"), r::toString);
            assertEquals(5, ns.counter("MPTcpExtMPCapableSYNRX"), r::toString);
            assertTrue(r.stderr().lines().noneMatch(l -> l.contains("mptcp-nio agent")), r.stderr());
        }
        try (Netns ns = Netns.create("grpcmod")) { // TCP_USER_TIMEOUT through Netty's own native on a TCP socket
            Forked.Result r = agent(ns, "-Dmptcp.nio.mode=server", "--module-path", modules, "--add-modules",
                    "ALL-MODULE-PATH").classPath(AgentIT.testClasses())
                    .run(NettyOptionsProbe.class.getName(), 60, "epoll").assertExit(0);
            assertTrue(r.stdout().contains("client_connected SET TCP_USER_TIMEOUT ok"), r::toString);
            assertTrue(r.stdout().contains("client_connected GET TCP_USER_TIMEOUT ok"), r::toString);
        }
    }

    /** Compile-time references, so a renamed app class breaks the build rather than the test. */
    @SuppressWarnings("unused")
    private static final Class<?>[] APPS = {NativeEchoApp.class, ReactorHttpApp.class, GrpcApp.class,
        UnknownNettyApp.class, NettyIntrospectionProbe.class};
}
