package io.github.mptcpnio;

import io.github.mptcpnio.internal.JdkShim;
import io.github.mptcpnio.internal.KnownDifferences;
import io.github.mptcpnio.testing.KernelCondition;
import io.github.mptcpnio.testing.MeasuredOnKernel;
import io.github.mptcpnio.testing.RequiresMptcpHook;
import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.Combinators;
import net.jqwik.api.Example;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;
import net.jqwik.api.lifecycle.AddLifecycleHook;

import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.SocketOption;
import java.net.StandardProtocolFamily;
import java.nio.ByteBuffer;
import java.nio.channels.SelectionKey;
import java.nio.channels.Selector;
import java.nio.channels.ServerSocketChannel;
import java.nio.channels.SocketChannel;
import java.nio.channels.spi.SelectorProvider;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Comparator;
import java.util.List;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.assertEquals;

/**
 * Differential, stateful: a random set-up and a random sequence of NIO operations run twice — on a connection made
 * with the JDK's own provider and on one made with {@link MptcpSelectorProvider} — and every observable outcome
 * (return values, bytes, positions, ready sets, exception classes) must be the same, except the differences listed in
 * {@link KnownDifferences} (normalised here, and proven exact by {@code CompatibilityIT}).
 *
 * <p>Timing is taken out of the outcomes by a model: a read waits for exactly the bytes the model says are in flight;
 * readiness is awaited when the model predicts it. Urgent data is left out (it corrupts the MPTCP stream, see the
 * table).
 */
@AddLifecycleHook(RequiresMptcpHook.class)
@AddLifecycleHook(KernelCondition.class)
@MeasuredOnKernel("6.18")
class DifferentialIT {
    private static final SelectorProvider JDK = JdkShim.platformProvider();
    private static final SelectorProvider MPTCP = new MptcpSelectorProvider();
    private static final long WAIT_NANOS = TimeUnit.SECONDS.toNanos(5);

    enum Family { INET, INET6, INET6_TO_IPV4 }

    enum Bind { NONE, LOOPBACK_EPHEMERAL, WILDCARD_EPHEMERAL, LOOPBACK_EXPLICIT_PORT }

    /** How the connection is made. */
    record Setup(Family family, Bind bind, boolean nonBlockingConnect) {}

    /** One operation on side 0 (client) or 1 (accepted peer). */
    sealed interface Op permits Write, Read, Shutdown, SetOpt, GetOpt, Blocking, Select, Timeout, CloseBlocked, Adaptor,
        Close {}

    record Write(int side, int length, boolean direct, boolean gather, boolean virtual) implements Op {}

    record Read(int side, int capacity, boolean direct, boolean scatter, boolean virtual) implements Op {}

    record Shutdown(int side, boolean output) implements Op {}

    record SetOpt(int side, int option, int valueChoice) implements Op {}

    record GetOpt(int side, int option) implements Op {}

    record Blocking(int side, boolean blocking) implements Op {}

    record Select(int side, int interest) implements Op {}

    record Timeout(int side, int millis) implements Op {}

    record CloseBlocked(int side) implements Op {}

    /** Socket adaptor ({@code channel.socket()}) calls: setters, and the stream write/read. */
    enum AdaptorCall {
        TCP_NODELAY, TRAFFIC_CLASS, OOB_INLINE, KEEPALIVE, SO_LINGER, STREAM_WRITE, STREAM_READ, URGENT_DATA
    }

    record Adaptor(int side, AdaptorCall call, int value) implements Op {}

    /** Close from the same thread. */
    record Close(int side) implements Op {}

    @Provide
    Arbitrary<Setup> setups() {
        return Combinators.combine(Arbitraries.of(Family.class), Arbitraries.of(Bind.class), Arbitraries.of(true, false))
                .as(Setup::new);
    }

