package io.github.mptcpnio.testing;

import io.github.mptcpnio.internal.KnownDifferences.Family;
import io.github.mptcpnio.internal.KnownDifferences.Kind;
import io.github.mptcpnio.internal.KnownDifferences.State;

import java.io.IOException;
import java.io.InputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.net.SocketOption;
import java.net.StandardProtocolFamily;
import java.nio.ByteBuffer;
import java.nio.channels.NetworkChannel;
import java.nio.channels.ServerSocketChannel;
import java.nio.channels.SocketChannel;
import java.nio.channels.spi.SelectorProvider;
import java.nio.charset.StandardCharsets;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;

/**
 * Measures, in this JVM and with whatever sockets its launch mode creates (plain, the switch, the agent), what an
 * application observes: every socket option (get, and set to the value a fresh socket of the same kind reports) in
 * every state, urgent data, writes and reads around the peer's close, and {@code InputStream.available()} around
 * the peer's end of stream; for both families and both kinds ({@link Kind#CHANNEL}: channels of
 * {@code SelectorProvider.provider()} and their socket adaptors; {@link Kind#SOCKET}: {@code new Socket()} and
 * {@code new ServerSocket()}). Prints one line {@code key<TAB>outcome} per observation.
 *
 * <p>Arguments name the roles to measure: {@code connected} (the five states of a connection, and the operations),
 * {@code client_fallen_back} (a client of this JVM against a listener of this JVM: in a JVM whose mode leaves
 * listeners on TCP, the client's connection falls back), {@code accepted_from_tcp} (likewise, what a listener accepts
 * from a client that this JVM's mode leaves on TCP). {@code CompatibilityIT} compares a plain JVM's lines with those
 * of a JVM under the switch or the agent.
 */
public final class CompatibilityProbe {
    private CompatibilityProbe() {}

    public static void main(String[] args) throws Exception {
        Map<String, String> out = new TreeMap<>();
        for (String role : args) {
            for (Family family : Family.values()) {
                for (Kind kind : Kind.values()) {
                    new Measurement(family, kind, out).run(role);
                }
            }
        }
        StringBuilder sb = new StringBuilder();
        out.forEach((k, v) -> sb.append(k).append('\t').append(v.replace('\n', ' ')).append('\n'));
        System.out.print(sb);
    }

    private interface Getter {
        Object get(SocketOption<Object> option) throws IOException;
    }

    private interface Setter {
        void set(SocketOption<Object> option, Object value) throws IOException;
    }

    /**
     * Options of a socket of either kind: supported, get, set; and the socket as a {@code java.net.Socket} (a
     * channel's adaptor), null for listeners.
     */
    private record Options(Set<SocketOption<?>> supported, Getter getter, Setter setter, Socket javaNet) {
        Object get(SocketOption<Object> option) throws IOException {
            return getter.get(option);
        }

        void set(SocketOption<Object> option, Object value) throws IOException {
            setter.set(option, value);
        }

        static Options of(NetworkChannel ch) {
            return new Options(ch.supportedOptions(), ch::getOption, ch::setOption,
                    ch instanceof SocketChannel sc ? sc.socket() : null);
        }

        static Options of(Socket s) {
            return new Options(s.supportedOptions(), s::getOption, s::setOption, s);
        }

        static Options of(ServerSocket s) {
            return new Options(s.supportedOptions(), s::getOption, s::setOption, null);
        }
    }

    /** The two ends of a connection, of either kind, seen through the java.net API (a channel's socket adaptor). */
    private record Ends(Socket client, Socket accepted, SocketChannel clientChannel, SocketChannel acceptedChannel) {
        /** A write of {@code n} bytes from the client: the channel's own write, or the socket's output stream. */
        void clientWrite(int n) throws IOException {
            if (clientChannel != null) {
                clientChannel.write(ByteBuffer.wrap(new byte[n]));
            } else {
                client.getOutputStream().write(new byte[n]);
            }
        }

        /** A read of one byte by the accepted end: the channel's read (bytes read), or the stream's (the byte). */
        String acceptedRead() throws IOException {
            return acceptedChannel != null ? String.valueOf(acceptedChannel.read(ByteBuffer.allocate(1)))
                    : String.valueOf(accepted.getInputStream().read());
        }
    }

