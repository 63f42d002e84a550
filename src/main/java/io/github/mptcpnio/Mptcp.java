package io.github.mptcpnio;

import io.github.mptcpnio.internal.Availability;
import io.github.mptcpnio.internal.Counters;
import io.github.mptcpnio.internal.Introspection;
import io.github.mptcpnio.internal.linux.MptcpInfoFields;

import java.io.IOException;
import java.nio.channels.NetworkChannel;
import java.net.ServerSocket;
import java.net.Socket;
import java.util.List;
import java.util.Optional;

/**
 * Static entry point: whether MPTCP is available in this JVM, and what the kernel knows about a connection.
 *
 * <p>Introspection works on any open channel of the JDK's platform provider, whether it was created through
 * {@link MptcpSelectorProvider} or not; a plain TCP channel simply answers "not MPTCP". It needs the same access as
 * the provider ({@code --add-exports java.base/sun.nio.ch=ALL-UNNAMED}) and throws
 * {@link UnsupportedOperationException} naming what is missing otherwise. On an operating system other than Linux
 * every channel answers "not MPTCP".
 *
 * @since 0.1.0
 */
public final class Mptcp {
    private Mptcp() {}

    /**
     * Whether this JVM can create MPTCP sockets: Linux with MPTCP enabled in this network namespace, the native
     * binding loaded, and descriptor access to JDK channels. Probed once per JVM.
     *
     * @return true if the provider can upgrade channels
     * @since 0.1.0
     */
    public static boolean isAvailable() {
        return Availability.unavailability().isEmpty();
    }

    /**
     * Throws unless {@link #isAvailable()}, so that an application that needs MPTCP can fail at start-up.
     *
     * @throws UnsupportedOperationException with the reason and what to do
     * @since 0.1.0
     */
    public static void ensureAvailable() {
        Optional<Unavailability> u = Availability.unavailability();
        if (u.isPresent()) {
            throw new UnsupportedOperationException("MPTCP unavailable: " + u.get());
        }
    }

    /**
     * Why MPTCP is unavailable, or empty if it is available.
     *
     * @return the reason with errno, message and remedy
     * @since 0.1.0
     */
    public static Optional<Unavailability> unavailability() {
        return Availability.unavailability();
    }

    /**
     * Whether this connection currently runs MPTCP: true for an MPTCP connection that has not fallen back to TCP,
     * and for an MPTCP listener; false for plain TCP, for a connection that fell back (peer or middlebox without
     * MPTCP), and for non-TCP channels. Uses {@code TCP_IS_MPTCP} (Linux 6.10+), then {@code MPTCP_INFO} (5.16+),
     * then {@code SO_PROTOCOL}, which on older kernels cannot see a fallback.
     *
     * <p>Works for the JDK's selectable channels ({@code SocketChannel}, {@code ServerSocketChannel}) and its
     * asynchronous ones ({@code AsynchronousSocketChannel}, {@code AsynchronousServerSocketChannel}; their descriptor
     * needs the agent or the opens named at {@link #isMultipath(Socket)}). The answer is about the channel's own
     * socket or none: a channel closed while it is asked gives {@code ClosedChannelException}.
     *
     * @param channel an open channel
     * @return whether the connection is on MPTCP
     * @throws java.nio.channels.ClosedChannelException if the channel is closed, also while it is asked
     * @throws IOException if the kernel reports an unexpected error
     * @throws IllegalArgumentException if the channel is not one of the JDK's channel implementations
     * @throws UnsupportedOperationException if descriptor access or the native binding is missing
     * @since 0.1.0
     */
    public static boolean isMultipath(NetworkChannel channel) throws IOException {
        return Introspection.isMultipath(channel);
    }

    /**
     * The kernel's {@code struct mptcp_info} for this connection; empty when it is not running MPTCP (plain TCP,
     * fallen back, or a kernel older than 5.16).
     *
     * @param channel an open socket channel, selectable or asynchronous
     * @return the snapshot, decoded from as many bytes as the kernel returned
     * @throws java.nio.channels.ClosedChannelException if the channel is closed
     * @throws IOException if the kernel reports an unexpected error
     * @throws UnsupportedOperationException if descriptor access or the native binding is missing
     * @since 0.1.0
     */
    public static Optional<MptcpInfo> info(NetworkChannel channel) throws IOException {
        return wrap(Introspection.info(channel));
    }

    private static Optional<MptcpInfo> wrap(Optional<MptcpInfoFields> fields) {
        return fields.isPresent() ? Optional.of(new MptcpInfo(fields.get())) : Optional.empty();
    }

    /**
     * The subflows of this MPTCP connection with their addresses and TCP figures, through
     * {@code MPTCP_FULL_INFO} (Linux 6.5+) or {@code MPTCP_SUBFLOW_ADDRS} and {@code MPTCP_TCPINFO} (5.16+);
     * empty when the connection is not running MPTCP.
     *
     * @param channel an open socket channel, selectable or asynchronous
     * @return an unmodifiable list, initial subflow first
     * @throws java.nio.channels.ClosedChannelException if the channel is closed
     * @throws IOException if the kernel reports an unexpected error
     * @throws UnsupportedOperationException if descriptor access or the native binding is missing
     * @since 0.1.0
     */
    public static List<Subflow> subflows(NetworkChannel channel) throws IOException {
        return Introspection.subflows(channel);
    }

