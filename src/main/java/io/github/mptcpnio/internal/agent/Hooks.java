package io.github.mptcpnio.internal.agent;

import io.github.mptcpnio.Unavailability;
import io.github.mptcpnio.internal.Announcement;
import io.github.mptcpnio.internal.Availability;
import io.github.mptcpnio.internal.Counters;
import io.github.mptcpnio.internal.Errors;
import io.github.mptcpnio.internal.Fallback;
import io.github.mptcpnio.internal.Settings;
import io.github.mptcpnio.internal.SocketKind;
import io.github.mptcpnio.internal.linux.Linux;
import io.github.mptcpnio.internal.linux.NativeCallException;
import io.github.mptcpnio.internal.linux.ProtocolSwitch;
import io.github.mptcpnio.internal.linux.Sockets;
import io.github.mptcpnio.internal.rules.Rules;

import java.io.FileDescriptor;
import java.lang.System.Logger.Level;
import java.lang.invoke.MethodHandle;
import java.lang.invoke.MethodHandles;
import java.lang.invoke.MethodType;
import java.net.InetAddress;
import java.net.ProtocolFamily;
import java.net.SocketException;
import java.net.SocketOption;
import java.util.Optional;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.function.BiPredicate;
import java.util.function.Consumer;
import java.util.function.IntBinaryOperator;
import java.util.function.IntUnaryOperator;
import java.util.function.LongBinaryOperator;
import java.util.function.ObjIntConsumer;
import java.util.function.ObjLongConsumer;
import java.util.function.ToIntBiFunction;

/**
 * The agent's hooks, called from inside the JDK and Netty where their TCP sockets are born, connect and bind, and where
 * MPTCP-only failures would reach an unmodified application (the class rewriting that calls them is
 * {@link JdkRewriter} and {@link NettyRewriter}; the rules they ask are {@code internal.rules}).
 *
 * <ul>
 *   <li>{@link #creation()}, {@link #nettyCreation}: the JDK's own {@code socket0} (Netty's own native) creates the
 *       socket, TCP as without the agent; it is recorded in the {@link SocketTable}.</li>
 *   <li>{@link #decision(boolean)}, {@link #nettyDecision}: at a client's connect and a listener's bind the rules
 *       decide; a socket they want MPTCP is switched under the same descriptor with what the application set
 *       ({@link io.github.mptcpnio.internal.linux.ProtocolSwitch}); when MPTCP is unavailable or refused it stays
 *       TCP: fallback counted, reason in the one line, an exception in strict mode (docs/adr/0009).</li>
 *   <li>{@link #nettyEpoll()}: Netty's epoll registrations of undecided sockets, made again after a switch.</li>
 *   <li>{@link #oobInline()}: {@code setOOBInline(false)} / {@code SO_OOBINLINE=false} asks for the default; on an
 *       MPTCP socket, whose kernel refuses the option, it succeeds without a system call.</li>
 *   <li>{@link #urgentData()}: urgent data on an MPTCP socket (fallen back or not) would reach the peer in-band, as a
 *       byte of the stream; it throws a {@link SocketException} naming MPTCP instead.</li>
 *   <li>{@link #available()}: once the peer's end of stream has arrived, the kernel's readable-byte count of an
 *       MPTCP socket counts it as one more byte ({@code mptcp_inq_hint()}: 1 where nothing is left); the count
 *       {@code InputStream.available()} of a {@code java.net.Socket} or a socket adaptor answers is the data alone,
 *       as on TCP ({@link Sockets#readable}).</li>
 *   <li>{@link #nettyUserTimeout}: {@code TCP_USER_TIMEOUT}, which the kernel refuses on MPTCP sockets, succeeding
 *       with one WARNING (docs/adr/0008).</li>
 * </ul>
 */
public final class Hooks {
    private final Settings settings;
    /** WARNINGs found while a class was being loaded, written at the next socket creation, outside class loading. */
    private final ConcurrentLinkedQueue<String> warnings = new ConcurrentLinkedQueue<>();

    private final Rules rules;
    private final SocketTable table = SocketTable.instance();

    public Hooks(Settings settings, Rules rules) {
        this.settings = settings;
        this.rules = rules;
        table.rules(rules);
    }

    /** The rules in force, for the operators' views. */
    public Rules rules() {
        return rules;
    }

