package io.github.mptcpnio;

import io.github.mptcpnio.internal.linux.MptcpInfoFields;
import io.github.mptcpnio.internal.linux.MptcpInfoFields.Field;

import java.util.Objects;
import java.util.Optional;
import java.util.OptionalInt;
import java.util.OptionalLong;

/**
 * A snapshot of the kernel's {@code struct mptcp_info} for one MPTCP connection
 * ({@code getsockopt(SOL_MPTCP, MPTCP_INFO)}), obtained from {@link Mptcp#info}.
 *
 * <p>The structure grows with the kernel; an older kernel returns fewer fields. The fields every kernel that answers
 * the call (5.16+) returns are plain values; the ones added later are {@link OptionalInt}/{@link OptionalLong},
 * empty when this kernel did not return them, so that a newer field never breaks a caller. Unsigned 64-bit counters
 * are carried in {@code long} and may need {@link Long#toUnsignedString(long)}; unsigned 8- and 32-bit fields are
 * widened and never negative.
 *
 * @since 0.1.0
 */
public final class MptcpInfo {
    private final MptcpInfoFields fields;

    MptcpInfo(MptcpInfoFields fields) {
        this.fields = Objects.requireNonNull(fields, "fields");
    }

    private int u8(Field f) {
        return (int) fields.get(f);
    }

    private OptionalInt optionalU8(Field f) {
        return fields.present(f) ? OptionalInt.of((int) fields.get(f)) : OptionalInt.empty();
    }

    private OptionalLong optional(Field f) {
        return fields.present(f) ? OptionalLong.of(fields.get(f)) : OptionalLong.empty();
    }

    /**
     * Additional subflows currently open, not counting the initial one ({@code mptcpi_subflows}).
     *
     * @return the count
     * @since 0.1.0
     */
    public int subflows() {
        return u8(Field.SUBFLOWS);
    }

    /**
     * Subflows including the initial one ({@code mptcpi_subflows_total}, kernel 6.8+).
     *
     * @return the count, or empty on an older kernel
     * @since 0.1.0
     */
    public OptionalInt subflowsTotal() {
        return optionalU8(Field.SUBFLOWS_TOTAL);
    }

    /**
     * Addresses announced to the peer ({@code mptcpi_add_addr_signal}).
     *
     * @return the count
     * @since 0.1.0
     */
    public int addAddrSignal() {
        return u8(Field.ADD_ADDR_SIGNAL);
    }

    /**
     * Addresses the peer announced that were accepted ({@code mptcpi_add_addr_accepted}).
     *
     * @return the count
     * @since 0.1.0
     */
    public int addAddrAccepted() {
        return u8(Field.ADD_ADDR_ACCEPTED);
    }

    /**
     * The path manager's limit on additional subflows ({@code mptcpi_subflows_max}).
     *
     * @return the limit
     * @since 0.1.0
     */
    public int subflowsMax() {
        return u8(Field.SUBFLOWS_MAX);
    }

    /**
     * The path manager's limit on announced addresses ({@code mptcpi_add_addr_signal_max}).
     *
     * @return the limit
     * @since 0.1.0
     */
    public int addAddrSignalMax() {
        return u8(Field.ADD_ADDR_SIGNAL_MAX);
    }

    /**
     * The path manager's limit on accepted addresses ({@code mptcpi_add_addr_accepted_max}).
     *
     * @return the limit
     * @since 0.1.0
     */
    public int addAddrAcceptedMax() {
        return u8(Field.ADD_ADDR_ACCEPTED_MAX);
    }

    /**
     * The raw {@code mptcpi_flags}; {@link #fallback()} and {@link #remoteKeyReceived()} read its known bits.
     *
     * @return the flags, an unsigned 32-bit value
     * @since 0.1.0
     */
    public long flags() {
        return fields.get(Field.FLAGS);
    }

    /**
     * Whether the kernel flagged this connection as fallen back to plain TCP ({@code MPTCP_INFO_FLAG_FALLBACK}).
     *
     * @return the flag
     * @since 0.1.0
     */
    public boolean fallback() {
        return fields.fallback();
    }

    /**
     * Whether the peer's key has been received, i.e. the MPTCP handshake completed
     * ({@code MPTCP_INFO_FLAG_REMOTE_KEY_RECEIVED}).
     *
     * @return the flag
     * @since 0.1.0
     */
    public boolean remoteKeyReceived() {
        return fields.remoteKeyReceived();
    }

    /**
     * The connection's local token ({@code mptcpi_token}).
     *
     * @return an unsigned 32-bit value
     * @since 0.1.0
     */
    public long token() {
        return fields.get(Field.TOKEN);
    }

    /**
     * The MPTCP-level sequence number of the next byte to write ({@code mptcpi_write_seq}).
     *
     * @return an unsigned 64-bit value
     * @since 0.1.0
     */
    public long writeSeq() {
        return fields.get(Field.WRITE_SEQ);
    }

