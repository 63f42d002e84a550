package io.github.mptcpnio.internal.linux;

import io.github.mptcpnio.Subflow;

import java.net.Inet6Address;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.UnknownHostException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.Optional;

/**
 * Layouts and decoders of the kernel structures we read, in native byte order. Each decoder reads only the bytes the
 * kernel said it wrote and never throws, whatever the offset and length (negative, past the end). Offsets were
 * checked with {@code offsetof} against the uapi headers ({@code linux/mptcp.h}, {@code linux/tcp.h},
 * {@code linux/in.h}, {@code linux/in6.h}).
 */
public final class Structs {
    private Structs() {}

    /** {@code sizeof(struct mptcp_subflow_data)}: u32 size_subflow_data, num_subflows, size_kernel, size_user. */
    static final int SUBFLOW_DATA_SIZE = 16;
    static final int SUBFLOW_DATA_NUM_OFFSET = 4;
    static final int SUBFLOW_DATA_SIZE_KERNEL_OFFSET = 8;
    static final int SUBFLOW_DATA_SIZE_USER_OFFSET = 12;
    /** {@code sizeof(struct mptcp_subflow_addrs)}: two 128-byte {@code sockaddr_storage} unions, local first. */
    static final int SUBFLOW_ADDRS_SIZE = 256;
    /** {@code sizeof(struct mptcp_subflow_info)}: u32 id, then the 8-aligned addrs. */
    static final int SUBFLOW_INFO_SIZE = 264;
    static final int SUBFLOW_INFO_ADDRS_OFFSET = 8;
    /** The prefix of {@code struct tcp_info} we ask for (through {@code tcpi_bytes_retrans}, Linux 4.19+). */
    static final int TCP_INFO_SIZE = 232;
    /**
     * {@code struct mptcp_full_info}: u32 size_tcpinfo_kernel, size_tcpinfo_user, size_sfinfo_kernel,
     * size_sfinfo_user, num_subflows, size_arrays_user; u64 subflow_info and tcp_info pointers; then
     * {@code struct mptcp_info}.
     */
    static final int FULL_INFO_HEADER_SIZE = 40;
    static final int FULL_INFO_TCPINFO_KERNEL_OFFSET = 0;
    static final int FULL_INFO_TCPINFO_USER_OFFSET = 4;
    static final int FULL_INFO_SFINFO_USER_OFFSET = 12;
    static final int FULL_INFO_NUM_SUBFLOWS_OFFSET = 16;
    static final int FULL_INFO_ARRAYS_USER_OFFSET = 20;
    static final int FULL_INFO_SUBFLOW_PTR_OFFSET = 24;
    static final int FULL_INFO_TCP_PTR_OFFSET = 32;

    // struct sockaddr_in: u16 family, be16 port, 4-byte address; struct sockaddr_in6: ..., u32 flowinfo, 16-byte
    // address, u32 scope id
    private static final int SOCKADDR_PORT_OFFSET = 2;
    private static final int SOCKADDR_IN_ADDR_OFFSET = 4;
    private static final int SOCKADDR_IN_SIZE = 8;
    private static final int SOCKADDR_IN6_ADDR_OFFSET = 8;
    private static final int SOCKADDR_IN6_SCOPE_OFFSET = 24;
    private static final int SOCKADDR_IN6_SIZE = 28;

    // struct tcp_info (include/uapi/linux/tcp.h)
    private static final int TCPI_STATE = 0;
    private static final int TCPI_SND_MSS = 16;
    private static final int TCPI_RTT = 68;
    private static final int TCPI_RTTVAR = 72;
    private static final int TCPI_SND_CWND = 80;
    private static final int TCPI_TOTAL_RETRANS = 100;
    private static final int TCPI_BYTES_ACKED = 120;
    private static final int TCPI_BYTES_RECEIVED = 128;
    private static final int TCPI_BYTES_SENT = 200;

    /**
     * The bytes {@code [offset, offset + length)} of an array, clipped to the array: reads past the end give 0,
     * a negative offset gives no bytes at all (the structure's start is not there).
     */
    static final class View {
        private final ByteBuffer b;

        private View(ByteBuffer b) {
            this.b = b;
        }

        int length() {
            return b.limit();
        }

        int u8(int off) {
            return off >= 0 && off + 1 <= b.limit() ? b.get(off) & 0xFF : 0;
        }

        int u16(int off) {
            return off >= 0 && off + 2 <= b.limit() ? b.getShort(off) & 0xFFFF : 0;
        }

