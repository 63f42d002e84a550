package io.github.mptcpnio;

import io.github.mptcpnio.internal.JdkShim;
import io.github.mptcpnio.internal.KnownDifferences;
import io.github.mptcpnio.internal.KnownDifferences.Difference;
import io.github.mptcpnio.internal.KnownDifferences.Family;
import io.github.mptcpnio.internal.KnownDifferences.Operation;
import io.github.mptcpnio.internal.KnownDifferences.State;
import io.github.mptcpnio.testing.MeasuredOnKernel;
import io.github.mptcpnio.testing.RequiresMptcp;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.SocketOption;
import java.net.StandardProtocolFamily;
import java.nio.ByteBuffer;
import java.nio.channels.NetworkChannel;
import java.nio.channels.ServerSocketChannel;
import java.nio.channels.SocketChannel;
import java.nio.channels.spi.SelectorProvider;
import java.nio.charset.StandardCharsets;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.assertEquals;

/**
 * Measures what an application observes for every socket option (get, and set to the JDK's own current value) in
 * every channel state and family, plus urgent data, on the JDK's TCP channels and on ours, and requires the
 * differences to be exactly {@link KnownDifferences#TABLE}: a listed difference that does not occur makes the table
 * stale, an unlisted one makes it incomplete; both fail.
 */
@RequiresMptcp
@MeasuredOnKernel("6.18")
@Timeout(value = 60, unit = TimeUnit.SECONDS)
class CompatibilityIT {
    private static final SelectorProvider JDK = JdkShim.platformProvider();
    private static final SelectorProvider MPTCP = new MptcpSelectorProvider();

    /** key "subject OP STATE FAMILY" to "mptcp=... jdk=..." for every difference observed. */
    static Map<String, String> observedDifferences() throws Exception {
        Map<String, String> diffs = new TreeMap<>();
        for (Family family : Family.values()) {
            Map<String, String> jdk = measure(JDK, family);
            Map<String, String> ours = measure(MPTCP, family);
            for (String key : jdk.keySet()) {
                if (!jdk.get(key).equals(ours.get(key))) {
                    diffs.put(key + " " + family, "mptcp=" + ours.get(key) + " jdk=" + jdk.get(key));
                }
            }
        }
        return diffs;
    }

    static Map<String, String> expectedDifferences() {
        Map<String, String> out = new TreeMap<>();
        for (Difference d : KnownDifferences.TABLE) {
            for (State s : d.states()) {
                for (Family f : d.families()) {
                    out.put(d.subject() + (d.operation() == null ? "" : " " + d.operation()) + " " + s + " " + f,
                            "mptcp=" + d.mptcp() + " jdk=" + d.jdk());
                }
            }
        }
        return out;
    }

    @Test
    void theTableIsExactlyWhatTheKernelDoes() throws Exception {
        assertEquals(expectedDifferences(), observedDifferences());
    }

    private static Map<String, String> measure(SelectorProvider p, Family family) throws Exception {
        StandardProtocolFamily f = StandardProtocolFamily.valueOf(family.name());
        InetAddress host = InetAddress.getByName(family == Family.INET ? "127.0.0.1" : "::1");
        Map<String, String> out = new TreeMap<>();
        try (ServerSocketChannel listener = p.openServerSocketChannel(f)) {
            options(listener, State.LISTENER_UNBOUND, out);
            listener.bind(new InetSocketAddress(host, 0));
            options(listener, State.LISTENER, out);
            try (SocketChannel client = p.openSocketChannel(f)) {
                options(client, State.CLIENT_UNCONNECTED, out);
                client.connect(listener.getLocalAddress());
                try (SocketChannel accepted = listener.accept()) {
                    options(client, State.CLIENT_CONNECTED, out);
                    options(accepted, State.ACCEPTED, out);
                }
            }
        }
        // Fallen back: our client against a plain TCP listener, and a plain TCP client accepted by our listener
        // (for the JDK provider both are plain pairs, the baseline).
        onPair(JDK, p, f, host, (client, accepted) -> {
            options(client, State.CLIENT_FALLEN_BACK, out);
            return null;
        });
        onPair(p, JDK, f, host, (client, accepted) -> {
            options(accepted, State.ACCEPTED_FROM_TCP, out);
            return null;
        });
        out.put("sendUrgentData " + State.CLIENT_CONNECTED, urgent(p, p, f, host));
        out.put("sendUrgentData " + State.CLIENT_FALLEN_BACK, urgent(JDK, p, f, host));
        out.put("write after the peer closed " + State.CLIENT_CONNECTED, writeAfterPeerClosed(p, f, host, true));
        out.put("write after the peer shut down both directions " + State.CLIENT_CONNECTED,
                writeAfterPeerClosed(p, f, host, false));
        out.put("read after the peer shut down output, then closed with unread data " + State.CLIENT_CONNECTED,
                readAfterPeerClosedWithUnreadData(p, f, host));
        return out;
    }

