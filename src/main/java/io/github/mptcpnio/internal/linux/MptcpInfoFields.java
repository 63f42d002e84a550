package io.github.mptcpnio.internal.linux;

import java.util.Arrays;

/**
 * The fields of {@code struct mptcp_info} (include/uapi/linux/mptcp.h) that one {@code getsockopt(SOL_MPTCP,
 * MPTCP_INFO)} returned: each field's value, and whether the kernel's answer reached it at all. The structure grew
 * with the kernel (5.12, 5.14, 6.5, 6.8, 6.10); an older kernel returns a shorter prefix, and a field past it is
 * absent, not zero. The public {@code MptcpInfo} is a view of this class; the layout stays here.
 */
public final class MptcpInfoFields {

    /** One field: its offset and size in bytes in the 6.10 layout, the largest this class decodes. */
    public enum Field {
        SUBFLOWS(0, 1), ADD_ADDR_SIGNAL(1, 1), ADD_ADDR_ACCEPTED(2, 1), SUBFLOWS_MAX(3, 1),
        ADD_ADDR_SIGNAL_MAX(4, 1), ADD_ADDR_ACCEPTED_MAX(5, 1),
        FLAGS(8, 4), TOKEN(12, 4), WRITE_SEQ(16, 8), SND_UNA(24, 8), RCV_NXT(32, 8),
        /** 5.12+. */
        LOCAL_ADDR_USED(40, 1), LOCAL_ADDR_MAX(41, 1),
        /** 5.14+. */
        CSUM_ENABLED(42, 1),
        /** 6.5+. */
        RETRANSMITS(44, 4), BYTES_RETRANS(48, 8), BYTES_SENT(56, 8), BYTES_RECEIVED(64, 8), BYTES_ACKED(72, 8),
        /** 6.8+. */
        SUBFLOWS_TOTAL(80, 1),
        /** 6.10+. */
        LAST_DATA_SENT(84, 4), LAST_DATA_RECV(88, 4), LAST_ACK_RECV(92, 4);

        final int offset;
        final int size;

        Field(int offset, int size) {
            this.offset = offset;
            this.size = size;
        }
    }

    /** {@code sizeof(struct mptcp_info)} on kernel 6.10 and later: the buffer we hand the kernel. */
    public static final int SIZE = 96;

    private static final Field[] FIELDS = Field.values();

    private final int length;
    private final long[] values;

    /** Decodes the {@code length} bytes at {@code offset} that the kernel returned; never throws. */
    static MptcpInfoFields decode(byte[] bytes, int offset, int length) {
        Structs.View b = Structs.view(bytes, offset, Math.min(length, SIZE));
        long[] values = new long[FIELDS.length];
        for (Field f : FIELDS) {
            switch (f.size) {
                case 1: values[f.ordinal()] = b.u8(f.offset); break;
                case 4: values[f.ordinal()] = b.u32(f.offset); break;
                default: values[f.ordinal()] = b.u64(f.offset); break;
            }
        }
        return new MptcpInfoFields(b.length(), values);
    }

    private MptcpInfoFields(int length, long[] values) {
        this.length = length;
        this.values = values;
    }

    /** How many bytes of the structure the kernel returned. */
    public int length() {
        return length;
    }

    /** Whether the kernel's answer reached {@code field}. */
    public boolean present(Field field) {
        return field.offset + field.size <= length;
    }

    /** The field's value (unsigned; a u64 may read negative), 0 when absent. */
    public long get(Field field) {
        return present(field) ? values[field.ordinal()] : 0;
    }

    /** Whether {@code mptcpi_flags} has {@code MPTCP_INFO_FLAG_FALLBACK}. */
    public boolean fallback() {
        return (get(Field.FLAGS) & Linux.MPTCP_INFO_FLAG_FALLBACK) != 0;
    }

    /** Whether {@code mptcpi_flags} has {@code MPTCP_INFO_FLAG_REMOTE_KEY_RECEIVED}. */
    public boolean remoteKeyReceived() {
        return (get(Field.FLAGS) & Linux.MPTCP_INFO_FLAG_REMOTE_KEY_RECEIVED) != 0;
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof MptcpInfoFields && ((MptcpInfoFields) o).length == length
                && Arrays.equals(((MptcpInfoFields) o).values, values);
    }

    @Override
    public int hashCode() {
        return 31 * length + Arrays.hashCode(values);
    }
}