    /**
     * The MPTCP-level oldest unacknowledged sequence number ({@code mptcpi_snd_una}).
     *
     * @return an unsigned 64-bit value
     * @since 0.1.0
     */
    public long sndUna() {
        return fields.get(Field.SND_UNA);
    }

    /**
     * The MPTCP-level next expected sequence number ({@code mptcpi_rcv_nxt}).
     *
     * @return an unsigned 64-bit value
     * @since 0.1.0
     */
    public long rcvNxt() {
        return fields.get(Field.RCV_NXT);
    }

    /**
     * Local addresses in use ({@code mptcpi_local_addr_used}, kernel 5.12+).
     *
     * @return the count, or empty where the kernel did not return it
     * @since 0.1.0
     */
    public OptionalInt localAddrUsed() {
        return optionalU8(Field.LOCAL_ADDR_USED);
    }

    /**
     * The limit on local addresses ({@code mptcpi_local_addr_max}, kernel 5.12+).
     *
     * @return the limit, or empty where the kernel did not return it
     * @since 0.1.0
     */
    public OptionalInt localAddrMax() {
        return optionalU8(Field.LOCAL_ADDR_MAX);
    }

    /**
     * Whether DSS checksums are in use ({@code mptcpi_csum_enabled}, kernel 5.14+).
     *
     * @return the flag, or empty where the kernel did not return it
     * @since 0.1.0
     */
    public Optional<Boolean> csumEnabled() {
        return fields.present(Field.CSUM_ENABLED) ? Optional.of(fields.get(Field.CSUM_ENABLED) != 0)
                : Optional.empty();
    }

    /**
     * MPTCP-level retransmissions ({@code mptcpi_retransmits}, kernel 6.5+).
     *
     * @return the count, or empty on an older kernel
     * @since 0.1.0
     */
    public OptionalLong retransmits() {
        return optional(Field.RETRANSMITS);
    }

    /**
     * Bytes retransmitted at MPTCP level ({@code mptcpi_bytes_retrans}, kernel 6.5+).
     *
     * @return the count, or empty on an older kernel
     * @since 0.1.0
     */
    public OptionalLong bytesRetrans() {
        return optional(Field.BYTES_RETRANS);
    }

    /**
     * Bytes sent at MPTCP level ({@code mptcpi_bytes_sent}, kernel 6.5+).
     *
     * @return the count, or empty on an older kernel
     * @since 0.1.0
     */
    public OptionalLong bytesSent() {
        return optional(Field.BYTES_SENT);
    }

    /**
     * Bytes received at MPTCP level ({@code mptcpi_bytes_received}, kernel 6.5+).
     *
     * @return the count, or empty on an older kernel
     * @since 0.1.0
     */
    public OptionalLong bytesReceived() {
        return optional(Field.BYTES_RECEIVED);
    }

    /**
     * Bytes acknowledged at MPTCP level ({@code mptcpi_bytes_acked}, kernel 6.5+).
     *
     * @return the count, or empty on an older kernel
     * @since 0.1.0
     */
    public OptionalLong bytesAcked() {
        return optional(Field.BYTES_ACKED);
    }

    /**
     * Milliseconds since data was last sent ({@code mptcpi_last_data_sent}, kernel 6.10+).
     *
     * @return the age, or empty on an older kernel
     * @since 0.1.0
     */
    public OptionalLong lastDataSent() {
        return optional(Field.LAST_DATA_SENT);
    }

    /**
     * Milliseconds since data was last received ({@code mptcpi_last_data_recv}, kernel 6.10+).
     *
     * @return the age, or empty on an older kernel
     * @since 0.1.0
     */
    public OptionalLong lastDataRecv() {
        return optional(Field.LAST_DATA_RECV);
    }

    /**
     * Milliseconds since an acknowledgement was last received ({@code mptcpi_last_ack_recv}, kernel 6.10+).
     *
     * @return the age, or empty on an older kernel
     * @since 0.1.0
     */
    public OptionalLong lastAckRecv() {
        return optional(Field.LAST_ACK_RECV);
    }

    /**
     * Equal when the kernel returned the same fields with the same values.
     *
     * @since 0.1.0
     */
    @Override
    public boolean equals(Object o) {
        return o instanceof MptcpInfo && ((MptcpInfo) o).fields.equals(fields);
    }

    /**
     * Consistent with {@link #equals}.
     *
     * @since 0.1.0
     */
    @Override
    public int hashCode() {
        return fields.hashCode();
    }

    /**
     * Every field the kernel returned, by its {@code mptcpi_} name.
     *
     * @since 0.1.0
     */
    @Override
    public String toString() {
        StringBuilder s = new StringBuilder("MptcpInfo[");
        for (Field f : Field.values()) {
            if (fields.present(f)) {
                s.append(f.name().toLowerCase(java.util.Locale.ROOT)).append('=')
                        .append(Long.toUnsignedString(fields.get(f))).append(", ");
            }
        }
        if (s.charAt(s.length() - 1) == ' ') {
            s.setLength(s.length() - 2);
        }
        return s.append(']').toString();
    }
}