    @Provide
    Arbitrary<List<Op>> ops() {
        Arbitrary<Integer> side = Arbitraries.of(0, 1);
        Arbitrary<Op> op = Arbitraries.oneOf(
                Combinators.combine(side, Arbitraries.integers().between(0, 20_000), Arbitraries.of(true, false),
                        Arbitraries.of(true, false), Arbitraries.of(true, false)).as(Write::new),
                Combinators.combine(side, Arbitraries.integers().between(0, 30_000), Arbitraries.of(true, false),
                        Arbitraries.of(true, false), Arbitraries.of(true, false)).as(Read::new),
                Combinators.combine(side, Arbitraries.of(true, false)).as(Shutdown::new),
                Combinators.combine(side, Arbitraries.integers().between(0, 30), Arbitraries.integers().between(0, 5))
                        .as(SetOpt::new),
                Combinators.combine(side, Arbitraries.integers().between(0, 30)).as(GetOpt::new),
                Combinators.combine(side, Arbitraries.of(true, false)).as(Blocking::new),
                Combinators.combine(side, Arbitraries.integers().between(0, 31)).as(Select::new),
                Combinators.combine(side, Arbitraries.integers().between(1, 50)).as(Timeout::new),
                side.map(CloseBlocked::new),
                Combinators.combine(side, Arbitraries.of(AdaptorCall.class), Arbitraries.integers().between(0, 3000))
                        .as(Adaptor::new),
                side.map(Close::new));
        return op.list().ofMaxSize(25);
    }

    /** Falsified sample: writes towards a peer that closed (TCP: Broken pipe on the second write; MPTCP: none). */
    @Example
    void writesTowardsAClosedPeer() throws Exception {
        mptcpChannelsBehaveLikeTheJdks(new Setup(Family.INET, Bind.NONE, true), List.of(new CloseBlocked(1),
                new Write(0, 1, true, true, false), new Write(1, 958, true, false, false),
                new Write(0, 7, false, true, false)));
    }

    /** Falsified sample: the peer shuts down output, then input; the writer's second write fails on TCP only. */
    @Example
    void writesTowardsAPeerThatShutDownBothWays() throws Exception {
        mptcpChannelsBehaveLikeTheJdks(new Setup(Family.INET, Bind.NONE, true), List.of(new Shutdown(1, true),
                new Shutdown(1, false), new Write(0, 1033, false, false, true), new Write(0, 22, false, false, true)));
    }

    /** Falsified sample: the peer shuts down output and closes with a byte unread; TCP reads EOF, MPTCP a reset. */
    @Example
    void readAfterThePeerClosedWithUnreadData() throws Exception {
        mptcpChannelsBehaveLikeTheJdks(new Setup(Family.INET, Bind.NONE, false), List.of(
                new Write(1, 1, false, false, false), new Shutdown(0, true), new Close(0),
                new Read(1, 1, true, true, false)));
    }

    @Property(tries = 150)
    void mptcpChannelsBehaveLikeTheJdks(@ForAll("setups") Setup setup, @ForAll("ops") List<Op> ops) throws Exception {
        List<String> jdk = run(JDK, setup, ops);
        List<String> ours = run(MPTCP, setup, ops);
        assertEquals(jdk, ours);
    }

    /** Runs the set-up and the operations on fresh channels of one provider; one outcome line per step. */
    static List<String> run(SelectorProvider provider, Setup setup, List<Op> ops) throws Exception {
        List<String> out = new ArrayList<>();
        World w = new World(provider, setup);
        try {
            out.add("setup " + w.connect());
            for (Op op : ops) {
                out.add(op + " -> " + w.apply(op));
            }
        } finally {
            w.close();
        }
        return out;
    }

    /** The two ends of one connection and the model of what is in flight. */
    static final class World implements AutoCloseable {
        final SelectorProvider provider;
        final Setup setup;
        ServerSocketChannel listener;
        final SocketChannel[] ends = new SocketChannel[2];
        final long[] inFlight = new long[2];      // bytes sent towards side i, not yet read
        final long[] seed = new long[2];          // the content of the stream towards side i is a pure function
        final long[] readPos = new long[2];
        final boolean[] eof = new boolean[2];     // side i will see EOF after its in-flight bytes
        final boolean[] inputShut = new boolean[2];
        final boolean[] outputShut = new boolean[2];
        final boolean[] closed = new boolean[2];
        /** Ops on this side are no longer compared: a listed difference made the worlds diverge for good. */
        final boolean[] notCompared = new boolean[2];
        final boolean[] receiveBufferSet = new boolean[2];
        final boolean[] sendBufferSet = new boolean[2];
        /** Options whose value may differ because a set of them was a listed difference, per side. */
        final List<java.util.Set<String>> diverged = List.of(new java.util.HashSet<>(), new java.util.HashSet<>());
        Selector selector;

