package io.github.mptcpnio.internal;

import io.github.mptcpnio.MptcpInfo;
import io.github.mptcpnio.internal.linux.Linux;
import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.Example;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;
import net.jqwik.api.constraints.IntRange;
import net.jqwik.api.constraints.Size;

import java.net.Inet4Address;
import java.net.Inet6Address;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.Optional;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

class StructsTest {

    @Property(tries = 3000)
    void mptcpInfoDecodesExactlyTheBytesTheKernelReturned(@ForAll @Size(max = 160) byte[] bytes,
                                                          @ForAll @IntRange(min = -8, max = 200) int length) {
        MptcpInfo info = Structs.mptcpInfo(bytes, 0, length);
        int valid = Math.max(0, Math.min(Math.min(length, bytes.length), MptcpInfo.MAX_DECODED_SIZE));
        assertEquals(valid, info.kernelSize());
        ByteBuffer b = ByteBuffer.wrap(bytes).order(ByteOrder.nativeOrder());
        assertEquals(valid >= 1 ? bytes[0] & 0xFF : 0, info.subflows());
        assertEquals(valid >= 4 ? bytes[3] & 0xFF : 0, info.subflowsMax());
        assertEquals(valid >= 12 ? b.getInt(8) & 0xFFFF_FFFFL : 0, info.flags());
        assertEquals(valid >= 24 ? b.getLong(16) : 0, info.writeSeq());
        assertEquals(valid >= 43 ? bytes[42] != 0 : false, info.csumEnabled());
        assertEquals(valid >= 64 ? b.getLong(56) : 0, info.bytesSent());
        assertEquals(valid >= 81 ? bytes[80] & 0xFF : 0, info.subflowsTotal());
        assertEquals(valid >= 96 ? b.getInt(92) & 0xFFFF_FFFFL : 0, info.lastAckRecv());
        assertEquals(valid >= 96, info.has(92, 4));
    }

    /** A kernel 5.9 struct (40 bytes): fields from 5.12 on must read 0 even if the buffer holds garbage after it. */
    @Example
    void oldKernelStructIgnoresBytesPastItsLength() {
        byte[] bytes = new byte[96];
        java.util.Arrays.fill(bytes, (byte) 0x7F);
        MptcpInfo info = Structs.mptcpInfo(bytes, 0, 40);
        assertEquals(40, info.kernelSize());
        assertEquals(0x7F, info.subflows());
        assertEquals(0, info.localAddrUsed());
        assertEquals(0, info.bytesSent());
        assertTrue(info.has(32, 8));
        assertTrue(!info.has(40, 1));
    }

    @Provide
    Arbitrary<InetSocketAddress> socketAddresses() {
        Arbitrary<InetAddress> v4 = Arbitraries.bytes().array(byte[].class).ofSize(4).map(StructsTest::addr);
        Arbitrary<InetAddress> v6 = Arbitraries.bytes().array(byte[].class).ofSize(16).map(StructsTest::addr);
        return net.jqwik.api.Combinators.combine(Arbitraries.oneOf(v4, v6), Arbitraries.integers().between(0, 65535))
                .as(InetSocketAddress::new);
    }

    private static InetAddress addr(byte[] raw) {
        try {
            return InetAddress.getByAddress(raw);
        } catch (java.net.UnknownHostException e) {
            throw new IllegalArgumentException(e);
        }
    }

    @Property(tries = 2000)
    void sockaddrRoundTrips(@ForAll("socketAddresses") InetSocketAddress address,
                            @ForAll @IntRange(min = 0, max = 64) int offset) {
        byte[] buffer = new byte[offset + 128];
        ByteBuffer b = ByteBuffer.wrap(buffer).order(ByteOrder.nativeOrder());
        InetAddress a = address.getAddress();
        if (a instanceof Inet4Address) {
            b.putShort(offset, (short) Linux.AF_INET);
            System.arraycopy(a.getAddress(), 0, buffer, offset + 4, 4);
        } else {
            b.putShort(offset, (short) Linux.AF_INET6);
            System.arraycopy(a.getAddress(), 0, buffer, offset + 8, 16);
        }
        buffer[offset + 2] = (byte) (address.getPort() >>> 8);
        buffer[offset + 3] = (byte) address.getPort();
        Optional<InetSocketAddress> decoded = Structs.sockaddr(buffer, offset, 128);
        assertEquals(Optional.of(address), decoded);
        assertTrue(a instanceof Inet6Address == decoded.get().getAddress() instanceof Inet6Address
                || a.getAddress().length == decoded.get().getAddress().getAddress().length);
    }

    @Property(tries = 2000)
    void arbitraryBytesNeverThrow(@ForAll @Size(max = 600) byte[] bytes, @ForAll @IntRange(min = -4, max = 700) int off,
                                  @ForAll @IntRange(min = -4, max = 700) int len) {
        Structs.sockaddr(bytes, Math.max(0, Math.min(off, bytes.length)), len);
        Structs.mptcpInfo(bytes, Math.max(0, Math.min(off, bytes.length)), len);
        Structs.subflow(1, bytes, Math.max(0, Math.min(off, bytes.length)), bytes, 0, len);
    }
}
