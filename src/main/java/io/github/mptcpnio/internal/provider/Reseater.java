package io.github.mptcpnio.internal.provider;

import io.github.mptcpnio.Unavailability;
import io.github.mptcpnio.internal.Announcement;
import io.github.mptcpnio.internal.Availability;
import io.github.mptcpnio.internal.Counters;
import io.github.mptcpnio.internal.Errors;
import io.github.mptcpnio.internal.Fallback;
import io.github.mptcpnio.internal.JdkShim;
import io.github.mptcpnio.internal.Preload;
import io.github.mptcpnio.internal.Settings;
import io.github.mptcpnio.internal.SocketKind;
import io.github.mptcpnio.internal.linux.CreationState;
import io.github.mptcpnio.internal.linux.Linux;
import io.github.mptcpnio.internal.linux.NativeCallException;
import io.github.mptcpnio.internal.linux.Sockets;

import java.io.IOException;
import java.lang.System.Logger.Level;
import java.net.ProtocolFamily;
import java.net.SocketException;
import java.net.StandardProtocolFamily;
import java.nio.channels.NetworkChannel;
import java.util.Optional;
import java.util.concurrent.atomic.AtomicReferenceArray;

/**
 * The switch's policy for a freshly created JDK socket channel: within the mode, re-seat its descriptor as an MPTCP
 * socket of the same domain with the JDK's creation-time state ({@link Sockets#reseat}).
 *
 * <p>When MPTCP is unavailable or a socket is refused the channel stays plain TCP (counted; an {@link IOException} in
 * strict mode). When the process is out of descriptors or memory the channel is closed and the application gets
 * the {@link SocketException} the JDK itself would have thrown.
 */
public final class Reseater {

    static {
        // Load the failure path's classes now. When the process is out of descriptors, loading a class from a
        // directory or a not-yet-open jar fails too, and the application would get a NoClassDefFoundError instead
        // of the JDK's SocketException (found by DescriptorsIT running from target/classes).
        Errors.exception(Linux.EMFILE, "warm-up").getMessage();
        Errors.isResourceExhaustion(Linux.EMFILE);
        Linux.domainName(Linux.AF_INET);
        new NativeCallException("warm-up", Linux.EMFILE, "warm-up").call();
        new SocketException("warm-up").getMessage();
        Availability.isTransient(Optional.empty());
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
            return values()[(server ? SERVER.ordinal() : 0) + f];
        }

        boolean server() {
            return ordinal() >= SERVER.ordinal();
        }

        SocketKind socketKind() {
            return SocketKind.of(SocketKind.CHANNEL, server());
        }
    }

    /** Before the JDK creates a socket channel: see {@link Preload}. */
    public void preload() {
        Preload.once(settings);
    }

    /**
     * Applies the policy to a channel the platform provider just created, before anyone else has seen it.
     *
     * @return the same channel, re-seated or not
     * @throws IOException in strict mode when MPTCP is refused, or when resources ran out (channel closed)
     */
    public <C extends NetworkChannel> C upgrade(C channel, Kind kind) throws IOException {
        Optional<Unavailability> unavailable;
        try {
            unavailable = Fallback.announcedAvailability(settings);
        } catch (SocketException outOfDescriptors) {
            closeQuietly(channel);
            throw outOfDescriptors;
        }
        if (!settings.mode().covers(kind.server())) {
            return channel;
        }
        if (unavailable.isPresent()) {
            return orStrictFailure(channel, Fallback.unavailable(settings, unavailable.get(), kind.socketKind()));
        }
        Sockets sockets = Availability.sockets();
        int fd = JdkShim.fd(channel);
        try {
            CreationState state = learned.get(kind.ordinal());
            if (state == null) {
                state = sockets.creationState(fd);
                learned.set(kind.ordinal(), state);
            }
            if (sockets.reseat(fd, state)) {
                Counters.upgraded(kind.socketKind()); // no log line: the success path never touches the logging backend
            }
            return channel;
        } catch (NativeCallException e) {
            if (Errors.isResourceExhaustion(e.errno())) {
                closeQuietly(channel);
                throw Errors.exception(e, null);
            }
            Announcement.logger().log(Level.DEBUG, () -> "fd " + fd + " stays plain TCP: " + e.getMessage());
            return orStrictFailure(channel, Fallback.refused(settings, e, kind.socketKind()));
        }
    }

    /** The channel, left on TCP; or, in strict mode, closed and the exception thrown. */
    private static <C extends NetworkChannel> C orStrictFailure(C channel, Optional<SocketException> strict)
            throws SocketException {
        if (strict.isPresent()) {
            closeQuietly(channel);
            throw strict.get();
        }
        return channel;
    }

    private static void closeQuietly(NetworkChannel channel) {
        try {
            channel.close();
        } catch (IOException e) {
            Announcement.logger().log(Level.DEBUG, () -> "closing a channel we could not upgrade failed: " + e);
        }
    }
}
