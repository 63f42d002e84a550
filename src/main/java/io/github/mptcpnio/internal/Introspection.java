package io.github.mptcpnio.internal;

import io.github.mptcpnio.Subflow;
import io.github.mptcpnio.Unavailability;
import io.github.mptcpnio.internal.linux.Linux;
import io.github.mptcpnio.internal.linux.MptcpInfoFields;
import io.github.mptcpnio.internal.linux.NativeCallException;
import io.github.mptcpnio.internal.linux.Sockets;

import java.io.IOException;
import java.net.ServerSocket;
import java.net.Socket;
import java.net.SocketException;
import java.nio.channels.ClosedChannelException;
import java.nio.channels.NetworkChannel;
import java.util.List;
import java.util.Objects;
import java.util.Optional;

/**
 * What the kernel knows about one socket's connection — a JDK channel, an asynchronous channel, a
 * {@code java.net.Socket} or {@code ServerSocket} — asked so that the answer never describes another socket.
 *
 * <p>The descriptor number is read while the socket is open, the kernel is asked, and then the descriptor is checked
 * again ({@link SocketShim.Held#stillHeld()}). The JDK marks a channel closed before it releases the descriptor, and
 * sets a {@code java.net} socket's {@code FileDescriptor} to -1 before it releases it, so a socket that passes the
 * check had its descriptor all along, and the answer is about it; one closed meanwhile gives the JDK's exception for a
 * closed socket of its kind ({@link ClosedChannelException}, {@code SocketException("Socket is closed")}), whatever
 * the calls returned (a released number may already belong to another socket, or to nothing: {@code EBADF}).
 */
public final class Introspection {
    private Introspection() {}

    /** A question asked of one socket descriptor. */
    private interface Query<T> {
        T ask(Sockets sockets, int fd) throws NativeCallException;
    }

    /** What a socket that was closed meanwhile gives: the JDK's own exception for the kind of socket. */
    private interface Closed {
        IOException exception();
    }

    private static final class ClosedChannel implements Closed {
        @Override
        public IOException exception() {
            return new ClosedChannelException();
        }
    }

    private static final class ClosedSocket implements Closed {
        @Override
        public IOException exception() {
            return new SocketException("Socket is closed");
        }
    }

    /** Reads the descriptor, asks, then checks that the descriptor was the socket's all along. */
    private static <T> T ask(Object socket, String operation, T notLinux, Query<T> query) throws IOException {
        Objects.requireNonNull(socket, "socket");
        Optional<Sockets> sockets = access();
        if (sockets.isEmpty()) {
            return notLinux; // no MPTCP sockets exist
        }
        SocketShim.Held held;
        Closed closed;
        if (socket instanceof Socket && ((Socket) socket).getChannel() == null) {
            held = SocketShim.javaNet(socket, ((Socket) socket).isClosed());
            closed = new ClosedSocket();
        } else if (socket instanceof ServerSocket && ((ServerSocket) socket).getChannel() == null) {
            held = SocketShim.javaNet(socket, ((ServerSocket) socket).isClosed());
            closed = new ClosedSocket();
        } else {
            NetworkChannel channel = socket instanceof Socket ? ((Socket) socket).getChannel()
                    : socket instanceof ServerSocket ? ((ServerSocket) socket).getChannel() : (NetworkChannel) socket;
            held = SocketShim.isAsynchronous(channel) ? SocketShim.asynchronous(channel) : JdkShim.held(channel);
            closed = new ClosedChannel();
        }
        T answer;
        try {
            answer = query.ask(sockets.get(), held.fd());
        } catch (NativeCallException e) {
            if (!held.stillHeld()) {
                IOException x = closed.exception();
                x.initCause(e);
                throw x;
            }
            throw Errors.exception(e, operation);
        }
        if (!held.stillHeld()) {
            throw closed.exception();
        }
        return answer;
    }

    public static boolean isMultipath(Object socket) throws IOException {
        return ask(socket, "isMultipath", false, Sockets::isMultipath);
    }

    public static Optional<MptcpInfoFields> info(Object socket) throws IOException {
        return ask(socket, "info", Optional.empty(), Sockets::mptcpInfo);
    }

    public static List<Subflow> subflows(Object socket) throws IOException {
        return ask(socket, "subflows", List.of(), Sockets::subflows);
    }

    /**
     * Asks about a socket known only by its descriptor number (a socket the JDK does not own: Netty's native
     * channels). The caller keeps the descriptor open meanwhile; what is checked is that it is open and a socket.
     */
    private static <T> T askDescriptor(int fd, String operation, T notLinux, Query<T> query) throws IOException {
        if (fd < 0) {
            throw new IllegalArgumentException("not a descriptor: " + fd);
        }
        Optional<Sockets> sockets = access();
        if (sockets.isEmpty()) {
            return notLinux;
        }
        try {
            sockets.get().protocol(fd); // EBADF: not open; ENOTSOCK: not a socket
            return query.ask(sockets.get(), fd);
        } catch (NativeCallException e) {
            if (e.errno() == Linux.EBADF) {
                ClosedChannelException closed = new ClosedChannelException();
                closed.initCause(e);
                throw closed;
            }
            if (e.errno() == Linux.ENOTSOCK) {
                throw new IllegalArgumentException("descriptor " + fd + " is not a socket", e);
            }
            throw Errors.exception(e, operation);
        }
    }

    public static boolean isMultipath(int fd) throws IOException {
        return askDescriptor(fd, "isMultipath", false, Sockets::isMultipath);
    }

    public static Optional<MptcpInfoFields> info(int fd) throws IOException {
        return askDescriptor(fd, "info", Optional.empty(), Sockets::mptcpInfo);
    }

    public static List<Subflow> subflows(int fd) throws IOException {
        return askDescriptor(fd, "subflows", List.of(), Sockets::subflows);
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