    /** Queues a WARNING line for the next socket creation. */
    public void warnLater(String line) {
        warnings.add(line);
    }

    /**
     * Queues a WARNING line and has a short-lived daemon thread write it now: for what is found while a class loads
     * and may never be followed by a socket creation that would write it (a Netty copy left untouched). Not written
     * on the loading thread, which holds class-loading locks a logging framework may need.
     */
    public void warnSoon(String line) {
        warnings.add(line);
        Thread writer = new Thread(new Runnable() {
            @Override
            public void run() {
                writeWarnings();
            }
        }, "mptcp-nio-warning");
        writer.setDaemon(true);
        writer.start();
    }

    private void writeWarnings() {
        for (String w; (w = warnings.poll()) != null; ) {
            Announcement.logger().log(Level.WARNING, w);
        }
    }

    /**
     * {@code IOUtil.fdVal(FileDescriptor)}: int, for the hooks that are given a JDK {@code FileDescriptor}. A constant
     * (a static final of a class initialised at its first use), so that the JIT calls the JDK's method directly where
     * a handle held in a field is called through {@code MethodHandle.invokeBasic}.
     */
    private static final class JdkFdVal {
        static final MethodHandle FD_VAL;

        static {
            try {
                Class<?> ioUtil = Class.forName("sun.nio.ch.IOUtil", false, null);
                FD_VAL = MethodHandles.privateLookupIn(ioUtil, MethodHandles.lookup())
                        .findStatic(ioUtil, "fdVal", MethodType.methodType(int.class,
                                FileDescriptor.class));
            } catch (ReflectiveOperationException e) {
                throw new ExceptionInInitializerError(e);
            }
        }
    }

    private static int fdVal(Object fileDescriptor) {
        try {
            return (int) JdkFdVal.FD_VAL.invokeExact((FileDescriptor) fileDescriptor);
        } catch (Throwable t) {
            throw Sneaky.<RuntimeException>rethrow(t);
        }
    }

    /**
     * The hook the rewritten {@code Net} calls before its own {@code socket0}: {@link #born()} after it. See
     * {@link Creation}.
     */
    public IntUnaryOperator creation() {
        return new Creation();
    }

    /** The hook the rewritten {@code Net} calls after its own {@code socket0}, with the descriptor. */
    public IntBinaryOperator born() {
        return new Born();
    }

    public BiPredicate<Object, Object> oobInline() {
        return new OobInline();
    }

    public Consumer<Object> urgentData() {
        return new UrgentData();
    }

    public ToIntBiFunction<Object, Object> available() {
        return new Available();
    }

    /**
     * The families the rewritten {@code NioSocketImpl} ({@code java.net}) and asynchronous channels pass to
     * {@code Net.socket(family, ...)} where the JDK passes its {@code UNSPEC}: {@code Net} compares a family with
     * {@code INET} only, so the socket is the same, and the hooks class's {@code socket(family, flags)} turns the
     * family into the kind code {@link Creation} reads (see {@code JdkRewriter}).
     */
    static final ProtocolFamily JAVA_NET_FAMILY = new MarkerFamily();
    static final ProtocolFamily ASYNCHRONOUS_FAMILY = new MarkerFamily();

    /** Named as the JDK's {@code UNSPEC}, whose place it takes. */
    private static final class MarkerFamily implements ProtocolFamily {
        @Override
        public String name() {
            return "UNSPEC";
        }
    }

    /**
     * False once a class that carries kind markers could not be rewritten: an unmarked request may then be any kind's,
     * not only a channel's.
     */
    private volatile boolean unmarkedIsChannel = true;

    /** A marked class was left alone (unknown shape): unmarked requests are of unknown kind from now on. */
    public void kindsUnknown() {
        unmarkedIsChannel = false;
    }

    /**
     * The kind for a marker code (0: none), by role. The channel classes carry no marker (see
     * {@code JdkRewriter.REWRITTEN}): an unmarked request is a channel's while every marked class is rewritten.
     */
    private SocketKind kind(int code, boolean listener) {
        return SocketKind.of(code == 0 && unmarkedIsChannel ? SocketKind.CHANNEL : code, listener);
    }

