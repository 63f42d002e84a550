package io.github.mptcpnio.internal;

import io.github.mptcpnio.Unavailability;
import io.github.mptcpnio.internal.linux.LibC;
import io.github.mptcpnio.internal.linux.Linux;
import io.github.mptcpnio.internal.linux.NativeCallException;

import java.io.IOException;
import java.lang.System.Logger;
import java.lang.System.Logger.Level;
import java.net.ProtocolFamily;
import java.net.SocketException;
import java.net.StandardProtocolFamily;
import java.nio.channels.NetworkChannel;
import java.util.Optional;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicReferenceArray;

/**
 * Turns a freshly created JDK socket channel into an MPTCP one: creates an MPTCP socket of the same domain, copies
 * the creation-time state ({@code IPV6_V6ONLY}, {@code SO_REUSEADDR}, file status flags such as
 * {@code O_NONBLOCK}, {@code FD_CLOEXEC}) and {@code dup3}s it over the JDK's descriptor. {@code dup3} is atomic,
 * so the channel is either completely re-seated or untouched; the temporary descriptor is always closed.
 *
 * <p>Policy: when MPTCP is unavailable or a socket is refused the channel stays plain TCP (counted; an
 * {@link IOException} in strict mode). When the process is out of descriptors or memory the channel is closed and
 * the application gets the {@link SocketException} the JDK itself would have thrown.
 */
public final class Reseater {
    public static final String LOGGER_NAME = "io.github.mptcpnio";

    /** Obtained on first use: initialising the logging backend in the provider's constructor would fix the JUL
     *  LogManager before the application could choose its own ({@code java.util.logging.manager}). */
    private static final class Log {
        static final Logger LOG = System.getLogger(LOGGER_NAME);
    }
    private static final AtomicBoolean ANNOUNCED = new AtomicBoolean();
    private static final AtomicBoolean PRELOADING = new AtomicBoolean();

    static {
        // Load the failure path's classes now. When the process is out of descriptors, loading a class from a
        // directory or a not-yet-open jar fails too, and the application would get a NoClassDefFoundError instead
        // of the JDK's SocketException (found by DescriptorsIT running from target/classes).
        Errors.exception(Linux.EMFILE, "warm-up").getMessage();
        Errors.isResourceExhaustion(Linux.EMFILE);
        Linux.domainName(Linux.AF_INET);
        new NativeCallException("warm-up", Linux.EMFILE, "warm-up").call();
        new SocketException("warm-up").getMessage();
    }

    private final Settings settings;
    /** The JDK's creation-time state per {@link Kind}, read from the first channel of that kind. */
    private final AtomicReferenceArray<CreationState> learned = new AtomicReferenceArray<>(Kind.values().length);

    public Reseater(Settings settings) {
        this.settings = settings;
    }

    /** How a channel was opened: listener or not, and the family asked for (none: the JDK's default). */
    public enum Kind {
        SOCKET, SOCKET_INET, SOCKET_INET6, SERVER, SERVER_INET, SERVER_INET6;

        public static Kind of(boolean server, ProtocolFamily family) {
            int f = family == null ? 0 : family == StandardProtocolFamily.INET ? 1 : 2;
            return values()[(server ? 3 : 0) + f];
        }

        boolean server() {
            return ordinal() >= 3;
        }
    }

    /**
     * What the JDK set up on a new socket, as the kernel reports it.
     *
     * @param domain {@code SO_DOMAIN}
     * @param mptcp whether the JDK's socket already is MPTCP (under {@code mptcpize}, say)
     * @param v6only {@code IPV6_V6ONLY}, or -1 for {@code AF_INET}
     * @param reuse {@code SO_REUSEADDR}
     * @param statusFlags {@code F_GETFL}, where {@code O_NONBLOCK} lives
     * @param descriptorFlags {@code F_GETFD}, where {@code FD_CLOEXEC} lives
     */
    record CreationState(int domain, boolean mptcp, int v6only, int reuse, int statusFlags, int descriptorFlags) {
        static CreationState read(LibC libc, int fd) throws NativeCallException {
            int domain = libc.getsockoptInt(fd, Linux.SOL_SOCKET, Linux.SO_DOMAIN, "SOL_SOCKET, SO_DOMAIN");
            if (domain != Linux.AF_INET && domain != Linux.AF_INET6) {
                return new CreationState(domain, false, -1, 0, 0, 0);
            }
            boolean mptcp = libc.getsockoptInt(fd, Linux.SOL_SOCKET, Linux.SO_PROTOCOL, "SOL_SOCKET, SO_PROTOCOL")
                    == Linux.IPPROTO_MPTCP;
            int v6only = domain == Linux.AF_INET6
                    ? libc.getsockoptInt(fd, Linux.IPPROTO_IPV6, Linux.IPV6_V6ONLY, "IPPROTO_IPV6, IPV6_V6ONLY") : -1;
            return new CreationState(domain, mptcp, v6only,
                    libc.getsockoptInt(fd, Linux.SOL_SOCKET, Linux.SO_REUSEADDR, "SOL_SOCKET, SO_REUSEADDR"),
                    libc.fcntl(fd, Linux.F_GETFL, 0), libc.fcntl(fd, Linux.F_GETFD, 0));
        }

