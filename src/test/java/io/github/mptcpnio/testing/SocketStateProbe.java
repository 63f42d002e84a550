package io.github.mptcpnio.testing;

import io.github.mptcpnio.internal.linux.LibC;
import io.github.mptcpnio.internal.linux.Linux;

import java.io.Closeable;
import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.net.StandardProtocolFamily;
import java.nio.channels.AsynchronousServerSocketChannel;
import java.nio.channels.AsynchronousSocketChannel;
import java.nio.channels.ServerSocketChannel;
import java.nio.channels.SocketChannel;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/**
 * Creates one socket of every kind the JDK has — NIO channels of each family, {@code java.net.Socket} and
 * {@code ServerSocket}, asynchronous channels — binds each listener and connects each client to a loopback listener
 * (where the agent's rules decide), finds each one's new descriptor in {@code /proc/self/fd} and prints its kernel
 * state then: {@code kind.state=...} ({@code SO_DOMAIN}, {@code IPV6_V6ONLY},
 * {@code SO_REUSEADDR}, {@code F_GETFL}, {@code F_GETFD}) and {@code kind.protocol=} ({@code SO_PROTOCOL}). Run with
 * and without the agent, the states must be equal and only the protocol may differ.
 */
public final class SocketStateProbe {
    private interface Open {
        Closeable open() throws IOException;
    }

    public static void main(String[] args) throws Exception {
        // the asynchronous channel group's own descriptors (epoll, wake-up) exist before the sockets measured below
        AsynchronousSocketChannel.open().close();
        ServerSocket peer = new ServerSocket(0, 50, InetAddress.getByName("127.0.0.1"));
        InetSocketAddress to = (InetSocketAddress) peer.getLocalSocketAddress();
        InetSocketAddress any = new InetSocketAddress(InetAddress.getByName("127.0.0.1"), 0);
        Map<String, Open> kinds = new TreeMap<>();
        kinds.put("socketChannel", () -> connected(SocketChannel.open(), to));
        kinds.put("socketChannelInet", () -> connected(SocketChannel.open(StandardProtocolFamily.INET), to));
        kinds.put("socketChannelInet6", () -> connected(SocketChannel.open(StandardProtocolFamily.INET6), to));
        kinds.put("serverSocketChannel", () -> ServerSocketChannel.open().bind(any));
        kinds.put("serverSocketChannelInet", () -> ServerSocketChannel.open(StandardProtocolFamily.INET).bind(any));
        kinds.put("serverSocketChannelInet6", () -> ServerSocketChannel.open(StandardProtocolFamily.INET6)
                .bind(any));
        kinds.put("socket", () -> {
            Socket s = new Socket();
            s.connect(to);
            return s;
        });
        kinds.put("serverSocket", () -> {
            ServerSocket s = new ServerSocket();
            s.bind(any);
            return s;
        });
        kinds.put("asynchronousSocketChannel", () -> {
            AsynchronousSocketChannel c = AsynchronousSocketChannel.open();
            try {
                c.connect(to).get();
            } catch (InterruptedException | java.util.concurrent.ExecutionException e) {
                throw new IOException(e);
            }
            return c;
        });
        kinds.put("asynchronousServerSocketChannel", () -> AsynchronousServerSocketChannel.open().bind(any));
        LibC libc = LibC.instance().orElseThrow();
        for (Map.Entry<String, Open> k : kinds.entrySet()) {
            Map<Integer, String> before = Fds.targets();
            try (Closeable c = k.getValue().open()) {
                List<Integer> created = new ArrayList<>();
                Fds.targets().forEach((fd, target) -> {
                    if (target.startsWith("socket:") && !target.equals(before.get(fd))) {
                        created.add(fd);
                    }
                });
                if (created.size() != 1) {
                    System.out.println(k.getKey() + ".state=expected one new socket, found " + created);
                    continue;
                }
                int fd = created.get(0);
                int domain = libc.getsockoptInt(fd, Linux.SOL_SOCKET, Linux.SO_DOMAIN, "SO_DOMAIN");
                String v6only = domain == Linux.AF_INET6
                        ? String.valueOf(libc.getsockoptInt(fd, Linux.IPPROTO_IPV6, Linux.IPV6_V6ONLY, "V6ONLY"))
                        : "-";
                System.out.println(k.getKey() + ".state=domain " + Linux.domainName(domain) + ", v6only " + v6only
                        + ", reuseaddr " + libc.getsockoptInt(fd, Linux.SOL_SOCKET, Linux.SO_REUSEADDR, "REUSE")
                        + ", status flags " + Integer.toHexString(libc.fcntl(fd, Linux.F_GETFL, 0))
                        + ", descriptor flags " + libc.fcntl(fd, Linux.F_GETFD, 0));
                System.out.println(k.getKey() + ".protocol=" + ModeProbe.protocolName(
                        libc.getsockoptInt(fd, Linux.SOL_SOCKET, Linux.SO_PROTOCOL, "SO_PROTOCOL")));
            }
        }
        peer.close();
    }

    private static SocketChannel connected(SocketChannel c, InetSocketAddress to) throws IOException {
        c.connect(to);
        return c;
    }
}
