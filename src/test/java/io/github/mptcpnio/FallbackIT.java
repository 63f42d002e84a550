package io.github.mptcpnio;

import apps.EchoApp;
import io.github.mptcpnio.testing.Forked;
import io.github.mptcpnio.testing.Lines;
import io.github.mptcpnio.testing.ModeProbe;
import io.github.mptcpnio.testing.Netns;
import io.github.mptcpnio.testing.RequiresMptcp;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

import java.util.Map;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** When MPTCP sockets are refused the application keeps working on plain TCP, and says why once. */
@RequiresMptcp(netns = true)
@Timeout(value = 60, unit = TimeUnit.SECONDS)
class FallbackIT {

    @Test
    void disabledBySysctlKeepsTheApplicationWorkingOnPlainTcp() throws Exception {
        try (Netns ns = Netns.create("disabled")) {
            ns.sysctl("net.mptcp.enabled", "0");
            Forked.Result r = Forked.jvm().in(ns).enabled()
                    .run(EchoApp.class.getName(), 30, "127.0.0.1", "3", "100000").assertExit(0);
            assertEquals("OK connections=3 bytes=300000", r.stdout().trim());
            // exactly one line, a WARNING naming the reason and the remedy
            assertEquals(1, r.stderr().lines().filter(l -> l.contains("mptcp-nio:")).count(), r.stderr());
            assertTrue(r.stderr().contains("WARNING: mptcp-nio: MPTCP unavailable, channels stay plain TCP"),
                    r.stderr());
            assertTrue(r.stderr().contains("DISABLED_BY_SYSCTL"), r.stderr());
            assertTrue(r.stderr().contains("sysctl -w net.mptcp.enabled=1"), r.stderr());
            assertEquals(0, ns.counter("MPTcpExtMPCapableSYNRX"), "no MPTCP handshake may have happened");
        }
    }

    @Test
    void reasonAndCountersAreReported() throws Exception {
        try (Netns ns = Netns.create("reason")) {
            ns.sysctl("net.mptcp.enabled", "0");
            Forked.Result r = Forked.jvm().in(ns).enabled().run(ModeProbe.class.getName(), 30).assertExit(0);
            Map<String, String> f = Lines.parse(r.stdout());
            assertEquals("MPTCP TEST", f.get("data"));
            assertEquals("false", f.get("available"));
            assertEquals("DISABLED_BY_SYSCTL", f.get("reason"));
            assertEquals("TCP", f.get("listener.protocol"));
            assertEquals("TCP", f.get("client.protocol"));
            assertEquals("2", f.get("fallbacks"), f::toString);
            assertEquals("0", f.get("upgraded"), f::toString);
        }
    }

    /** MPTCP was available at the probe and is switched off later: each new socket falls back on its own. */
    @Test
    void perSocketFallbackWhenTheSysctlChangesAtRunTime() throws Exception {
        try (Netns ns = Netns.create("flip")) {
            Forked.Result r = Forked.jvm().in(ns).enabled().run(ModeProbe.class.getName(), 30, "flip").assertExit(0);
            Map<String, String> f = Lines.parse(r.stdout());
            assertEquals("MPTCP", f.get("client.protocol"), f::toString);
            assertEquals("true", f.get("client.multipath"), f::toString);
            assertEquals("MPTCP TEST", f.get("after-flip.data"), f::toString);
            assertEquals("TCP", f.get("after-flip.listener.protocol"), f::toString);
            assertEquals("TCP", f.get("after-flip.client.protocol"), f::toString);
            assertEquals("2", f.get("upgraded"), f::toString);
            assertEquals("2", f.get("fallbacks"), f::toString);
        }
    }

    /** Without the sun.nio.ch export: plain TCP, one WARNING naming the exact flag, no other JVM warning. */
    @Test
    void withoutTheExportTheApplicationRunsAndOneWarningNamesTheFlag() throws Exception {
        try (Netns ns = Netns.create("noexport")) {
            Forked.Result r = Forked.jvm().in(ns).args(Forked.SWITCH, Forked.NATIVE_ACCESS)
                    .run(EchoApp.class.getName(), 30, "127.0.0.1", "2", "50000").assertExit(0);
            assertEquals("OK connections=2 bytes=100000", r.stdout().trim());
            long warnings = r.stderr().lines().filter(l -> l.startsWith("WARNING")).count();
            assertEquals(1, warnings, "exactly our one warning, no JVM warning:\n" + r.stderr());
            assertTrue(r.stderr().contains("JDK_INTERNALS_INACCESSIBLE"), r.stderr());
            assertTrue(r.stderr().contains("Add --add-exports java.base/sun.nio.ch=ALL-UNNAMED to the java command"),
                    r.stderr());
            assertEquals(0, ns.counter("MPTcpExtMPCapableSYNRX"));
        }
    }
}
