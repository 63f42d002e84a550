package io.github.mptcpnio.internal.ops;

import javax.management.ConstructorParameters;

/** One subflow of an MPTCP connection, as JMX shows it ({@code CompositeData}). */
public final class SubflowView {
    private final String local;
    private final String remote;
    private final int state;
    private final long rttMicros;
    private final long bytesSent;
    private final long bytesReceived;

    @ConstructorParameters({"local", "remote", "state", "rttMicros", "bytesSent", "bytesReceived"})
    public SubflowView(String local, String remote, int state, long rttMicros, long bytesSent, long bytesReceived) {
        this.local = local;
        this.remote = remote;
        this.state = state;
        this.rttMicros = rttMicros;
        this.bytesSent = bytesSent;
        this.bytesReceived = bytesReceived;
    }

    public String getLocal() {
        return local;
    }

    public String getRemote() {
        return remote;
    }

    /** The TCP state ({@code tcpi_state}; 1 = ESTABLISHED). */
    public int getState() {
        return state;
    }

    /** Smoothed round-trip time in microseconds. */
    public long getRttMicros() {
        return rttMicros;
    }

    public long getBytesSent() {
        return bytesSent;
    }

    public long getBytesReceived() {
        return bytesReceived;
    }
}