    private static final class Measurement {
        private final Family family;
        private final Kind kind;
        private final Map<String, String> out;
        private final InetAddress host;
        private final StandardProtocolFamily protocolFamily;
        private final SelectorProvider provider = SelectorProvider.provider();

        Measurement(Family family, Kind kind, Map<String, String> out) throws IOException {
            this.family = family;
            this.kind = kind;
            this.out = out;
            this.host = InetAddress.getByName(family == Family.INET ? "127.0.0.1" : "::1");
            this.protocolFamily = StandardProtocolFamily.valueOf(family.name());
        }

        private void put(String subject, State state, String outcome) {
            out.put(subject + " " + state + " " + family + " " + kind, outcome);
        }

        void run(String role) throws Exception {
            switch (role) {
                case "connected" -> connected();
                case "client_fallen_back" -> onPair(ends -> {
                    options(optionsOf(ends.clientChannel, ends.client),
                            State.CLIENT_FALLEN_BACK);
                    put("sendUrgentData", State.CLIENT_FALLEN_BACK, urgent(ends));
                    availability(ends, State.CLIENT_FALLEN_BACK);
                });
                case "accepted_from_tcp" -> onPair(ends -> options(optionsOf(ends.acceptedChannel, ends.accepted),
                        State.ACCEPTED_FROM_TCP));
                default -> throw new IllegalArgumentException("unknown role " + role);
            }
        }

        private void connected() throws Exception {
            if (kind == Kind.CHANNEL) {
                try (ServerSocketChannel listener = provider.openServerSocketChannel(protocolFamily)) {
                    options(Options.of(listener), State.LISTENER_UNBOUND);
                    listener.bind(new InetSocketAddress(host, 0));
                    options(Options.of(listener), State.LISTENER);
                    try (SocketChannel client = provider.openSocketChannel(protocolFamily)) {
                        options(Options.of(client), State.CLIENT_UNCONNECTED);
                        client.connect(listener.getLocalAddress());
                        try (SocketChannel accepted = listener.accept()) {
                            options(Options.of(client), State.CLIENT_CONNECTED);
                            options(Options.of(accepted), State.ACCEPTED);
                        }
                    }
                }
            } else {
                try (ServerSocket listener = new ServerSocket()) {
                    options(Options.of(listener), State.LISTENER_UNBOUND);
                    listener.bind(new InetSocketAddress(host, 0));
                    options(Options.of(listener), State.LISTENER);
                    try (Socket client = new Socket()) {
                        options(Options.of(client), State.CLIENT_UNCONNECTED);
                        client.connect(listener.getLocalSocketAddress());
                        try (Socket accepted = listener.accept()) {
                            options(Options.of(client), State.CLIENT_CONNECTED);
                            options(Options.of(accepted), State.ACCEPTED);
                        }
                    }
                }
            }
            onPair(ends -> put("sendUrgentData", State.CLIENT_CONNECTED, urgent(ends)));
            onPair(ends -> put("write after the peer closed", State.CLIENT_CONNECTED,
                    writeAfterPeerClosed(ends, true)));
            onPair(ends -> put("write after the peer shut down both directions", State.CLIENT_CONNECTED,
                    writeAfterPeerClosed(ends, false)));
            onPair(ends -> put("read after the peer shut down output, then closed with unread data",
                    State.CLIENT_CONNECTED, readAfterPeerClosedWithUnreadData(ends)));
            onPair(ends -> put("read after the peer shut down output, then closed abortively (SO_LINGER 0)",
                    State.CLIENT_CONNECTED, readAfterPeerShutDownThenAborted(ends)));
            onPair(true, ends -> put("read after the peer's abortive close, the reader's receive buffer sized before "
                    + "its connect", State.CLIENT_CONNECTED, readAfterPeerAbortedIntoASmallWindow(ends)));
            onPair(ends -> availability(ends, State.CLIENT_CONNECTED));
            onPair(ends -> {
                ends.accepted.setSoLinger(true, 0);
                ends.accepted.close();
                Thread.sleep(50);
                put("InputStream.available() after the peer's abortive close", State.CLIENT_CONNECTED,
                        outcome(() -> String.valueOf(ends.client.getInputStream().available())));
            });
        }

        private static Options optionsOf(NetworkChannel channel, Socket socket) {
            return channel != null ? Options.of(channel) : Options.of(socket);
        }