        World(SelectorProvider provider, Setup setup) {
            this.provider = provider;
            this.setup = setup;
        }

        String connect() throws IOException {
            boolean v4Listener = setup.family() != Family.INET6;
            listener = provider.openServerSocketChannel(v4Listener ? StandardProtocolFamily.INET
                    : StandardProtocolFamily.INET6);
            InetAddress loopback = InetAddress.getByName(v4Listener ? "127.0.0.1" : "::1");
            listener.bind(new InetSocketAddress(loopback, 0));
            ends[0] = provider.openSocketChannel(setup.family() == Family.INET ? StandardProtocolFamily.INET
                    : StandardProtocolFamily.INET6);
            String bound = switch (setup.bind()) {
                case NONE -> "unbound";
                case LOOPBACK_EPHEMERAL -> outcome(() -> ends[0].bind(new InetSocketAddress(loopback, 0)));
                case WILDCARD_EPHEMERAL -> outcome(() -> ends[0].bind(null));
                case LOOPBACK_EXPLICIT_PORT -> bindExplicitPort(loopback);
            };
            String connected;
            if (setup.nonBlockingConnect()) {
                ends[0].configureBlocking(false);
                boolean immediate = ends[0].connect(listener.getLocalAddress());
                long deadline = System.nanoTime() + WAIT_NANOS;
                while (!ends[0].finishConnect()) {
                    if (System.nanoTime() > deadline) {
                        throw new AssertionError("non-blocking connect did not finish");
                    }
                    Thread.onSpinWait();
                }
                connected = "non-blocking connect " + (immediate ? "immediate" : "pending") + " -> finished";
                connected = "non-blocking connect -> finished"; // whether it completed at once is timing
            } else {
                connected = "blocking connect -> " + ends[0].connect(listener.getLocalAddress());
            }
            ends[1] = listener.accept();
            seed[0] = 7;
            seed[1] = 11;
            return bound + ", " + connected + ", pending=" + ends[0].isConnectionPending();
        }

        String apply(Op op) throws Exception {
            int side = sideOf(op);
            if (notCompared[side]) {
                return "not compared after a listed difference";
            }
            if (closed[side]) {
                return "closed: " + outcome(() -> ends[side].write(ByteBuffer.allocate(1)));
            }
            SocketChannel ch = ends[side];
            if (op instanceof Write w) {
                return w.virtual() ? inVirtualThread(() -> write(side, w)) : write(side, w);
            } else if (op instanceof Read r) {
                return r.virtual() ? inVirtualThread(() -> read(side, r)) : read(side, r);
            } else if (op instanceof Shutdown s) {
                String o = outcome(() -> s.output() ? ch.shutdownOutput() : ch.shutdownInput());
                if (o.equals("ok")) {
                    if (s.output()) {
                        outputShut[side] = true;
                        eof[1 - side] = true;
                    } else {
                        inputShut[side] = true;
                    }
                }
                return o;
            } else if (op instanceof SetOpt s) {
                return setOption(side, s);
            } else if (op instanceof GetOpt g) {
                return getOption(side, g);
            } else if (op instanceof Blocking b) {
                return outcome(() -> ch.configureBlocking(b.blocking()));
            } else if (op instanceof Select s) {
                return select(side, s);
            } else if (op instanceof Timeout t) {
                return soTimeoutRead(side, t);
            } else if (op instanceof Adaptor a) {
                return adaptor(side, a);
            } else if (op instanceof Close) {
                if (inFlight[side] > 0) {
                    // listed difference: closing with unread data, TCP's peer later reads EOF, MPTCP's a reset
                    notCompared[1 - side] = true;
                }
                String o = outcome(() -> {
                    ch.close();
                    return null;
                });
                closed[side] = true;
                eof[1 - side] = true;
                return o;
            } else {
                return closeDuringBlockedRead(side);
            }
        }

        private static int sideOf(Op op) {
            if (op instanceof Write w) return w.side();
            if (op instanceof Read r) return r.side();
            if (op instanceof Shutdown s) return s.side();
            if (op instanceof SetOpt s) return s.side();
            if (op instanceof GetOpt g) return g.side();
            if (op instanceof Blocking b) return b.side();
            if (op instanceof Select s) return s.side();
            if (op instanceof Timeout t) return t.side();
            if (op instanceof Adaptor a) return a.side();
            if (op instanceof Close c) return c.side();
            return ((CloseBlocked) op).side();
        }

