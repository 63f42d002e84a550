package io.github.mptcpnio.internal.linux;

import io.github.mptcpnio.Subflow;

import java.lang.System.Logger.Level;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Optional;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * What the policy code asks of a socket descriptor, in Java terms: create an MPTCP socket in the JDK's place
 * ({@link #reseat}), read the JDK's creation-time state, and what the kernel knows about an MPTCP connection. The
 * system calls, their option names and the errno values that mean "not MPTCP" stay in this package.
 *
 * <p>A descriptor number is only meaningful while its owner is open; callers read it from the open owner and re-check
 * the owner after the call (see {@code Introspection}).
 */
public final class Sockets {

    /** The answer of one MPTCP probe option. */
    public enum Probe { YES, NO, UNSUPPORTED }

    /** The library's logger, for the few DEBUG lines of this package (the name every other part uses). */
    static final String LOGGER_NAME = "io.github.mptcpnio";

    /** Subflow array capacity we start with; grown to what the kernel reports, up to {@link #MAX_SUBFLOWS}. */
    private static final int INITIAL_SUBFLOWS = 8;
    private static final int MAX_SUBFLOWS = 256;

    private final LibC libc;

    private final ProtocolSwitch protocolSwitch;

    private Sockets(LibC libc) {
        this.libc = libc;
        this.protocolSwitch = new ProtocolSwitch(libc);
    }

    /**
     * Makes the unconnected socket {@code fd} MPTCP ({@code mptcp}) or TCP under the same number, carrying over what
     * the application set ({@link ProtocolSwitch#switchTo}); {@code droppable}, an option name or null, may be left
     * behind where the new protocol refuses it.
     */
    public ProtocolSwitch.Outcome switchTo(int fd, boolean inet6, boolean mptcp, String droppable)
            throws NativeCallException {
        return protocolSwitch.switchTo(fd, inet6, mptcp, droppable);
    }

    /** The same, knowing whether options were set or an address bound since creation (else a shorter switch). */
    public ProtocolSwitch.Outcome switchTo(int fd, boolean inet6, boolean mptcp, String droppable, boolean optionsSet,
                                           boolean bound) throws NativeCallException {
        return protocolSwitch.switchTo(fd, inet6, mptcp, droppable, optionsSet, bound);
    }

    private static final class Holder {
        static final Sockets INSTANCE = LibC.instance().isPresent() ? new Sockets(LibC.instance().get()) : null;
    }

    /** The binding, loading it on first use; empty when it could not be loaded ({@link LibC#loadFailure()}). */
    public static Optional<Sockets> instance() {
        return Optional.ofNullable(Holder.INSTANCE);
    }

    /** Why {@link #instance()} is empty. */
    public static Optional<Throwable> loadFailure() {
        return LibC.loadFailure();
    }

    /** The module of the native layer (jffi), whose native access JDK 22+ can report. */
    public static Module nativeModule() {
        return LibC.nativeModule();
    }

    // ---- creation ----

    /** Creates and closes one {@code AF_INET} MPTCP socket: whether this kernel, here and now, gives them. */
    public void probeMptcp() throws NativeCallException {
        libc.close(libc.socket(Linux.AF_INET, Linux.SOCK_STREAM | Linux.SOCK_CLOEXEC, Linux.IPPROTO_MPTCP));
    }

    /**
     * A new MPTCP stream socket set up exactly as the JDK's native {@code socket0} sets up its TCP socket
     * on Linux: no {@code SOCK_CLOEXEC}, blocking, {@code IPV6_V6ONLY=0} on {@code AF_INET6}, {@code SO_REUSEADDR=1}
     * for a listener. Closed again if any step fails.
     *
     * @param inet6 {@code AF_INET6} rather than {@code AF_INET}
     * @param reuse set {@code SO_REUSEADDR} (the JDK does for listeners)
     * @return the new descriptor
     */
    public int mptcpSocket(boolean inet6, boolean reuse) throws NativeCallException {
        return mptcpSocket(inet6, reuse, 0);
    }

    /**
     * {@link #mptcpSocket(boolean, boolean)} with flags added to the type: {@link Linux#SOCK_NONBLOCK} makes exactly
     * the socket Netty's native {@code newSocketStreamFd} makes ({@code socket(domain, SOCK_STREAM | SOCK_NONBLOCK,
     * 0)}, then {@code IPV6_V6ONLY=0} on {@code AF_INET6}), as MPTCP.
     */
    public int mptcpSocket(boolean inet6, boolean reuse, int typeFlags) throws NativeCallException {
        int fd = libc.socket(inet6 ? Linux.AF_INET6 : Linux.AF_INET, Linux.SOCK_STREAM | typeFlags,
                Linux.IPPROTO_MPTCP);
        try {
            if (inet6) {
                libc.setsockoptInt(fd, Linux.IPPROTO_IPV6, Linux.IPV6_V6ONLY, 0, "IPPROTO_IPV6, IPV6_V6ONLY");
            }
            if (reuse) {
                libc.setsockoptInt(fd, Linux.SOL_SOCKET, Linux.SO_REUSEADDR, 1, "SOL_SOCKET, SO_REUSEADDR");
            }
            return fd;
        } catch (NativeCallException e) {
            try {
                libc.close(fd);
            } catch (NativeCallException closing) {
                e.addSuppressed(closing);
            }
            throw e;
        }
    }

    /** The JDK's creation-time state of {@code fd}, read from the kernel (up to six system calls). */
    public CreationState creationState(int fd) throws NativeCallException {
        int domain = libc.getsockoptInt(fd, Linux.SOL_SOCKET, Linux.SO_DOMAIN, "SOL_SOCKET, SO_DOMAIN");
        if (domain != Linux.AF_INET && domain != Linux.AF_INET6) {
            return new CreationState(domain, false, -1, 0, 0, 0);
        }
        boolean mptcp = protocol(fd) == Linux.IPPROTO_MPTCP;
        int v6only = domain == Linux.AF_INET6
                ? libc.getsockoptInt(fd, Linux.IPPROTO_IPV6, Linux.IPV6_V6ONLY, "IPPROTO_IPV6, IPV6_V6ONLY") : -1;
        return new CreationState(domain, mptcp, v6only,
                libc.getsockoptInt(fd, Linux.SOL_SOCKET, Linux.SO_REUSEADDR, "SOL_SOCKET, SO_REUSEADDR"),
                libc.fcntl(fd, Linux.F_GETFL, 0), libc.fcntl(fd, Linux.F_GETFD, 0));
    }

    /**
     * Makes {@code fd} an MPTCP socket with the creation-time {@code state}: a new MPTCP socket of the same domain
     * gets the state and is {@code dup3}ed over {@code fd} (four system calls for a client socket: socket, setsockopt,
     * dup3, close). {@code dup3} is atomic: {@code fd} is either re-seated or untouched, and the temporary descriptor
     * is always closed.
     *
     * @return false when there was nothing to do (not an IP socket, or already MPTCP, e.g. under mptcpize)
     */
    public boolean reseat(int fd, CreationState state) throws NativeCallException {
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
            } catch (NativeCallException e) { // close of a socket nobody used: nothing to recover
                System.getLogger(LOGGER_NAME).log(Level.DEBUG,
                        () -> "closing the temporary MPTCP descriptor failed: " + e.getMessage());
            }
        }
    }

    /** Registers {@code fd} again with an epoll instance, as Netty had it ({@code events}, the fd as data). */
    public void epollAdd(int epfd, int fd, int events) throws NativeCallException {
        libc.epollAdd(epfd, fd, events);
    }

    // ---- introspection ----

    /** {@code setsockopt(fd, IPPROTO_TCP, TCP_USER_TIMEOUT, milliseconds)}. */
    public void setTcpUserTimeout(int fd, int milliseconds) throws NativeCallException {
        libc.setsockoptInt(fd, Linux.IPPROTO_TCP, Linux.TCP_USER_TIMEOUT, milliseconds,
                "IPPROTO_TCP, TCP_USER_TIMEOUT");
    }

    /** {@code SO_PROTOCOL}: {@link Linux#IPPROTO_MPTCP}, {@link Linux#IPPROTO_TCP}, ... */
    public int protocol(int fd) throws NativeCallException {
        return libc.getsockoptInt(fd, Linux.SOL_SOCKET, Linux.SO_PROTOCOL, "SOL_SOCKET, SO_PROTOCOL");
    }

    /** The most bytes {@link #readable} peeks at to count them. */
    static final int PEEK_LIMIT = 64 * 1024;

    /**
     * The bytes that can be read from the MPTCP socket {@code fd} before its end of stream, given the count the
     * kernel reported ({@code FIONREAD}, {@code reported}). Once the peer's DATA_FIN has arrived,
     * {@code mptcp_inq_hint()} counts it as a byte ({@code msk->ack_seq} includes it), and answers 1 for nothing
     * left but the end of stream, where TCP answers the data alone. Tells them apart without taking anything from
     * the socket: a zero-timeout poll must show the peer's shutdown and no pending error (a peek would consume the
     * error); then a peek of up to {@link #PEEK_LIMIT} bytes counts what is there. Beyond that limit the count is
     * {@code reported - 1}, the data without the end of stream. Any doubt leaves the kernel's count.
     */
    public int readable(int fd, int reported) throws NativeCallException {
        if (reported < 1) {
            return reported;
        }
        int revents = libc.pollNow(fd, Linux.POLLIN | Linux.POLLRDHUP);
        if ((revents & Linux.POLLERR) != 0 || (revents & (Linux.POLLRDHUP | Linux.POLLHUP)) == 0) {
            return reported;
        }
        int limit = Math.min(reported, PEEK_LIMIT);
        int waiting = libc.peek(fd, limit);
        if (waiting < limit) {
            return waiting;
        }
        return reported <= PEEK_LIMIT ? reported : reported - 1;
    }

    /** Whether {@code fd} is a listening socket ({@code SO_ACCEPTCONN}). */
    public boolean isListener(int fd) throws NativeCallException {
        return libc.getsockoptInt(fd, Linux.SOL_SOCKET, Linux.SO_ACCEPTCONN, "SOL_SOCKET, SO_ACCEPTCONN") != 0;
    }

    /**
     * The socket's own address ({@code getsockname}), or its peer's ({@code getpeername}, for {@code peer}); empty
     * for a family other than IPv4 and IPv6.
     */
    public Optional<java.net.InetSocketAddress> address(int fd, boolean peer) throws NativeCallException {
        byte[] raw = libc.sockname(fd, peer);
        return Structs.sockaddr(raw, 0, raw.length);
    }

    /** Whether {@code fd} is an MPTCP socket (listener or connection) that has not fallen back to TCP. */
    public boolean isMultipath(int fd) throws NativeCallException {
        int protocol = protocol(fd);
        if (protocol != Linux.IPPROTO_MPTCP) {
            return false;
        }
        Probe isMptcp = probeInt(fd, Linux.SOL_TCP, Linux.TCP_IS_MPTCP, "SOL_TCP, TCP_IS_MPTCP");
        Probe info = isMptcp == Probe.UNSUPPORTED
                ? probeInt(fd, Linux.SOL_MPTCP, Linux.MPTCP_INFO, "SOL_MPTCP, MPTCP_INFO") : Probe.NO;
        return decide(protocol, isMptcp, info, kernelAtLeast(5, 16));
    }

    /**
     * The decision of {@link #isMultipath}, separated from the system calls: {@code SO_PROTOCOL} first (a plain TCP
     * socket is never MPTCP), then {@code TCP_IS_MPTCP} (6.10+, 0 after fallback), then whether
     * {@code MPTCP_INFO} works (5.16+, fails after fallback), then the protocol alone (older kernels cannot tell a
     * fallback).
     */
    static boolean decide(int soProtocol, Probe tcpIsMptcp, Probe mptcpInfo, boolean kernel516) {
        if (soProtocol != Linux.IPPROTO_MPTCP) {
            return false;
        }
        if (tcpIsMptcp != Probe.UNSUPPORTED) {
            return tcpIsMptcp == Probe.YES;
        }
        if (kernel516) {
            return mptcpInfo == Probe.YES;
        }
        return true;
    }

    /** {@code struct mptcp_info}; empty for a socket that is not (or no longer) MPTCP, or a kernel before 5.16. */
    public Optional<MptcpInfoFields> mptcpInfo(int fd) throws NativeCallException {
        if (protocol(fd) != Linux.IPPROTO_MPTCP) {
            return Optional.empty();
        }
        byte[] buffer = new byte[MptcpInfoFields.SIZE];
        try {
            int length = libc.getsockopt(fd, Linux.SOL_MPTCP, Linux.MPTCP_INFO, buffer, "SOL_MPTCP, MPTCP_INFO");
            return Optional.of(Structs.mptcpInfo(buffer, 0, length));
        } catch (NativeCallException e) {
            if (notMptcp(e.errno())) {
                return Optional.empty();
            }
            throw e;
        }
    }

    /**
     * The subflows, initial first: {@code MPTCP_FULL_INFO} (6.5+), else {@code MPTCP_SUBFLOW_ADDRS} and
     * {@code MPTCP_TCPINFO} (5.16+); empty for a socket that is not (or no longer) MPTCP.
     */
    public List<Subflow> subflows(int fd) throws NativeCallException {
        if (protocol(fd) != Linux.IPPROTO_MPTCP) {
            return List.of();
        }
        try {
            try {
                return fullInfo(fd);
            } catch (NativeCallException e) {
                if (!notMptcp(e.errno()) && e.errno() != Linux.EINVAL) {
                    throw e;
                }
            }
            return addrsAndTcpInfo(fd); // kernels 5.16 to 6.4, before MPTCP_FULL_INFO
        } catch (NativeCallException e) {
            if (notMptcp(e.errno())) {
                return List.of();
            }
            throw e;
        }
    }

    /** {@code MPTCP_FULL_INFO}: addresses and tcp_info of every subflow in one consistent call. */
    List<Subflow> fullInfo(int fd) throws NativeCallException {
        int capacity = INITIAL_SUBFLOWS;
        while (true) {
            byte[] header = new byte[Structs.FULL_INFO_HEADER_SIZE + MptcpInfoFields.SIZE];
            Structs.putU32(header, Structs.FULL_INFO_TCPINFO_USER_OFFSET, Structs.TCP_INFO_SIZE);
            Structs.putU32(header, Structs.FULL_INFO_SFINFO_USER_OFFSET, Structs.SUBFLOW_INFO_SIZE);
            Structs.putU32(header, Structs.FULL_INFO_ARRAYS_USER_OFFSET, capacity);
            byte[] sf = new byte[capacity * Structs.SUBFLOW_INFO_SIZE];
            byte[] tcp = new byte[capacity * Structs.TCP_INFO_SIZE];
            libc.getsockoptFullInfo(fd, header, Structs.FULL_INFO_SUBFLOW_PTR_OFFSET, sf,
                    Structs.FULL_INFO_TCP_PTR_OFFSET, tcp);
            int count = (int) Math.min(Structs.u32(header, Structs.FULL_INFO_NUM_SUBFLOWS_OFFSET), MAX_SUBFLOWS);
            if (count > capacity && capacity < MAX_SUBFLOWS) {
                capacity = count; // subflows were added between calls; ask again with room for all
                continue;
            }
            int tcpLength = (int) Math.min(Structs.u32(header, Structs.FULL_INFO_TCPINFO_KERNEL_OFFSET),
                    Structs.TCP_INFO_SIZE);
            List<Subflow> result = new ArrayList<>(count);
            for (int i = 0; i < Math.min(count, capacity); i++) {
                int base = i * Structs.SUBFLOW_INFO_SIZE;
                int id = (int) Math.min(Structs.u32(sf, base), Integer.MAX_VALUE);
                Structs.subflow(id, sf, base + Structs.SUBFLOW_INFO_ADDRS_OFFSET, tcp, i * Structs.TCP_INFO_SIZE,
                        tcpLength).ifPresent(result::add);
            }
            return Collections.unmodifiableList(result);
        }
    }

    /** {@code MPTCP_SUBFLOW_ADDRS} then {@code MPTCP_TCPINFO}, paired by index (kernel 5.16+). */
    List<Subflow> addrsAndTcpInfo(int fd) throws NativeCallException {
        byte[] addrs = subflowData(fd, Linux.MPTCP_SUBFLOW_ADDRS, Structs.SUBFLOW_ADDRS_SIZE,
                "SOL_MPTCP, MPTCP_SUBFLOW_ADDRS");
        byte[] tcp = subflowData(fd, Linux.MPTCP_TCPINFO, Structs.TCP_INFO_SIZE, "SOL_MPTCP, MPTCP_TCPINFO");
        int addrCount = (int) Structs.u32(addrs, Structs.SUBFLOW_DATA_NUM_OFFSET);
        int tcpCount = (int) Structs.u32(tcp, Structs.SUBFLOW_DATA_NUM_OFFSET);
        int tcpLength = (int) Math.min(Structs.u32(tcp, Structs.SUBFLOW_DATA_SIZE_KERNEL_OFFSET),
                Structs.TCP_INFO_SIZE);
        int count = Math.min(addrCount, (addrs.length - Structs.SUBFLOW_DATA_SIZE) / Structs.SUBFLOW_ADDRS_SIZE);
        List<Subflow> result = new ArrayList<>(count);
        for (int i = 0; i < count; i++) {
            int addrBase = Structs.SUBFLOW_DATA_SIZE + i * Structs.SUBFLOW_ADDRS_SIZE;
            int tcpBase = Structs.SUBFLOW_DATA_SIZE + i * Structs.TCP_INFO_SIZE;
            boolean hasTcp = i < tcpCount && tcpBase + Structs.TCP_INFO_SIZE <= tcp.length;
            Structs.subflow(0, addrs, addrBase, tcp, tcpBase, hasTcp ? tcpLength : 0).ifPresent(result::add);
        }
        return Collections.unmodifiableList(result);
    }

    private byte[] subflowData(int fd, int option, int elementSize, String what) throws NativeCallException {
        int capacity = INITIAL_SUBFLOWS;
        while (true) {
            byte[] buffer = new byte[Structs.SUBFLOW_DATA_SIZE + capacity * elementSize];
            Structs.putU32(buffer, 0, Structs.SUBFLOW_DATA_SIZE);
            Structs.putU32(buffer, Structs.SUBFLOW_DATA_SIZE_USER_OFFSET, elementSize);
            libc.getsockopt(fd, Linux.SOL_MPTCP, option, buffer, what);
            int count = (int) Math.min(Structs.u32(buffer, Structs.SUBFLOW_DATA_NUM_OFFSET), MAX_SUBFLOWS);
            if (count > capacity && capacity < MAX_SUBFLOWS) {
                capacity = count;
                continue;
            }
            return buffer;
        }
    }

    private Probe probeInt(int fd, int level, int option, String what) throws NativeCallException {
        try {
            return libc.getsockoptInt(fd, level, option, what) != 0 ? Probe.YES : Probe.NO;
        } catch (NativeCallException e) {
            if (notMptcp(e.errno())) {
                return level == Linux.SOL_TCP ? Probe.UNSUPPORTED : Probe.NO;
            }
            throw e;
        }
    }

    /**
     * The errno values MPTCP options answer with on a socket that is not (or no longer) MPTCP, or on a kernel
     * before 5.16 where they are not readable.
     */
    private static boolean notMptcp(int errno) {
        return errno == Linux.EOPNOTSUPP || errno == Linux.ENOPROTOOPT;
    }

    private static final Pattern VERSION = Pattern.compile("^(\\d+)\\.(\\d+)");

    /** Whether the running kernel ({@code os.version}) is at least {@code major.minor}. */
    public static boolean kernelAtLeast(int major, int minor) {
        Matcher m = VERSION.matcher(System.getProperty("os.version", ""));
        if (!m.find()) {
            return false;
        }
        int maj = Integer.parseInt(m.group(1));
        int min = Integer.parseInt(m.group(2));
        return maj > major || (maj == major && min >= minor);
    }
}
