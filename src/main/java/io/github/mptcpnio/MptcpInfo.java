package io.github.mptcpnio;

/**
 * A snapshot of the kernel's {@code struct mptcp_info} for one MPTCP connection
 * ({@code getsockopt(SOL_MPTCP, MPTCP_INFO)}).
 *
 * <p>The structure grew over kernel releases; older kernels return fewer bytes. Only the bytes the kernel
 * returned are decoded: a field that lies beyond {@link #kernelSize()} is 0, and {@link #has(int, int)} tells
 * whether a field was present. Unsigned 64-bit counters are carried in {@code long} and may need
 * {@link Long#toUnsignedString(long)}; unsigned 8/32-bit fields are widened and never negative.
 *
 * @param kernelSize        how many bytes of the structure the kernel returned
 * @param subflows          additional subflows currently open (not counting the initial one)
 * @param addAddrSignal     addresses announced to the peer (ADD_ADDR sent)
 * @param addAddrAccepted   addresses the peer announced that were accepted
 * @param subflowsMax       path-manager limit on additional subflows
 * @param addAddrSignalMax  path-manager limit on announced addresses
 * @param addAddrAcceptedMax path-manager limit on accepted addresses
 * @param flags             {@code mptcpi_flags}: bit 0 fallback, bit 1 remote key received
 * @param token             the connection's local token
 * @param writeSeq          MPTCP-level next sequence number to write
 * @param sndUna            MPTCP-level oldest unacknowledged sequence number
 * @param rcvNxt            MPTCP-level next expected sequence number
 * @param localAddrUsed     local addresses in use (kernel 5.12+)
 * @param localAddrMax      limit on local addresses (kernel 5.12+)
 * @param csumEnabled       whether DSS checksums are in use (kernel 5.14+)
 * @param retransmits       MPTCP-level retransmissions (kernel 6.5+)
 * @param bytesRetrans      bytes retransmitted at MPTCP level (kernel 6.5+)
 * @param bytesSent         bytes sent at MPTCP level (kernel 6.5+)
 * @param bytesReceived     bytes received at MPTCP level (kernel 6.5+)
 * @param bytesAcked        bytes acknowledged at MPTCP level (kernel 6.5+)
 * @param subflowsTotal     subflows including the initial one (kernel 6.8+)
 * @param lastDataSent      milliseconds since data was last sent (kernel 6.10+)
 * @param lastDataRecv      milliseconds since data was last received (kernel 6.10+)
 * @param lastAckRecv       milliseconds since an ack was last received (kernel 6.10+)
 * @since 0.1.0
 */
public record MptcpInfo(int kernelSize, int subflows, int addAddrSignal, int addAddrAccepted, int subflowsMax,
                        int addAddrSignalMax, int addAddrAcceptedMax, long flags, long token, long writeSeq,
                        long sndUna, long rcvNxt, int localAddrUsed, int localAddrMax, boolean csumEnabled,
                        long retransmits, long bytesRetrans, long bytesSent, long bytesReceived, long bytesAcked,
                        int subflowsTotal, long lastDataSent, long lastDataRecv, long lastAckRecv) {

    /** The size of {@code struct mptcp_info} on kernel 6.10 and later, the largest this class decodes. @since 0.1.0 */
    public static final int MAX_DECODED_SIZE = 96;

    /**
     * Validates the components.
     *
     * @param kernelSize how many bytes of the structure the kernel returned
     * @param subflows additional subflows currently open (not counting the initial one)
     * @param addAddrSignal addresses announced to the peer (ADD_ADDR sent)
     * @param addAddrAccepted addresses the peer announced that were accepted
     * @param subflowsMax path-manager limit on additional subflows
     * @param addAddrSignalMax path-manager limit on announced addresses
     * @param addAddrAcceptedMax path-manager limit on accepted addresses
     * @param flags {@code mptcpi_flags}: bit 0 fallback, bit 1 remote key received
     * @param token the connection's local token
     * @param writeSeq MPTCP-level next sequence number to write
     * @param sndUna MPTCP-level oldest unacknowledged sequence number
     * @param rcvNxt MPTCP-level next expected sequence number
     * @param localAddrUsed local addresses in use (kernel 5.12+)
     * @param localAddrMax limit on local addresses (kernel 5.12+)
     * @param csumEnabled whether DSS checksums are in use (kernel 5.14+)
     * @param retransmits MPTCP-level retransmissions (kernel 6.5+)
     * @param bytesRetrans bytes retransmitted at MPTCP level (kernel 6.5+)
     * @param bytesSent bytes sent at MPTCP level (kernel 6.5+)
     * @param bytesReceived bytes received at MPTCP level (kernel 6.5+)
     * @param bytesAcked bytes acknowledged at MPTCP level (kernel 6.5+)
     * @param subflowsTotal subflows including the initial one (kernel 6.8+)
     * @param lastDataSent milliseconds since data was last sent (kernel 6.10+)
     * @param lastDataRecv milliseconds since data was last received (kernel 6.10+)
     * @param lastAckRecv milliseconds since an ack was last received (kernel 6.10+)
     * @throws IllegalArgumentException if a field is outside the range of its C type
     * @since 0.1.0
     */
    public MptcpInfo {
        if (kernelSize < 0) {
            throw new IllegalArgumentException("kernelSize: " + kernelSize + " (expected: >= 0)");
        }
        u8("subflows", subflows);
        u8("addAddrSignal", addAddrSignal);
        u8("addAddrAccepted", addAddrAccepted);
        u8("subflowsMax", subflowsMax);
        u8("addAddrSignalMax", addAddrSignalMax);
        u8("addAddrAcceptedMax", addAddrAcceptedMax);
        u8("localAddrUsed", localAddrUsed);
        u8("localAddrMax", localAddrMax);
        u8("subflowsTotal", subflowsTotal);
        u32("flags", flags);
        u32("token", token);
        u32("retransmits", retransmits);
        u32("lastDataSent", lastDataSent);
        u32("lastDataRecv", lastDataRecv);
        u32("lastAckRecv", lastAckRecv);
    }

    private static void u8(String name, int value) {
        if (value < 0 || value > 0xFF) {
            throw new IllegalArgumentException(name + ": " + value + " (expected: 0..255)");
        }
    }

    private static void u32(String name, long value) {
        if (value < 0 || value > 0xFFFF_FFFFL) {
            throw new IllegalArgumentException(name + ": " + value + " (expected: 0..4294967295)");
        }
    }

    /**
     * Whether the kernel returned the field at {@code offset} of {@code size} bytes.
     *
     * @param offset the field's byte offset in {@code struct mptcp_info}
     * @param size   the field's size in bytes
     * @return true if {@code offset + size <= kernelSize()}
     * @since 0.1.0
     */
    public boolean has(int offset, int size) {
        return offset >= 0 && size >= 0 && (long) offset + size <= kernelSize;
    }

    /**
     * Whether the kernel flagged this connection as fallen back to plain TCP.
     *
     * @return bit 0 of {@link #flags()}
     * @since 0.1.0
     */
    public boolean fallback() {
        return (flags & 1L) != 0;
    }

    /**
     * Whether the peer's key has been received, i.e. the MPTCP handshake completed.
     *
     * @return bit 1 of {@link #flags()}
     * @since 0.1.0
     */
    public boolean remoteKeyReceived() {
        return (flags & 2L) != 0;
    }
}