        private interface Step {
            String run() throws Exception;
        }

        /**
         * Runs a blocking-I/O step in a virtual thread on JDK 21+ (found by reflection: we compile for 17), in the
         * calling thread on older JDKs. The outcome must not depend on which.
         */
        private static String inVirtualThread(Step step) throws Exception {
            java.lang.reflect.Method ofVirtual;
            try {
                ofVirtual = Thread.class.getMethod("ofVirtual");
            } catch (NoSuchMethodException jdk17) {
                return step.run();
            }
            Object builder = ofVirtual.invoke(null);
            String[] result = new String[1];
            Exception[] failure = new Exception[1];
            Runnable body = () -> {
                try {
                    result[0] = step.run();
                } catch (Exception e) {
                    failure[0] = e;
                }
            };
            Thread t = (Thread) Class.forName("java.lang.Thread$Builder").getMethod("start", Runnable.class)
                    .invoke(builder, body);
            t.join(TimeUnit.SECONDS.toMillis(30));
            if (failure[0] != null) {
                throw failure[0];
            }
            return result[0];
        }

        /** The stream towards {@code to}: byte k is a pure function of k, so both worlds send the same bytes. */
        private byte streamByte(int to, long k) {
            long x = (k + seed[to]) * 0x9E3779B97F4A7C15L;
            return (byte) (x >>> 56);
        }

        private long writePos(int to) {
            return readPos[to] + inFlight[to];
        }

        private String write(int side, Write w) throws Exception {
            int to = 1 - side;
            if (closed[to] || (inputShut[to] && outputShut[to])) {
                // listed differences: towards a peer that closed or shut down both ways TCP fails the second write
                // (EPIPE), MPTCP keeps accepting
                outcome(() -> ends[side].write(ByteBuffer.allocate(Math.max(1, w.length()))));
                return "write towards a closed peer: listed difference";
            }
            byte[] data = new byte[w.length()];
            long start = writePos(to);
            for (int i = 0; i < data.length; i++) {
                data[i] = streamByte(to, start + i);
            }
            ByteBuffer[] buffers;
            if (w.gather() && data.length > 1) {
                int half = data.length / 2;
                buffers = new ByteBuffer[] {buffer(data, 0, half, w.direct()), ByteBuffer.allocate(0),
                    buffer(data, half, data.length - half, w.direct())};
            } else {
                buffers = new ByteBuffer[] {buffer(data, 0, data.length, w.direct())};
            }
            long written = 0;
            long deadline = System.nanoTime() + WAIT_NANOS;
            try {
                do { // write everything: a partial non-blocking write is timing, the total is not
                    written += w.gather() ? ends[side].write(buffers) : ends[side].write(buffers[0]);
                    if (written < data.length) {
                        Thread.onSpinWait();
                    }
                } while (written < data.length && System.nanoTime() < deadline);
            } catch (IOException | RuntimeException e) {
                return e.getClass().getName();
            }
            inFlight[to] += written;
            long remaining = Arrays.stream(buffers).mapToLong(ByteBuffer::remaining).sum();
            return "wrote " + written + ", remaining " + remaining;
        }

        private static ByteBuffer buffer(byte[] data, int off, int len, boolean direct) {
            ByteBuffer b = direct ? ByteBuffer.allocateDirect(len) : ByteBuffer.allocate(len);
            b.put(data, off, len).flip();
            return b;
        }

