package io.github.mptcpnio.internal;

import io.github.mptcpnio.MptcpInfo;
import io.github.mptcpnio.Subflow;
import io.github.mptcpnio.Unavailability;
import io.github.mptcpnio.internal.linux.LibC;
import io.github.mptcpnio.internal.linux.Linux;
import io.github.mptcpnio.internal.linux.NativeCallException;

import java.io.IOException;
import java.nio.channels.NetworkChannel;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Objects;
import java.util.Optional;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/** What the kernel knows about one connection: MPTCP or not, {@code struct mptcp_info}, its subflows. */
public final class Introspection {
    private Introspection() {}

    /** The answer of one MPTCP probe option. */
    public enum Probe { YES, NO, UNSUPPORTED }

    /** Subflow array capacity we start with; grown to what the kernel reports, up to {@link #MAX_SUBFLOWS}. */
    private static final int INITIAL_SUBFLOWS = 8;
    private static final int MAX_SUBFLOWS = 256;

    /**
     * The decision of {@code isMultipath}, separated from the system calls: {@code SO_PROTOCOL} first (a plain TCP
     * socket is never MPTCP), then {@code TCP_IS_MPTCP} (6.10+, 0 after fallback), then whether
     * {@code MPTCP_INFO} works (5.16+, fails after fallback), then the protocol alone (older kernels cannot tell a
     * fallback).
     */
    public static boolean decide(int soProtocol, Probe tcpIsMptcp, Probe mptcpInfo, boolean kernel516) {
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

    /** A question asked of one socket descriptor. */
    private interface Query<T> {
        T ask(LibC libc, int fd) throws NativeCallException;
    }

    /**
     * Asks {@code query} about {@code channel}'s socket. {@code notMptcp} is the answer for a socket that is not
     * MPTCP (plain TCP, fallen back, not Linux) or whose MPTCP options the kernel refuses; any other failure becomes
     * the JDK exception for its errno, prefixed with {@code operation}.
     */
    private static <T> T ask(NetworkChannel channel, String operation, T notMptcp, Query<T> query)
            throws IOException {
        Objects.requireNonNull(channel, "channel");
        Optional<LibC> lib = access();
        if (lib.isEmpty()) {
            return notMptcp; // not Linux: no MPTCP sockets exist
        }
        LibC libc = lib.get();
        int fd = JdkShim.fd(channel);
        try {
            int protocol = libc.getsockoptInt(fd, Linux.SOL_SOCKET, Linux.SO_PROTOCOL, "SOL_SOCKET, SO_PROTOCOL");
            return protocol == Linux.IPPROTO_MPTCP ? query.ask(libc, fd) : notMptcp;
        } catch (NativeCallException e) {
            if (notMptcp(e.errno())) {
                return notMptcp; // fallen back (or kernel < 5.16, where MPTCP options are not readable)
            }
            throw Errors.exception(e, operation);
        }
    }

    public static boolean isMultipath(NetworkChannel channel) throws IOException {
        return ask(channel, "isMultipath", false, (libc, fd) -> {
            Probe isMptcp = probeInt(libc, fd, Linux.SOL_TCP, Linux.TCP_IS_MPTCP, "SOL_TCP, TCP_IS_MPTCP");
            Probe info = isMptcp == Probe.UNSUPPORTED
                    ? probeInt(libc, fd, Linux.SOL_MPTCP, Linux.MPTCP_INFO, "SOL_MPTCP, MPTCP_INFO") : Probe.NO;
            return decide(Linux.IPPROTO_MPTCP, isMptcp, info, kernelAtLeast(5, 16));
        });
    }

    public static Optional<MptcpInfo> info(NetworkChannel channel) throws IOException {
        return ask(channel, "info", Optional.empty(), (libc, fd) -> {
            byte[] buffer = new byte[MptcpInfo.MAX_DECODED_SIZE];
            int length = libc.getsockopt(fd, Linux.SOL_MPTCP, Linux.MPTCP_INFO, buffer, "SOL_MPTCP, MPTCP_INFO");
            return Optional.of(Structs.mptcpInfo(buffer, 0, length));
        });
    }

    public static List<Subflow> subflows(NetworkChannel channel) throws IOException {
        return ask(channel, "subflows", List.of(), (libc, fd) -> {
            try {
                return fullInfo(libc, fd);
            } catch (NativeCallException e) {
                if (!notMptcp(e.errno()) && e.errno() != Linux.EINVAL) {
                    throw e;
                }
            }
            return addrsAndTcpInfo(libc, fd); // kernels 5.16 to 6.4, before MPTCP_FULL_INFO
        });
    }

    /** {@code MPTCP_FULL_INFO}: addresses and tcp_info of every subflow in one consistent call. */
    static List<Subflow> fullInfo(LibC libc, int fd) throws NativeCallException {
        int capacity = INITIAL_SUBFLOWS;
        while (true) {
            byte[] header = new byte[Structs.FULL_INFO_HEADER_SIZE + MptcpInfo.MAX_DECODED_SIZE];
            Structs.putU32(header, 4, Structs.TCP_INFO_SIZE);
            Structs.putU32(header, 12, Structs.SUBFLOW_INFO_SIZE);
            Structs.putU32(header, 20, capacity);
            byte[] sf = new byte[capacity * Structs.SUBFLOW_INFO_SIZE];
            byte[] tcp = new byte[capacity * Structs.TCP_INFO_SIZE];
            libc.getsockoptFullInfo(fd, header, Structs.FULL_INFO_SUBFLOW_PTR_OFFSET, sf,
                    Structs.FULL_INFO_TCP_PTR_OFFSET, tcp);
            int count = (int) Math.min(Structs.u32(header, 16), MAX_SUBFLOWS);
            if (count > capacity && capacity < MAX_SUBFLOWS) {
                capacity = count; // subflows were added between calls; ask again with room for all
                continue;
            }
            int tcpLength = (int) Math.min(Structs.u32(header, 0), Structs.TCP_INFO_SIZE);
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
    static List<Subflow> addrsAndTcpInfo(LibC libc, int fd) throws NativeCallException {
        byte[] addrs = subflowData(libc, fd, Linux.MPTCP_SUBFLOW_ADDRS, Structs.SUBFLOW_ADDRS_SIZE,
                "SOL_MPTCP, MPTCP_SUBFLOW_ADDRS");
        byte[] tcp = subflowData(libc, fd, Linux.MPTCP_TCPINFO, Structs.TCP_INFO_SIZE, "SOL_MPTCP, MPTCP_TCPINFO");
        int addrCount = (int) Structs.u32(addrs, 4);
        int tcpCount = (int) Structs.u32(tcp, 4);
        int tcpLength = (int) Math.min(Structs.u32(tcp, 8), Structs.TCP_INFO_SIZE);
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

    private static byte[] subflowData(LibC libc, int fd, int option, int elementSize, String what)
            throws NativeCallException {
        int capacity = INITIAL_SUBFLOWS;
        while (true) {
            byte[] buffer = new byte[Structs.SUBFLOW_DATA_SIZE + capacity * elementSize];
            Structs.putU32(buffer, 0, Structs.SUBFLOW_DATA_SIZE);
            Structs.putU32(buffer, 12, elementSize);
            libc.getsockopt(fd, Linux.SOL_MPTCP, option, buffer, what);
            int count = (int) Math.min(Structs.u32(buffer, 4), MAX_SUBFLOWS);
            if (count > capacity && capacity < MAX_SUBFLOWS) {
                capacity = count;
                continue;
            }
            return buffer;
        }
    }

    private static Probe probeInt(LibC libc, int fd, int level, int option, String what)
            throws NativeCallException {
        try {
            return libc.getsockoptInt(fd, level, option, what) != 0 ? Probe.YES : Probe.NO;
        } catch (NativeCallException e) {
            if (notMptcp(e.errno())) {
                return level == Linux.SOL_TCP ? Probe.UNSUPPORTED : Probe.NO;
            }
            throw e;
        }
    }

    /** The errno values MPTCP options answer with on a socket that is not (or no longer) MPTCP. */
    private static boolean notMptcp(int errno) {
        return errno == Linux.EOPNOTSUPP || errno == Linux.ENOPROTOOPT;
    }

    /**
     * The binding when introspection is possible; empty on a non-Linux OS; an exception naming the cause when the
     * binding or descriptor access is missing.
     */
    private static Optional<LibC> access() {
        Optional<Unavailability> u = Availability.unavailability();
        if (u.isPresent()) {
            switch (u.get().reason()) {
                case NOT_LINUX:
                    return Optional.empty();
                case NATIVE_LOAD_FAILED:
                case JDK_INTERNALS_INACCESSIBLE:
                    throw new UnsupportedOperationException("MPTCP introspection unavailable: " + u.get());
                default:
                    break; // the kernel refuses new MPTCP sockets, but existing ones can still be inspected
            }
        }
        return LibC.instance();
    }

    private static final Pattern VERSION = Pattern.compile("^(\\d+)\\.(\\d+)");

    static boolean kernelAtLeast(int major, int minor) {
        Matcher m = VERSION.matcher(System.getProperty("os.version", ""));
        if (!m.find()) {
            return false;
        }
        int maj = Integer.parseInt(m.group(1));
        int min = Integer.parseInt(m.group(2));
        return maj > major || (maj == major && min >= minor);
    }
}