    /**
     * {@link #isMultipath(NetworkChannel)} for a {@code java.net.Socket}: whether its connection runs MPTCP now. A
     * socket with a channel answers through the channel; any other needs the descriptor of its {@code SocketImpl},
     * which the agent gives access to (without it: {@code --add-opens java.base/java.net=ALL-UNNAMED
     * --add-opens java.base/sun.nio.ch=ALL-UNNAMED}).
     *
     * @param socket an open, created socket (connected, bound, or with an option read or set)
     * @return whether the connection is on MPTCP
     * @throws java.net.SocketException if the socket is closed or its descriptor not created yet
     * @throws IOException if the kernel reports an unexpected error
     * @throws UnsupportedOperationException if the descriptor cannot be read (no agent, no opens) or the binding is
     *         missing
     * @since 0.1.0
     */
    public static boolean isMultipath(Socket socket) throws IOException {
        return Introspection.isMultipath(socket);
    }

    /**
     * Whether this {@code java.net.ServerSocket} is an MPTCP listener; see {@link #isMultipath(Socket)} for what it
     * needs.
     *
     * @param socket an open, created server socket
     * @return whether it is an MPTCP listener
     * @throws java.net.SocketException if the socket is closed or its descriptor not created yet
     * @throws IOException if the kernel reports an unexpected error
     * @throws UnsupportedOperationException if the descriptor cannot be read or the binding is missing
     * @since 0.1.0
     */
    public static boolean isMultipath(ServerSocket socket) throws IOException {
        return Introspection.isMultipath(socket);
    }

    /**
     * {@link #info(NetworkChannel)} for a {@code java.net.Socket}; see {@link #isMultipath(Socket)} for what it needs.
     *
     * @param socket an open, connected socket
     * @return the snapshot, or empty when the connection is not running MPTCP
     * @throws java.net.SocketException if the socket is closed or its descriptor not created yet
     * @throws IOException if the kernel reports an unexpected error
     * @throws UnsupportedOperationException if the descriptor cannot be read or the binding is missing
     * @since 0.1.0
     */
    public static Optional<MptcpInfo> info(Socket socket) throws IOException {
        return wrap(Introspection.info(socket));
    }

    /**
     * {@link #subflows(NetworkChannel)} for a {@code java.net.Socket}; see {@link #isMultipath(Socket)} for what it
     * needs.
     *
     * @param socket an open, connected socket
     * @return an unmodifiable list, initial subflow first; empty when the connection is not running MPTCP
     * @throws java.net.SocketException if the socket is closed or its descriptor not created yet
     * @throws IOException if the kernel reports an unexpected error
     * @throws UnsupportedOperationException if the descriptor cannot be read or the binding is missing
     * @since 0.1.0
     */
    public static List<Subflow> subflows(Socket socket) throws IOException {
        return Introspection.subflows(socket);
    }

    /**
     * {@link #isMultipath(NetworkChannel)} for a socket known by its descriptor number: for sockets that no JDK class
     * owns, such as the channels of Netty's native transports (epoll, io_uring), whose descriptor is
     * {@code ((io.netty.channel.unix.UnixChannel) channel).fd().intValue()}. The library needs no Netty class for it.
     *
     * <p>Unlike the overloads above, this one cannot tell whether the descriptor still belongs to the socket you mean:
     * keep it open while asking (for a Netty channel, ask on its event loop, which is where Netty closes it, e.g.
     * {@code channel.eventLoop().submit(...)}, or from a handler).
     *
     * @param fd the descriptor of an open socket
     * @return whether the connection is on MPTCP (false for any other kind of socket)
     * @throws IllegalArgumentException if {@code fd} is negative or not a socket
     * @throws java.nio.channels.ClosedChannelException if {@code fd} is not an open descriptor
     * @throws IOException if the kernel reports an unexpected error
     * @throws UnsupportedOperationException if the native binding is missing
     * @since 0.1.0
     */
    public static boolean isMultipath(int fd) throws IOException {
        return Introspection.isMultipath(fd);
    }

    /**
     * {@link #info(NetworkChannel)} for a socket known by its descriptor number; see {@link #isMultipath(int)}.
     *
     * @param fd the descriptor of an open socket
     * @return the snapshot, or empty when the connection is not running MPTCP
     * @throws IllegalArgumentException if {@code fd} is negative or not a socket
     * @throws java.nio.channels.ClosedChannelException if {@code fd} is not an open descriptor
     * @throws IOException if the kernel reports an unexpected error
     * @throws UnsupportedOperationException if the native binding is missing
     * @since 0.1.0
     */
    public static Optional<MptcpInfo> info(int fd) throws IOException {
        return wrap(Introspection.info(fd));
    }

    /**
     * {@link #subflows(NetworkChannel)} for a socket known by its descriptor number; see {@link #isMultipath(int)}.
     *
     * @param fd the descriptor of an open socket
     * @return an unmodifiable list, initial subflow first; empty when the connection is not running MPTCP
     * @throws IllegalArgumentException if {@code fd} is negative or not a socket
     * @throws java.nio.channels.ClosedChannelException if {@code fd} is not an open descriptor
     * @throws IOException if the kernel reports an unexpected error
     * @throws UnsupportedOperationException if the native binding is missing
     * @since 0.1.0
     */
    public static List<Subflow> subflows(int fd) throws IOException {
        return Introspection.subflows(fd);
    }

    /**
     * How many sockets were made MPTCP in this JVM: channels the provider re-seated, and sockets the agent created as
     * MPTCP in place.
     *
     * @return the count since start-up
     * @since 0.1.0
     */
    public static long upgradedChannels() {
        return Counters.upgradedCount();
    }

    /**
     * How many sockets the provider or the agent left on plain TCP because MPTCP was unavailable or refused (not
     * counting sockets excluded by {@code mptcp.nio.mode}, nor per-connection fallbacks negotiated by the kernel).
     *
     * @return the count since start-up
     * @since 0.1.0
     */
    public static long fallbackChannels() {
        return Counters.fallbackCount();
    }
}
