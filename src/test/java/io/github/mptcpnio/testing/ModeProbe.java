package io.github.mptcpnio.testing;

import io.github.mptcpnio.Mptcp;
import io.github.mptcpnio.internal.JdkShim;
import io.github.mptcpnio.internal.linux.LibC;
import io.github.mptcpnio.internal.linux.Linux;

import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.ByteBuffer;
import java.nio.channels.NetworkChannel;
import java.nio.channels.ServerSocketChannel;
import java.nio.channels.SocketChannel;
import java.nio.charset.StandardCharsets;

/**
 * Run in a forked JVM with the switch: opens a listener and a client through {@code SelectorProvider.provider()}
 * (i.e. through whatever the JVM was told), echoes "MPTCP TEST", and prints one {@code key=value} line per fact:
 * each socket's {@code SO_PROTOCOL} as the kernel reports it, {@code isMultipath}, availability and counters.
 * With argument {@code flip}, it then sets {@code net.mptcp.enabled=0} in its own network namespace and does it
 * again, to show the per-socket fallback. Exit 3 if opening a channel threw (printed as {@code open-failed=}).
 */
public final class ModeProbe {
    public static void main(String[] args) throws Exception {
        System.out.println("provider=" + java.nio.channels.spi.SelectorProvider.provider().getClass().getName());
        round("");
        if (args.length > 0 && args[0].equals("flip")) {
            Process p = new ProcessBuilder("sysctl", "-q", "-w", "net.mptcp.enabled=0").inheritIO().start();
            if (p.waitFor() != 0) {
                throw new IllegalStateException("sysctl failed");
            }
            round("after-flip.");
        }
        System.out.println("available=" + Mptcp.isAvailable());
        System.out.println("reason=" + Mptcp.unavailability().map(u -> u.reason().toString()).orElse("none"));
        System.out.println("upgraded=" + Mptcp.upgradedChannels());
        System.out.println("fallbacks=" + Mptcp.fallbackChannels());
    }

    private static void round(String prefix) throws Exception {
        ServerSocketChannel listener;
        SocketChannel client;
        try {
            listener = ServerSocketChannel.open();
            client = SocketChannel.open();
        } catch (IOException e) {
            System.out.println(prefix + "open-failed=" + e.getClass().getName() + ": " + e.getMessage());
            System.out.flush();
            System.exit(3);
            return;
        }
        try (listener; client) {
            listener.bind(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0));
            client.connect(listener.getLocalAddress());
            try (SocketChannel accepted = listener.accept()) {
                client.write(ByteBuffer.wrap("MPTCP TEST".getBytes(StandardCharsets.US_ASCII)));
                ByteBuffer in = ByteBuffer.allocate(10);
                while (in.hasRemaining() && accepted.read(in) >= 0) {
                    // read all ten bytes
                }
                System.out.println(prefix + "data=" + new String(in.array(), StandardCharsets.US_ASCII));
                print(prefix + "listener", listener);
                print(prefix + "client", client);
                print(prefix + "accepted", accepted);
            }
        }
    }

    private static void print(String name, NetworkChannel ch) throws IOException {
        System.out.println(name + ".protocol=" + protocolName(protocol(ch)));
        System.out.println(name + ".multipath=" + Mptcp.isMultipath(ch));
    }

    /** The kernel's SO_PROTOCOL for the channel's socket. */
    /** {@code MPTCP}, {@code TCP}, or the number for anything else. */
    public static String protocolName(int protocol) {
        return protocol == Linux.IPPROTO_MPTCP ? "MPTCP" : protocol == Linux.IPPROTO_TCP ? "TCP"
                : String.valueOf(protocol);
    }

    public static int protocol(NetworkChannel ch) throws IOException {
        return LibC.instance().orElseThrow().getsockoptInt(JdkShim.fd(ch), Linux.SOL_SOCKET, Linux.SO_PROTOCOL,
                "SOL_SOCKET, SO_PROTOCOL");
    }
}