        /** Whether there is anything to do: an IP socket that is not MPTCP yet. */
        boolean reseatable() {
            return (domain == Linux.AF_INET || domain == Linux.AF_INET6) && !mptcp;
        }
    }

    /**
     * Starts loading the native binding and probing the kernel on a daemon thread, once per JVM, unless the mode is
     * {@code off}. The agent calls this in {@code premain}, the provider before it asks the JDK for its first socket
     * channel: either way the load (about 50 ms at a JVM's first channel, mostly jffi's classes and stub) overlaps
     * with work the application or the JDK does anyway. The result is the probe the first re-seat would run
     * itself; a re-seat that comes first waits for it (class initialisation), so nothing is done twice.
     */
    public static void preloadOnce(Settings settings) {
        if (PRELOADING.get() || settings.mode() == Settings.Mode.OFF || !PRELOADING.compareAndSet(false, true)) {
            return;
        }
        try {
            Thread preload = new Thread(new Preload(), "mptcp-nio-preload");
            preload.setDaemon(true);
            preload.start();
        } catch (OutOfMemoryError noThread) {
            // the first re-seat loads it on its own thread, as without the preload
        }
    }

    /** A class rather than a lambda: the first lambda of a JVM costs milliseconds to bootstrap. */
    private static final class Preload implements Runnable {
        @Override
        public void run() {
            Availability.unavailability();
        }
    }

    /** Before the JDK creates a socket channel: see {@link #preloadOnce}. */
    public void preload() {
        preloadOnce(settings);
    }

    /**
     * Applies the policy to a channel the platform provider just created, before anyone else has seen it.
     *
     * @return the same channel, re-seated or not
     * @throws IOException in strict mode when MPTCP is refused, or when resources ran out (channel closed)
     */
    public <C extends NetworkChannel> C upgrade(C channel, Kind kind) throws IOException {
        boolean server = kind.server();
        announceOnce(settings);
        if (!settings.mode().covers(server)) {
            return channel;
        }
        Optional<Unavailability> unavailable = Availability.unavailability();
        if (unavailable.isPresent()) {
            Counters.fallback();
            if (settings.strict()) {
                closeQuietly(channel);
                throw new SocketException(Settings.STRICT_PROPERTY + "=true and MPTCP is unavailable: "
                        + unavailable.get());
            }
            return channel;
        }
        LibC libc = Availability.libc();
        int fd = JdkShim.fd(channel);
        try {
            CreationState state = learned.get(kind.ordinal());
            if (state == null) {
                state = CreationState.read(libc, fd);
                learned.set(kind.ordinal(), state);
            }
            if (reseat(libc, fd, state)) {
                Counters.upgraded(); // no log line: the success path never touches the logging backend
            }
            return channel;
        } catch (NativeCallException e) {
            if (Errors.isResourceExhaustion(e.errno())) {
                closeQuietly(channel);
                throw Errors.exception(e, null);
            }
            Counters.fallback();
            if (settings.strict()) {
                closeQuietly(channel);
                throw new SocketException(Settings.STRICT_PROPERTY + "=true and MPTCP was refused: "
                        + (e.call().startsWith("socket(")
                        ? Availability.fromSocketErrno(e.errno(), e.getMessage()).toString() : e.getMessage()));
            }
            Log.LOG.log(Level.DEBUG, () -> "fd " + fd + " stays plain TCP: " + e.getMessage());
            return channel;
        }
    }

