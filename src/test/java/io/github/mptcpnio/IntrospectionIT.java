package io.github.mptcpnio;

import io.github.mptcpnio.internal.linux.Linux;

import io.github.mptcpnio.internal.JdkShim;
import io.github.mptcpnio.internal.linux.Sockets;
import io.github.mptcpnio.testing.RequiresMptcp;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.SocketAddress;
import java.net.SocketOption;
import java.net.StandardProtocolFamily;
import java.net.UnixDomainSocketAddress;
import java.nio.ByteBuffer;
import java.nio.channels.ClosedChannelException;
import java.nio.channels.DatagramChannel;
import java.nio.channels.NetworkChannel;
import java.nio.channels.ServerSocketChannel;
import java.nio.channels.SocketChannel;
import java.nio.channels.spi.SelectorProvider;
import java.nio.file.Path;
import java.util.List;
import java.util.OptionalInt;
import java.util.OptionalLong;
import java.util.Set;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** {@link Mptcp#isMultipath}, {@link Mptcp#info} and {@link Mptcp#subflows} on every kind of channel. */
@RequiresMptcp
@Timeout(value = 30, unit = TimeUnit.SECONDS)
class IntrospectionIT {
    private final SelectorProvider mptcp = new MptcpSelectorProvider();

    @Test
    void infoAndSubflowsOfAnEstablishedConnection() throws Exception {
        try (ServerSocketChannel ln = mptcp.openServerSocketChannel()) {
            ln.bind(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0));
            try (SocketChannel c = mptcp.openSocketChannel(); ) {
                c.connect(ln.getLocalAddress());
                try (SocketChannel s = ln.accept()) {
                    c.write(ByteBuffer.wrap(new byte[1000]));
                    ByteBuffer in = ByteBuffer.allocate(1000);
                    while (in.hasRemaining()) {
                        s.read(in);
                    }
                    MptcpInfo info = Mptcp.info(c).orElseThrow();
                    // which fields the kernel returns depends on its version: asserted for the running one
                    assertEquals(0, info.subflows(), "no additional subflows on loopback without endpoints");
                    assertEquals(Sockets.kernelAtLeast(6, 8) ? OptionalInt.of(1) : OptionalInt.empty(),
                            info.subflowsTotal());
                    assertEquals(Sockets.kernelAtLeast(6, 10), info.lastAckRecv().isPresent(), info::toString);
                    assertEquals(Sockets.kernelAtLeast(5, 14), info.csumEnabled().isPresent(), info::toString);
                    assertFalse(info.fallback());
                    assertTrue(info.remoteKeyReceived());
                    assertEquals(Sockets.kernelAtLeast(6, 5) ? OptionalLong.of(1000) : OptionalLong.empty(),
                            info.bytesSent());
                    assertTrue(info.token() != 0);
                    List<Subflow> subflows = Mptcp.subflows(c);
                    assertEquals(1, subflows.size(), subflows::toString);
                    Subflow sf = subflows.get(0);
                    assertEquals(c.getLocalAddress(), sf.local());
                    assertEquals(c.getRemoteAddress(), sf.remote());
                    assertEquals(1, sf.state(), "ESTABLISHED");
                    assertTrue(sf.bytesAcked() >= 1000, sf::toString);
                    List<Subflow> serverSide = Mptcp.subflows(s);
                    assertEquals(1, serverSide.size());
                    assertEquals(sf.local(), serverSide.get(0).remote());
                    assertEquals(1000, serverSide.get(0).bytesReceived());
                    assertThrows(UnsupportedOperationException.class, () -> subflows.add(sf));
                }
            }
        }
    }

    @Test
    void aJdkDefaultChannelAnswersFalse() throws Exception {
        try (SocketChannel plain = JdkShim.platformProvider().openSocketChannel();
             ServerSocketChannel plainListener = JdkShim.platformProvider().openServerSocketChannel()) {
            assertFalse(Mptcp.isMultipath(plain));
            assertFalse(Mptcp.isMultipath(plainListener));
            assertEquals(java.util.Optional.empty(), Mptcp.info(plain));
            assertEquals(List.of(), Mptcp.subflows(plain));
        }
    }

    @Test
    void listenerAnswersWhetherItIsAnMptcpListener() throws Exception {
        try (ServerSocketChannel ln = mptcp.openServerSocketChannel(StandardProtocolFamily.INET6)) {
            assertTrue(Mptcp.isMultipath(ln));
            ln.bind(new InetSocketAddress("::1", 0));
            assertTrue(Mptcp.isMultipath(ln));
        }
    }

    @Test
    void unixAndDatagramChannelsAreUntouchedAndAnswerFalse(@TempDir Path dir) throws Exception {
        try (ServerSocketChannel unix = mptcp.openServerSocketChannel(StandardProtocolFamily.UNIX);
             DatagramChannel udp = mptcp.openDatagramChannel()) {
            unix.bind(UnixDomainSocketAddress.of(dir.resolve("s")));
            assertFalse(Mptcp.isMultipath(unix));
            assertFalse(Mptcp.isMultipath(udp));
            try (SocketChannel unixClient = mptcp.openSocketChannel(StandardProtocolFamily.UNIX)) {
                unixClient.connect(unix.getLocalAddress());
                assertFalse(Mptcp.isMultipath(unixClient));
                assertEquals(List.of(), Mptcp.subflows(unixClient));
            }
        }
    }

    @Test
    void closedChannelThrowsClosedChannelException() throws Exception {
        SocketChannel c = mptcp.openSocketChannel();
        c.close();
        assertThrows(ClosedChannelException.class, () -> Mptcp.isMultipath(c));
        assertThrows(ClosedChannelException.class, () -> Mptcp.info(c));
        assertThrows(ClosedChannelException.class, () -> Mptcp.subflows(c));
    }

    @Test
    void foreignChannelIsRejectedWithAClearMessage() {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> Mptcp.isMultipath(new ForeignChannel()));
        assertTrue(e.getMessage().contains("expected: a channel of the JDK's platform SelectorProvider"),
                e.getMessage());
        assertThrows(NullPointerException.class, () -> Mptcp.isMultipath((java.nio.channels.NetworkChannel) null));
        assertThrows(NullPointerException.class, () -> Mptcp.isMultipath((java.net.Socket) null));
        assertThrows(NullPointerException.class, () -> Mptcp.isMultipath((java.net.ServerSocket) null));
    }

    @Test
    void channelsKeepTheJdksProviderAndClasses() throws Exception {
        try (SocketChannel c = mptcp.openSocketChannel()) {
            assertSame(JdkShim.platformProvider(), c.provider());
            assertEquals("sun.nio.ch.SocketChannelImpl", c.getClass().getName());
            // documented in docs/compatibility.md: a channel's own provider() is the JDK's, so it makes plain TCP
            try (SocketChannel viaChannelProvider = c.provider().openSocketChannel()) {
                assertEquals(Linux.IPPROTO_TCP, io.github.mptcpnio.testing.ModeProbe.protocol(viaChannelProvider));
            }
        }
    }

    /** A NetworkChannel that is not the JDK's. */
    private static final class ForeignChannel implements NetworkChannel {
        @Override public NetworkChannel bind(SocketAddress local) { return this; }
        @Override public SocketAddress getLocalAddress() { return null; }
        @Override public <T> NetworkChannel setOption(SocketOption<T> name, T value) { return this; }
        @Override public <T> T getOption(SocketOption<T> name) throws IOException { throw new IOException(); }
        @Override public Set<SocketOption<?>> supportedOptions() { return Set.of(); }
        @Override public boolean isOpen() { return true; }
        @Override public void close() { }
    }
}