    /** Each option's get, then a set to the value a fresh JDK channel of the same kind reports. */
    @SuppressWarnings({"unchecked", "rawtypes"})
    private static void options(NetworkChannel ch, State state, Map<String, String> out) throws IOException {
        NetworkChannel reference = ch instanceof ServerSocketChannel ? JDK.openServerSocketChannel()
                : JDK.openSocketChannel();
        try (reference) {
            for (SocketOption option : ch.supportedOptions()) {
                out.put(option.name() + " GET " + state, outcome(() -> ch.getOption(option)));
                Object value = reference.getOption(option);
                out.put(option.name() + " SET " + state, outcome(() -> ch.setOption(option, value)));
            }
        }
    }

    /**
     * Urgent data from a client of {@code client} to a listener of {@code server} (OOBINLINE left at its default,
     * false): what does the peer read?
     */
    private static String urgent(SelectorProvider server, SelectorProvider client, StandardProtocolFamily f,
                                 InetAddress host) throws Exception {
        return onPair(server, client, f, host, (sender, accepted) -> {
            String sent = outcome(() -> {
                sender.socket().sendUrgentData(0x55);
                return null;
            });
            sender.write(ByteBuffer.wrap("abc".getBytes(StandardCharsets.US_ASCII)));
            sender.shutdownOutput();
            ByteBuffer in = ByteBuffer.allocate(16);
            while (accepted.read(in) >= 0) {
                // until EOF: everything the peer gets in-band
            }
            StringBuilder got = new StringBuilder();
            for (int i = 0; i < in.position(); i++) {
                int b = in.get(i) & 0xFF;
                got.append(b >= 'a' && b <= 'z' ? String.valueOf((char) b) : String.format("\\x%02x", b));
            }
            return "send " + sent + ", peer reads \"" + got + "\"";
        });
    }

    /** The peer closes (or shuts down output, then input); then two writes, 50 ms apart. */
    private static String writeAfterPeerClosed(SelectorProvider p, StandardProtocolFamily f, InetAddress host,
                                               boolean close) throws Exception {
        return onPair(p, p, f, host, (client, peer) -> {
            if (close) {
                peer.close();
            } else {
                peer.shutdownOutput();
                peer.shutdownInput();
            }
            Thread.sleep(50);
            String first = outcome(() -> client.write(ByteBuffer.wrap(new byte[1])));
            Thread.sleep(50);
            String second = outcome(() -> client.write(ByteBuffer.wrap(new byte[7])));
            return "first " + first + ", second " + second;
        });
    }

    /** One byte towards the peer, which does not read it, shuts down output and closes; what does a read see? */
    private static String readAfterPeerClosedWithUnreadData(SelectorProvider p, StandardProtocolFamily f,
                                                            InetAddress host) throws Exception {
        return onPair(p, p, f, host, (client, accepted) -> {
            accepted.write(ByteBuffer.wrap(new byte[1]));
            Thread.sleep(20);
            client.shutdownOutput();
            client.close();
            Thread.sleep(50);
            try {
                return String.valueOf(accepted.read(ByteBuffer.allocate(1)));
            } catch (IOException e) {
                return e.getClass().getName();
            }
        });
    }

    private interface OnPair<T> {
        T run(SocketChannel client, SocketChannel accepted) throws Exception;
    }

    /** A fresh connected pair on {@code host}: a listener of {@code server}, a client of {@code client}. */
    private static <T> T onPair(SelectorProvider server, SelectorProvider client, StandardProtocolFamily f,
                                InetAddress host, OnPair<T> body) throws Exception {
        try (ServerSocketChannel listener = server.openServerSocketChannel(f)) {
            listener.bind(new InetSocketAddress(host, 0));
            try (SocketChannel c = client.openSocketChannel(f)) {
                c.connect(listener.getLocalAddress());
                try (SocketChannel accepted = listener.accept()) {
                    return body.run(c, accepted);
                }
            }
        }
    }

    private interface Action {
        Object run() throws Exception;
    }

    private static String outcome(Action action) {
        try {
            action.run();
            return "ok";
        } catch (Exception e) {
            return e.getClass().getName() + ": " + e.getMessage();
        }
    }
}