        /** Each option's get, then a set to the value a fresh socket of the same kind in this JVM reports. */
        @SuppressWarnings({"unchecked", "rawtypes"})
        private void options(Options socket, State state) throws IOException {
            boolean listener = state == State.LISTENER_UNBOUND || state == State.LISTENER;
            try (AutoCloseable fresh = listener ? freshListener() : freshSocket()) {
                Options reference = fresh instanceof ServerSocket s ? Options.of(s)
                        : fresh instanceof Socket s ? Options.of(s) : Options.of((NetworkChannel) fresh);
                for (SocketOption option : socket.supported()) {
                    put(option.name() + " GET", state, outcome(() -> {
                        socket.get(option);
                        return null;
                    }));
                    Object value;
                    try {
                        value = reference.get(option);
                    } catch (IOException | RuntimeException unreadable) { // the option cannot be read here: a default
                        value = option.type() == Boolean.class ? Boolean.FALSE : Integer.valueOf(0);
                    }
                    Object v = value;
                    put(option.name() + " SET", state, outcome(() -> {
                        socket.set(option, v);
                        return null;
                    }));
                    if (option.name().startsWith("TCP_KEEP") && state == State.CLIENT_UNCONNECTED) {
                        // an invalid value (0) on a new socket with nothing else set yet: an MPTCP socket before its
                        // first subflow exists, which an earlier option can create
                        try (AutoCloseable other = freshSocket()) {
                            Options o = other instanceof Socket s ? Options.of(s) : Options.of((NetworkChannel) other);
                            put(option.name() + "=0 SET", state, outcome(() -> {
                                o.set(option, 0);
                                return null;
                            }));
                        }
                    }
                }
                Socket javaNet = socket.javaNet();
                if (javaNet != null) { // the default was set above; now on, and back off where that worked
                    String on = outcome(() -> {
                        javaNet.setOOBInline(true);
                        return null;
                    });
                    put("setOOBInline(true)", state, on);
                    if (on.equals("ok")) {
                        javaNet.setOOBInline(false);
                    }
                }
            } catch (IOException e) {
                throw e;
            } catch (Exception e) {
                throw new IOException(e);
            }
        }

        private AutoCloseable freshListener() throws IOException {
            return kind == Kind.CHANNEL ? provider.openServerSocketChannel(protocolFamily) : new ServerSocket();
        }

        private AutoCloseable freshSocket() throws IOException {
            return kind == Kind.CHANNEL ? provider.openSocketChannel(protocolFamily) : new Socket();
        }

        /** Urgent data from the client, then "abc" (OOBINLINE at its default, false): what does the peer read? */
        private String urgent(Ends ends) throws IOException {
            String sent = outcome(() -> {
                ends.client.sendUrgentData(0x55);
                return null;
            });
            ends.client.getOutputStream().write("abc".getBytes(StandardCharsets.US_ASCII));
            ends.client.shutdownOutput();
            byte[] got = ends.accepted.getInputStream().readAllBytes();
            StringBuilder text = new StringBuilder();
            for (byte g : got) {
                int b = g & 0xFF;
                text.append(b >= 'a' && b <= 'z' ? String.valueOf((char) b) : String.format("\\x%02x", b));
            }
            return "send " + sent + ", peer reads \"" + text + "\"";
        }

        /** The peer closes (or shuts down output, then input); then two writes, 50 ms apart. */
        private static String writeAfterPeerClosed(Ends ends, boolean close) throws Exception {
            if (close) {
                ends.accepted.close();
            } else {
                ends.accepted.shutdownOutput();
                ends.accepted.shutdownInput();
            }
            Thread.sleep(50);
            String first = writeOutcome(ends, 1);
            Thread.sleep(50);
            String second = writeOutcome(ends, 7);
            return "first " + first + ", second " + second;
        }

        /**
         * "ok", or the failure's message: a channel throws {@code IOException}, a socket's stream
         * {@code SocketException}, for the same {@code EPIPE}.
         */
        private static String writeOutcome(Ends ends, int n) {
            try {
                ends.clientWrite(n);
                return "ok";
            } catch (IOException e) {
                return "fails (" + e.getMessage() + ")";
            }
        }

