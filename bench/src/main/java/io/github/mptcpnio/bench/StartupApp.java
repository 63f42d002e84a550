package io.github.mptcpnio.bench;

import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.channels.ServerSocketChannel;
import java.nio.channels.SocketChannel;

/**
 * Benchmark 5, the measured program: from JVM start to the first connection established. It opens a listener on
 * loopback, connects to it and accepts, then prints {@code established}; the harness stops its clock at that line.
 * Only afterwards does it check the baseline (which loads the library's introspection), so the check is not timed:
 * the provider, the agent and the preload for every baseline, and for ours the kernel's view of both ends.
 */
public final class StartupApp {
    public static void main(String[] args) throws Exception {
        try (ServerSocketChannel listener = ServerSocketChannel.open()
                .bind(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0));
             SocketChannel client = SocketChannel.open(listener.getLocalAddress());
             SocketChannel accepted = listener.accept()) {
            System.out.println("established");
            System.out.flush();
            Baseline b = Check.baseline(false);
            if (b.ours) { // the switch and the agent can ask the kernel without extra flags
                Check.connection(b, client);
                Check.connection(b, accepted);
            }
            System.out.println("verified " + b.label);
        }
    }
}
