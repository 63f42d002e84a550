package io.github.mptcpnio.bench;

import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.channels.ServerSocketChannel;
import java.nio.channels.SocketChannel;

/**
 * The start-up part's program ({@link StartupRun}): a short-lived JVM that opens one loopback connection and exits.
 * It listens on loopback, connects, accepts, prints {@code established} and returns from {@code main}. It names
 * nothing of ours and runs from a jar of its own, as an unmodified tool would.
 *
 * <p>Two arguments measure the floors under the agent's price, in a plain JVM: {@code log} first writes one INFO line
 * through {@code System.Logger} (what the agent's one line costs a JVM that logs nothing else); {@code native} first
 * loads our native binding and probes the kernel as the agent does (our jar on the class path).
 */
public final class FirstConnection {
    private FirstConnection() {}

    public static void main(String[] args) throws Exception {
        if (args.length > 0 && args[0].equals("log")) {
            System.getLogger("bench").log(System.Logger.Level.INFO, "one line, as the agent writes it");
        } else if (args.length > 0 && args[0].equals("native")) {
            // what the agent's probe does: jffi's stub through our cache, libc's symbols, socket(..., IPPROTO_MPTCP)
            Class<?> sockets = Class.forName("io.github.mptcpnio.internal.linux.Sockets");
            Object binding = ((java.util.Optional<?>) sockets.getMethod("instance").invoke(null)).orElseThrow();
            sockets.getMethod("probeMptcp").invoke(binding);
        }
        try (ServerSocketChannel listener = ServerSocketChannel.open()
                .bind(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0));
             SocketChannel client = SocketChannel.open(listener.getLocalAddress());
             SocketChannel accepted = listener.accept()) {
            System.out.println("established");
            System.out.flush();
        }
    }
}
