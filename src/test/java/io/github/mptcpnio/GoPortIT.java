package io.github.mptcpnio;

import io.github.mptcpnio.internal.linux.Linux;

import io.github.mptcpnio.internal.JdkShim;
import io.github.mptcpnio.testing.ModeProbe;
import io.github.mptcpnio.testing.MptcpCondition;
import io.github.mptcpnio.testing.RequiresMptcp;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.StandardProtocolFamily;
import java.nio.ByteBuffer;
import java.nio.channels.ServerSocketChannel;
import java.nio.channels.SocketChannel;
import java.nio.channels.spi.SelectorProvider;
import java.nio.charset.StandardCharsets;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * A port of Go's {@code net/mptcpsock_linux_test.go} (canCreateMPTCPSocket, newLocalListenerMPTCP, dialerMPTCP,
 * postAcceptMPTCP; the GODEBUG toggles are in {@link ModesIT}), then the cases Go never tests: IPv6, an IPv6
 * socket to an IPv4 address, and mixed MPTCP/TCP peers.
 */
@RequiresMptcp
@Timeout(value = 30, unit = TimeUnit.SECONDS)
class GoPortIT {
    private static final int IPPROTO_TCP = 6;
    private static final String MESSAGE = "MPTCP TEST";

    private final SelectorProvider mptcp = new MptcpSelectorProvider();
    private final SelectorProvider jdk = JdkShim.platformProvider();

    @Test
    void canCreateMPTCPSocket() {
        assertEquals(java.util.Optional.empty(), MptcpCondition.cannotCreateMptcpSocket());
        assertTrue(Mptcp.isAvailable(), () -> "unavailable: " + Mptcp.unavailability());
    }

    /** Go's testMultiPathTCP: listener, transponder, dialer and post-accept checks; plus [::1]. */
    @ParameterizedTest
    @ValueSource(strings = {"127.0.0.1", "::1"})
    void multiPathTCP(String loopback) throws Exception {
        try (ServerSocketChannel ln = newLocalListenerMPTCP(loopback)) {
            CompletableFuture<SocketChannel> accepted = transponder(ln);
            try (SocketChannel conn = dialerMPTCP(ln.getLocalAddress())) {
                postAcceptMPTCP(accepted.get(10, TimeUnit.SECONDS));
                assertTrue(Mptcp.isMultipath(conn), "outgoing connection is not with MPTCP");
                assertEquals(Linux.IPPROTO_MPTCP, ModeProbe.protocol(conn), "outgoing connection is not an MPTCP proto");
            } finally {
                accepted.get(10, TimeUnit.SECONDS).close();
            }
        }
    }

    private ServerSocketChannel newLocalListenerMPTCP(String host) throws IOException {
        ServerSocketChannel ln = mptcp.openServerSocketChannel();
        ln.bind(new InetSocketAddress(InetAddress.getByName(host), 0));
        assertTrue(Mptcp.isMultipath(ln), "listener is not MPTCP");
        assertEquals(Linux.IPPROTO_MPTCP, ModeProbe.protocol(ln));
        return ln;
    }

    /** Accepts one connection and echoes what it reads until EOF; completes with the accepted channel. */
    private static CompletableFuture<SocketChannel> transponder(ServerSocketChannel ln) {
        CompletableFuture<SocketChannel> result = new CompletableFuture<>();
        Thread t = new Thread(() -> {
            try {
                SocketChannel c = ln.accept();
                result.complete(c);
                ByteBuffer buf = ByteBuffer.allocate(1024);
                while (c.read(buf) > 0) {
                    buf.flip();
                    while (buf.hasRemaining()) {
                        c.write(buf);
                    }
                    buf.clear();
                }
            } catch (IOException e) {
                result.completeExceptionally(e);
            }
        }, "transponder");
        t.setDaemon(true);
        t.start();
        return result;
    }

    private SocketChannel dialerMPTCP(java.net.SocketAddress address) throws IOException {
        SocketChannel conn = mptcp.openSocketChannel();
        conn.connect(address);
        echo(conn);
        return conn;
    }

    private static void echo(SocketChannel conn) throws IOException {
        conn.write(ByteBuffer.wrap(MESSAGE.getBytes(StandardCharsets.US_ASCII)));
        ByteBuffer in = ByteBuffer.allocate(MESSAGE.length());
        while (in.hasRemaining() && conn.read(in) >= 0) {
            // until all ten bytes are back
        }
        assertEquals(MESSAGE, new String(in.array(), StandardCharsets.US_ASCII));
    }

    private static void postAcceptMPTCP(SocketChannel accepted) throws IOException {
        assertTrue(Mptcp.isMultipath(accepted), "incoming connection is not with MPTCP");
        assertEquals(Linux.IPPROTO_MPTCP, ModeProbe.protocol(accepted), "incoming connection is not an MPTCP proto");
    }

    @Test
    void ipv6SocketToIpv4Address() throws Exception {
        try (ServerSocketChannel ln = newLocalListenerMPTCP("127.0.0.1")) {
            CompletableFuture<SocketChannel> accepted = transponder(ln);
            try (SocketChannel conn = mptcp.openSocketChannel(StandardProtocolFamily.INET6)) {
                conn.connect(ln.getLocalAddress()); // IPv4-mapped on a dual-stack AF_INET6 MPTCP socket
                echo(conn);
                assertTrue(Mptcp.isMultipath(conn));
                postAcceptMPTCP(accepted.get(10, TimeUnit.SECONDS));
            } finally {
                accepted.get(10, TimeUnit.SECONDS).close();
            }
        }
    }

    @Test
    void mptcpClientToPlainTcpServerFallsBack() throws Exception {
        try (ServerSocketChannel ln = jdk.openServerSocketChannel()) {
            ln.bind(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0));
            assertFalse(Mptcp.isMultipath(ln));
            CompletableFuture<SocketChannel> accepted = transponder(ln);
            try (SocketChannel conn = dialerMPTCP(ln.getLocalAddress())) {
                assertEquals(Linux.IPPROTO_MPTCP, ModeProbe.protocol(conn), "created as MPTCP");
                assertFalse(Mptcp.isMultipath(conn), "the kernel fell back to TCP; isMultipath must say so");
                assertEquals(java.util.Optional.empty(), Mptcp.info(conn));
                assertEquals(java.util.List.of(), Mptcp.subflows(conn));
                SocketChannel a = accepted.get(10, TimeUnit.SECONDS);
                assertEquals(IPPROTO_TCP, ModeProbe.protocol(a));
                assertFalse(Mptcp.isMultipath(a));
            } finally {
                accepted.get(10, TimeUnit.SECONDS).close();
            }
        }
    }

    @Test
    void plainTcpClientToMptcpListenerIsAcceptedAsPlainTcp() throws Exception {
        try (ServerSocketChannel ln = newLocalListenerMPTCP("127.0.0.1")) {
            CompletableFuture<SocketChannel> accepted = transponder(ln);
            try (SocketChannel conn = jdk.openSocketChannel()) {
                conn.connect(ln.getLocalAddress());
                echo(conn);
                assertFalse(Mptcp.isMultipath(conn));
                SocketChannel a = accepted.get(10, TimeUnit.SECONDS);
                assertEquals(IPPROTO_TCP, ModeProbe.protocol(a), "accepted socket of a plain client is plain TCP");
                assertFalse(Mptcp.isMultipath(a));
                assertTrue(Mptcp.isMultipath(ln), "the listener is still an MPTCP listener");
            } finally {
                accepted.get(10, TimeUnit.SECONDS).close();
            }
        }
    }
}
