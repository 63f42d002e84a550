package io.github.mptcpnio;

import io.github.mptcpnio.testing.Forked;
import io.github.mptcpnio.testing.Lines;
import io.github.mptcpnio.testing.ModeProbe;
import io.github.mptcpnio.testing.Netns;
import io.github.mptcpnio.testing.RequiresMptcp;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

import java.util.Map;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * {@code mptcp.nio.mode} and {@code mptcp.nio.strict}, each in a forked JVM enabled by the switch, observed through
 * the kernel's {@code SO_PROTOCOL} of every socket. Go checks the same toggles with {@code GODEBUG=multipathtcp}.
 */
@Timeout(value = 60, unit = TimeUnit.SECONDS)
class ModesIT {

    private static Map<String, String> probe(String... extraArgs) throws Exception {
        Forked.Result r = Forked.jvm().enabled().args(extraArgs).run(ModeProbe.class.getName(), 30).assertExit(0);
        Map<String, String> facts = Lines.parse(r.stdout());
        assertEquals("MPTCP TEST", facts.get("data"), r.stdout());
        assertEquals(MptcpSelectorProvider.class.getName(), facts.get("provider"));
        return facts;
    }

    @ParameterizedTest(name = "mode={0}")
    @CsvSource({
        // mode,  listener, client, accepted, multipath end to end
        "both,    MPTCP,    MPTCP,  MPTCP,    true",    // GODEBUG=multipathtcp=1
        "server,  MPTCP,    TCP,    TCP,      false",   // multipathtcp=2 (listeners only; a plain client)
        "client,  TCP,      MPTCP,  TCP,      false",   // multipathtcp=3 (client falls back against a TCP listener)
        "off,     TCP,      TCP,    TCP,      false",   // multipathtcp=0
    })
    @RequiresMptcp
    void modeSelectsWhichChannelsAreMptcp(String mode, String listener, String client, String accepted, boolean multipath)
            throws Exception {
        Map<String, String> f = probe("-Dmptcp.nio.mode=" + mode);
        assertEquals(listener, f.get("listener.protocol"), f::toString);
        assertEquals(client, f.get("client.protocol"), f::toString);
        assertEquals(accepted, f.get("accepted.protocol"), f::toString);
        assertEquals(String.valueOf(multipath), f.get("client.multipath"), f::toString);
        assertEquals(String.valueOf(multipath), f.get("accepted.multipath"), f::toString);
        assertEquals(String.valueOf(listener.equals("MPTCP")), f.get("listener.multipath"), f::toString);
        long expectedUpgrades = (listener.equals("MPTCP") ? 1 : 0) + (client.equals("MPTCP") ? 1 : 0);
        assertEquals(String.valueOf(expectedUpgrades), f.get("upgraded"), f::toString);
        assertEquals("0", f.get("fallbacks"), f::toString);
    }

    @RequiresMptcp
    @Test
    void defaultModeIsBoth() throws Exception {
        Map<String, String> f = probe();
        assertEquals("MPTCP", f.get("listener.protocol"));
        assertEquals("MPTCP", f.get("client.protocol"));
        assertEquals("true", f.get("accepted.multipath"));
    }

    @RequiresMptcp
    @Test
    void logsOneLinePerJvm() throws Exception {
        Forked.Result r = Forked.jvm().enabled().run(ModeProbe.class.getName(), 30).assertExit(0);
        long lines = r.stderr().lines().filter(l -> l.contains("mptcp-nio:")).count();
        assertEquals(1, lines, r.stderr());
        assertTrue(r.stderr().contains("INFO: mptcp-nio: MPTCP active (mptcp.nio.mode=both, mptcp.nio.strict=false)"),
                r.stderr());
    }

    @ParameterizedTest
    @CsvSource(delimiter = '|', value = {
        "-Dmptcp.nio.mode=bogus | mptcp.nio.mode: 'bogus' (expected: both | server | client | off)",
        "-Dmptcp.nio.strict=yes | mptcp.nio.strict: 'yes' (expected: true | false)",
    })
    void invalidValuesStopTheApplicationLoudly(String flag, String message) throws Exception {
        Forked.Result r = Forked.jvm().enabled().args(flag).run(ModeProbe.class.getName(), 30);
        assertTrue(r.exit() != 0, "must not run with an invalid setting");
        assertTrue(r.stderr().contains(message), r.stderr());
        assertTrue(r.stderr().contains("IllegalArgumentException"), r.stderr());
    }

    @Test
    @RequiresMptcp(netns = true)
    void strictModeTurnsAFallbackIntoAnIOExceptionWithTheReason() throws Exception {
        try (Netns ns = Netns.create("strict")) {
            ns.sysctl("net.mptcp.enabled", "0");
            Forked.Result r = Forked.jvm().in(ns).enabled().args("-Dmptcp.nio.strict=true")
                    .run(ModeProbe.class.getName(), 30).assertExit(3);
            String failure = Lines.parse(r.stdout()).get("open-failed");
            assertTrue(failure.startsWith("java.net.SocketException: mptcp.nio.strict=true and MPTCP is unavailable: "
                    + "DISABLED_BY_SYSCTL: socket(AF_INET, SOCK_STREAM|SOCK_CLOEXEC, IPPROTO_MPTCP) failed: "
                    + "Protocol not available (errno 92)"), failure);
        }
    }

    @Test
    @RequiresMptcp(netns = true)
    void strictModeIsHarmlessWhenMptcpWorks() throws Exception {
        Map<String, String> f = probe("-Dmptcp.nio.strict=true");
        assertEquals("true", f.get("client.multipath"));
    }
}
