package io.github.mptcpnio;

import io.github.mptcpnio.testing.Forked;
import io.github.mptcpnio.testing.Netns;
import io.github.mptcpnio.testing.RequiresMptcp;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** {@code java -jar mptcp-nio-<version>-all.jar}: exit 0 only if MPTCP works end to end, and why not otherwise. */
@Timeout(value = 60, unit = TimeUnit.SECONDS)
class SelfCheckIT {

    private static String allJar() {
        String jar = System.getProperty("mptcp.nio.test.alljar");
        assertTrue(jar != null && Files.isRegularFile(Path.of(jar)), "all-jar not built: " + jar);
        return jar;
    }

    @RequiresMptcp
    @Test
    void passesWhereMptcpWorksAndReportsTheConnection() throws Exception {
        Forked.Result r = Forked.exec(List.of(Forked.javaBin(), "-jar", allJar()), 30).assertExit(0);
        String out = r.stdout();
        assertTrue(out.contains("net.mptcp.enabled = 1"), out);
        // path_manager from 6.15 on, pm_type before (KernelsIT runs this on 6.1 and 6.12)
        assertTrue(out.contains("path_manager = kernel") || out.contains("pm_type = 0 (in-kernel)"), out);
        assertFalse(out.contains("unreadable"), out);
        assertTrue(out.contains("JDK export:    yes"), out);
        assertTrue(out.contains("MPTCP sockets: available"), out);
        assertTrue(out.contains("data ok"), out);
        assertTrue(out.contains("MPTCP:         yes (client true, accepted true)"), out);
        assertTrue(out.contains("MptcpInfo:     MptcpInfo[subflows="), out);
        assertTrue(out.contains("subflow:       Subflow[id="), out);
        assertTrue(out.contains("pm limits:"), out);
        // the manifest grants export and native access: no JVM warning, also on JDK 24+
        assertTrue(r.stderr().lines().noneMatch(l -> l.startsWith("WARNING")), r.stderr());
    }

    @RequiresMptcp(netns = true)
    @Test
    void failsWithTheReasonWhereMptcpIsDisabled() throws Exception {
        try (Netns ns = Netns.create("selfcheck")) {
            ns.sysctl("net.mptcp.enabled", "0");
            List<String> cmd = new java.util.ArrayList<>(ns.prefix());
            cmd.addAll(List.of(Forked.javaBin(), "-jar", allJar()));
            Forked.Result r = Forked.exec(cmd, 30).assertExit(1);
            assertTrue(r.stdout().contains("net.mptcp.enabled = 0"), r.stdout());
            assertTrue(r.stdout().contains("MPTCP sockets: UNAVAILABLE - DISABLED_BY_SYSCTL"), r.stdout());
            assertTrue(r.stdout().contains("MPTCP:         no"), r.stdout());
            assertTrue(r.stdout().contains("data ok"), "the fallback connection still works:\n" + r.stdout());
        }
    }

    @Test
    void namesTheMissingExportWhenRunFromTheClassPath() throws Exception {
        Forked.Result r = Forked.exec(List.of(Forked.javaBin(), Forked.NATIVE_ACCESS, "-cp", allJar(),
                "io.github.mptcpnio.internal.cli.SelfCheck"), 30).assertExit(1);
        assertTrue(r.stdout().contains("JDK export:    NO - add --add-exports java.base/sun.nio.ch=ALL-UNNAMED"),
                r.stdout());
    }

    @RequiresMptcp(netns = true)
    @Test
    void warnsWhenThePathManagerHasNoEndpoints() throws Exception {
        try (Netns ns = Netns.create("noendpoints")) {
            List<String> cmd = new java.util.ArrayList<>(ns.prefix());
            cmd.addAll(List.of(Forked.javaBin(), "-jar", allJar()));
            Forked.Result r = Forked.exec(cmd, 30).assertExit(0);
            assertTrue(r.stdout().contains("pm endpoints:  none - WARNING: MPTCP can only ever use one path"),
                    r.stdout());
            assertTrue(r.stdout().contains("ip mptcp endpoint add"), r.stdout());
            ns.exec("ip", "mptcp", "endpoint", "add", "127.0.0.2", "dev", "lo", "subflow");
            Forked.Result withEndpoint = Forked.exec(cmd, 30).assertExit(0);
            assertTrue(withEndpoint.stdout().contains("pm endpoint:   127.0.0.2"), withEndpoint.stdout());
            assertEquals(-1, withEndpoint.stdout().indexOf("MPTCP can only ever use one path"));
        }
    }
}
