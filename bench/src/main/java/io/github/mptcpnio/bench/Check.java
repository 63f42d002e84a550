package io.github.mptcpnio.bench;

import io.github.mptcpnio.Mptcp;
import io.github.mptcpnio.MptcpSelectorProvider;
import io.github.mptcpnio.internal.agent.Agent;

import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.channels.ServerSocketChannel;
import java.nio.channels.SocketChannel;
import java.nio.channels.spi.SelectorProvider;

/**
 * Proves, inside a benchmark JVM, that it runs the baseline it is filed under: the provider in use, the preload,
 * and a real loopback connection whose two ends the kernel reports as MPTCP (or not). Throws otherwise, which fails
 * the run.
 */
public final class Check {
    private Check() {
    }

    public static Baseline baseline() throws IOException {
        return baseline(true);
    }

    /**
     * @param kernel whether to ask the kernel about a real connection too; that needs the export, which the
     *               start-up benchmark does not give the JDK baselines (their users would not pass it): there the
     *               provider and the preload decide the protocol
     */
    public static Baseline baseline(boolean kernel) throws IOException {
        String label = System.getProperty(Baseline.PROPERTY);
        if (label == null) {
            throw new IllegalStateException("-D" + Baseline.PROPERTY + "=<jdk|mptcpize|mptcp-nio|mptcp-nio-agent|"
                    + "mptcp-nio-agent-default> "
                    + "is missing: run the benchmarks through bench/run.sh or io.github.mptcpnio.bench.Suite");
        }
        Baseline b = Baseline.named(label);
        boolean ours = SelectorProvider.provider() instanceof MptcpSelectorProvider;
        if (ours != b.ourProvider) {
            throw new IllegalStateException(b.label + ": provider is " + SelectorProvider.provider().getClass());
        }
        if (Agent.inPlace() != (b == Baseline.AGENT || b == Baseline.AGENT_DEFAULT)) {
            throw new IllegalStateException(b.label + ": agent creating sockets in place: " + Agent.inPlace());
        }
        String preload = String.valueOf(System.getenv("LD_PRELOAD"));
        if (preload.contains("mptcpwrap") != (b == Baseline.MPTCPIZE)) {
            throw new IllegalStateException(b.label + ": LD_PRELOAD=" + preload);
        }
        if (!kernel) {
            return b;
        }
        try (ServerSocketChannel listener = ServerSocketChannel.open()
                .bind(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0));
             SocketChannel client = SocketChannel.open(listener.getLocalAddress());
             SocketChannel accepted = listener.accept()) {
            connection(b, client);
            connection(b, accepted);
        }
        return b;
    }

    /** Fails unless the kernel reports this connected channel as MPTCP exactly when the baseline is. */
    static void connection(Baseline b, SocketChannel channel) throws IOException {
        if (Mptcp.isMultipath(channel) != b.mptcp) {
            throw new IllegalStateException(b.label + ": expected " + (b.mptcp ? "MPTCP" : "plain TCP") + " on "
                    + channel);
        }
    }
}