    /** Bits of the flags {@link Creation} returns above the four of {@code socket0}: recorded, and the kind. */
    private static final int RECORD = 1 << 4;
    private static final int KIND_SHIFT = JdkRewriter.KIND_CODE_SHIFT;
    private static final SocketKind[] KINDS = SocketKind.values();

    /**
     * Flags as packed by the rewritten {@code Net}: bit 0 preferIPv6, 1 stream, 2 reuse (listener), 3 fastLoopback,
     * and from bit 5 the kind code its caller's family marks (0: none). Before the JDK's own {@code socket0} (called
     * by the rewritten {@code Net} itself, directly, as without the agent): pending WARNINGs are written, the one line
     * announced. The four flags are returned with what {@link Born} needs after the call: whether to record the
     * socket, and its kind.
     */
    private final class Creation implements IntUnaryOperator {
        @Override
        public int applyAsInt(int flags) {
            if (!warnings.isEmpty()) {
                writeWarnings();
            }
            if ((flags & 2) == 0) {
                return flags; // not a stream socket
            }
            if (settings.mode() == Settings.Mode.OFF) {
                return flags;
            }
            announce();
            SocketKind kind = kind(flags >>> KIND_SHIFT, (flags & 4) != 0);
            return flags & 0xF | RECORD | kind.ordinal() << KIND_SHIFT;
        }
    }

    /**
     * {@code applyAsInt(flags, fd)} after the JDK's own {@code socket0} created {@code fd}, TCP as without the agent,
     * with the flags {@link Creation} returned: a TCP socket is recorded in the {@link SocketTable} with its role,
     * domain and kind, for the rules to decide at its connect or bind.
     */
    private final class Born implements IntBinaryOperator {
        @Override
        public int applyAsInt(int flags, int fd) {
            if ((flags & RECORD) != 0) {
                table.born(fd, KINDS[flags >>> KIND_SHIFT], (flags & 1) != 0, false);
            } else if ((flags & 2) == 0) {
                table.forget(fd);
            }
            return fd;
        }
    }

    /**
     * The one line, at the JVM's first TCP socket, on that socket's thread (never lost), without waiting for the
     * native binding where the kernel's sysctl answers: the socket is born TCP whatever the rules say.
     */
    private void announce() {
        try {
            Fallback.announcedWithoutWaiting(settings);
        } catch (SocketException outOfDescriptors) {
            throw Sneaky.<RuntimeException>rethrow(outOfDescriptors);
        }
    }

    /**
     * The hook at {@code Net.connect} ({@code connect}) or {@code Net.bind} (not):
     * {@code accept(address, (long) fd << 32 | port)}, the descriptor number read by the rewritten {@code Net} itself.
     * A TCP socket born under the agent is decided there by the rules — a client at its connect, a listener at its
     * bind — and switched to MPTCP (or back) under the same descriptor number before the system call.
     */
    public ObjLongConsumer<Object> decision(boolean connect) {
        return new JdkDecision(connect);
    }

    private final class JdkDecision implements ObjLongConsumer<Object> {
        private final boolean connect;

        JdkDecision(boolean connect) {
            this.connect = connect;
        }

        @Override
        public void accept(Object address, long fdAndPort) {
            int fd = (int) (fdAndPort >>> 32);
            if (!connect) {
                table.mark(fd, SocketTable.BOUND); // a client's bind: its address is carried at its connect
            }
            decide(fd, !connect, (InetAddress) address, (int) fdAndPort, JDK_FAILURES);
        }
    }

    /**
     * Decides the socket {@code fd} if the table knows it as a TCP socket of that role: counts the rule, and switches
     * the protocol where the rule says the other one. {@code failures} surfaces strict mode and exhaustion.
     */
    boolean decide(int fd, boolean listener, InetAddress address, int port, Failures failures) {
        int state = table.get(fd);
        if (!SocketTable.known(state) || SocketTable.listener(state) != listener) {
            return false;
        }
        int decision = rules.decide(listener, address, port);
        boolean want = rules.mptcp(decision);
        boolean now = SocketTable.mptcp(state);
        boolean switched = want != now && switchProtocol(fd, state, want, failures);
        table.set(fd, SocketTable.decided(state, decision, switched ? want : now), port);
        return switched;
    }