        /** One byte towards the client, which does not read it, shuts down output and closes; what does a read see? */
        private static String readAfterPeerClosedWithUnreadData(Ends ends) throws Exception {
            ends.accepted.getOutputStream().write(1);
            Thread.sleep(20);
            ends.client.shutdownOutput();
            ends.client.close();
            Thread.sleep(50);
            try {
                return ends.acceptedRead();
            } catch (IOException e) {
                return e.getClass().getName();
            }
        }

        /** The client shuts down its output, then closes abortively ({@code SO_LINGER} 0); what does a read see? */
        private static String readAfterPeerShutDownThenAborted(Ends ends) throws Exception {
            ends.client.shutdownOutput();
            Thread.sleep(20);
            ends.client.setSoLinger(true, 0);
            ends.client.close();
            Thread.sleep(50);
            try {
                return ends.acceptedRead();
            } catch (IOException e) {
                return e.getClass().getName();
            }
        }

        /**
         * The client sized its receive buffer before its connect ({@code SO_RCVBUF} 1: the kernel's minimum, a window
         * of about 1 KiB); the peer writes 4,000 bytes, more than that window takes, and closes abortively
         * ({@code SO_LINGER} 0). What do the client's reads see, with a 2 s {@code SO_TIMEOUT}: the bytes the window
         * took, then the reset (or an end of stream, or nothing)?
         */
        private static String readAfterPeerAbortedIntoASmallWindow(Ends ends) throws Exception {
            ends.accepted.getOutputStream().write(new byte[4000]);
            ends.accepted.setSoLinger(true, 0);
            ends.accepted.close();
            Thread.sleep(50);
            ends.client.setSoTimeout(2000);
            InputStream in = ends.client.getInputStream();
            try {
                while (in.read(new byte[8192]) >= 0) {
                    // the bytes that got through: how many is the kernel's accounting, not compared
                }
                return "-1";
            } catch (IOException e) {
                return e.getClass().getName();
            }
        }

        /**
         * {@code InputStream.available()} of the client (a channel's adaptor stream, or the socket's) once the peer
         * has shut down its output: with three bytes unread, then with none.
         */
        private void availability(Ends ends, State state) throws Exception {
            InputStream in = ends.client.getInputStream();
            ends.accepted.getOutputStream().write(new byte[3]);
            ends.accepted.shutdownOutput();
            Thread.sleep(50);
            put("InputStream.available() with data and the peer's end of stream", state,
                    outcome(() -> String.valueOf(in.available())));
            in.readNBytes(3);
            put("InputStream.available() at the peer's end of stream", state,
                    outcome(() -> String.valueOf(in.available())));
        }

        private interface OnPair {
            void run(Ends ends) throws Exception;
        }

        /** A fresh connected pair of this JVM's sockets of the measured kind. */
        private void onPair(OnPair body) throws Exception {
            onPair(false, body);
        }

        /** A connected pair; with {@code smallReceiveBuffer} the client sets {@code SO_RCVBUF} 1 before connecting. */
        private void onPair(boolean smallReceiveBuffer, OnPair body) throws Exception {
            if (kind == Kind.CHANNEL) {
                try (ServerSocketChannel listener = provider.openServerSocketChannel(protocolFamily)) {
                    listener.bind(new InetSocketAddress(host, 0));
                    try (SocketChannel c = provider.openSocketChannel(protocolFamily)) {
                        if (smallReceiveBuffer) {
                            c.setOption(java.net.StandardSocketOptions.SO_RCVBUF, 1);
                        }
                        c.connect(listener.getLocalAddress());
                        try (SocketChannel a = listener.accept()) {
                            body.run(new Ends(c.socket(), a.socket(), c, a));
                        }
                    }
                }
            } else {
                try (ServerSocket listener = new ServerSocket()) {
                    listener.bind(new InetSocketAddress(host, 0));
                    try (Socket c = new Socket()) {
                        if (smallReceiveBuffer) {
                            c.setReceiveBufferSize(1);
                        }
                        c.connect(listener.getLocalSocketAddress());
                        try (Socket a = listener.accept()) {
                            body.run(new Ends(c, a, null, null));
                        }
                    }
                }
            }
        }
    }

    private interface Action {
        Object run() throws Exception;
    }

    private static String outcome(Action action) {
        try {
            Object r = action.run();
            return r instanceof String text ? text : "ok"; // a String is the outcome itself (a count, a read)
        } catch (Exception e) {
            return e.getClass().getName() + ": " + e.getMessage();
        }
    }
}
