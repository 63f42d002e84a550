package io.github.mptcpnio.internal;

import io.github.mptcpnio.MptcpInfo;
import io.github.mptcpnio.Subflow;
import io.github.mptcpnio.internal.linux.Linux;

import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.UnknownHostException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.Arrays;
import java.util.Optional;

/**
 * Decoders for the kernel structures we read, in native byte order. Each decoder reads only the bytes the kernel
 * said it wrote and never throws on short or odd input. Offsets were checked with {@code offsetof} against the
 * uapi headers ({@code linux/mptcp.h}, {@code linux/tcp.h}).
 */
public final class Structs {
    private Structs() {}

    /** {@code sizeof(struct mptcp_subflow_data)}. */
    public static final int SUBFLOW_DATA_SIZE = 16;
    /** {@code sizeof(struct mptcp_subflow_addrs)}: two 128-byte sockaddr_storage unions. */
    public static final int SUBFLOW_ADDRS_SIZE = 256;
    /** {@code sizeof(struct mptcp_subflow_info)}: u32 id, then the 8-aligned addrs. */
    public static final int SUBFLOW_INFO_SIZE = 264;
    public static final int SUBFLOW_INFO_ADDRS_OFFSET = 8;
    /** The prefix of {@code struct tcp_info} we ask for (through {@code tcpi_bytes_retrans}, Linux 4.19+). */
    public static final int TCP_INFO_SIZE = 232;
    /** {@code struct mptcp_full_info}: six u32, two u64 pointers, then {@code struct mptcp_info}. */
    public static final int FULL_INFO_HEADER_SIZE = 40;
    public static final int FULL_INFO_SUBFLOW_PTR_OFFSET = 24;
    public static final int FULL_INFO_TCP_PTR_OFFSET = 32;

    private static ByteBuffer view(byte[] bytes, int offset, int length) {
        int from = Math.max(0, Math.min(offset, bytes.length));
        int len = Math.max(0, Math.min(length, bytes.length - from));
        return ByteBuffer.wrap(bytes, from, len).slice().order(ByteOrder.nativeOrder());
    }

    private static int u8(ByteBuffer b, int off) {
        return off + 1 <= b.limit() ? b.get(off) & 0xFF : 0;
    }

    private static int u16(ByteBuffer b, int off) {
        return off + 2 <= b.limit() ? b.getShort(off) & 0xFFFF : 0;
    }

    private static long u32(ByteBuffer b, int off) {
        return off + 4 <= b.limit() ? b.getInt(off) & 0xFFFF_FFFFL : 0;
    }

    private static long u64(ByteBuffer b, int off) {
        return off + 8 <= b.limit() ? b.getLong(off) : 0;
    }

    /** {@code struct mptcp_info} from the {@code length} bytes at {@code offset} that the kernel returned. */
    public static MptcpInfo mptcpInfo(byte[] bytes, int offset, int length) {
        ByteBuffer b = view(bytes, offset, Math.min(length, MptcpInfo.MAX_DECODED_SIZE));
        return new MptcpInfo(b.limit(), u8(b, 0), u8(b, 1), u8(b, 2), u8(b, 3), u8(b, 4), u8(b, 5),
                u32(b, 8), u32(b, 12), u64(b, 16), u64(b, 24), u64(b, 32),
                u8(b, 40), u8(b, 41), u8(b, 42) != 0,
                u32(b, 44), u64(b, 48), u64(b, 56), u64(b, 64), u64(b, 72),
                u8(b, 80), u32(b, 84), u32(b, 88), u32(b, 92));
    }

    /**
     * A {@code sockaddr_in}/{@code sockaddr_in6} at {@code offset}; empty for any other family or short input.
     * The port is in network byte order.
     */
    public static Optional<InetSocketAddress> sockaddr(byte[] bytes, int offset, int length) {
        ByteBuffer b = view(bytes, offset, length);
        int family = u16(b, 0);
        int port = b.limit() >= 4 ? ((b.get(2) & 0xFF) << 8) | (b.get(3) & 0xFF) : 0;
        try {
            if (family == Linux.AF_INET && b.limit() >= 8) {
                byte[] addr = Arrays.copyOfRange(bytes, offset + 4, offset + 8);
                return Optional.of(new InetSocketAddress(InetAddress.getByAddress(addr), port));
            }
            if (family == Linux.AF_INET6 && b.limit() >= 28) {
                byte[] addr = Arrays.copyOfRange(bytes, offset + 8, offset + 24);
                int scope = b.getInt(24);
                InetAddress ia = scope != 0 ? java.net.Inet6Address.getByAddress(null, addr, scope)
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
        ByteBuffer t = view(tcp, tcpOffset, Math.min(tcpLength, TCP_INFO_SIZE));
        return Optional.of(new Subflow(Math.max(id, 0), local.get(), remote.get(), u8(t, 0),
                u32(t, 68), u32(t, 72), u32(t, 80), u32(t, 16),
                Math.max(u64(t, 200), 0), Math.max(u64(t, 120), 0), Math.max(u64(t, 128), 0), u32(t, 100)));
    }

    /** Little helper for the native layer's u32 header fields. */
    public static long u32(byte[] bytes, int offset) {
        return u32(view(bytes, 0, bytes.length), offset);
    }

    public static void putU32(byte[] bytes, int offset, int value) {
        ByteBuffer.wrap(bytes).order(ByteOrder.nativeOrder()).putInt(offset, value);
    }
}