    /** Switches the protocol of the unconnected socket {@code fd}; false when it stays as it is. */
    private boolean switchProtocol(int fd, int state, boolean mptcp, Failures failures) {
        SocketKind kind = SocketTable.kind(state);
        if (mptcp) {
            Optional<Unavailability> unavailable;
            try {
                unavailable = Fallback.announcedAvailability(settings);
            } catch (SocketException outOfDescriptors) {
                throw Sneaky.<RuntimeException>rethrow(outOfDescriptors);
            }
            if (unavailable.isPresent()) {
                orStrictFailure(Fallback.unavailable(settings, unavailable.get(), kind), failures);
                return false;
            }
        }
        try {
            // Netty's TCP_USER_TIMEOUT, refused by MPTCP, is left behind as its setter's hook does (nettyUserTimeout)
            ProtocolSwitch.Outcome outcome = Availability.sockets().switchTo(fd, SocketTable.inet6(state), mptcp,
                    kind.netty() ? "TCP_USER_TIMEOUT" : null, SocketTable.optionsSet(state),
                    SocketTable.bound(state) || kind.netty());
            if (outcome.switched()) {
                if (mptcp) {
                    Counters.upgraded(kind);
                }
                if (outcome.droppedValue() >= 0) {
                    userTimeoutIgnored(outcome.droppedValue());
                }
                return true;
            }
            Announcement.logger().log(Level.DEBUG, () -> "fd " + fd + " stays " + (mptcp ? "TCP" : "MPTCP")
                    + ": the application set " + outcome.refusedOption());
            if (mptcp) {
                orStrictFailure(Fallback.optionRefused(settings, outcome.refusedOption(), kind), failures);
            }
            return false;
        } catch (NativeCallException e) {
            if (Errors.isResourceExhaustion(e.errno())) {
                failures.exhausted(e);
                return false;
            }
            if (e.call().startsWith("bind(")) { // switched, but its bound address could not be bound again
                throw Sneaky.<RuntimeException>rethrow(Errors.exception(e, "re-binding the socket's local address "
                        + "after it became " + (mptcp ? "MPTCP" : "TCP") + " (mptcp-nio agent)"));
            }
            Announcement.logger().log(Level.DEBUG, () -> "fd " + fd + " stays " + (mptcp ? "TCP" : "MPTCP") + ": "
                    + e.getMessage());
            if (mptcp) {
                orStrictFailure(Fallback.refused(settings, e, kind), failures);
            }
            return false;
        }
    }

    /** How a creation that cannot give an MPTCP socket surfaces, in the terms of the code that asked. */
    private interface Failures {
        /** Strict mode: the exception to throw for {@code reason}. */
        RuntimeException strict(SocketException reason);

        /** Out of descriptors or memory: the value to return, or an exception thrown. */
        int exhausted(NativeCallException e);
    }

    /** The JDK's: its own {@code SocketException}s, thrown from code that declares them. */
    private static final Failures JDK_FAILURES = new Failures() {
        @Override
        public RuntimeException strict(SocketException reason) {
            throw Sneaky.<RuntimeException>rethrow(reason);
        }

        @Override
        public int exhausted(NativeCallException e) {
            throw Sneaky.<RuntimeException>rethrow(Errors.exception(e, null));
        }
    };

    /** Nothing; or, in strict mode, the exception thrown in the caller's terms. */
    private static int orStrictFailure(Optional<SocketException> strict, Failures failures) {
        if (strict.isPresent()) {
            throw failures.strict(strict.get());
        }
        return -1;
    }

    /**
     * What the agent's package finds in one copy of Netty (its own package or a relocated one), at the first socket
     * that copy creates.
     */
    public interface NettyMethods {
        /** That copy's {@code ChannelException(message, cause)}: what Netty throws when it cannot create a socket. */
        RuntimeException channelException(String message, SocketException cause);

        /** The native {@code setTcpUserTimeout(int fd, int milliseconds)} of a {@code LinuxSocket} class. */
        MethodHandle setTcpUserTimeout(Class<?> linuxSocket) throws ReflectiveOperationException;
    }

    /**
     * The hook for one copy of Netty, called instead of the native {@code setTcpUserTimeout(fd, milliseconds)} of its
     * {@code LinuxSocket} classes (epoll, io_uring), which gRPC calls on every client channel with keep-alive. On a
     * TCP socket, Netty's own native call runs. On an MPTCP socket the option is set directly; where the kernel does
     * not implement it for MPTCP ({@code ENOPROTOOPT}, Linux 6.18), the call succeeds without effect and one WARNING
     * per JVM says so: the alternative, Netty's {@code ChannelException}, makes gRPC fail the whole channel
     * ("Panic!"). Any other error is Netty's own, from its native call.
     */
    public IntBinaryOperator nettyUserTimeout(NettyMethods netty) {
        return new NettyUserTimeout(netty);
    }