        private String read(int side, Read r) throws Exception {
            SocketChannel ch = ends[side];
            int capacity = r.capacity();
            ByteBuffer[] buffers = r.scatter() && capacity > 1
                    ? new ByteBuffer[] {alloc(capacity / 2, r.direct()), alloc(capacity - capacity / 2, r.direct())}
                    : new ByteBuffer[] {alloc(capacity, r.direct())};
            long expected = inputShut[side] ? 0 : Math.min(capacity, inFlight[side]);
            boolean expectEof = inputShut[side] || (inFlight[side] == 0 && eof[side]);
            if (capacity > 0 && expected == 0 && !expectEof && ch.isBlocking()) {
                return "would block (skipped)";
            }
            long got = 0;
            long last = 0;
            long deadline = System.nanoTime() + WAIT_NANOS;
            try {
                // read until the model's bytes (or its EOF) arrived: how they are split across calls is timing
                do {
                    last = r.scatter() ? ch.read(buffers) : ch.read(buffers[0]);
                    if (last > 0) {
                        got += last;
                    }
                } while (capacity > 0 && (expectEof ? last >= 0 : got < expected) && last >= 0
                        && System.nanoTime() < deadline);
            } catch (IOException | RuntimeException e) {
                return e.getClass().getName();
            }
            if (inputShut[side]) {
                return "after shutdownInput: " + last;
            }
            byte[] bytes = new byte[(int) got];
            int off = 0;
            for (ByteBuffer b : buffers) {
                b.flip();
                int n = Math.min(b.remaining(), bytes.length - off);
                b.get(bytes, off, n);
                off += n;
            }
            for (int i = 0; i < bytes.length; i++) {
                if (bytes[i] != streamByte(side, readPos[side] + i)) {
                    return "CORRUPT at byte " + (readPos[side] + i);
                }
            }
            readPos[side] += got;
            inFlight[side] -= got;
            return "read " + got + (expectEof && last < 0 ? ", then EOF" : "");
        }

        private static ByteBuffer alloc(int n, boolean direct) {
            return direct ? ByteBuffer.allocateDirect(n) : ByteBuffer.allocate(n);
        }

        private List<SocketOption<?>> options(int side) {
            List<SocketOption<?>> all = new ArrayList<>(ends[side].supportedOptions());
            all.sort(Comparator.comparing(SocketOption::name));
            return all;
        }

        @SuppressWarnings({"unchecked", "rawtypes"})
        private String setOption(int side, SetOpt s) {
            List<SocketOption<?>> all = options(side);
            SocketOption option = all.get(s.option() % all.size());
            Object value = value(option, s.valueChoice());
            String o = outcome(() -> ends[side].setOption(option, value));
            if (o.equals("ok") && option.name().equals("SO_RCVBUF")) {
                receiveBufferSet[side] = true;
            }
            if (o.equals("ok") && option.name().equals("SO_SNDBUF")) {
                sendBufferSet[side] = true;
            }
            String normalised = normalise(option.name(), KnownDifferences.Operation.SET, o);
            if (normalised.equals("listed difference")) {
                diverged.get(side).add(option.name()); // one world applied the value, the other did not
            }
            return option.name() + "=" + value + ": " + normalised;
        }

        /** Valid and invalid values: booleans, and integers including 0 and negatives. */
        private static Object value(SocketOption<?> option, int choice) {
            if (option.type() == Boolean.class) {
                return choice % 2 == 0;
            }
            int[] ints = {0, 1, 16, 4096, 65536, -1};
            return ints[choice % ints.length];
        }

        @SuppressWarnings({"unchecked", "rawtypes"})
        private String getOption(int side, GetOpt g) {
            List<SocketOption<?>> all = options(side);
            SocketOption option = all.get(g.option() % all.size());
            String name = option.name();
            if ((name.equals("SO_RCVBUF") && !receiveBufferSet[side])
                    || (name.equals("SO_SNDBUF") && !sendBufferSet[side])) {
                return name + ": autotuned, not compared"; // the kernel sizes TCP and MPTCP buffers differently
            }
            if (diverged.get(side).contains(name)) {
                return name + ": value diverged after a listed difference, not compared";
            }
            String o;
            try {
                o = "ok " + ends[side].getOption(option);
            } catch (IOException | RuntimeException e) {
                o = e.getClass().getName() + ": " + e.getMessage();
            }
            return name + ": " + normalise(name, KnownDifferences.Operation.GET, o);
        }

        /**
         * An outcome that matches a listed difference (by kind: "ok" or the exception class) in either its JDK or its
         * MPTCP form reads "listed difference" in both worlds; anything else is reported as observed.
         */
        private String normalise(String option, KnownDifferences.Operation op, String outcome) {
            KnownDifferences.Family family = setup.family() == Family.INET ? KnownDifferences.Family.INET
                    : KnownDifferences.Family.INET6;
            for (KnownDifferences.Difference d : KnownDifferences.TABLE) {
                if (d.subject().equals(option) && d.operation() == op && d.families().contains(family)
                        && d.states().contains(KnownDifferences.State.CLIENT_CONNECTED)
                        && d.kinds().contains(KnownDifferences.Kind.CHANNEL) && d.underSwitch() != null
                        && (kind(outcome).equals(kind(d.underSwitch())) || kind(outcome).equals(kind(d.jdk())))) {
                    return "listed difference";
                }
            }
            return outcome;
        }

