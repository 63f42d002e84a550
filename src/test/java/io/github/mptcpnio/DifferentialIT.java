package io.github.mptcpnio;

import io.github.mptcpnio.internal.JdkShim;
import io.github.mptcpnio.internal.KnownDifferences;
import io.github.mptcpnio.internal.KnownDifferences.Kind;
import io.github.mptcpnio.internal.KnownDifferences.LaunchMode;
import io.github.mptcpnio.testing.KernelCondition;
import io.github.mptcpnio.testing.MeasuredOnKernel;
import io.github.mptcpnio.testing.OneLink;
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
import java.io.InputStream;
import java.io.Serializable;
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
import static org.junit.jupiter.api.Assertions.assertTrue;

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
    /** The listener's addresses, instead of loopback: {@code v4,v6}. */
    static final String PEER_PROPERTY = "mptcp.nio.test.differentialPeer";
    /** The addresses the client binds to, instead of the listener's: {@code v4,v6}. */
    static final String LOCAL_PROPERTY = "mptcp.nio.test.differentialLocal";
    /** The network namespace (its name under /run/netns) the listener is created in, instead of the JVM's. */
    static final String PEER_NAMESPACE_PROPERTY = "mptcp.nio.test.differentialPeerNamespace";

    enum Family { INET, INET6, INET6_TO_IPV4 }

    enum Bind { NONE, LOOPBACK_EPHEMERAL, WILDCARD_EPHEMERAL, LOOPBACK_EXPLICIT_PORT }

    /**
     * How the connection is made, and with which kind of socket: channels (and their socket adaptors), or
     * {@code java.net.Socket}/{@code ServerSocket} of their own (for those, {@code nonBlockingConnect} means a connect
     * with a timeout).
     */
    record Setup(Family family, Bind bind, boolean nonBlockingConnect, Kind kind, List<SetOpt> before)
            implements Serializable {
        Setup(Family family, Bind bind, boolean nonBlockingConnect, Kind kind) {
            this(family, bind, nonBlockingConnect, kind, List.of());
        }
    }

    /** One operation on side 0 (client) or 1 (accepted peer). */
    sealed interface Op extends Serializable permits Write, Read, Shutdown, SetOpt, GetOpt, Blocking, Select, Timeout,
        CloseBlocked, Adaptor, Stream, Close, End {}

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

    /**
     * The rest of the public {@code java.net.Socket} API and its streams, as the JDK allows it in each state: the
     * getters, the state queries, {@code available}, {@code skip}, single-byte and array reads and writes,
     * {@code readAllBytes} at the end of stream, {@code flush}, the socket's own shutdowns.
     */
    enum StreamCall {
        AVAILABLE, SKIP, READ_BYTE, READ_ARRAY, READ_ALL, WRITE_BYTE, WRITE_ARRAY, FLUSH, STATE, STREAMS, GETTERS,
        SOCKET_SHUTDOWN_INPUT, SOCKET_SHUTDOWN_OUTPUT
    }

    record Stream(int side, StreamCall call, int value) implements Op {}

    /** Close from the same thread. */
    record Close(int side) implements Op {}

    /**
     * A peer ends the connection the way real peers do: {@code how} 0 abortively ({@code SO_LINGER} 0, then close),
     * 1 with data it has not read (the other side writes, then it closes), 2 half-closed ({@code shutdownOutput}). The
     * operations after it are compared as any other.
     */
    record End(int side, int how) implements Op {}

    /** Options the client sets before it binds and connects (where the agent's rules decide). */
    static Arbitrary<List<SetOpt>> before() {
        return Combinators.combine(Arbitraries.integers().between(0, 30), Arbitraries.integers().between(0, 5))
                .as((o, v) -> new SetOpt(0, o, v)).list().ofMaxSize(3);
    }

    /** Channels only: under the switch, {@code java.net.Socket}s of their own stay plain TCP. */
    @Provide
    Arbitrary<Setup> setups() {
        return Combinators.combine(Arbitraries.of(Family.class), Arbitraries.of(Bind.class), Arbitraries.of(true, false),
                before()).as((f, b, n, o) -> new Setup(f, b, n, Kind.CHANNEL, o));
    }

    /** Both kinds: the agent converts {@code java.net.Socket}s too. */
    Arbitrary<Setup> setupsOfEveryKind() {
        return Combinators.combine(Arbitraries.of(Family.class), Arbitraries.of(Bind.class), Arbitraries.of(true, false),
                Arbitraries.of(Kind.class), before()).as(Setup::new);
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
                Combinators.combine(side, Arbitraries.of(StreamCall.class), Arbitraries.integers().between(0, 3000))
                        .as(Stream::new),
                side.map(Close::new),
                Combinators.combine(side, Arbitraries.integers().between(0, 2)).as(End::new));
        return op.list().ofMaxSize(25);
    }

    /** Falsified sample: writes towards a peer that closed (TCP: Broken pipe on the second write; MPTCP: none). */
    @Example
    void writesTowardsAClosedPeer() throws Exception {
        mptcpChannelsBehaveLikeTheJdks(new Setup(Family.INET, Bind.NONE, true, Kind.CHANNEL), List.of(new CloseBlocked(1),
                new Write(0, 1, true, true, false), new Write(1, 958, true, false, false),
                new Write(0, 7, false, true, false)));
    }

    /**
     * Sample that hung the test (seed 57194393853101 under the agent): a channel registered with a selector closes
     * abortively; the JDK closes its socket at the selector's next selection, so until then the peer's blocking read
     * waits. The test now selects after such a close, as an event loop would.
     */
    @Example
    void abortiveCloseOfARegisteredChannel() throws Exception {
        mptcpChannelsBehaveLikeTheJdks(new Setup(Family.INET6_TO_IPV4, Bind.NONE, true, Kind.CHANNEL), List.of(
                new Select(0, SelectionKey.OP_WRITE), new End(0, 0), new Read(1, 888, true, true, false),
                new Stream(1, StreamCall.READ_BYTE, 96)));
    }

    /** Falsified sample: the peer shuts down output, then input; the writer's second write fails on TCP only. */
    @Example
    void writesTowardsAPeerThatShutDownBothWays() throws Exception {
        mptcpChannelsBehaveLikeTheJdks(new Setup(Family.INET, Bind.NONE, true, Kind.CHANNEL), List.of(new Shutdown(1, true),
                new Shutdown(1, false), new Write(0, 1033, false, false, true), new Write(0, 22, false, false, true)));
    }

    /** Falsified sample: the peer shuts down output and closes with a byte unread; TCP reads EOF, MPTCP a reset. */
    @Example
    void readAfterThePeerClosedWithUnreadData() throws Exception {
        mptcpChannelsBehaveLikeTheJdks(new Setup(Family.INET, Bind.NONE, false, Kind.CHANNEL), List.of(
                new Write(1, 1, false, false, false), new Shutdown(0, true), new Close(0),
                new Read(1, 1, true, true, false)));
    }

    /**
     * Falsified sample of the widened property: the peer's end of stream arrived, nothing is left to read; TCP's
     * {@code available()} answers 0, MPTCP's 1 (listed for the switch; the agent answers 0).
     */
    @Example
    void availableAtThePeersEndOfStream() throws Exception {
        mptcpChannelsBehaveLikeTheJdks(AVAILABLE_AT_THE_END.setup(), AVAILABLE_AT_THE_END.ops());
    }

    /**
     * Falsified sample (CI, under the agent, seed 37543859013515): the client sized its receive buffer before its
     * connect, the peer writes 644 bytes and closes abortively; TCP reads 644 then the reset, MPTCP on Linux 6.18
     * reads 552 and then nothing at all (listed). Also in the switch's property, in process.
     */
    @Example
    void abortIntoASmallReceiveWindow() throws Exception {
        mptcpChannelsBehaveLikeTheJdks(ABORT_INTO_A_SMALL_WINDOW.setup(), ABORT_INTO_A_SMALL_WINDOW.ops());
    }

    private static final DifferentialRunner.Sample ABORT_INTO_A_SMALL_WINDOW = new DifferentialRunner.Sample(
            new Setup(Family.INET6_TO_IPV4, Bind.LOOPBACK_EXPLICIT_PORT, true, Kind.CHANNEL,
                    List.of(new SetOpt(0, 19, 1))), // SO_RCVBUF 1 (the channel's options sorted by name)
            List.of(new Write(1, 644, false, true, false), new End(1, 0), new Read(0, 27020, false, false, false),
                    new Read(0, 4, true, false, true)));

    private static final DifferentialRunner.Sample AVAILABLE_AT_THE_END = new DifferentialRunner.Sample(
            new Setup(Family.INET, Bind.NONE, true, Kind.CHANNEL),
            List.of(new CloseBlocked(1), new Stream(0, StreamCall.AVAILABLE, 171)));

    /** How many random cases run under the agent (two forked JVMs run them all, one after the other). */
    private static final int AGENT_CASES = 300;

    /**
     * The property under the agent, where every socket of the JVM is MPTCP, so that the JDK's baseline needs a JVM
     * of its own: {@value #AGENT_CASES} random cases of both kinds (channels, {@code java.net} sockets), with random
     * options set and binds made before the connect, plus the falsified samples, are written to a file and run by
     * {@link DifferentialRunner} in a plain JVM and in two JVMs under the agent: with the tests' rule that makes the
     * loopback connection MPTCP, and with the default rules, which keep it TCP. Then once more, a plain JVM and one
     * under the default rules, with the client in one namespace and the listener (and so the accepted end) in a
     * second one, across a veth link: MPTCP by the default rules, as between two hosts. Every case must give the same
     * outcomes, except the differences the table lists for the agent (which TCP shows in neither form). The seed is
     * printed, and a mismatch names the case.
     */
    @Example
    void underTheAgentSocketsAndChannelsBehaveLikeTheJdks() throws Exception {
        long seed = Long.getLong("mptcp.nio.test.seed", System.nanoTime());
        System.out.println("DifferentialIT under the agent: seed " + seed + " (-Dmptcp.nio.test.seed to repeat)");
        java.util.Random random = new java.util.Random(seed);
        net.jqwik.api.RandomGenerator<Setup> setups = setupsOfEveryKind().generator(1000);
        net.jqwik.api.RandomGenerator<List<Op>> ops = ops().generator(1000);
        List<DifferentialRunner.Sample> samples = new ArrayList<>();
        samples.add(AVAILABLE_AT_THE_END);
        samples.add(ABORT_INTO_A_SMALL_WINDOW);
        samples.add(new DifferentialRunner.Sample(new Setup(Family.INET6, Bind.NONE, false, Kind.SOCKET),
                List.of(new Shutdown(1, true), new Stream(0, StreamCall.AVAILABLE, 0),
                        new Write(1, 10, false, false, false), new Stream(0, StreamCall.READ_ALL, 0))));
        for (int i = 0; i < AGENT_CASES; i++) {
            samples.add(new DifferentialRunner.Sample(setups.next(random).value(), ops.next(random).value()));
        }
        java.nio.file.Path file = java.nio.file.Files.createTempFile("differential", ".ser");
        try {
            try (java.io.ObjectOutputStream out = new java.io.ObjectOutputStream(
                    java.nio.file.Files.newOutputStream(file))) {
                out.writeObject(samples);
            }
            String plain = io.github.mptcpnio.testing.Forked.jvm()
                    .args(io.github.mptcpnio.testing.Forked.EXPORT, io.github.mptcpnio.testing.Forked.NATIVE_ACCESS)
                    .run(DifferentialRunner.class.getName(), 600, file.toString()).assertExit(0).stdout();
            String classPath = String.join(java.io.File.pathSeparator, AgentIT.testClasses(),
                    String.join(java.io.File.pathSeparator, io.github.mptcpnio.testing.Forked.classPathEntries("jqwik")),
                    String.join(java.io.File.pathSeparator, io.github.mptcpnio.testing.Forked.classPathEntries("junit")),
                    String.join(java.io.File.pathSeparator,
                            io.github.mptcpnio.testing.Forked.classPathEntries("opentest4j")));
            // MPTCP by rule (the tests' loopback rule), and TCP by the default rule for loopback clients
            for (String agentFlag : List.of(AgentIT.agent(), AgentIT.rawAgent())) {
                String agent = io.github.mptcpnio.testing.Forked.jvm().classPath(classPath)
                        .args(agentFlag, io.github.mptcpnio.testing.Forked.NATIVE_ACCESS)
                        .run(DifferentialRunner.class.getName(), 600, file.toString()).assertExit(0).stdout();
                compare(samples, seed, agentFlag, plain, agent);
            }
            // MPTCP by the default rule: the client, in the runner's namespace, connects to a listener the runner
            // created in a second namespace, across a veth link (two hosts, one JVM: see ThreadNetns)
            try (OneLink hosts = OneLink.create("differential")) {
                String[] args = {"-D" + PEER_PROPERTY + "=" + OneLink.SERVER4 + "," + OneLink.SERVER6,
                        "-D" + LOCAL_PROPERTY + "=" + OneLink.CLIENT4 + "," + OneLink.CLIENT6,
                        "-D" + PEER_NAMESPACE_PROPERTY + "=" + hosts.server.name(),
                        io.github.mptcpnio.testing.Forked.NATIVE_ACCESS};
                String plainThere = io.github.mptcpnio.testing.Forked.jvm().in(hosts.client)
                        .args(args).args(io.github.mptcpnio.testing.Forked.EXPORT)
                        .run(DifferentialRunner.class.getName(), 600, file.toString()).assertExit(0).stdout();
                assertEquals(0, hosts.client.counter("MPTcpExtMPCapableSYNACKRX")
                        + hosts.server.counter("MPTcpExtMPCapableSYNRX"), "the plain JVM's connections were TCP");
                assertTrue(hosts.server.counter("TcpPassiveOpens") > 0, "the plain JVM connected across the link");
                String agentThere = io.github.mptcpnio.testing.Forked.jvm().in(hosts.client).classPath(classPath)
                        .args(args).args(AgentIT.rawAgent())
                        .run(DifferentialRunner.class.getName(), 600, file.toString()).assertExit(0).stdout();
                compare(samples, seed, AgentIT.rawAgent() + " to a listener in a second namespace",
                        plainThere, agentThere);
                // not one per case: a case whose listener was TCP-by-family or whose connect failed adds none; both
                // ends count theirs, each in its own namespace
                assertTrue(hosts.client.counter("MPTcpExtMPCapableSYNACKRX") > 0,
                        "the agent's clients were MPTCP, and so was the listener in the second namespace");
                assertTrue(hosts.server.counter("MPTcpExtMPCapableSYNRX") > 0,
                        "the listener in the second namespace took MPTCP connections");
            }
        } finally {
            java.nio.file.Files.deleteIfExists(file);
        }
    }

    /** Every case's line must be equal; a mismatch names the case, the seed and the first differing step. */
    private static void compare(List<DifferentialRunner.Sample> samples, long seed, String how, String plain,
                                String agent) {
        String[] jdkLines = plain.split("\n");
        String[] agentLines = agent.split("\n");
        assertEquals(samples.size(), jdkLines.length, "the plain JVM ran every case");
        assertEquals(samples.size(), agentLines.length, "the agent JVM ran every case");
        for (int i = 0; i < samples.size(); i++) {
            if (!jdkLines[i].equals(agentLines[i])) {
                throw new AssertionError(how + ": case " + i + " (seed " + seed + "): " + samples.get(i) + "\n"
                        + firstDifference(jdkLines[i], agentLines[i]));
            }
        }
    }

    /** The first step whose outcome differs: "step k: jdk ... / agent ...". */
    private static String firstDifference(String jdk, String agent) {
        String[] j = jdk.split(" \\| ");
        String[] a = agent.split(" \\| ");
        for (int k = 0; k < Math.min(j.length, a.length); k++) {
            if (!j[k].equals(a[k])) {
                return "step " + k + ":\n  jdk:   " + j[k] + "\n  agent: " + a[k];
            }
        }
        return "steps: jdk " + j.length + ", agent " + a.length;
    }

    @Property(tries = 150)
    void mptcpChannelsBehaveLikeTheJdks(@ForAll("setups") Setup setup, @ForAll("ops") List<Op> ops) throws Exception {
        List<String> jdk = run(JDK, setup, ops, LaunchMode.SWITCH);
        List<String> ours = run(MPTCP, setup, ops, LaunchMode.SWITCH);
        assertEquals(jdk, ours);
    }

    /**
     * Runs the set-up and the operations on fresh sockets (channels of {@code provider}, or {@code java.net} sockets);
     * one outcome line per step. Outcomes that {@link KnownDifferences} lists for {@code mode} are normalised.
     */
    static List<String> run(SelectorProvider provider, Setup setup, List<Op> ops, LaunchMode mode) throws Exception {
        List<String> out = new ArrayList<>(); // written by this thread only: the watchdog closes the world
        World w = new World(provider, setup, mode);
        java.util.concurrent.atomic.AtomicBoolean hung = new java.util.concurrent.atomic.AtomicBoolean();
        Thread watchdog = new Thread(() -> { // a step the model wrongly expects to end blocks for good: unblock it
            try {
                Thread.sleep(TimeUnit.SECONDS.toMillis(CASE_SECONDS));
                hung.set(true);
                w.close();
            } catch (InterruptedException | IOException | RuntimeException done) {
                // finished in time, or the world is closing anyway
            }
        }, "differential-watchdog");
        watchdog.setDaemon(true);
        watchdog.start();
        try {
            out.add("setup " + w.connect());
            for (Op op : ops) {
                out.add(op + " -> " + w.apply(op));
            }
        } catch (Exception | AssertionError e) {
            if (!hung.get()) {
                throw e;
            }
        } finally {
            watchdog.interrupt();
            w.close();
        }
        if (hung.get()) {
            throw new AssertionError("a case blocked for " + CASE_SECONDS + " s after " + out.size()
                    + " outcomes (so a test defect or a hang to find): " + setup + " " + ops + "\noutcomes: " + out);
        }
        return out;
    }

    /** A case's time limit: its waits are bounded by {@link #WAIT_NANOS} each, its operations are at most 25. */
    private static final long CASE_SECONDS = 120;

    /** The one daemon thread that has entered the peer's namespace (setns moves only the thread that calls it). */
    private static final class PeerThread {
        private static java.util.concurrent.ExecutorService executor;

        static synchronized java.util.concurrent.ExecutorService of(String namespace) throws IOException {
            if (executor == null) {
                // under the agent, the library loads jffi (from its jar, its own way) before the test's first call
                io.github.mptcpnio.Mptcp.isAvailable();
                java.util.concurrent.ExecutorService e = java.util.concurrent.Executors.newSingleThreadExecutor(r -> {
                    Thread t = new Thread(r, "differential-peer-namespace");
                    t.setDaemon(true);
                    return t;
                });
                try {
                    e.submit(() -> {
                        io.github.mptcpnio.testing.ThreadNetns.enter(namespace);
                        return null;
                    }).get(CASE_SECONDS, TimeUnit.SECONDS);
                } catch (java.util.concurrent.ExecutionException | InterruptedException
                         | java.util.concurrent.TimeoutException failed) {
                    e.shutdownNow();
                    throw new IOException("could not enter " + namespace, failed);
                }
                executor = e;
            }
            return executor;
        }
    }

    /** The two ends of one connection and the model of what is in flight. */
    static final class World implements AutoCloseable {
        final SelectorProvider provider;
        final Setup setup;
        final LaunchMode mode;
        ServerSocketChannel listener;
        final SocketChannel[] ends = new SocketChannel[2];
        java.net.ServerSocket serverSocket;
        /** The two ends as {@code java.net.Socket}s: the channels' adaptors, or sockets of their own. */
        final java.net.Socket[] socks = new java.net.Socket[2];
        final long[] inFlight = new long[2];      // bytes sent towards side i, not yet read
        final long[] seed = new long[2];          // the content of the stream towards side i is a pure function
        final long[] readPos = new long[2];
        final boolean[] eof = new boolean[2];     // side i will see EOF after its in-flight bytes
        final boolean[] inputShut = new boolean[2];
        final boolean[] outputShut = new boolean[2];
        final boolean[] closed = new boolean[2];
        /** Bytes were sent towards side i that the model does not count (a write towards a peer that closed). */
        final boolean[] untracked = new boolean[2];
        /** Ops on this side are no longer compared: a listed difference made the worlds diverge for good. */
        final boolean[] notCompared = new boolean[2];
        final boolean[] receiveBufferSet = new boolean[2];
        /** The peer of side i closed abortively. */
        final boolean[] peerAborted = new boolean[2];
        /** The client's options are being set before its connect (the unconnected state of the table). */
        boolean beforeConnect;
        final boolean[] sendBufferSet = new boolean[2];
        /** Options whose value may differ because a set of them was a listed difference, per side. */
        final List<java.util.Set<String>> diverged = List.of(new java.util.HashSet<>(), new java.util.HashSet<>());
        Selector selector;

        World(SelectorProvider provider, Setup setup, LaunchMode mode) {
            this.provider = provider;
            this.setup = setup;
            this.mode = mode;
        }

        boolean channels() {
            return setup.kind() == Kind.CHANNEL;
        }

        String connect() throws IOException {
            String how = channels() ? connectChannels() : connectSockets();
            for (int i = 0; i < 2; i++) {
                socks[i] = channels() ? ends[i].socket() : socks[i];
            }
            seed[0] = 7;
            seed[1] = 11;
            return how;
        }

        /** {@code java.net.Socket}s: a blocking connect, with a timeout when {@code nonBlockingConnect}. */
        private String connectSockets() throws IOException {
            InetAddress peer = address(PEER_PROPERTY, setup.family() == Family.INET6);
            InetAddress local = address(LOCAL_PROPERTY, setup.family() == Family.INET6);
            serverSocket = atThePeer(() -> bound(new java.net.ServerSocket(),
                    s -> s.bind(new InetSocketAddress(peer, 0))));
            socks[0] = new java.net.Socket();
            String bound = switch (setup.bind()) {
                case NONE -> "unbound";
                case LOOPBACK_EPHEMERAL -> outcome(() -> {
                    socks[0].bind(new InetSocketAddress(local, 0));
                    return null;
                });
                case WILDCARD_EPHEMERAL -> outcome(() -> {
                    socks[0].bind(null);
                    return null;
                });
                case LOOPBACK_EXPLICIT_PORT -> bindExplicitPort(local, a -> socks[0].bind(a));
            } + optionsBefore();
            if (setup.nonBlockingConnect()) {
                socks[0].connect(serverSocket.getLocalSocketAddress(), 5000);
            } else {
                socks[0].connect(serverSocket.getLocalSocketAddress());
            }
            socks[1] = serverSocket.accept();
            return bound + ", connected " + socks[0].isConnected();
        }

        private String connectChannels() throws IOException {
            boolean v4Listener = setup.family() != Family.INET6;
            InetAddress peer = address(PEER_PROPERTY, !v4Listener);
            InetAddress local = address(LOCAL_PROPERTY, !v4Listener);
            listener = atThePeer(() -> bound(provider.openServerSocketChannel(v4Listener ? StandardProtocolFamily.INET
                    : StandardProtocolFamily.INET6), l -> l.bind(new InetSocketAddress(peer, 0))));
            ends[0] = provider.openSocketChannel(setup.family() == Family.INET ? StandardProtocolFamily.INET
                    : StandardProtocolFamily.INET6);
            String bound = switch (setup.bind()) {
                case NONE -> "unbound";
                case LOOPBACK_EPHEMERAL -> outcome(() -> ends[0].bind(new InetSocketAddress(local, 0)));
                case WILDCARD_EPHEMERAL -> outcome(() -> ends[0].bind(null));
                case LOOPBACK_EXPLICIT_PORT -> bindExplicitPort(local, a -> ends[0].bind(a));
            } + optionsBefore();
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
            return bound + ", " + connected + ", pending=" + ends[0].isConnectionPending();
        }

        /** The client's options set after its bind and before its connect, with their outcomes. */
        private String optionsBefore() {
            StringBuilder sb = new StringBuilder();
            beforeConnect = true;
            for (SetOpt o : setup.before()) {
                sb.append(", before connect ").append(setOption(0, o));
            }
            beforeConnect = false;
            return sb.toString();
        }

        /** {@link End}: composed of the operations it stands for, each compared. */
        private String end(int side, int how) throws Exception {
            switch (how) {
                case 0: {
                    List<SocketOption<?>> all = options(side);
                    int linger = 0;
                    while (!all.get(linger).name().equals("SO_LINGER")) {
                        linger++;
                    }
                    String set = apply(new SetOpt(side, linger, 0));
                    return "abortively: " + set + "; " + apply(new Close(side)); // noteAbortiveClose sees the 0
                }
                case 1:
                    return "with unread data: " + apply(new Write(1 - side, 1000, false, false, false)) + "; "
                            + apply(new Close(side));
                default:
                    return "half-closed: " + apply(new Shutdown(side, true));
            }
        }

        String apply(Op op) throws Exception {
            if (op instanceof End e) {
                return end(e.side(), e.how());
            }
            int side = sideOf(op);
            if (notCompared[side]) {
                return "not compared after a listed difference";
            }
            if (closed[side]) {
                return "closed: " + (channels() ? outcome(() -> ends[side].write(ByteBuffer.allocate(1)))
                        : outcome(() -> {
                            socks[side].getOutputStream().write(0);
                            return null;
                        }));
            }
            if (!channels()) {
                String o = onSocket(side, op);
                if (o != null) {
                    return o;
                }
            }
            SocketChannel ch = ends[side];
            if (op instanceof Write w) {
                return w.virtual() ? inVirtualThread(() -> write(side, w)) : write(side, w);
            } else if (op instanceof Read r) {
                return r.virtual() ? inVirtualThread(() -> read(side, r)) : read(side, r);
            } else if (op instanceof Shutdown s) {
                return shutdown(side, s.output(), () -> s.output() ? ch.shutdownOutput() : ch.shutdownInput());
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
            } else if (op instanceof Stream st) {
                return stream(side, st);
            } else if (op instanceof Close) {
                boolean abortive = noteAbortiveClose(side);
                if (inFlight[side] > 0 || untracked[side]) {
                    // listed difference: closing with unread data, TCP's peer later reads EOF, MPTCP's a reset
                    notCompared[1 - side] = true;
                }
                String o = outcome(() -> {
                    if (channels()) {
                        ch.close();
                        if (selector != null) {
                            // a channel registered with a selector is closed by the selector's next selection
                            // operation (JDK); with SO_LINGER 0 its peer sees nothing until then, so do what an
                            // event loop does next
                            selector.selectNow();
                        }
                    } else {
                        socks[side].close();
                    }
                    return null;
                });
                closed[side] = true;
                eof[1 - side] = true;
                if (abortive) {
                    letTheResetArrive();
                }
                return o;
            } else {
                return closeDuringBlockedRead(side);
            }
        }

        /** A shutdown, and the model's update when it succeeded. */
        private String shutdown(int side, boolean output, Action action) {
            String o = outcome(action);
            if (o.equals("ok")) {
                if (output) {
                    outputShut[side] = true;
                    eof[1 - side] = true;
                } else {
                    inputShut[side] = true;
                }
            }
            return o;
        }

        /**
         * The channel operations on a {@code java.net.Socket} of its own: writes and reads through its streams, its
         * shutdowns, a close during a blocked stream read; null for the operations both kinds share.
         */
        private String onSocket(int side, Op op) throws Exception {
            java.net.Socket s = socks[side];
            if (op instanceof Write w && towardsAClosedPeer(side)) {
                outcome(() -> {
                    s.getOutputStream().write(new byte[untrackedLength(w)]);
                    return null;
                });
                return sentUntracked(side, "write towards a closed peer: listed difference");
            } else if (op instanceof Write w) {
                return w.virtual() ? inVirtualThread(() -> streamWrite(side, w.length()))
                        : streamWrite(side, w.length());
            } else if (op instanceof Read r) {
                return r.virtual() ? inVirtualThread(() -> streamRead(side, r.capacity()))
                        : streamRead(side, r.capacity());
            } else if (op instanceof Shutdown sh) {
                return shutdown(side, sh.output(), () -> {
                    if (sh.output()) {
                        s.shutdownOutput();
                    } else {
                        s.shutdownInput();
                    }
                    return null;
                });
            } else if (op instanceof Blocking || op instanceof Select) {
                return "not a channel";
            } else if (op instanceof CloseBlocked) {
                return closeDuringBlockedRead(side);
            }
            return null;
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
            if (op instanceof Stream st) return st.side();
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

        /**
         * The next {@code n} bytes of the stream towards {@code to}, at {@code offset} of an array with
         * {@code offset} spare bytes on both sides.
         */
        private byte[] next(int to, int n, int offset) {
            byte[] data = new byte[n + 2 * offset];
            long start = writePos(to);
            for (int i = 0; i < n; i++) {
                data[offset + i] = streamByte(to, start + i);
            }
            return data;
        }

        /**
         * Checks {@code n} bytes read by {@code side} (at {@code off} of {@code bytes}) against the stream and moves
         * the model past them; "CORRUPT at byte k" (and no move) if one differs, null if all match.
         */
        private String consume(int side, byte[] bytes, int off, int n) {
            for (int i = 0; i < n; i++) {
                if (bytes[off + i] != streamByte(side, readPos[side] + i)) {
                    return "CORRUPT at byte " + (readPos[side] + i);
                }
            }
            readPos[side] += n;
            inFlight[side] -= n;
            return null;
        }

        private String write(int side, Write w) throws Exception {
            int to = 1 - side;
            if (closed[to] || (inputShut[to] && outputShut[to])) {
                // listed differences: towards a peer that closed or shut down both ways TCP fails the second write
                // (EPIPE), MPTCP keeps accepting
                outcome(() -> ends[side].write(ByteBuffer.allocate(untrackedLength(w))));
                return sentUntracked(side, "write towards a closed peer: listed difference");
            }
            String skipped = overfills(side, w.length());
            if (skipped != null) {
                return skipped;
            }
            byte[] data = next(to, w.length(), 0);
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

        /**
         * Null if a write of {@code length} bytes by {@code side} cannot block for good, else why it is skipped: a
         * blocking write waits until the peer reads, and nothing here reads while it waits. So the bytes the peer has
         * not read, these included, must fit in what the kernel buffers on loopback for sure: a few KiB once an
         * application sized a buffer (down to the kernel's minimum; 5,760 of 9,707 bytes went through with the
         * peer's SO_RCVBUF 1 and SO_SNDBUF 4096, and the rest blocked), 64 KiB with the defaults (the initial
         * receive window).
         */
        private String overfills(int side, long length) {
            int to = 1 - side;
            boolean blocking = !channels() || ends[side].isBlocking(); // a stream write in non-blocking mode throws
            long room = receiveBufferSet[to] || sendBufferSet[side] ? 2048 : 65536;
            if (!blocking || inFlight[to] + length <= room) {
                return null;
            }
            return "blocking write beyond what is sure to be buffered (skipped)";
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
            String corrupt = consume(side, bytes, 0, bytes.length);
            if (corrupt != null) {
                return corrupt;
            }
            return "read " + got + (expectEof && last < 0 ? ", then EOF" : "");
        }

        private static ByteBuffer alloc(int n, boolean direct) {
            return direct ? ByteBuffer.allocateDirect(n) : ByteBuffer.allocate(n);
        }

        private List<SocketOption<?>> options(int side) {
            List<SocketOption<?>> all = new ArrayList<>(channels() ? ends[side].supportedOptions()
                    : socks[side].supportedOptions());
            all.sort(Comparator.comparing(SocketOption::name));
            return all;
        }

        @SuppressWarnings({"unchecked", "rawtypes"})
        private String setOption(int side, SetOpt s) {
            List<SocketOption<?>> all = options(side);
            SocketOption option = all.get(s.option() % all.size());
            Object value = value(option, s.valueChoice());
            String o = outcome(() -> channels() ? ends[side].setOption(option, value)
                    : socks[side].setOption(option, value));
            if (o.equals("ok") && option.name().equals("SO_RCVBUF")) {
                receiveBufferSet[side] = true;
            }
            if (o.equals("ok") && option.name().equals("SO_SNDBUF")) {
                sendBufferSet[side] = true;
            }
            String normalised = oobInlineOn(option.name(), value)
                    ? normalise(OOB_INLINE_ON, null, o) : normalise(option.name(), KnownDifferences.Operation.SET, o);
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
                o = "ok " + (channels() ? ends[side].getOption(option) : socks[side].getOption(option));
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
            KnownDifferences.State state = beforeConnect ? KnownDifferences.State.CLIENT_UNCONNECTED
                    : KnownDifferences.State.CLIENT_CONNECTED;
            for (KnownDifferences.Difference d : KnownDifferences.TABLE) {
                if ((d.subject().equals(option) || d.subject().equals(option + "=0")) && d.operation() == op
                        && d.families().contains(family) && d.states(mode).contains(state)
                        && d.kinds(mode).contains(setup.kind()) && d.observed(mode) != null
                        && (kind(outcome).equals(kind(d.observed(mode))) || kind(outcome).equals(kind(d.jdk())))) {
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
        private String bindExplicitPort(InetAddress local, Binder binder) throws IOException {
            String last = "";
            for (int attempt = 0; attempt < 5; attempt++) {
                int port = freePort();
                last = outcome(() -> {
                    binder.bind(new InetSocketAddress(local, port));
                    return null;
                });
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

        private interface Binder {
            void bind(InetSocketAddress address) throws IOException;
        }

        /** {@code listener}, bound by {@code bind}; closed again if the bind fails. */
        private static <T extends java.io.Closeable> T bound(T listener, ListenerBinder<T> bind) throws IOException {
            try {
                bind.bind(listener);
                return listener;
            } catch (IOException | RuntimeException e) {
                listener.close();
                throw e;
            }
        }

        private interface ListenerBinder<T> {
            void bind(T listener) throws IOException;
        }

        private interface ListenerFactory<T> {
            T open() throws IOException;
        }

        /**
         * The listener's address ({@value #PEER_PROPERTY}) or the one the client binds to ({@value #LOCAL_PROPERTY},
         * the listener's if not given): loopback, or the addresses given ({@code v4,v6}), which the agent's default
         * rules make MPTCP.
         */
        private static InetAddress address(String property, boolean inet6) throws IOException {
            String given = System.getProperty(property, System.getProperty(PEER_PROPERTY));
            if (given == null) {
                return InetAddress.getByName(inet6 ? "::1" : "127.0.0.1");
            }
            return InetAddress.getByName(given.split(",")[inet6 ? 1 : 0]);
        }

        /**
         * Runs {@code create} on the one thread that has entered the namespace {@value #PEER_NAMESPACE_PROPERTY}
         * names, so that the listener it creates, and the connections it accepts, live there; without the property,
         * here. The client's socket is created on this thread, in the JVM's namespace.
         */
        private static <T> T atThePeer(ListenerFactory<T> create) throws IOException {
            String namespace = System.getProperty(PEER_NAMESPACE_PROPERTY);
            if (namespace == null) {
                return create.open();
            }
            try {
                return PeerThread.of(namespace).submit(create::open).get(CASE_SECONDS, TimeUnit.SECONDS);
            } catch (java.util.concurrent.ExecutionException e) {
                if (e.getCause() instanceof IOException io) {
                    throw io;
                }
                throw new IOException("creating the listener in " + namespace, e.getCause());
            } catch (InterruptedException | java.util.concurrent.TimeoutException e) {
                throw new IOException("creating the listener in " + namespace, e);
            }
        }

        private String adaptor(int side, Adaptor a) throws Exception {
            java.net.Socket socket = socks[side];
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
                    String subject = v % 2 == 0 ? OOB_INLINE_ON : "SO_OOBINLINE";
                    return "oobInline: " + adaptorSet(side, subject, outcome(() -> {
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
                        return sentUntracked(side, "stream write towards a closed peer: listed difference");
                    }
                    return streamWrite(side, v);
                case URGENT_DATA:
                    if (closed[1 - side] || (inputShut[1 - side] && outputShut[1 - side])) {
                        return sentUntracked(side, "urgent data towards a closed peer: listed difference");
                    }
                    String sent = outcome(() -> {
                        socket.sendUrgentData(v & 0xFF);
                        return null;
                    });
                    if (mode == LaunchMode.AGENT) {
                        // listed difference (sendUrgentData): the agent refuses it on MPTCP sockets, before the
                        // kernel is asked, so also where TCP fails otherwise (e.g. IOException: Broken pipe after
                        // shutdownOutput); TCP sends it out of band, which may change how the peer's reads split
                        // (not compared from here on)
                        notCompared[1 - side] = true;
                        return "urgent data: listed difference";
                    }
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
            boolean on = option.equals(OOB_INLINE_ON);
            String normalised = normalise(option, on ? null : KnownDifferences.Operation.SET, outcome);
            if (normalised.equals("listed difference")) {
                diverged.get(side).add(on ? "SO_OOBINLINE" : option);
            }
            return normalised;
        }

        /** The table's subject for turning SO_OOBINLINE on, which MPTCP refuses in both launch modes. */
        static final String OOB_INLINE_ON = "setOOBInline(true)";

        private static boolean oobInlineOn(String option, Object value) {
            return option.equals("SO_OOBINLINE") && Boolean.TRUE.equals(value);
        }

        /** Notes that bytes went towards the peer uncounted (closing it with them unread is a listed difference). */
        private String sentUntracked(int side, String outcome) {
            untracked[1 - side] = true;
            if (peerAborted[side]) {
                // listed difference (writes towards a closed peer): TCP's failing write takes the peer's reset with it,
                // so its later read sees the end of the stream; MPTCP's write succeeds and its read reports the reset
                notCompared[side] = true;
            }
            return outcome;
        }

        /**
         * How much a write towards a closed peer sends: at least a byte, at most 1 KiB, so that even 25 of them fit
         * in what a peer that shut down both ways (its socket still open, taking bytes in) buffers; the outcome does
         * not depend on the size.
         */
        private static int untrackedLength(Write w) {
            return Math.max(1, Math.min(w.length(), 1024));
        }

        /** Towards a peer that closed or shut down both ways, TCP fails the second write, MPTCP does not: listed. */
        private boolean towardsAClosedPeer(int side) {
            return closed[1 - side] || (inputShut[1 - side] && outputShut[1 - side]);
        }

        /** Whether the table lists {@code subject} as a difference for this launch mode and kind of socket. */
        private boolean listed(String subject) {
            for (KnownDifferences.Difference d : KnownDifferences.TABLE) {
                if (d.subject().equals(subject) && d.observed(mode) != null && d.kinds(mode).contains(setup.kind())) {
                    return true;
                }
            }
            return false;
        }

        /** The rest of the {@code java.net.Socket} API and its streams (see {@link StreamCall}). */
        private String stream(int side, Stream st) throws Exception {
            java.net.Socket s = socks[side];
            int v = st.value();
            switch (st.call()) {
                case AVAILABLE:
                    return available(side);
                case SKIP:
                    return skip(side, v);
                case READ_BYTE:
                    return readByte(side);
                case READ_ARRAY:
                    return readArray(side, v);
                case READ_ALL:
                    return readAll(side);
                case WRITE_BYTE:
                case WRITE_ARRAY:
                    if (towardsAClosedPeer(side)) {
                        outcome(() -> {
                            s.getOutputStream().write(0);
                            return null;
                        });
                        return sentUntracked(side, "stream write towards a closed peer: listed difference");
                    }
                    return st.call() == StreamCall.WRITE_BYTE ? writeByte(side) : writeArray(side, v);
                case FLUSH:
                    return "flush " + outcome(() -> {
                        s.getOutputStream().flush();
                        return null;
                    });
                case STATE:
                    return "connected " + s.isConnected() + ", bound " + s.isBound() + ", closed " + s.isClosed()
                            + ", input shut " + s.isInputShutdown() + ", output shut " + s.isOutputShutdown();
                case STREAMS:
                    return "input " + outcome(() -> {
                        s.getInputStream();
                        return null;
                    }) + ", output " + outcome(() -> {
                        s.getOutputStream();
                        return null;
                    });
                case GETTERS:
                    return getters(side);
                case SOCKET_SHUTDOWN_INPUT:
                    return "socket " + shutdown(side, false, () -> {
                        s.shutdownInput();
                        return null;
                    });
                default:
                    return "socket " + shutdown(side, true, () -> {
                        s.shutdownOutput();
                        return null;
                    });
            }
        }

        /**
         * {@code getInputStream().available()}, awaited until it shows what the model says has arrived (the bytes
         * in flight; at most 64 KiB, beyond which the buffers' sizes, not the API, decide); an MPTCP peer's end of
         * stream counted as a byte is a listed difference in the launch modes that leave it.
         */
        private String available(int side) {
            java.net.Socket s = socks[side];
            if (inputShut[side]) {
                return "available after shutdownInput: " + outcome(() -> s.getInputStream().available());
            }
            long expected = inFlight[side];
            if (expected > 64 * 1024) {
                return "available: more than 64 KiB in flight (skipped)";
            }
            if (peerAborted[side] && listed("InputStream.available() after the peer's abortive close")) {
                outcome(() -> s.getInputStream().available());
                return "available after the peer's abortive close: listed difference";
            }
            if (eof[side] && (listed("InputStream.available() at the peer's end of stream")
                    || listed("InputStream.available() with data and the peer's end of stream"))) {
                outcome(() -> s.getInputStream().available());
                return "available at the peer's end of stream: listed difference";
            }
            long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(2);
            String o;
            do {
                o = outcome(() -> s.getInputStream().available());
            } while (!o.equals("ok " + expected) && o.startsWith("ok") && System.nanoTime() < deadline);
            if (receiveBufferSet[side] && expected > 0 && o.startsWith("ok ")) {
                // a receive buffer the application sized (down to the kernel's minimum) holds what it can, and the
                // kernel accounts TCP's and MPTCP's buffers differently (SO_RCVBUF=0: 1152 vs 552 bytes readable of
                // 4688 sent, CI stop 25): compared is that some of the bytes and no more than were sent are there
                long n = Long.parseLong(o.substring(3));
                return "available with the receive buffer set: "
                        + (n > 0 && n <= expected ? "some of the bytes in flight" : "ok " + n + " of " + expected);
            }
            return "available " + o;
        }

        /** {@code skip} of up to {@code wanted} bytes the model says are there (repeated: one skip may skip less). */
        private String skip(int side, int wanted) {
            InputStream in;
            try {
                in = socks[side].getInputStream();
            } catch (IOException | RuntimeException e) {
                return "skip: " + e.getClass().getName();
            }
            if (inputShut[side] || (inFlight[side] == 0 && eof[side])) {
                return "skip at the end: " + outcome(() -> in.skip(wanted));
            }
            long n = Math.min(wanted, inFlight[side]);
            if (n == 0) {
                return "skip: nothing to skip (skipped)";
            }
            long total = 0;
            try {
                while (total < n) {
                    long k = in.skip(n - total);
                    if (k <= 0) {
                        break;
                    }
                    total += k;
                }
            } catch (IOException | RuntimeException e) {
                return "skip: " + e.getClass().getName();
            }
            readPos[side] += total;
            inFlight[side] -= total;
            return "skipped " + total;
        }

        private String readByte(int side) {
            if (!inputShut[side] && inFlight[side] == 0 && !eof[side]) {
                return "read(): nothing to read (skipped)";
            }
            int b;
            try {
                b = socks[side].getInputStream().read();
            } catch (IOException | RuntimeException e) {
                return "read(): " + e.getClass().getName();
            }
            String corrupt = b < 0 ? null : consume(side, new byte[] {(byte) b}, 0, 1);
            if (corrupt != null) {
                return "read(): " + corrupt;
            }
            return "read() " + (b < 0 ? "-1" : "a byte");
        }

        /** {@code read(byte[], 1, n)} until the model's bytes arrived (how many per call is timing). */
        private String readArray(int side, int wanted) {
            long n = inputShut[side] ? 0 : Math.min(wanted, inFlight[side]);
            boolean atEnd = inputShut[side] || (inFlight[side] == 0 && eof[side]);
            if (n == 0 && !atEnd) {
                return "read(byte[]): nothing to read (skipped)";
            }
            byte[] buf = new byte[(int) n + 2];
            int got = 0;
            int last;
            try {
                do {
                    last = socks[side].getInputStream().read(buf, 1 + got, Math.max(0, (int) n - got));
                    if (last > 0) {
                        got += last;
                    }
                } while (got < n && last > 0);
                if (n == 0) {
                    last = socks[side].getInputStream().read(buf, 1, 1);
                }
            } catch (IOException | RuntimeException e) {
                return "read(byte[]): " + e.getClass().getName();
            }
            String corrupt = consume(side, buf, 1, got);
            if (corrupt != null) {
                return "read(byte[]): " + corrupt;
            }
            return "read(byte[]) " + got + (n == 0 ? ", then " + last : "");
        }

        /** {@code readAllBytes()}: only where the model says the end of stream will come. */
        private String readAll(int side) {
            if (!inputShut[side] && !eof[side]) {
                return "readAllBytes: would block (skipped)";
            }
            byte[] got;
            try {
                got = socks[side].getInputStream().readAllBytes();
            } catch (IOException | RuntimeException e) {
                return "readAllBytes: " + e.getClass().getName();
            }
            String corrupt = consume(side, got, 0, got.length);
            if (corrupt != null) {
                return "readAllBytes: " + corrupt;
            }
            return "readAllBytes " + got.length;
        }

        private String writeByte(int side) {
            int to = 1 - side;
            String skipped = overfills(side, 1);
            if (skipped != null) {
                return "write(int) " + skipped;
            }
            byte b = streamByte(to, writePos(to));
            String o = outcome(() -> {
                socks[side].getOutputStream().write(b);
                return null;
            });
            if (o.equals("ok")) {
                inFlight[to]++;
            }
            return "write(int) " + o;
        }

        /** {@code write(byte[], 1, n)}: an offset into a larger array. */
        private String writeArray(int side, int n) {
            int to = 1 - side;
            String skipped = overfills(side, n);
            if (skipped != null) {
                return "write(byte[], 1, " + n + ") " + skipped;
            }
            byte[] data = next(to, n, 1);
            String o = outcome(() -> {
                socks[side].getOutputStream().write(data, 1, n);
                return null;
            });
            if (o.equals("ok")) {
                inFlight[to] += n;
            }
            return "write(byte[], 1, " + n + ") " + o;
        }

        /** The getters of {@code java.net.Socket}; an option whose value diverged after a listed difference is left. */
        private String getters(int side) {
            java.net.Socket s = socks[side];
            java.util.Set<String> gone = diverged.get(side);
            StringBuilder sb = new StringBuilder();
            sb.append("tcpNoDelay ").append(gone.contains("TCP_NODELAY") ? "-" : outcome(s::getTcpNoDelay));
            sb.append(", keepAlive ").append(gone.contains("SO_KEEPALIVE") ? "-" : outcome(s::getKeepAlive));
            sb.append(", soLinger ").append(gone.contains("SO_LINGER") ? "-" : outcome(s::getSoLinger));
            sb.append(", oobInline ").append(gone.contains("SO_OOBINLINE") ? "-" : outcome(s::getOOBInline));
            sb.append(", reuseAddress ").append(gone.contains("SO_REUSEADDR") ? "-" : outcome(s::getReuseAddress));
            sb.append(", soTimeout ").append(outcome(s::getSoTimeout));
            sb.append(", trafficClass ").append(gone.contains("IP_TOS") ? "-"
                    : normalise("IP_TOS", KnownDifferences.Operation.GET, outcome(s::getTrafficClass)));
            sb.append(", inetAddress ").append(outcome(s::getInetAddress));
            return sb.toString();
        }

        /** {@code socket().getOutputStream().write}: only in blocking mode (else IllegalBlockingModeException). */
        private String streamWrite(int side, int length) {
            int to = 1 - side;
            String skipped = overfills(side, length);
            if (skipped != null) {
                return "stream write " + length + ": " + skipped;
            }
            byte[] data = next(to, length, 0);
            String o = outcome(() -> {
                socks[side].getOutputStream().write(data);
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
                got[0] = socks[side].getInputStream().readNBytes((int) n);
                return null;
            });
            if (!o.equals("ok")) {
                return "stream read: " + o;
            }
            String corrupt = consume(side, got[0], 0, got[0].length);
            if (corrupt != null) {
                return "stream read: " + corrupt;
            }
            return "stream read " + got[0].length;
        }

        /** The socket adaptor's SO_TIMEOUT on a blocking read with nothing to read. */
        private String soTimeoutRead(int side, Timeout t) {
            if (inFlight[side] > 0 || eof[side] || inputShut[side]) {
                return "data or EOF pending (skipped)";
            }
            return outcome(() -> {
                socks[side].setSoTimeout(t.millis());
                return socks[side].getInputStream().read();
            });
        }

        /**
         * A close of side {@code side} is abortive when its {@code SO_LINGER} is on with 0 seconds, however it got
         * there: {@link End} 0, a random option set before the connect or later, the adaptor's {@code setSoLinger}.
         * The peer then sees an MPTCP fastclose where TCP sends a reset (listed differences).
         */
        private boolean noteAbortiveClose(int side) {
            Integer linger;
            try {
                linger = channels() ? ends[side].getOption(java.net.StandardSocketOptions.SO_LINGER)
                        : socks[side].getSoLinger();
            } catch (IOException e) {
                return false; // already closed: this close is not the one that ends the connection
            }
            if (linger != 0) {
                return false;
            }
            if (outputShut[side]) {
                // listed difference: after its FIN, an abortive close - TCP's peer reads the EOF, MPTCP's a reset
                notCompared[1 - side] = true;
            }
            if (receiveBufferSet[1 - side] && (inFlight[1 - side] > 0 || untracked[1 - side])
                    && listed(KnownDifferences.SMALL_WINDOW_ABORT)) {
                // listed difference: towards a reader that sized its receive buffer, MPTCP's window may have taken
                // part of the bytes, and on Linux 6.18 the fastclose behind them never reaches it (no reset, no end
                // of stream; CI, seed 37543859013515: 644 bytes written, 552 read, then nothing). Wider than the
                // table's canonical form (a buffer set before the connect, more bytes than the window holds): how
                // many bytes a window takes is the kernel's accounting
                notCompared[1 - side] = true;
            }
            peerAborted[1 - side] = true;
            return true;
        }

        /**
         * The model has the peer's next operation see the reset, so the reset must have arrived: once a read right
         * after an MPTCP fastclose threw an IOException where TCP's threw Connection reset (under the agent, seed
         * 62437968529428; not reproduced in 1,300 runs of that case since, on an idle or a loaded machine). Both
         * worlds wait alike.
         */
        private static void letTheResetArrive() throws InterruptedException {
            Thread.sleep(20);
        }

        /** Another thread closes the channel (or socket) while this one is blocked in read. */
        private String closeDuringBlockedRead(int side) throws Exception {
            SocketChannel ch = ends[side];
            if ((channels() && !ch.isBlocking()) || inFlight[side] > 0 || eof[side] || inputShut[side]) {
                return "would not block (skipped)";
            }
            boolean abortive = noteAbortiveClose(side);
            java.io.Closeable target = channels() ? ch : socks[side];
            Thread closer = new Thread(() -> {
                try {
                    Thread.sleep(100);
                    target.close();
                } catch (Exception e) {
                    throw new IllegalStateException(e);
                }
            });
            closer.start();
            String o = outcome(() -> channels() ? ch.read(ByteBuffer.allocate(10))
                    : socks[side].getInputStream().read(new byte[10]));
            closer.join(TimeUnit.SECONDS.toMillis(5));
            closed[side] = true;
            eof[1 - side] = true;
            if (abortive) {
                letTheResetArrive();
            }
            return o;
        }

        @Override
        public void close() throws IOException {
            for (SocketChannel ch : ends) {
                if (ch != null) {
                    ch.close();
                }
            }
            if (!channels()) {
                for (java.net.Socket s : socks) {
                    if (s != null) {
                        s.close();
                    }
                }
            }
            if (serverSocket != null) {
                serverSocket.close();
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
            // setOption returns the channel or socket itself, whose text names ports that differ between the worlds
            return r == null || r instanceof java.nio.channels.Channel || r instanceof java.net.Socket ? "ok"
                    : "ok " + r;
        } catch (Exception e) {
            return e.getClass().getName();
        }
    }
}