    private final class NettyUserTimeout implements IntBinaryOperator {
        private final NettyMethods netty;
        private final StackWalker callers = StackWalker.getInstance(StackWalker.Option.RETAIN_CLASS_REFERENCE);
        private final java.util.concurrent.ConcurrentHashMap<Class<?>, MethodHandle> natives =
                new java.util.concurrent.ConcurrentHashMap<>();

        NettyUserTimeout(NettyMethods netty) {
            this.netty = netty;
        }

        @Override
        public int applyAsInt(int fd, int milliseconds) {
            Optional<Sockets> sockets = Sockets.instance();
            try {
                if (sockets.isPresent() && sockets.get().protocol(fd) == Linux.IPPROTO_MPTCP) {
                    sockets.get().setTcpUserTimeout(fd, milliseconds);
                    return 0;
                }
            } catch (NativeCallException e) {
                if (e.errno() == Linux.ENOPROTOOPT) {
                    userTimeoutIgnored(milliseconds);
                    return 0;
                }
                // another error: Netty's own call reports it, in Netty's terms
            }
            Class<?> caller = callers.getCallerClass();
            try {
                MethodHandle own = natives.get(caller);
                if (own == null) {
                    own = netty.setTcpUserTimeout(caller);
                    natives.put(caller, own);
                }
                own.invokeExact(fd, milliseconds);
                return 0;
            } catch (Throwable t) {
                throw Sneaky.<RuntimeException>rethrow(t);
            }
        }
    }

    private final java.util.concurrent.atomic.AtomicBoolean userTimeoutWarned =
            new java.util.concurrent.atomic.AtomicBoolean();

    private void userTimeoutIgnored(int milliseconds) {
        Counters.userTimeoutIgnored();
        if (userTimeoutWarned.compareAndSet(false, true)) {
            Announcement.logger().log(Level.WARNING, "mptcp-nio agent: TCP_USER_TIMEOUT=" + milliseconds + " ms is "
                    + "not applied to MPTCP sockets: this kernel does not implement it for MPTCP (ENOPROTOOPT); "
                    + "Netty's setTcpUserTimeout succeeds without effect, and a timeout set before the connect is left "
                    + "behind when a rule makes the socket MPTCP, so that callers such as gRPC's keep-alive "
                    + "keep working (dead peers are still found by keep-alive and the application's own timeouts). "
                    + "Keep those clients on TCP with a rule (" + Rules.PROPERTY + "=\"client ADDRESS tcp\") or "
                    + Settings.MODE_PROPERTY + "=server where the timeout is needed. "
                    + "Said once per JVM; the JMX attribute UserTimeoutsNotApplied counts every such call.");
        }
    }

    /**
     * The hooks around Netty's native {@code newSocketStreamFd(ipv6)} (any copy of Netty): before it, with the flag as
     * an int, returning it with {@link #RECORD} where the socket is to be recorded; after it, with those flags and
     * what Netty's own native call returned (the descriptor of a TCP socket, as without the agent, or -errno),
     * recording the socket in the {@link SocketTable} for the rules to decide at its connect or bind
     * ({@link #nettyDecision}).
     */
    public IntUnaryOperator nettyCreation() {
        return new NettyCreation();
    }

    /** See {@link #nettyCreation()}. */
    public IntBinaryOperator nettyBorn() {
        return new NettyBorn();
    }

    private final class NettyCreation implements IntUnaryOperator {
        @Override
        public int applyAsInt(int ipv6) {
            if (!warnings.isEmpty()) {
                writeWarnings();
            }
            if (settings.mode() == Settings.Mode.OFF) {
                return ipv6;
            }
            announce();
            return ipv6 | RECORD;
        }
    }

    private final class NettyBorn implements IntBinaryOperator {
        @Override
        public int applyAsInt(int flags, int fd) {
            if ((flags & RECORD) != 0 && fd >= 0) {
                // the role is known at bind: a Netty client that binds first is recorded as a listener by then
                table.born(fd, NETTY_CLIENT, (flags & 1) != 0, false);
                table.mark(fd, SocketTable.OPTIONS_SET); // Netty sets its options in its own native code
            }
            return fd;
        }
    }

