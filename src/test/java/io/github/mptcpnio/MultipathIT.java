package io.github.mptcpnio;

import apps.BulkApp;
import io.github.mptcpnio.testing.Forked;
import io.github.mptcpnio.testing.Lines;
import io.github.mptcpnio.testing.RequiresMptcp;
import io.github.mptcpnio.testing.SubflowProbe;
import io.github.mptcpnio.testing.TwoPaths;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.concurrent.TimeUnit;

import static io.github.mptcpnio.testing.TwoPaths.PORT;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Real multipath through the switch: two network namespaces joined by two links ({@link TwoPaths}), server and
 * client in forked JVMs started inside them. Everything runs in CI as root; {@code MPTCP_REQUIRED=true} turns a
 * missing prerequisite into a failure.
 */
@RequiresMptcp(netns = true)
@Timeout(value = 120, unit = TimeUnit.SECONDS)
class MultipathIT {
    private static final String PORT_ARG = String.valueOf(PORT);

    /**
     * Proof 1: a connection opened on path A gets a second subflow on path B, seen by both ends (addresses checked)
     * and by the server's kernel (MP_JOIN counters).
     */
    @ParameterizedTest(name = "{0}")
    @CsvSource({
        "IPv4, 192.0.2.1,     192.0.2.2|192.0.2.1,                       198.51.100.2|198.51.100.1",
        "IPv6, 2001:db8:a::1, 2001:db8:a:0:0:0:0:2|2001:db8:a:0:0:0:0:1, 2001:db8:b:0:0:0:0:2|2001:db8:b:0:0:0:0:1",
    })
    void subflowsOverBothPaths(String family, String serverAddress, String pathA, String pathB) throws Exception {
        try (TwoPaths net = TwoPaths.create()) {
            net.announcePathB(family.equals("IPv6"));
            try (Forked.Running server = Forked.jvm().in(net.server).enabled()
                    .start(SubflowProbe.class.getName(), "server", PORT_ARG, "2")) {
                server.awaitLine("listening=", 30);
                Forked.Result client = Forked.jvm().in(net.client).enabled()
                        .run(SubflowProbe.class.getName(), 30, "client", serverAddress, PORT_ARG, "2").assertExit(0);
                Forked.Result serverResult = server.finish(30).assertExit(0);

                assertEquals(Set.of(pathA, pathB), subflows(client.stdout()), client::toString);
                assertEquals(Set.of(reverse(pathA), reverse(pathB)), subflows(serverResult.stdout()),
                        serverResult::toString);
                for (Forked.Result r : List.of(client, serverResult)) {
                    assertEquals("true", Lines.parse(r.stdout()).get("multipath"), r::toString);
                    assertEquals("1", Lines.parse(r.stdout()).get("infoSubflows"), "one additional subflow");
                }
                Map<String, Long> counters = net.server.counters();
                assertEquals(1, counters.getOrDefault("MPTcpExtMPJoinSynRx", 0L), counters::toString);
                assertEquals(1, counters.getOrDefault("MPTcpExtMPJoinAckRx", 0L), counters::toString);
                assertEquals(1, net.client.counter("MPTcpExtAddAddr"), "the client received the server's ADD_ADDR");
            }
        }
    }

    private static String reverse(String localRemote) {
        String[] p = localRemote.split("\\|");
        return p[1] + "|" + p[0];
    }

    static Set<String> subflows(String stdout) {
        Set<String> out = new TreeSet<>();
        for (String line : stdout.split("\n")) {
            if (line.startsWith("subflow=")) {
                out.add(line.substring("subflow=".length()).trim());
            }
        }
        return out;
    }

    /** Runs one bulk transfer client to server; returns the server's and client's key=value facts. */
    static List<Map<String, String>> transfer(TwoPaths net, String serverAddress, long bytes, String serverMode,
                                              boolean withSwitch) throws Exception {
        Forked serverJvm = Forked.jvm().in(net.server);
        Forked clientJvm = Forked.jvm().in(net.client);
        if (withSwitch) {
            serverJvm.enabled();
            clientJvm.enabled();
        }
        try (Forked.Running server = serverJvm.start(BulkApp.class.getName(), "server", PORT_ARG, serverMode)) {
            server.awaitLine("listening=", 30);
            Forked.Result client = clientJvm.run(BulkApp.class.getName(), 90, "client", serverAddress, PORT_ARG,
                    String.valueOf(bytes)).assertExit(0);
            Forked.Result s = server.finish(30).assertExit(0);
            Map<String, String> sf = Lines.parse(s.stdout());
            Map<String, String> cf = Lines.parse(client.stdout());
            assertEquals(String.valueOf(bytes), sf.get("received"), s::toString);
            assertEquals(cf.get("sha256"), sf.get("sha256"), "SHA-256 of the bytes sent and received");
            return List.of(sf, cf);
        }
    }

    @Test
    void placeholder() {
        assertTrue(true);
    }
}
