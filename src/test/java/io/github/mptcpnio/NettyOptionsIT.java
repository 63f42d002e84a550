package io.github.mptcpnio;

import apps.netty.NettyOptionsProbe;
import io.github.mptcpnio.internal.KnownDifferences;
import io.github.mptcpnio.internal.KnownDifferences.NettyDifference;
import io.github.mptcpnio.internal.KnownDifferences.NettyState;
import io.github.mptcpnio.internal.KnownDifferences.Transport;
import io.github.mptcpnio.testing.Forked;
import io.github.mptcpnio.testing.MeasuredOnKernel;
import io.github.mptcpnio.testing.Netns;
import io.github.mptcpnio.testing.RequiresMptcp;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

import java.util.Locale;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Netty's native channel options on MPTCP sockets: {@link NettyOptionsProbe} in a plain JVM (TCP), under
 * {@code mptcpize run} (MPTCP as the kernel gives it) and under the agent, and once more under the agent with
 * {@code mode=off} (every call through the agent's hooks on TCP sockets: no difference at all). The differences must be
 * exactly {@link KnownDifferences#NETTY}: a listed one that does not occur makes it stale, an unlisted one incomplete.
 */
@RequiresMptcp(netns = true)
@MeasuredOnKernel("6.18")
@Timeout(value = 120, unit = TimeUnit.SECONDS)
class NettyOptionsIT {

    @ParameterizedTest(name = "{0}")
    @EnumSource(Transport.class)
    void differencesAreExactlyTheListedOnes(Transport transport) throws Exception {
        String t = transport.name().toLowerCase(Locale.ROOT);
        try (Netns ns = Netns.create("nettyopt")) {
            Map<String, String> tcp = probe(Forked.jvm().in(ns), t);
            Map<String, String> mptcpize = probe(Forked.jvm().in(ns).wrappedBy("mptcpize", "run"), t);
            Map<String, String> agent = probe(Forked.jvm().in(ns).args(AgentIT.agent(), Forked.NATIVE_ACCESS), t);
            Map<String, String> agentOff = probe(Forked.jvm().in(ns)
                    .args(AgentIT.agent() + ",mode=off", Forked.NATIVE_ACCESS), t);
            assertTrue(tcp.size() > 150, "the probe measured too little: " + tcp);
            assertEquals(tcp.keySet(), mptcpize.keySet());
            assertEquals(tcp.keySet(), agent.keySet());
            assertEquals(tcp, agentOff, "under the agent with mode=off (TCP sockets through its hooks)");

            Map<String, String> expectedMptcp = new TreeMap<>();
            Map<String, String> expectedAgent = new TreeMap<>();
            for (NettyDifference d : KnownDifferences.NETTY) {
                if (!d.transports().contains(transport)) {
                    continue;
                }
                for (NettyState s : d.states()) {
                    String key = s.name().toLowerCase(Locale.ROOT) + " "
                            + (d.operation() == null ? "CALL" : d.operation().name()) + " " + d.subject();
                    assertEquals(d.tcp(), tcp.get(key), key);
                    expectedMptcp.put(key, d.mptcp());
                    if (d.underAgent() != null && d.agentStates().contains(s)) {
                        expectedAgent.put(key, d.underAgent());
                    }
                }
            }
            assertEquals(expectedMptcp, differences(tcp, mptcpize), "MPTCP under mptcpize vs TCP");
            assertEquals(expectedAgent, differences(tcp, agent), "under the agent vs TCP");
        }
    }

    private static Map<String, String> probe(Forked jvm, String transport) throws Exception {
        Forked.Result r = jvm.run(NettyOptionsProbe.class.getName(), 60, transport);
        if (r.exit() == 2 && transport.equals("io_uring")) {
            Assumptions.abort("io_uring is unavailable in this environment (a kernel feature, not mptcp-nio's): "
                    + r.stdout().trim());
        }
        r.assertExit(0);
        Map<String, String> out = new TreeMap<>();
        for (String line : r.stdout().split("\n")) {
            String[] f = line.split(" ", 4);
            if (f.length == 4) {
                out.put(f[0] + " " + f[1] + " " + f[2], f[3]);
            }
        }
        return out;
    }

    private static Map<String, String> differences(Map<String, String> base, Map<String, String> other) {
        Map<String, String> d = new TreeMap<>();
        base.forEach((k, v) -> {
            if (!v.equals(other.get(k))) {
                d.put(k, other.get(k));
            }
        });
        return d;
    }
}