    private static final SocketKind NETTY_CLIENT = SocketKind.of(SocketKind.NETTY, false);

    /**
     * The hook for one copy of Netty at the start of {@code channel.unix.Socket.connect(SocketAddress)} and
     * {@code bind(SocketAddress)}, and of io_uring's connect submission: {@code accept(address, fd)}. A client is
     * decided at its connect; a socket bound by a {@code …ServerSocketChannel} (a stack walk of at most 12 frames, at
     * bind only) is a listener, decided at its bind; a client that binds first is decided at its connect.
     */
    public ObjIntConsumer<Object> nettyDecision(NettyMethods netty, boolean connect) {
        return new NettyDecision(netty, connect);
    }

    private final class NettyDecision implements ObjIntConsumer<Object>, Failures {
        private final NettyMethods netty;
        private final boolean connect;

        NettyDecision(NettyMethods netty, boolean connect) {
            this.netty = netty;
            this.connect = connect;
        }

        @Override
        public void accept(Object address, int fd) {
            if (!(address instanceof java.net.InetSocketAddress)) {
                return; // a UNIX domain socket address
            }
            int state = table.get(fd);
            if (!SocketTable.known(state) || !SocketTable.kind(state).netty()) {
                return;
            }
            boolean listener = !connect && NettyRole.listener();
            if (listener && !SocketTable.listener(state)) {
                table.set(fd, SocketTable.asListener(state));
            } else if (!connect) {
                return; // a client's bind: decided at its connect
            }
            java.net.InetSocketAddress a = (java.net.InetSocketAddress) address;
            if (decide(fd, listener, a.getAddress(), a.getPort(), this)) {
                registerAgain(fd);
            }
        }

        /** The switch dropped the socket from Netty's epoll instance (its old file is closed): registered again. */
        private void registerAgain(int fd) {
            long registration = table.epollRegistration(fd);
            if (registration == 0) {
                return; // io_uring, or not registered yet
            }
            try {
                Availability.sockets().epollAdd((int) (registration >>> 32), fd, (int) registration);
            } catch (NativeCallException e) {
                throw Sneaky.<RuntimeException>rethrow(Errors.exception(e, "registering the socket with Netty's "
                        + "epoll instance again after it became MPTCP (mptcp-nio agent)"));
            }
        }

        @Override
        public RuntimeException strict(SocketException reason) {
            return netty.channelException("newSocketStream(..) failed: " + reason.getMessage(), reason);
        }

        @Override
        public int exhausted(NativeCallException e) {
            throw Sneaky.<RuntimeException>rethrow(Errors.exception(e, null));
        }
    }

    /**
     * The hook at the start of Netty's {@code epoll.Native.epollCtlAdd/epollCtlMod(efd, fd, events)}, as
     * {@code applyAsLong(efd << 32 | fd, events)}: for a socket not decided yet, the registration is recorded, to be
     * made again after a switch ({@link SocketTable#epollRegistration}). One table read otherwise.
     */
    public LongBinaryOperator nettyEpoll() {
        return new NettyEpoll();
    }

    private final class NettyEpoll implements LongBinaryOperator {
        @Override
        public long applyAsLong(long efdAndFd, long events) {
            int fd = (int) efdAndFd;
            int state = table.get(fd);
            if (SocketTable.known(state) && SocketTable.decision(state) < 0) {
                table.epollRegistered(fd, (int) (efdAndFd >>> 32), (int) events);
            }
            return 0;
        }
    }

    /**
     * Whether the Netty socket being created is a listener's: a class whose name ends in {@code ServerSocketChannel}
     * ({@code EpollServerSocketChannel}, {@code IoUringServerSocketChannel}, their relocated copies) is among the
     * creating frames (Netty creates both roles' sockets through the same native call). A stack walk of at most
     * {@value #FRAMES} frames, a few microseconds, once per Netty socket.
     */
    static final class NettyRole {
        private NettyRole() {}

