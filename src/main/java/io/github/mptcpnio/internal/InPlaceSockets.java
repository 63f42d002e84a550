package io.github.mptcpnio.internal;

import io.github.mptcpnio.Unavailability;
import io.github.mptcpnio.internal.linux.Linux;
import io.github.mptcpnio.internal.linux.NativeCallException;
import io.github.mptcpnio.internal.linux.Sockets;

import java.io.FileDescriptor;
import java.lang.System.Logger.Level;
import java.lang.invoke.MethodHandle;
import java.net.SocketException;
import java.net.SocketOption;
import java.util.Optional;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.function.BiPredicate;
import java.util.function.Consumer;
import java.util.function.IntBinaryOperator;
import java.util.function.IntConsumer;
import java.util.function.IntUnaryOperator;
import java.util.function.ToIntBiFunction;

/**
 * The agent's policy, called from inside the JDK where its TCP sockets are born and where two MPTCP-only failures
 * would reach an unmodified application (the class rewriting that calls it is in {@code internal.agent}).
 *
 * <ul>
 *   <li>{@link #creation()}: instead of the JDK's {@code socket0}, within the mode, create the MPTCP socket in place
 *       with exactly the JDK's creation-time set-up ({@link Sockets#mptcpSocket}); otherwise, or when MPTCP is
 *       refused, the JDK's own {@code socket0} runs: fallback counted, reason in the one line, an exception in strict
 *       mode.</li>
 *   <li>{@link #oobInline()}: {@code setOOBInline(false)} / {@code SO_OOBINLINE=false} asks for the default; on an
 *       MPTCP socket, whose kernel refuses the option, it succeeds without a system call.</li>
 *   <li>{@link #urgentData()}: urgent data on an MPTCP socket (fallen back or not) would reach the peer in-band, as a
 *       byte of the stream; it throws a {@link SocketException} naming MPTCP instead.</li>
 *   <li>{@link #available()}: once the peer's end of stream has arrived, the kernel's readable-byte count of an
 *       MPTCP socket counts it as one more byte ({@code mptcp_inq_hint()}: 1 where nothing is left); the count
 *       {@code InputStream.available()} of a {@code java.net.Socket} or a socket adaptor answers is the data alone,
 *       as on TCP ({@link Sockets#readable}).</li>
 *   <li>{@link #nettyCreation}, {@link #nettyUserTimeout}: the same for Netty's native transports, in place of the
 *       native calls of each copy of Netty the agent rewrote (docs/adr/0008): its TCP sockets created as MPTCP by
 *       role, and {@code TCP_USER_TIMEOUT}, which the kernel refuses on MPTCP sockets, succeeding with one
 *       WARNING.</li>
 * </ul>
 */
public final class InPlaceSockets {
    /** The two JDK methods the hooks call, looked up at their first use (the agent's package knows where). */
    public interface JdkMethods {
        /** {@code Net.socket0(boolean preferIPv6, boolean stream, boolean reuse, boolean fastLoopback)}: int. */
        MethodHandle socket0() throws ReflectiveOperationException;

        /** {@code IOUtil.fdVal(FileDescriptor)}: int. */
        MethodHandle fdVal() throws ReflectiveOperationException;
    }

    private final Settings settings;
    private final JdkMethods jdk;
    private volatile MethodHandle jdkSocket0;
    private volatile MethodHandle fdVal;
    /** WARNINGs found while a class was being loaded, written at the next socket creation, outside class loading. */
    private final ConcurrentLinkedQueue<String> warnings = new ConcurrentLinkedQueue<>();