        private static String kind(String outcome) {
            return outcome.startsWith("ok") ? "ok" : outcome.split(":")[0].trim();
        }

        private String select(int side, Select s) throws Exception {
            if (selector == null) {
                selector = provider.openSelector();
            }
            int interest = s.interest() & (SelectionKey.OP_READ | SelectionKey.OP_WRITE);
            SelectionKey key;
            try {
                key = ends[side].register(selector, interest);
            } catch (IOException | RuntimeException e) {
                return e.getClass().getName();
            }
            boolean readable = inputShut[side] || inFlight[side] > 0 || eof[side];
            int expected = (readable ? SelectionKey.OP_READ : 0) | SelectionKey.OP_WRITE;
            expected &= interest;
            long deadline = System.nanoTime() + WAIT_NANOS;
            int ready;
            do { // wait for what the model predicts; a kernel that never signals it shows up as a difference
                selector.selectedKeys().clear();
                selector.select(50);
                ready = key.isValid() ? key.readyOps() & interest : -1;
            } while (ready != expected && System.nanoTime() < deadline);
            selector.wakeup();
            int afterWakeup = selector.select(); // returns at once after wakeup
            key.interestOps(0);
            selector.selectNow();
            return "interest " + interest + " ready " + ready + ", select after wakeup " + (afterWakeup >= 0);
        }

        /**
         * Binds to a port that was free a moment ago. A port can be taken again in between (TIME_WAIT of the other
         * world's connections, other processes), so up to five ports are tried, the same way in both worlds; a bind
         * that fails on every try is reported.
         */
        private String bindExplicitPort(InetAddress loopback) throws IOException {
            String last = "";
            for (int attempt = 0; attempt < 5; attempt++) {
                int port = freePort();
                last = outcome(() -> ends[0].bind(new InetSocketAddress(loopback, port)));
                if (last.equals("ok")) {
                    return last;
                }
            }
            return last;
        }

        /**
         * A port that was free a moment ago (explicit-port bind; each world binds its own). Probed with an unconnected
         * client socket, which has no SO_REUSEADDR: a listener (which has it) may be given a port still held by
         * TIME_WAIT connections of an earlier world, which a client without SO_REUSEADDR then cannot bind.
         */
        private static int freePort() throws IOException {
            try (SocketChannel probe = JDK.openSocketChannel()) {
                probe.bind(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0));
                return ((InetSocketAddress) probe.getLocalAddress()).getPort();
            }
        }

        private String adaptor(int side, Adaptor a) throws Exception {
            java.net.Socket socket = ends[side].socket();
            int v = a.value();
            switch (a.call()) {
                case TCP_NODELAY:
                    return outcome(() -> {
                        socket.setTcpNoDelay(v % 2 == 0);
                        return socket.getTcpNoDelay();
                    });
                case TRAFFIC_CLASS: // IP_TOS: a listed difference on IPv6 channels
                    return "trafficClass: " + adaptorSet(side, "IP_TOS", outcome(() -> {
                        socket.setTrafficClass(v % 256);
                        return null;
                    }));
                case OOB_INLINE: // SO_OOBINLINE: a listed difference
                    return "oobInline: " + adaptorSet(side, "SO_OOBINLINE", outcome(() -> {
                        socket.setOOBInline(v % 2 == 0);
                        return null;
                    }));
                case KEEPALIVE:
                    return outcome(() -> {
                        socket.setKeepAlive(v % 2 == 0);
                        return socket.getKeepAlive();
                    });
                case SO_LINGER:
                    return outcome(() -> {
                        socket.setSoLinger(v % 3 != 0, v % 10);
                        return socket.getSoLinger();
                    });
                case STREAM_WRITE:
                    if (closed[1 - side] || (inputShut[1 - side] && outputShut[1 - side])) {
                        return "stream write towards a closed peer: listed difference";
                    }
                    return streamWrite(side, v);
                case URGENT_DATA:
                    if (closed[1 - side] || (inputShut[1 - side] && outputShut[1 - side])) {
                        return "urgent data towards a closed peer: listed difference";
                    }
                    String sent = outcome(() -> {
                        socket.sendUrgentData(v & 0xFF);
                        return null;
                    });
                    if (sent.equals("ok")) {
                        // listed difference (sendUrgentData): TCP's peer does not read the byte in-band
                        // (SO_OOBINLINE off), MPTCP's does, so the peer's reads are not compared from here on
                        notCompared[1 - side] = true;
                    }
                    return "urgent data: " + sent;
                default:
                    return streamRead(side, v);
            }
        }

