package io.github.mptcpnio.internal.ops;

import io.github.mptcpnio.Subflow;
import jdk.jfr.Category;
import jdk.jfr.Description;
import jdk.jfr.Event;
import jdk.jfr.FlightRecorder;
import jdk.jfr.FlightRecorderListener;
import jdk.jfr.Label;
import jdk.jfr.Name;
import jdk.jfr.Period;
import jdk.jfr.StackTrace;

/**
 * JDK Flight Recorder events in the {@code io.github.mptcpnio} namespace:
 * <ul>
 *   <li>{@code io.github.mptcpnio.Fallback}: a socket left on TCP at its creation (reason, errno, kind), with the
 *       stack of the code that created it;</li>
 *   <li>{@code io.github.mptcpnio.Connection} and {@code io.github.mptcpnio.Subflow}: a periodic snapshot of this
 *       JVM's MPTCP sockets and their subflows (every 10 s by default; set the period of
 *       {@code io.github.mptcpnio.Connection} in a recording's settings, e.g. a {@code .jfc} file).</li>
 * </ul>
 * The periodic hook is registered when Flight Recorder initialises, so a JVM that never records pays nothing for it;
 * a disabled event costs one {@code shouldCommit()} check.
 */
public final class Recording {
    private Recording() {}

    /** Registers the periodic snapshot once Flight Recorder is (or becomes) initialised. */
    public static void start() {
        FlightRecorder.addListener(new FlightRecorderListener() {
            @Override
            public void recorderInitialized(FlightRecorder recorder) {
                FlightRecorder.addPeriodicEvent(ConnectionEvent.class, Recording::snapshot);
            }
        });
    }

    /** A fallback at creation, if the event is enabled in a running recording. */
    public static void fallback(String reason, int errno, String kind, String message) {
        FallbackEvent e = new FallbackEvent();
        if (e.shouldCommit()) {
            e.reason = reason;
            e.errno = errno;
            e.kind = kind;
            e.message = message;
            e.commit();
        }
    }

    /** One Connection event per MPTCP socket and one Subflow event per subflow. */
    static void snapshot() {
        if (!new ConnectionEvent().isEnabled()) {
            return;
        }
        for (LiveSockets.Entry entry : LiveSockets.snapshot()) {
            ConnectionView v = MptcpBean.view(entry);
            ConnectionEvent c = new ConnectionEvent();
            c.descriptor = v.getDescriptor();
            c.role = v.getRole();
            c.multipath = v.isMultipath();
            c.local = v.getLocal();
            c.remote = v.getRemote();
            c.subflows = entry.subflows().size();
            c.bytesSent = v.getBytesSent();
            c.bytesReceived = v.getBytesReceived();
            c.decision = v.getDecision();
            c.commit();
            for (Subflow s : entry.subflows()) {
                SubflowEvent e = new SubflowEvent();
                e.descriptor = v.getDescriptor();
                e.local = MptcpBean.text(s.local());
                e.remote = MptcpBean.text(s.remote());
                e.state = s.state();
                e.rttMicros = s.rttMicros();
                e.bytesSent = s.bytesSent();
                e.bytesReceived = s.bytesReceived();
                e.commit();
            }
        }
    }

    @Name("io.github.mptcpnio.Fallback")
    @Label("MPTCP Fallback at Creation")
    @Category({"mptcp-nio"})
    @Description("A socket was left on plain TCP when it was created, because MPTCP was unavailable or refused")
    static final class FallbackEvent extends Event {
        @Label("Reason")
        String reason;
        @Label("Errno")
        int errno;
        @Label("Kind")
        @Description("The Java class the socket was created for (Socket, ServerSocketChannel, ...)")
        String kind;
        @Label("Message")
        String message;
    }

    @Name("io.github.mptcpnio.Connection")
    @Label("MPTCP Socket")
    @Category({"mptcp-nio"})
    @Description("One of this JVM's MPTCP sockets, in a periodic snapshot")
    @Period("10 s")
    @StackTrace(false)
    static final class ConnectionEvent extends Event {
        @Label("Descriptor")
        int descriptor;
        @Label("Role")
        String role;
        @Label("Multipath")
        boolean multipath;
        @Label("Local")
        String local;
        @Label("Remote")
        String remote;
        @Label("Subflows")
        int subflows;
        @Label("Bytes Sent")
        long bytesSent;
        @Label("Bytes Received")
        long bytesReceived;
        @Label("Decided By")
        @Description("The agent's rule that made it MPTCP, \"accepted\" for an accepted connection, empty if unknown")
        String decision;
    }

    @Name("io.github.mptcpnio.Subflow")
    @Label("MPTCP Subflow")
    @Category({"mptcp-nio"})
    @Description("One subflow of one of this JVM's MPTCP connections, in the periodic snapshot")
    @StackTrace(false)
    static final class SubflowEvent extends Event {
        @Label("Descriptor")
        int descriptor;
        @Label("Local")
        String local;
        @Label("Remote")
        String remote;
        @Label("TCP State")
        int state;
        @Label("RTT (µs)")
        long rttMicros;
        @Label("Bytes Sent")
        long bytesSent;
        @Label("Bytes Received")
        long bytesReceived;
    }
}
