package io.github.mptcpnio.internal.ops;

import io.github.mptcpnio.Subflow;
import io.github.mptcpnio.internal.agent.SocketTable;
import io.github.mptcpnio.internal.linux.Linux;
import io.github.mptcpnio.internal.linux.MptcpInfoFields;
import io.github.mptcpnio.internal.linux.NativeCallException;
import io.github.mptcpnio.internal.linux.Sockets;

import java.io.IOException;
import java.net.InetSocketAddress;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Optional;

/**
 * This JVM's MPTCP sockets, found when asked: every descriptor of {@code /proc/self/fd} that is a socket whose
 * protocol is MPTCP ({@code SO_PROTOCOL}), with what the kernel says of it. Nothing is kept between calls and nothing
 * is recorded when sockets are created or used.
 *
 * <p>A snapshot of a moving process: a socket the application closes meanwhile is left out (its descriptor answers
 * {@code EBADF} or is no socket any more), and a descriptor number reused at that moment describes the new socket. The
 * calls are reads ({@code getsockopt}, {@code getsockname}), so the application's sockets are never changed.
 */
public final class LiveSockets {
    private LiveSockets() {}

    /**
     * One MPTCP socket of this JVM.
     *
     * @param fd        its descriptor number
     * @param listener  whether it listens
     * @param multipath whether it runs MPTCP now (false: the connection fell back to TCP)
     * @param local     its address ({@code getsockname})
     * @param remote    the peer's address; empty for a listener
     * @param info      {@code MPTCP_INFO}; empty after a fallback or for a listener
     * @param subflows  its subflows; empty after a fallback or for a listener
     * @param decision the agent's rule that made it MPTCP ({@code default "mptcp"}); "accepted" for a connection a
     *                 listener accepted; empty where unknown (under the switch, or born before the agent)
     */
    public record Entry(int fd, boolean listener, boolean multipath, Optional<InetSocketAddress> local,
                        Optional<InetSocketAddress> remote, Optional<MptcpInfoFields> info, List<Subflow> subflows,
                        String decision) {}

    /** Every MPTCP socket of this JVM now, by descriptor number; empty when the native binding is not loaded. */
    public static List<Entry> snapshot() {
        Optional<Sockets> loaded = Sockets.instance();
        if (loaded.isEmpty()) {
            return List.of();
        }
        Sockets sockets = loaded.get();
        List<Entry> out = new ArrayList<>();
        try (DirectoryStream<Path> fds = Files.newDirectoryStream(Path.of("/proc/self/fd"))) {
            for (Path p : fds) {
                int fd;
                try {
                    fd = Integer.parseInt(p.getFileName().toString());
                    if (!Files.readSymbolicLink(p).toString().startsWith("socket:")) {
                        continue;
                    }
                } catch (NumberFormatException | IOException gone) {
                    continue;
                }
                entry(sockets, fd).ifPresent(out::add);
            }
        } catch (IOException noProc) {
            return List.of();
        }
        out.sort(Comparator.comparingInt(Entry::fd));
        return out;
    }

    private static Optional<Entry> entry(Sockets sockets, int fd) {
        try {
            if (sockets.protocol(fd) != Linux.IPPROTO_MPTCP) {
                return Optional.empty();
            }
            boolean listener = sockets.isListener(fd);
            boolean multipath = sockets.isMultipath(fd);
            Optional<InetSocketAddress> local = sockets.address(fd, false);
            Optional<InetSocketAddress> remote = Optional.empty();
            List<Subflow> subflows = List.of();
            Optional<MptcpInfoFields> info = Optional.empty();
            if (!listener) {
                remote = peer(sockets, fd);
                info = sockets.mptcpInfo(fd);
                subflows = sockets.subflows(fd);
            }
            String decision = SocketTable.instance().explain(fd, listener, remote.map(InetSocketAddress::getPort)
                    .orElse(-1)).orElse(listener || remote.isEmpty() || SocketTable.instance().rules().isEmpty()
                    ? "" : "accepted");
            return Optional.of(new Entry(fd, listener, multipath, local, remote, info, subflows, decision));
        } catch (NativeCallException closedMeanwhile) {
            return Optional.empty();
        }
    }

    /** The peer's address; empty while unconnected ({@code ENOTCONN}). */
    private static Optional<InetSocketAddress> peer(Sockets sockets, int fd) throws NativeCallException {
        try {
            return sockets.address(fd, true);
        } catch (NativeCallException e) {
            if (e.errno() == Linux.ENOTCONN) {
                return Optional.empty();
            }
            throw e;
        }
    }
}