        static final int FRAMES = 12;
        private static final StackWalker WALKER = StackWalker.getInstance();
        /** A class, not a lambda: no lambda on the socket-creation path (a JVM's first costs milliseconds). */
        private static final java.util.function.Function<java.util.stream.Stream<StackWalker.StackFrame>, Boolean>
                FIND = new java.util.function.Function<java.util.stream.Stream<StackWalker.StackFrame>, Boolean>() {
                    @Override
                    public Boolean apply(java.util.stream.Stream<StackWalker.StackFrame> frames) {
                        java.util.Iterator<StackWalker.StackFrame> it = frames.limit(FRAMES).iterator();
                        while (it.hasNext()) {
                            if (it.next().getClassName().endsWith("ServerSocketChannel")) {
                                return Boolean.TRUE;
                            }
                        }
                        return Boolean.FALSE;
                    }
                };

        static boolean listener() {
            return WALKER.walk(FIND);
        }
    }

    /**
     * Every JDK option set passes {@code Net.setSocketOption}: the socket's entry remembers it, so that a switch reads
     * back and carries the options only of sockets that had any set.
     */
    private void markOptionSet(Object fileDescriptor) {
        if (settings.mode() == Settings.Mode.OFF || !(fileDescriptor instanceof FileDescriptor)) {
            return;
        }
        table.mark(fdVal(fileDescriptor), SocketTable.OPTIONS_SET);
    }

    /** Whether the socket behind a JDK {@code FileDescriptor} is an MPTCP socket; false when that cannot be told. */
    private boolean isMptcp(Object fileDescriptor) {
        return mptcpDescriptor(fileDescriptor) >= 0;
    }

    /** The descriptor number of the MPTCP socket behind a JDK {@code FileDescriptor}; -1 if it is none or unknown. */
    private int mptcpDescriptor(Object fileDescriptor) {
        Optional<Sockets> sockets = Sockets.instance();
        if (sockets.isEmpty() || !(fileDescriptor instanceof FileDescriptor)) {
            return -1;
        }
        try {
            int fd = fdVal(fileDescriptor);
            return fd >= 0 && sockets.get().protocol(fd) == Linux.IPPROTO_MPTCP ? fd : -1;
        } catch (NativeCallException e) {
            return -1; // a closed or odd descriptor: the JDK's own call reports it
        }
    }

    /**
     * {@code applyAsInt(fd, count)} after the JDK's {@code Net.available(fd)} returned {@code count}: the count an
     * application should see. A count of at least 1 on an MPTCP socket is looked at again: one system call more
     * while the peer has not shut down, two more after.
     */
    private final class Available implements ToIntBiFunction<Object, Object> {
        @Override
        public int applyAsInt(Object fileDescriptor, Object count) {
            int n = (Integer) count;
            if (n < 1) {
                return n;
            }
            int fd = mptcpDescriptor(fileDescriptor);
            if (fd < 0) {
                return n;
            }
            try {
                return Sockets.instance().orElseThrow().readable(fd, n);
            } catch (NativeCallException e) {
                return n; // the kernel's own answer
            }
        }
    }

    /** {@code test(fd, [option, value])}: true to skip setting it. */
    private final class OobInline implements BiPredicate<Object, Object> {
        @Override
        public boolean test(Object fd, Object nameAndValue) {
            Object[] nv = (Object[]) nameAndValue;
            if (Boolean.FALSE.equals(nv[1]) && nv[0] instanceof SocketOption
                    && "SO_OOBINLINE".equals(((SocketOption<?>) nv[0]).name()) && isMptcp(fd)) {
                return true;
            }
            markOptionSet(fd);
            return false;
        }
    }

    private final class UrgentData implements Consumer<Object> {
        @Override
        public void accept(Object fd) {
            if (isMptcp(fd)) {
                throw Sneaky.<RuntimeException>rethrow(new SocketException("Urgent data is not sent on MPTCP sockets: "
                        + "the kernel would deliver it in-band, as a byte of the stream (mptcp-nio agent; keep this "
                        + "side on TCP with " + Settings.MODE_PROPERTY + " to send urgent data)"));
            }
        }
    }

    /** Throws a checked exception from code whose signature cannot declare it (it is declared where it surfaces). */
    static final class Sneaky {
        private Sneaky() {}

        @SuppressWarnings("unchecked")
        static <T extends Throwable> RuntimeException rethrow(Throwable t) throws T {
            throw (T) t;
        }
    }
}