        long u32(int off) {
            return off >= 0 && off + 4 <= b.limit() ? b.getInt(off) & 0xFFFF_FFFFL : 0;
        }

        long u64(int off) {
            return off >= 0 && off + 8 <= b.limit() ? b.getLong(off) : 0;
        }

        /** {@code n} bytes at {@code off}, or null when they are not all there. */
        byte[] bytes(int off, int n) {
            if (off < 0 || off + n > b.limit()) {
                return null;
            }
            byte[] out = new byte[n];
            b.get(off, out);
            return out;
        }
    }

    static View view(byte[] bytes, int offset, int length) {
        if (offset < 0 || offset > bytes.length || length <= 0) {
            return new View(ByteBuffer.allocate(0));
        }
        int len = Math.min(length, bytes.length - offset);
        return new View(ByteBuffer.wrap(bytes, offset, len).slice().order(ByteOrder.nativeOrder()));
    }

    /** {@code struct mptcp_info} from the {@code length} bytes at {@code offset} that the kernel returned. */
    public static MptcpInfoFields mptcpInfo(byte[] bytes, int offset, int length) {
        return MptcpInfoFields.decode(bytes, offset, length);
    }

    /**
     * A {@code sockaddr_in}/{@code sockaddr_in6} at {@code offset}; empty for any other family or short input.
     * The port is in network byte order.
     */
    public static Optional<InetSocketAddress> sockaddr(byte[] bytes, int offset, int length) {
        View b = view(bytes, offset, length);
        int family = b.u16(0);
        int port = (b.u8(SOCKADDR_PORT_OFFSET) << 8) | b.u8(SOCKADDR_PORT_OFFSET + 1);
        try {
            if (family == Linux.AF_INET && b.length() >= SOCKADDR_IN_SIZE) {
                return Optional.of(new InetSocketAddress(
                        InetAddress.getByAddress(b.bytes(SOCKADDR_IN_ADDR_OFFSET, 4)), port));
            }
            if (family == Linux.AF_INET6 && b.length() >= SOCKADDR_IN6_SIZE) {
                byte[] addr = b.bytes(SOCKADDR_IN6_ADDR_OFFSET, 16);
                int scope = (int) b.u32(SOCKADDR_IN6_SCOPE_OFFSET);
                InetAddress ia = scope != 0 ? Inet6Address.getByAddress(null, addr, scope)
                        : InetAddress.getByAddress(addr);
                return Optional.of(new InetSocketAddress(ia, port));
            }
        } catch (UnknownHostException impossible) { // only for a wrong address length, excluded above
            return Optional.empty();
        }
        return Optional.empty();
    }

    /**
     * A subflow from its {@code struct mptcp_subflow_addrs} (at {@code addrsOffset}) and its {@code struct tcp_info}
     * (at {@code tcpOffset}, {@code tcpLength} valid bytes); empty when the addresses cannot be decoded.
     */
    public static Optional<Subflow> subflow(int id, byte[] addrs, int addrsOffset, byte[] tcp, int tcpOffset,
                                            int tcpLength) {
        Optional<InetSocketAddress> local = sockaddr(addrs, addrsOffset, SUBFLOW_ADDRS_SIZE / 2);
        Optional<InetSocketAddress> remote = sockaddr(addrs, addrsOffset + SUBFLOW_ADDRS_SIZE / 2,
                SUBFLOW_ADDRS_SIZE / 2);
        if (local.isEmpty() || remote.isEmpty()) {
            return Optional.empty();
        }
        View t = view(tcp, tcpOffset, Math.min(tcpLength, TCP_INFO_SIZE));
        return Optional.of(new Subflow(Math.max(id, 0), local.get(), remote.get(), t.u8(TCPI_STATE),
                t.u32(TCPI_RTT), t.u32(TCPI_RTTVAR), t.u32(TCPI_SND_CWND), t.u32(TCPI_SND_MSS),
                Math.max(t.u64(TCPI_BYTES_SENT), 0), Math.max(t.u64(TCPI_BYTES_ACKED), 0),
                Math.max(t.u64(TCPI_BYTES_RECEIVED), 0), t.u32(TCPI_TOTAL_RETRANS)));
    }

    /** The u32 at {@code offset} of a header we filled and the kernel answered in; 0 past the end. */
    static long u32(byte[] bytes, int offset) {
        return view(bytes, 0, bytes.length).u32(offset);
    }

    static void putU32(byte[] bytes, int offset, int value) {
        ByteBuffer.wrap(bytes).order(ByteOrder.nativeOrder()).putInt(offset, value);
    }
}
