package io.github.mptcpnio;

import apps.EchoApp;
import io.github.mptcpnio.testing.Forked;
import io.github.mptcpnio.testing.Lines;
import io.github.mptcpnio.testing.ModeProbe;
import io.github.mptcpnio.testing.Netns;
import io.github.mptcpnio.testing.RequiresMptcp;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** {@code bin/mptcp-nio run -- <command>}: the agent reaches every JVM a command starts, through JDK_JAVA_OPTIONS. */
@Timeout(value = 60, unit = TimeUnit.SECONDS)
class LauncherIT {
    private static final String LAUNCHER = Path.of("bin", "mptcp-nio").toAbsolutePath().toString();

    private static List<String> command(String... words) {
        List<String> cmd = new ArrayList<>(List.of("env", "MPTCP_NIO_JAR=" + System.getProperty("mptcp.nio.test.alljar")));
        cmd.addAll(List.of(words));
        return cmd;
    }

    private static String testClasses() {
        return Path.of("target", "test-classes").toAbsolutePath().toString();
    }

    @RequiresMptcp(netns = true)
    @Test
    void aStartScriptThatCallsJavaNeedsNoEdit() throws Exception {
        try (Netns ns = Netns.create("launcher")) {
            // an unmodified "start script": sh -c 'java ...', with options of its own already in JDK_JAVA_OPTIONS
            List<String> cmd = new ArrayList<>(ns.prefix());
            cmd.addAll(command("JDK_JAVA_OPTIONS=-Dexisting.option=kept", LAUNCHER, "run", "--rules",
                    "loopback mptcp", "--", "sh", "-c",
                    Forked.javaBin() + " -cp " + testClasses() + " " + EchoApp.class.getName() + " 127.0.0.1 3 1000"));
            Forked.Result r = Forked.exec(cmd, 30).assertExit(0);
            assertEquals("OK connections=3 bytes=3000", r.stdout().trim(), r::toString);
            assertEquals(3, ns.counter("MPTcpExtMPCapableSYNRX"));
            assertTrue(r.stderr().contains("Picked up JDK_JAVA_OPTIONS: -Dexisting.option=kept \"-javaagent:"),
                    r.stderr());
            assertTrue(r.stderr().contains("--enable-native-access=ALL-UNNAMED"), r.stderr());
        }
    }

    @RequiresMptcp
    @Test
    void passesModeStrictAndRules() throws Exception {
        List<String> cmd = command(LAUNCHER, "run", "--mode", "client", "--strict", "--rules=loopback mptcp",
                "--", Forked.javaBin(), "-cp", testClasses(), ModeProbe.class.getName());
        Forked.Result r = Forked.exec(cmd, 30).assertExit(0);
        Map<String, String> f = Lines.parse(r.stdout());
        assertEquals("TCP", f.get("listener.protocol"), r::toString);
        assertEquals("MPTCP", f.get("client.protocol"), r::toString);
        assertTrue(r.stderr().contains("mptcp.nio.mode=client, mptcp.nio.strict=true; rules: mode=client: listener "
                + "tcp; loopback mptcp; then defaults client loopback tcp; listener loopback tcp; mptcp"), r.stderr());
        // without the rule, the default keeps the loopback client on TCP
        Forked.Result defaults = Forked.exec(command(LAUNCHER, "run", "--mode", "client", "--", Forked.javaBin(),
                "-cp", testClasses(), ModeProbe.class.getName()), 30).assertExit(0);
        assertEquals("TCP", Lines.parse(defaults.stdout()).get("client.protocol"), defaults::toString);
    }

    @Test
    void rejectsBadUsage() throws Exception {
        Forked.Result noCommand = Forked.exec(command(LAUNCHER, "run"), 10);
        assertEquals(2, noCommand.exit());
        assertTrue(noCommand.stderr().contains("usage: mptcp-nio run"), noCommand.stderr());
        Forked.Result badMode = Forked.exec(command(LAUNCHER, "run", "--mode", "sideways", "--", "true"), 10);
        assertEquals(2, badMode.exit());
        assertTrue(badMode.stderr().contains("--mode: 'sideways' (expected: both | server | client | off)"),
                badMode.stderr());
        Forked.Result badRules = Forked.exec(command(LAUNCHER, "run", "--rules", "client loopback tcp, tcp", "--",
                "true"), 10);
        assertEquals(2, badRules.exit());
        assertTrue(badRules.stderr().contains("--rules: 'client loopback tcp, tcp' (rules hold no ','"),
                badRules.stderr());
        Forked.Result noJar = Forked.exec(List.of("env", "MPTCP_NIO_JAR=/nonexistent.jar", LAUNCHER, "run", "--",
                "true"), 10);
        assertEquals(2, noJar.exit());
        assertTrue(noJar.stderr().contains("cannot find mptcp-nio-<version>-all.jar"), noJar.stderr());
    }

    @Test
    void otherProgramsAreUntouched() throws Exception {
        Forked.Result r = Forked.exec(command(LAUNCHER, "run", "--", "sh", "-c", "echo $JDK_JAVA_OPTIONS; echo ok"), 10)
                .assertExit(0);
        assertTrue(r.stdout().contains("-javaagent:"), "the variable is set for JVMs the command starts");
        assertTrue(r.stdout().trim().endsWith("ok"), r.stdout());
        assertTrue(!r.stdout().contains("LD_PRELOAD"), "no LD_PRELOAD, unlike mptcpize");
    }
}
