package io.github.mptcpnio.internal.linux;

import io.github.mptcpnio.MptcpInfo;
import io.github.mptcpnio.ApiAccess;
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
import java.util.OptionalInt;
import java.util.OptionalLong;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

class StructsTest {

    @Property(tries = 3000)
    void mptcpInfoDecodesExactlyTheBytesTheKernelReturned(@ForAll @Size(max = 160) byte[] bytes,
                                                          @ForAll @IntRange(min = -8, max = 200) int length) {
        MptcpInfo info = ApiAccess.info(Structs.mptcpInfo(bytes, 0, length));
        int valid = Math.max(0, Math.min(Math.min(length, bytes.length), MptcpInfoFields.SIZE));
        ByteBuffer b = ByteBuffer.wrap(bytes).order(ByteOrder.nativeOrder());
        assertEquals(valid >= 1 ? bytes[0] & 0xFF : 0, info.subflows());
        assertEquals(valid >= 4 ? bytes[3] & 0xFF : 0, info.subflowsMax());
        assertEquals(valid >= 12 ? b.getInt(8) & 0xFFFF_FFFFL : 0, info.flags());
        assertEquals(valid >= 24 ? b.getLong(16) : 0, info.writeSeq());
        assertEquals(valid >= 43 ? Optional.of(bytes[42] != 0) : Optional.empty(), info.csumEnabled());
        assertEquals(valid >= 64 ? OptionalLong.of(b.getLong(56)) : OptionalLong.empty(), info.bytesSent());
        assertEquals(valid >= 81 ? OptionalInt.of(bytes[80] & 0xFF) : OptionalInt.empty(), info.subflowsTotal());
        assertEquals(valid >= 96 ? OptionalLong.of(b.getInt(92) & 0xFFFF_FFFFL) : OptionalLong.empty(),
                info.lastAckRecv());
    }

    /** A kernel 5.11 struct (40 bytes): fields from 5.12 on are absent even if the buffer holds bytes after it. */
    @Example
    void oldKernelStructIgnoresBytesPastItsLength() {
        byte[] bytes = new byte[MptcpInfoFields.SIZE];
        java.util.Arrays.fill(bytes, (byte) 0x7F);
        MptcpInfoFields fields = Structs.mptcpInfo(bytes, 0, 40);
        assertEquals(40, fields.length());
        MptcpInfo info = ApiAccess.info(fields);
        assertEquals(0x7F, info.subflows());
        assertEquals(OptionalInt.empty(), info.localAddrUsed());
        assertEquals(OptionalLong.empty(), info.bytesSent());
        assertEquals(0x7F7F_7F7F_7F7F_7F7FL, info.rcvNxt());
        assertTrue(fields.present(MptcpInfoFields.Field.RCV_NXT));
        assertFalse(fields.present(MptcpInfoFields.Field.LOCAL_ADDR_USED));
    }

    @Example
    void flagBitsComeFromTheUapiConstants() {
        byte[] bytes = new byte[MptcpInfoFields.SIZE];
        ByteBuffer.wrap(bytes).order(ByteOrder.nativeOrder()).putInt(8, (int) Linux.MPTCP_INFO_FLAG_FALLBACK);
        MptcpInfo info = ApiAccess.info(Structs.mptcpInfo(bytes, 0, bytes.length));
        assertTrue(info.fallback());
        assertFalse(info.remoteKeyReceived());
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

    /** Any offset and length, negative and past the end included: decoders answer, never throw. */
    @Property(tries = 3000)
    void arbitraryBytesNeverThrow(@ForAll @Size(max = 600) byte[] bytes,
                                  @ForAll @IntRange(min = -700, max = 700) int off,
                                  @ForAll @IntRange(min = -700, max = 700) int len) {
        Structs.sockaddr(bytes, off, len);
        Structs.mptcpInfo(bytes, off, len);
        Structs.subflow(1, bytes, off, bytes, off, len);
        Structs.subflow(1, bytes, 0, bytes, off, len);
    }

    /**
     * Regression: a negative offset made {@code sockaddr} throw (it copied from before the array); the property above
     * could not find it while it only generated offsets of 0 or more.
     */
    @Example
    void negativeOffsetDecodesNothing() {
        byte[] bytes = new byte[64];
        bytes[0] = (byte) Linux.AF_INET; // a family at index 0 must not be read for a struct said to start at -4
        assertEquals(Optional.empty(), Structs.sockaddr(bytes, -4, 32));
        assertEquals(0, Structs.mptcpInfo(bytes, -4, 32).length());
    }
}