    public InPlaceSockets(Settings settings, JdkMethods jdk) {
        this.settings = settings;
        this.jdk = jdk;
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

    private MethodHandle socket0() throws ReflectiveOperationException {
        MethodHandle h = jdkSocket0;
        if (h == null) {
            jdkSocket0 = h = jdk.socket0();
        }
        return h;
    }

    private MethodHandle fdVal() throws ReflectiveOperationException {
        MethodHandle h = fdVal;
        if (h == null) {
            fdVal = h = jdk.fdVal();
        }
        return h;
    }

    public IntUnaryOperator creation() {
        return new Creation();
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
     * The JDK class that is about to ask {@code Net} for a socket says which API it serves
     * ({@link SocketKind#JAVA_NET}, {@link SocketKind#CHANNEL}, {@link SocketKind#ASYNCHRONOUS}); the creation on
     * the same thread right after reads it, for the counters by kind. A thread-local {@code int}: a few nanoseconds.
     */
    public IntConsumer kindMarker() {
        return new KindMarker();
    }

    /** A subclass, not {@code withInitial(...)}: no lambda on the socket-creation path (a JVM's first costs ms). */
    private static final ThreadLocal<int[]> NEXT_KIND = new ThreadLocal<int[]>() {
        @Override
        protected int[] initialValue() {
            return new int[1];
        }
    };

    private static final class KindMarker implements IntConsumer {
        @Override
        public void accept(int code) {
            NEXT_KIND.get()[0] = code;
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
     * The kind marked for this thread's creation now (and cleared), by role. The channel classes carry no marker
     * (see {@code JdkRewriter.REWRITTEN}): an unmarked request is a channel's while every marked class is rewritten.
     */
    private SocketKind takeKind(boolean listener) {
        int[] slot = NEXT_KIND.get();
        int code = slot[0];
        slot[0] = 0;
        return SocketKind.of(code == 0 && unmarkedIsChannel ? SocketKind.CHANNEL : code, listener);
    }

    /** Flags as packed by the rewritten {@code Net}: bit 0 preferIPv6, 1 stream, 2 reuse (listener), 3 fastLoopback. */
    private final class Creation implements IntUnaryOperator {
        @Override
        public int applyAsInt(int flags) {
            boolean preferIPv6 = (flags & 1) != 0;
            boolean stream = (flags & 2) != 0;
            boolean listener = (flags & 4) != 0;
            boolean fastLoopback = (flags & 8) != 0;
            if (!warnings.isEmpty()) {
                writeWarnings();
            }
            if (stream) {
                int fd = mptcp(preferIPv6, takeKind(listener));
                if (fd >= 0) {
                    return fd;
                }
            }
            try {
                return (int) socket0().invokeExact(preferIPv6, stream, listener, fastLoopback);
            } catch (Throwable t) { // the JDK's own SocketException, exactly as without the agent
                throw Sneaky.<RuntimeException>rethrow(t);
            }
        }
    }

    /** An MPTCP socket, or -1 for the JDK's own; throws where the JDK would (out of descriptors) or strict mode says. */
    private int mptcp(boolean inet6, SocketKind kind) {
        return mptcp(inet6, kind, kind.listener(), 0, JDK_FAILURES);
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

    /**
     * An MPTCP socket of the kind's role ({@code SO_REUSEADDR} set if {@code reuse}, its type with {@code typeFlags}
     * added); or -1 where the mode excludes the role or MPTCP is refused (the caller's own socket then);
     * {@code failures} surfaces strict mode and exhaustion.
     */
    private int mptcp(boolean inet6, SocketKind kind, boolean reuse, int typeFlags, Failures failures) {
        boolean listener = kind.listener();
        Optional<Unavailability> unavailable;
        try {
            unavailable = Fallback.announcedAvailability(settings);
        } catch (SocketException outOfDescriptors) {
            throw Sneaky.<RuntimeException>rethrow(outOfDescriptors);
        }
        if (!settings.mode().covers(listener)) {
            return -1;
        }
        if (unavailable.isPresent()) {
            return orStrictFailure(Fallback.unavailable(settings, unavailable.get(), kind), failures);
        }
        try {
            int fd = Availability.sockets().mptcpSocket(inet6, reuse, typeFlags);
            Counters.upgraded(kind);
            return fd;
        } catch (NativeCallException e) {
            if (Errors.isResourceExhaustion(e.errno())) {
                return failures.exhausted(e);
            }
            Announcement.logger().log(Level.DEBUG, () -> "a new socket stays plain TCP: " + e.getMessage());
            return orStrictFailure(Fallback.refused(settings, e, kind), failures);
        }
    }

    /** -1 (the caller's own socket); or, in strict mode, the exception thrown from inside its socket creation. */
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
        /** Netty's native {@code channel.unix.Socket.newSocketStreamFd(boolean ipv6)}: a descriptor, or -errno. */
        MethodHandle newSocketStreamFd() throws ReflectiveOperationException;

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
                    + "Netty's setTcpUserTimeout succeeds without effect, so that callers such as gRPC's keep-alive "
                    + "keep working (dead peers are still found by keep-alive and the application's own timeouts). "
                    + "Keep clients on TCP with " + Settings.MODE_PROPERTY + "=server where the timeout is needed. "
                    + "Said once per JVM; the JMX attribute UserTimeoutsNotApplied counts every such call.");
        }
    }

    /**
     * The hook for one copy of Netty, called instead of its native {@code newSocketStreamFd(ipv6)} with the flag as an
     * int: within the mode, an MPTCP socket made exactly as Netty makes its TCP socket (non-blocking,
     * {@code IPV6_V6ONLY=0}); otherwise, or when MPTCP is refused, Netty's own native call runs. In strict mode a
     * refusal throws that copy's {@code ChannelException}; out of descriptors, it returns -errno, as Netty's own would.
     */
    public IntUnaryOperator nettyCreation(NettyMethods netty) {
        return new NettyCreation(netty);
    }

    private final class NettyCreation implements IntUnaryOperator, Failures {
        private final NettyMethods netty;
        private volatile MethodHandle newSocketStreamFd;

        NettyCreation(NettyMethods netty) {
            this.netty = netty;
        }

        @Override
        public int applyAsInt(int ipv6) {
            if (!warnings.isEmpty()) {
                writeWarnings();
            }
            boolean inet6 = ipv6 != 0;
            // mode off: the socket stays Netty's whatever its role, so no stack walk
            int fd = settings.mode() == Settings.Mode.OFF ? -1 : mptcp(inet6,
                    SocketKind.of(SocketKind.NETTY, NettyRole.listener()), false, Linux.SOCK_NONBLOCK, this);
            if (fd >= 0) {
                return fd;
            }
            try {
                MethodHandle own = newSocketStreamFd;
                if (own == null) {
                    newSocketStreamFd = own = netty.newSocketStreamFd();
                }
                return (int) own.invokeExact(inet6);
            } catch (Throwable t) {
                throw Sneaky.<RuntimeException>rethrow(t);
            }
        }

        @Override
        public RuntimeException strict(SocketException reason) {
            return netty.channelException("newSocketStream(..) failed: " + reason.getMessage(), reason);
        }

        @Override
        public int exhausted(NativeCallException e) {
            return -e.errno();
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
            int fd = (int) fdVal().invokeExact((FileDescriptor) fileDescriptor);
            return fd >= 0 && sockets.get().protocol(fd) == Linux.IPPROTO_MPTCP ? fd : -1;
        } catch (NativeCallException e) {
            return -1; // a closed or odd descriptor: the JDK's own call reports it
        } catch (Throwable t) {
            throw Sneaky.<RuntimeException>rethrow(t);
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
            return Boolean.FALSE.equals(nv[1]) && nv[0] instanceof SocketOption
                    && "SO_OOBINLINE".equals(((SocketOption<?>) nv[0]).name()) && isMptcp(fd);
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
