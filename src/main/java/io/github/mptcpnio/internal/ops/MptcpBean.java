package io.github.mptcpnio.internal.ops;

import io.github.mptcpnio.Mptcp;
import io.github.mptcpnio.Subflow;
import io.github.mptcpnio.internal.Counters;
import io.github.mptcpnio.internal.Settings;
import io.github.mptcpnio.internal.agent.SocketTable;
import io.github.mptcpnio.internal.agent.Agent;
import io.github.mptcpnio.internal.linux.MptcpInfoFields;

import java.net.InetSocketAddress;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;

/** The {@link MptcpMXBean}: counters from {@link Counters}, sockets from a {@link LiveSockets} snapshot per read. */
final class MptcpBean implements MptcpMXBean {
    private final Settings settings;

    MptcpBean(Settings settings) {
        this.settings = settings;
    }

    @Override
    public String getAvailability() {
        return Mptcp.unavailability().map(Object::toString).orElse("available");
    }

    @Override
    public String getMode() {
        return settings.mode().name().toLowerCase(Locale.ROOT);
    }

    @Override
    public boolean isStrict() {
        return settings.strict();
    }

    @Override
    public String getLaunchMode() {
        return launchMode();
    }

    /** "agent (in place)", "agent (provider only)" or "switch". */
    static String launchMode() {
        if (Agent.installed()) {
            return Agent.inPlace() ? "agent (in place)" : "agent (provider only)";
        }
        return "switch";
    }

    @Override
    public List<String> getRules() {
        List<String> out = new ArrayList<>();
        SocketTable.instance().rules().ifPresent(r -> {
            for (int i = 0; i < r.all().size(); i++) {
                out.add(r.describe(i) + " -> " + (r.mptcp(i) ? "MPTCP" : "TCP"));
            }
        });
        return out;
    }

    @Override
    public Map<String, Long> getDecisionsByRule() {
        Map<String, Long> out = new java.util.LinkedHashMap<>();
        SocketTable.instance().rules().ifPresent(r -> {
            long[] counts = r.counts();
            for (int i = 0; i < counts.length; i++) {
                out.put(r.describe(i) + " -> " + (r.mptcp(i) ? "MPTCP" : "TCP"), counts[i]);
            }
        });
        return out;
    }

    @Override
    public long getCreatedAsMptcpListeners() {
        return Counters.upgraded(true);
    }

    @Override
    public long getCreatedAsMptcpClients() {
        return Counters.upgraded(false);
    }

    @Override
    public Map<String, Long> getCreatedAsMptcpByKind() {
        return Counters.upgradedByKind();
    }

    @Override
    public Map<String, Long> getFallbacksAtCreation() {
        return Counters.fallbacksByReason();
    }

    @Override
    public long getUserTimeoutsNotApplied() {
        return Counters.userTimeoutsIgnored();
    }

    @Override
    public int getLiveMptcpSockets() {
        return LiveSockets.snapshot().size();
    }

    @Override
    public int getLiveFallenBack() {
        int n = 0;
        for (LiveSockets.Entry e : LiveSockets.snapshot()) {
            if (!e.listener() && !e.multipath()) {
                n++;
            }
        }
        return n;
    }

    @Override
    public List<ConnectionView> getConnections() {
        List<ConnectionView> out = new ArrayList<>();
        for (LiveSockets.Entry e : LiveSockets.snapshot()) {
            out.add(view(e));
        }
        return out;
    }

    static ConnectionView view(LiveSockets.Entry e) {
        List<SubflowView> subflows = new ArrayList<>();
        for (Subflow s : e.subflows()) {
            subflows.add(new SubflowView(text(s.local()), text(s.remote()), s.state(), s.rttMicros(), s.bytesSent(),
                    s.bytesReceived()));
        }
        Optional<MptcpInfoFields> info = e.info();
        String role = e.listener() ? "listener" : e.multipath() ? "connection" : "connection (fell back to TCP)";
        return new ConnectionView(e.fd(), role, e.multipath(), e.local().map(MptcpBean::text).orElse(""),
                e.remote().map(MptcpBean::text).orElse(""),
                (int) field(info, MptcpInfoFields.Field.SUBFLOWS), field(info, MptcpInfoFields.Field.BYTES_SENT),
                field(info, MptcpInfoFields.Field.BYTES_RECEIVED), subflows, e.decision());
    }

    private static long field(Optional<MptcpInfoFields> info, MptcpInfoFields.Field f) {
        return info.isPresent() && info.get().present(f) ? info.get().get(f) : -1;
    }

    /** "198.51.100.1:5201", "[2001:db8::1]:5201". */
    static String text(InetSocketAddress a) {
        String host = a.getAddress().getHostAddress();
        return (host.indexOf(':') >= 0 ? "[" + host + "]" : host) + ":" + a.getPort();
    }
}
