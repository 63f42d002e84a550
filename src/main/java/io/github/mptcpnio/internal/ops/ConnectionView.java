package io.github.mptcpnio.internal.ops;

import javax.management.ConstructorParameters;
import java.util.List;

/** One MPTCP socket of the JVM, as JMX shows it ({@code CompositeData}). */
public final class ConnectionView {
    private final int descriptor;
    private final String role;
    private final boolean multipath;
    private final String local;
    private final String remote;
    private final int subflowCount;
    private final long bytesSent;
    private final long bytesReceived;
    private final List<SubflowView> subflows;
    private final String decision;

    @ConstructorParameters({"descriptor", "role", "multipath", "local", "remote", "subflowCount", "bytesSent",
        "bytesReceived", "subflows", "decision"})
    public ConnectionView(int descriptor, String role, boolean multipath, String local, String remote,
                          int subflowCount, long bytesSent, long bytesReceived, List<SubflowView> subflows,
                          String decision) {
        this.decision = decision;
        this.descriptor = descriptor;
        this.role = role;
        this.multipath = multipath;
        this.local = local;
        this.remote = remote;
        this.subflowCount = subflowCount;
        this.bytesSent = bytesSent;
        this.bytesReceived = bytesReceived;
        this.subflows = List.copyOf(subflows);
    }

    /** The descriptor number. */
    public int getDescriptor() {
        return descriptor;
    }

    /** "listener", "connection", or "connection (fell back to TCP)". */
    public String getRole() {
        return role;
    }

    /** Whether it runs MPTCP now. */
    public boolean isMultipath() {
        return multipath;
    }

    public String getLocal() {
        return local;
    }

    /** The peer's address; "" for a listener. */
    public String getRemote() {
        return remote;
    }

    /** Active subflows as {@code MPTCP_INFO} counts them (-1 where it is not available). */
    public int getSubflowCount() {
        return subflowCount;
    }

    /**
     * Bytes sent at the MPTCP level ({@code mptcpi_bytes_sent}: the application's data, once; -1 where the kernel
     * does not report it). A subflow's own count is what it carried at the TCP level: the same data split among the
     * subflows, retransmissions and reinjections (data sent again on another subflow) included.
     */
    public long getBytesSent() {
        return bytesSent;
    }

    /** Bytes received at the MPTCP level ({@code mptcpi_bytes_received}; -1 where not reported). */
    public long getBytesReceived() {
        return bytesReceived;
    }

    public List<SubflowView> getSubflows() {
        return subflows;
    }

    /**
     * The agent's rule that made this socket MPTCP ({@code rule 2 "listener port 443 mptcp"},
     * {@code default "mptcp"}); "accepted" for a connection its listener accepted; "" where unknown (the switch).
     */
    public String getDecision() {
        return decision;
    }
}