    /**
     * Re-seats {@code fd} as an MPTCP socket with the JDK's creation-time {@code state} (four system calls for a
     * client socket: socket, setsockopt, dup3, close).
     *
     * @return false when there was nothing to do (not an IP socket, or already MPTCP, e.g. under mptcpize)
     */
    static boolean reseat(LibC libc, int fd, CreationState state) throws NativeCallException {
        if (!state.reseatable()) {
            return false;
        }
        int mptcp = libc.socket(state.domain(), Linux.SOCK_STREAM | Linux.SOCK_CLOEXEC, Linux.IPPROTO_MPTCP);
        try {
            if (state.v6only() >= 0) {
                libc.setsockoptInt(mptcp, Linux.IPPROTO_IPV6, Linux.IPV6_V6ONLY, state.v6only(),
                        "IPPROTO_IPV6, IPV6_V6ONLY");
            }
            if (state.reuse() != 0) {
                libc.setsockoptInt(mptcp, Linux.SOL_SOCKET, Linux.SO_REUSEADDR, state.reuse(),
                        "SOL_SOCKET, SO_REUSEADDR");
            }
            if (state.statusFlags() != Linux.O_RDWR) { // what socket() gives; O_NONBLOCK lives here
                libc.fcntl(mptcp, Linux.F_SETFL, state.statusFlags());
            }
            libc.dup3(mptcp, fd, (state.descriptorFlags() & Linux.FD_CLOEXEC) != 0 ? Linux.O_CLOEXEC : 0);
            return true;
        } finally {
            try {
                libc.close(mptcp);
            } catch (NativeCallException e) {
                Log.LOG.log(Level.DEBUG, () -> "closing the temporary MPTCP descriptor failed: " + e.getMessage());
            }
        }
    }

    /**
     * The one line per JVM: MPTCP active, or why not and what to do.
     *
     * <p>A WARNING (MPTCP unavailable) is written at once, on the caller's thread: it must never be lost, and the
     * caller is on the slow path anyway. The INFO line of the normal case is written by a short-lived thread of its
     * own: initialising the logging backend and formatting the first record takes about 80 ms (JUL on JDK 17,
     * measured by bench/ start-up), which would otherwise delay the application's first connection. That thread is
     * not a daemon, so the line is written when {@code main} returns at once; a shutdown hook waits up to 500 ms
     * for it when the application calls {@code System.exit}. What that cannot save: a JVM that calls
     * {@code System.exit} within a few milliseconds of its first channel loses the INFO line about half the time on
     * JDK 25 (JUL refuses to start its handlers once shutdown has begun; measured with a program that exits right
     * after {@code SocketChannel.open()}; never with a 150 ms delay, never on JDK 17).
     */
    static void announceOnce(Settings settings) {
        if (ANNOUNCED.get() || !ANNOUNCED.compareAndSet(false, true)) { // a plain read first: this runs per channel
            return;
        }
        if (settings.mode() != Settings.Mode.OFF && Availability.unavailability().isPresent()) {
            announce(settings);
            return;
        }
        try {
            Thread writer = new Thread(new Announcement(settings), "mptcp-nio-announce");
            writer.setDaemon(false);
            writer.start();
            Runtime.getRuntime().addShutdownHook(new Thread(new AwaitAnnouncement(writer), "mptcp-nio-announce-wait"));
        } catch (OutOfMemoryError | IllegalStateException e) { // no thread to be had, or already shutting down
            announce(settings);
        }
    }

    private static final class AwaitAnnouncement implements Runnable {
        private final Thread writer;

        AwaitAnnouncement(Thread writer) {
            this.writer = writer;
        }

        @Override
        public void run() {
            try {
                writer.join(500);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }
    }

    /** A class, not a lambda: bootstrapping the first lambda of a JVM costs milliseconds at the first channel. */
    private static final class Announcement implements Runnable {
        private final Settings settings;

        Announcement(Settings settings) {
            this.settings = settings;
        }

        @Override
        public void run() {
            announce(settings);
        }
    }

    private static void announce(Settings settings) {
        if (settings.mode() == Settings.Mode.OFF) {
            Log.LOG.log(Level.INFO, "mptcp-nio: MPTCP off (" + settings + "); all channels are plain TCP");
            return;
        }
        Optional<Unavailability> u = Availability.unavailability();
        if (u.isEmpty()) {
            Log.LOG.log(Level.INFO, "mptcp-nio: MPTCP active (" + settings + ")");
        } else {
            Log.LOG.log(Level.WARNING, "mptcp-nio: MPTCP unavailable, channels stay plain TCP (" + settings + "). "
                    + u.get());
        }
    }

    private static void closeQuietly(NetworkChannel channel) {
        try {
            channel.close();
        } catch (IOException e) {
            Log.LOG.log(Level.DEBUG, () -> "closing a channel we could not upgrade failed: " + e);
        }
    }
}