        /** An adaptor setter's outcome, normalised like setOption (and marking the option diverged). */
        private String adaptorSet(int side, String option, String outcome) {
            String normalised = normalise(option, KnownDifferences.Operation.SET, outcome);
            if (normalised.equals("listed difference")) {
                diverged.get(side).add(option);
            }
            return normalised;
        }

        /** {@code socket().getOutputStream().write}: only in blocking mode (else IllegalBlockingModeException). */
        private String streamWrite(int side, int length) {
            int to = 1 - side;
            byte[] data = new byte[length];
            long start = writePos(to);
            for (int i = 0; i < length; i++) {
                data[i] = streamByte(to, start + i);
            }
            String o = outcome(() -> {
                ends[side].socket().getOutputStream().write(data);
                return null;
            });
            if (o.equals("ok")) {
                inFlight[to] += length;
            }
            return "stream write " + length + ": " + o;
        }

        /** {@code socket().getInputStream().readNBytes} of what the model says is there (never blocks). */
        private String streamRead(int side, int wanted) {
            long n = inputShut[side] ? 0 : Math.min(wanted, inFlight[side]);
            if (n == 0 && !(eof[side] && inFlight[side] == 0)) {
                return "stream read: nothing to read (skipped)";
            }
            byte[][] got = new byte[1][];
            String o = outcome(() -> {
                got[0] = ends[side].socket().getInputStream().readNBytes((int) n);
                return null;
            });
            if (!o.equals("ok")) {
                return "stream read: " + o;
            }
            for (int i = 0; i < got[0].length; i++) {
                if (got[0][i] != streamByte(side, readPos[side] + i)) {
                    return "stream read: CORRUPT at byte " + (readPos[side] + i);
                }
            }
            readPos[side] += got[0].length;
            inFlight[side] -= got[0].length;
            return "stream read " + got[0].length;
        }

        /** The socket adaptor's SO_TIMEOUT on a blocking read with nothing to read. */
        private String soTimeoutRead(int side, Timeout t) {
            if (inFlight[side] > 0 || eof[side] || inputShut[side]) {
                return "data or EOF pending (skipped)";
            }
            return outcome(() -> {
                ends[side].socket().setSoTimeout(t.millis());
                return ends[side].socket().getInputStream().read();
            });
        }

        /** Another thread closes the channel while this one is blocked in read. */
        private String closeDuringBlockedRead(int side) throws Exception {
            SocketChannel ch = ends[side];
            if (!ch.isBlocking() || inFlight[side] > 0 || eof[side] || inputShut[side]) {
                return "would not block (skipped)";
            }
            Thread closer = new Thread(() -> {
                try {
                    Thread.sleep(100);
                    ch.close();
                } catch (Exception e) {
                    throw new IllegalStateException(e);
                }
            });
            closer.start();
            String o = outcome(() -> ch.read(ByteBuffer.allocate(10)));
            closer.join(TimeUnit.SECONDS.toMillis(5));
            closed[side] = true;
            eof[1 - side] = true;
            return o;
        }

        @Override
        public void close() throws IOException {
            for (SocketChannel ch : ends) {
                if (ch != null) {
                    ch.close();
                }
            }
            if (listener != null) {
                listener.close();
            }
            if (selector != null) {
                selector.close();
            }
        }
    }

    private interface Action {
        Object run() throws Exception;
    }

    static String outcome(Action a) {
        try {
            Object r = a.run();
            return r == null || r instanceof java.nio.channels.Channel ? "ok" : "ok " + r;
        } catch (Exception e) {
            return e.getClass().getName();
        }
    }
}
