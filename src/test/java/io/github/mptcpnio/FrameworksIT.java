package io.github.mptcpnio;

import apps.frameworks.JdkHttpApp;
import apps.frameworks.JettyApp;
import apps.frameworks.NettyEchoApp;
import apps.frameworks.TomcatApp;
import apps.frameworks.UndertowApp;
import io.github.mptcpnio.testing.Forked;
import io.github.mptcpnio.testing.Netns;
import io.github.mptcpnio.testing.RequiresMptcp;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

import java.util.Map;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Real frameworks, unmodified, enabled only by {@code -javaagent} or only by the switch (the system property and the
 * export flag): each runs server and client in a forked JVM in a private network namespace. Proof from outside: every TCP connection the namespace accepted
 * ({@code TcpPassiveOpens}) was an MPTCP handshake ({@code MPTcpExtMPCapableSYNRX}: counted only by an MPTCP
 * listener receiving MP_CAPABLE, so both ends were MPTCP), and every request was answered correctly.
 */
@RequiresMptcp(netns = true)
@Timeout(value = 120, unit = TimeUnit.SECONDS)
class FrameworksIT {

    @ParameterizedTest(name = "{0} under the {1}")
    @CsvSource({
        "jdk-httpserver + HttpClient, agent,  apps.frameworks.JdkHttpApp,   200, jdk-httpserver OK requests=200",
        "jdk-httpserver + HttpClient, switch, apps.frameworks.JdkHttpApp,   200, jdk-httpserver OK requests=200",
        "Jetty 12.1,                  agent,  apps.frameworks.JettyApp,     200, jetty OK requests=200",
        "Jetty 12.1,                  switch, apps.frameworks.JettyApp,     200, jetty OK requests=200",
        "Tomcat 11 (NIO),             agent,  apps.frameworks.TomcatApp,    200, tomcat OK requests=200",
        "Tomcat 11 (NIO),             switch, apps.frameworks.TomcatApp,    200, tomcat OK requests=200",
        "Vert.x 5.0,                  agent,  apps.frameworks.VertxApp,     200, vertx OK requests=200",
        "Vert.x 5.0,                  switch, apps.frameworks.VertxApp,     200, vertx OK requests=200",
        "Netty 4.2 NIO echo,          agent,  apps.frameworks.NettyEchoApp, 20,  netty OK connections=20",
        "Netty 4.2 NIO echo,          switch, apps.frameworks.NettyEchoApp, 20,  netty OK connections=20",
        "Undertow 2.3 (XNIO),         agent,  apps.frameworks.UndertowApp,  200, undertow OK requests=200",
    })
    void frameworkRunsOnMptcp(String name, String launch, String mainClass, String count, String expected)
            throws Exception {
        try (Netns ns = Netns.create("fw")) {
            Forked jvm = Forked.jvm().in(ns);
            jvm = launch.equals("agent") ? jvm.args(AgentIT.agent(), Forked.NATIVE_ACCESS) : jvm.enabled();
            Forked.Result r = jvm.run(mainClass, 90, count).assertExit(0);
            assertTrue(r.stdout().contains(expected), r::toString);
            Map<String, Long> c = ns.counters();
            long accepted = c.getOrDefault("TcpPassiveOpens", 0L);
            long mptcp = c.getOrDefault("MPTcpExtMPCapableSYNRX", 0L);
            System.out.printf("%s: %d connections accepted, %d MPTCP handshakes, %d fallbacks%n", name, accepted,
                    mptcp, c.getOrDefault("MPTcpExtMPCapableFallbackACK", 0L));
            assertTrue(accepted >= 1, c::toString);
            assertEquals(accepted, mptcp, "every accepted connection must be MPTCP: " + c);
            assertEquals(accepted, c.getOrDefault("MPTcpExtMPCapableACKRX", 0L), c::toString);
        }
    }

    /**
     * Undertow 2.3 (XNIO 3.8) under the switch: XNIO's {@code NioTcpServer.accept} calls
     * {@code Socket.setOOBInline(false)} on every accepted socket, unconditionally, and the kernel rejects
     * {@code SO_OOBINLINE} on MPTCP sockets with {@code EOPNOTSUPP} ({@code net/mptcp/sockopt.c}), even to set the
     * default. XNIO then backs off its accept loop and requests time out. The agent defuses this (Undertow is in the
     * list above); the switch keeps the kernel's behaviour, asserted here so that a change is noticed, with its
     * workaround, {@code mode=client} (listeners stay TCP).
     */
    @org.junit.jupiter.api.Test
    void undertowUnderTheSwitchCannotAcceptMptcpConnectionsButWorksInClientMode() throws Exception {
        try (Netns ns = Netns.create("undertow")) {
            Forked.Result r = Forked.jvm().in(ns).enabled().run(UndertowApp.class.getName(), 90, "5");
            assertEquals(1, r.exit(), r::toString);
            assertTrue(r.stderr().contains("XNIO008001: Socket accept failed"), r.stderr());
            assertTrue(r.stderr().contains("java.net.SocketException: Operation not supported"), r.stderr());
        }
        try (Netns ns = Netns.create("undertow")) {
            Forked.Result r = Forked.jvm().in(ns).enabled().args("-Dmptcp.nio.mode=client")
                    .run(UndertowApp.class.getName(), 90, "50").assertExit(0);
            assertTrue(r.stdout().contains("undertow OK requests=50"), r::toString);
            assertEquals(0, ns.counter("MPTcpExtMPCapableSYNRX"), "the listener stayed plain TCP");
            assertTrue(ns.counter("MPTcpExtMPCapableSYNTX") >= 1, "the client side still asked for MPTCP");
        }
    }

    /** Compile-time references, so a renamed app class breaks the build rather than the test. */
    @SuppressWarnings("unused")
    private static final Class<?>[] APPS = {JdkHttpApp.class, JettyApp.class, TomcatApp.class, UndertowApp.class,
        NettyEchoApp.class, apps.frameworks.VertxApp.class};
}
