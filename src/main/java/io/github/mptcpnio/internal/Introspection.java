package io.github.mptcpnio.internal;

import io.github.mptcpnio.Subflow;
import io.github.mptcpnio.Unavailability;
import io.github.mptcpnio.internal.linux.MptcpInfoFields;
import io.github.mptcpnio.internal.linux.NativeCallException;
import io.github.mptcpnio.internal.linux.Sockets;

import java.io.IOException;
import java.net.SocketException;
import java.nio.channels.ClosedChannelException;
import java.nio.channels.NetworkChannel;
import java.util.List;
import java.util.Objects;
import java.util.Optional;

/**
 * What the kernel knows about one channel's connection, asked so that the answer never describes another socket.
 *
 * <p>A channel's descriptor number is read while the channel is open, the kernel is asked, and then the channel is
 * checked again. The JDK marks a channel closed before it releases the descriptor, so a channel still open after the
 * calls had its descriptor all along, and the answer is about it; a channel closed meanwhile gives
 * {@link ClosedChannelException}, whatever the calls returned (a released number may already belong to another
 * socket, or to nothing: {@code EBADF}).
 */
public final class Introspection {
    private Introspection() {}

    /** A question asked of one socket descriptor. */
    private interface Query<T> {
        T ask(Sockets sockets, int fd) throws NativeCallException;
    }

    private static <T> T ask(NetworkChannel channel, String operation, T notLinux, Query<T> query)
            throws IOException {
        Objects.requireNonNull(channel, "channel");
        Optional<Sockets> sockets = access();
        if (sockets.isEmpty()) {
            return notLinux; // no MPTCP sockets exist
        }
        int fd = JdkShim.fd(channel);
        T answer;
        try {
            answer = query.ask(sockets.get(), fd);
        } catch (NativeCallException e) {
            if (!channel.isOpen()) {
                throw closed(e);
            }
            throw Errors.exception(e, operation);
        }
        if (!channel.isOpen()) {
            throw new ClosedChannelException();
        }
        return answer;
    }

    private static ClosedChannelException closed(Throwable cause) {
        ClosedChannelException e = new ClosedChannelException();
        e.initCause(cause);
        return e;
    }

    public static boolean isMultipath(NetworkChannel channel) throws IOException {
        return ask(channel, "isMultipath", false, Sockets::isMultipath);
    }

    public static Optional<MptcpInfoFields> info(NetworkChannel channel) throws IOException {
        return ask(channel, "info", Optional.empty(), Sockets::mptcpInfo);
    }

    public static List<Subflow> subflows(NetworkChannel channel) throws IOException {
        return ask(channel, "subflows", List.of(), Sockets::subflows);
    }

    /**
     * The binding when introspection is possible; empty on a non-Linux OS; an exception naming the cause when the
     * binding or descriptor access is missing.
     */
    private static Optional<Sockets> access() throws SocketException {
        Optional<Unavailability> u = Availability.unavailability();
        if (u.isPresent()) {
            switch (u.get().reason()) {
                case NOT_LINUX:
                    return Optional.empty();
                case RESOURCES_EXHAUSTED: // do not load the binding now: its failure would be for life
                    throw new SocketException(u.get().message());
                case NATIVE_LOAD_FAILED:
                case JDK_INTERNALS_INACCESSIBLE:
                    throw new UnsupportedOperationException("MPTCP introspection unavailable: " + u.get(),
                            u.get().cause().orElse(null));
                default:
                    break; // the kernel refuses new MPTCP sockets, but existing ones can still be inspected
            }
        }
        return Sockets.instance();
    }
}
