package io.github.mptcpnio;

import java.net.InetSocketAddress;
import java.util.Objects;

/**
 * One TCP subflow of an MPTCP connection: its endpoints and key figures from the kernel's {@code struct tcp_info}.
 *
 * @param id            the kernel's subflow id ({@code MPTCP_FULL_INFO}); 0 where the kernel does not report it
 * @param local         the local address and port of this subflow
 * @param remote        the remote address and port of this subflow
 * @param state         the TCP state ({@code tcpi_state}; 1 = ESTABLISHED)
 * @param rttMicros     smoothed round-trip time in microseconds
 * @param rttVarMicros  round-trip time variance in microseconds
 * @param cwnd          congestion window in segments
 * @param mss           sender maximum segment size in bytes
 * @param bytesSent     bytes sent on this subflow, retransmissions included ({@code tcpi_bytes_sent})
 * @param bytesAcked    bytes acknowledged on this subflow ({@code tcpi_bytes_acked})
 * @param bytesReceived bytes received on this subflow ({@code tcpi_bytes_received})
 * @param totalRetrans  segments retransmitted on this subflow
 * @since 0.1.0
 */
public record Subflow(int id, InetSocketAddress local, InetSocketAddress remote, int state, long rttMicros,
                      long rttVarMicros, long cwnd, long mss, long bytesSent, long bytesAcked, long bytesReceived,
                      long totalRetrans) {

    /**
     * Validates the components.
     *
     * @param id the kernel's subflow id ({@code MPTCP_FULL_INFO}); 0 where the kernel does not report it
     * @param local the local address and port of this subflow
     * @param remote the remote address and port of this subflow
     * @param state the TCP state ({@code tcpi_state}; 1 = ESTABLISHED)
     * @param rttMicros smoothed round-trip time in microseconds
     * @param rttVarMicros round-trip time variance in microseconds
     * @param cwnd congestion window in segments
     * @param mss sender maximum segment size in bytes
     * @param bytesSent bytes sent on this subflow, retransmissions included ({@code tcpi_bytes_sent})
     * @param bytesAcked bytes acknowledged on this subflow ({@code tcpi_bytes_acked})
     * @param bytesReceived bytes received on this subflow ({@code tcpi_bytes_received})
     * @param totalRetrans segments retransmitted on this subflow
     * @throws NullPointerException if an address is null
     * @throws IllegalArgumentException if a figure is negative
     * @since 0.1.0
     */
    public Subflow {
        Objects.requireNonNull(local, "local");
        Objects.requireNonNull(remote, "remote");
        if (id < 0 || state < 0 || rttMicros < 0 || rttVarMicros < 0 || cwnd < 0 || mss < 0 || totalRetrans < 0) {
            throw new IllegalArgumentException("negative figure in subflow " + local + " -> " + remote);
        }
    }
}
