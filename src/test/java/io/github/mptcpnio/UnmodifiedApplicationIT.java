package io.github.mptcpnio;

import apps.EchoApp;
import io.github.mptcpnio.testing.Forked;
import io.github.mptcpnio.testing.Netns;
import io.github.mptcpnio.testing.RequiresMptcp;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import java.util.Map;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * A program that never imports this library ({@link EchoApp}) gets MPTCP from the switch alone. Proven from outside
 * the JVM: the kernel's MP_CAPABLE handshake counters in a private network namespace, which only this program uses.
 */
@RequiresMptcp(netns = true)
@Timeout(value = 90, unit = TimeUnit.SECONDS)
class UnmodifiedApplicationIT {
    private static final int CONNECTIONS = 5;

    @ParameterizedTest
    @ValueSource(strings = {"127.0.0.1", "::1"})
    void switchAloneGivesMptcpHandshakes(String loopback) throws Exception {
        try (Netns ns = Netns.create("app")) {
            Forked.Result r = Forked.jvm().in(ns).enabled()
                    .run(EchoApp.class.getName(), 60, loopback, String.valueOf(CONNECTIONS), "1000000").assertExit(0);
            assertEquals("OK connections=5 bytes=5000000", r.stdout().trim());
            Map<String, Long> c = ns.counters();
            assertEquals(CONNECTIONS, c.getOrDefault("MPTcpExtMPCapableSYNRX", 0L), c::toString);
            assertEquals(CONNECTIONS, c.getOrDefault("MPTcpExtMPCapableACKRX", 0L), c::toString);
            assertEquals(0L, c.getOrDefault("MPTcpExtMPCapableFallbackACK", 0L), c::toString);
        }
    }

    /** The control: the same program without the switch makes no MPTCP handshake at all. */
    @Test
    void withoutTheSwitchTheKernelSeesPlainTcp() throws Exception {
        try (Netns ns = Netns.create("control")) {
            Forked.Result r = Forked.jvm().in(ns)
                    .run(EchoApp.class.getName(), 60, "127.0.0.1", String.valueOf(CONNECTIONS), "1000").assertExit(0);
            assertTrue(r.stdout().startsWith("OK"), r.stdout());
            assertEquals(0, ns.counter("MPTcpExtMPCapableSYNRX"));
            assertEquals(0, ns.counter("MPTcpExtMPCapableSYNTX"));
        }
    }
}
