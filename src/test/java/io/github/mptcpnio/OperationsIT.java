package io.github.mptcpnio;

import apps.BulkApp;
import apps.HoldApp;
import apps.KindsApp;
import io.github.mptcpnio.testing.Forked;
import io.github.mptcpnio.testing.Lines;
import io.github.mptcpnio.testing.Netns;
import io.github.mptcpnio.testing.Recordings;
import io.github.mptcpnio.testing.RequiresMptcp;
import io.github.mptcpnio.testing.SubflowProbe;
import io.github.mptcpnio.testing.TwoPaths;
import jdk.jfr.consumer.RecordedEvent;
import jdk.jfr.consumer.RecordingFile;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * What an operator sees of a running JVM: the {@code status} command (Attach API and JMX), the
 * {@code io.github.mptcpnio:type=Mptcp} MBean behind it, JDK Flight Recorder events, a subflow going away and coming
 * back in both, and a JVM in mode {@code off} loading none of it. Every application here is unmodified and runs in a
 * forked JVM under the agent.
 */
@RequiresMptcp(netns = true)
@Timeout(value = 180, unit = TimeUnit.SECONDS)
class OperationsIT {
    @TempDir
    Path tmp;

    private static Forked agentJvm(Netns ns, String... more) {
        List<String> args = new ArrayList<>(List.of(AgentIT.agent(), Forked.NATIVE_ACCESS));
        args.addAll(List.of(more));
        return Forked.jvm().in(ns).classPath(AgentIT.testClasses()).args(args.toArray(new String[0]));
    }

    /**
     * {@code java -jar mptcp-nio-all.jar status <pid>}, run in the target's network namespace: the target's local JMX
     * connector listens on its own loopback.
     */
    private static Forked.Result status(Netns ns, String pid) throws Exception {
        Forked jvm = Forked.jvm().classPath(null).args("-jar", System.getProperty("mptcp.nio.test.alljar"));
        return (ns == null ? jvm : jvm.in(ns)).run(null, 60, "status", pid);
    }

    private String recordingFlag(Path file) throws Exception {
        return Recordings.flag(file, tmp.resolve("mptcp.jfc"));
    }

    @Test
    void statusListsTheConnectionsAndSubflowsOfARunningJvm() throws Exception {
        try (Netns ns = Netns.create("status");
             Forked.Running app = agentJvm(ns).start(HoldApp.class.getName(), "127.0.0.1", "60")) {
            String pid = value(app.awaitLine("pid=", 30));
            String local = value(app.awaitLine("local=", 30)).replaceFirst("^/", "");
            String remote = value(app.awaitLine("remote=", 30)).replaceFirst("^/", "");
            app.awaitLine("ready=", 30);
            Forked.Result r = status(ns, pid).assertExit(0);
            String out = r.stdout();
            assertTrue(out.contains("mptcp-nio via agent (in place), mode both; MPTCP available\n"), out);
            assertTrue(out.contains("wanted MPTCP, left on TCP: none"), out);
            // the rules, each with what it decided: the tests' loopback rule made the client MPTCP, the default the
            // listener (and the listener of the JVM's local JMX connector the status command started)
            assertTrue(out.matches("(?s).*  rules, first match wins \\(clients decided at connect, listeners at bind\\):"
                    + "\n    rule 1 \"loopback mptcp\" -> MPTCP +2 sockets\n.*"), out);
            assertTrue(out.matches("(?s).*    default \"client loopback tcp\" -> TCP +0 sockets\n.*"), out);
            assertTrue(out.matches("(?s).*    default \"mptcp\" -> MPTCP +1 socket\n.*"), out); // JMX's, on any address
            // by kind: the application's ServerSocket and Socket; the JMX connector's listener is not counted
            assertTrue(out.contains("made MPTCP: 1 listener, 1 client (ServerSocket 1, Socket 1); accepted "
                    + "connections are their listener's\n"), out);
            assertTrue(out.contains("MPTCP sockets now: 1 listener, 2 connections (2 multipath, 0 fell back to TCP: "
                    + "a peer or middlebox without MPTCP), 2 subflows\n"), out);
            assertTrue(out.matches("(?s).*  not counted: the JMX listener this command uses \\(port \\d+\\)\n.*"), out);
            // the application's client connection, with its one subflow and the 1000 bytes it sent, and its rule
            assertTrue(out.matches("(?s).*fd \\d+  connection  " + local.replace(".", "\\.") + " -> "
                    + remote.replace(".", "\\.") + "  sent 1000 B, received 0 B  \\[rule 1 \"loopback mptcp\"\\]"
                    + "\n      subflow " + local.replace(".", "\\.") + " -> " + remote.replace(".", "\\.")
                    + "  ESTABLISHED  rtt .*"), out);
            // its listener and the accepted end
            assertTrue(out.matches("(?s).*fd \\d+  listener  " + remote.replace(".", "\\.")
                    + "  \\[rule 1 \"loopback mptcp\"\\]\n.*"), out);
            assertTrue(out.contains("connection  " + remote + " -> " + local + "  sent 0 B, received 1000 B  "
                    + "[accepted]"), out);
            assertTrue(out.indexOf("  listener  ") < out.indexOf("  connection  "), "listeners first: " + out);
        }
    }

    /** mode=client: the listener stays TCP, so the client's MPTCP socket falls back when it connects. */
    @Test
    void statusShowsAConnectionThatFellBack() throws Exception {
        try (Netns ns = Netns.create("status-fb");
             Forked.Running app = Forked.jvm().in(ns).classPath(AgentIT.testClasses())
                     .args(AgentIT.agent() + ",mode=client", Forked.NATIVE_ACCESS)
                     .start(HoldApp.class.getName(), "127.0.0.1", "60")) {
            String pid = value(app.awaitLine("pid=", 30));
            String local = value(app.awaitLine("local=", 30)).replaceFirst("^/", "");
            app.awaitLine("ready=", 30);
            String out = status(ns, pid).assertExit(0).stdout();
            assertTrue(out.contains("mode client"), out);
            assertTrue(out.contains("made MPTCP: 0 listeners, 1 client (Socket 1); accepted connections are their "
                    + "listener's\n"), out);
            assertTrue(out.matches("(?s).*    mode=client: listener tcp -> TCP +2 sockets\n.*"), out); // and JMX's
            assertTrue(out.contains("MPTCP sockets now: 0 listeners, 1 connection (0 multipath, 1 fell back to TCP: "
                    + "a peer or middlebox without MPTCP), 0 subflows\n"), out);
            assertTrue(out.matches("(?s).*fd \\d+  connection \\(fell back to TCP\\)  " + local.replace(".", "\\.")
                    + " -> .*"), out);
        }
    }

    /**
     * Many connections: a summary first, then only the first 20 sockets unless asked for more; {@code --summary}
     * prints no socket, {@code --limit N} N of them, {@code --all} every one; and it answers quickly.
     */
    @Test
    void statusOfManyConnectionsSummarisesFirst() throws Exception {
        try (Netns ns = Netns.create("status-many");
             Forked.Running app = agentJvm(ns).start(HoldApp.class.getName(), "127.0.0.1", "60", "200")) {
            String pid = value(app.awaitLine("pid=", 30));
            app.awaitLine("ready=", 30);
            long start = System.nanoTime();
            String out = status(ns, pid).assertExit(0).stdout();
            long millis = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - start);
            assertTrue(out.contains("MPTCP sockets now: 1 listener, 402 connections (402 multipath, 0 fell back to TCP: "
                    + "a peer or middlebox without MPTCP), 402 subflows\n"), out);
            assertTrue(out.contains("  sockets (the first 20 of 403; --all for every one)"), out);
            assertEquals(20, out.lines().filter(l -> l.startsWith("    fd ")).count(), out);
            assertTrue(out.lines().count() < 70, "a screen or two, not one line per connection: " + out);
            String summary = statusWith(ns, pid, "--summary");
            assertEquals(0, summary.lines().filter(l -> l.startsWith("    fd ")).count(), summary);
            assertTrue(summary.contains("402 connections"), summary);
            assertEquals(3, statusWith(ns, pid, "--limit", "3").lines().filter(l -> l.startsWith("    fd ")).count());
            assertEquals(403, statusWith(ns, pid, "--all").lines().filter(l -> l.startsWith("    fd ")).count());
            System.out.println("status of 403 MPTCP sockets: " + millis + " ms (a forked JVM included)");
        }
    }

    private static String statusWith(Netns ns, String pid, String... options) throws Exception {
        List<String> args = new ArrayList<>(List.of("status", pid));
        args.addAll(List.of(options));
        return Forked.jvm().classPath(null).args("-jar", System.getProperty("mptcp.nio.test.alljar")).in(ns)
                .run(null, 60, args.toArray(new String[0])).assertExit(0).stdout();
    }

    /** Every kind of socket, counted as its own kind under the agent; under the switch only the channels. */
    @Test
    void statusCountsEveryKindOfSocket() throws Exception {
        try (Netns ns = Netns.create("kinds");
             Forked.Running agent = agentJvm(ns).start(KindsApp.class.getName(), "60")) {
            String pid = value(agent.awaitLine("pid=", 30));
            agent.awaitLine("ready=", 30);
            String out = status(ns, pid).assertExit(0).stdout();
            assertTrue(out.contains(" (AsynchronousServerSocketChannel 1, AsynchronousSocketChannel 1, ServerSocket 1, "
                    + "ServerSocketChannel 1, Socket 1, SocketChannel 1); "), out);
        }
        try (Netns ns = Netns.create("kinds-switch");
             Forked.Running withSwitch = Forked.jvm().in(ns).enabled().start(KindsApp.class.getName(), "60")) {
            String pid = value(withSwitch.awaitLine("pid=", 30));
            withSwitch.awaitLine("ready=", 30);
            String out = status(ns, pid).assertExit(0).stdout();
            assertTrue(out.contains("mptcp-nio via switch, mode both"), out);
            assertTrue(out.contains("made MPTCP: 1 listener, 1 client (ServerSocketChannel 1, SocketChannel 1); "), out);
            assertTrue(!out.contains("  rules, first match wins"), "the switch has no rules: " + out);
        }
    }

    @RequiresMptcp(netns = true, tools = "runuser")
    @Test
    void statusSaysSoWhenTheJvmHasNoMptcpNioOrCannotBeAttached() throws Exception {
        try (Netns ns = Netns.create("nolib");
             Forked.Running app = Forked.jvm().in(ns).classPath(AgentIT.testClasses())
                     .start(HoldApp.class.getName(), "127.0.0.1", "60")) {
            String pid = value(app.awaitLine("pid=", 30));
            app.awaitLine("ready=", 30);
            Forked.Result r = status(ns, pid);
            assertEquals(3, r.exit(), r.toString());
            assertTrue(r.stderr().contains("runs no mptcp-nio: no io.github.mptcpnio:type=Mptcp MBean"), r.stderr());
        }
        // a caller without the right to attach: the JVM runs as root, the command as nobody
        try (Netns ns = Netns.create("noright");
             Forked.Running app = agentJvm(ns).start(HoldApp.class.getName(), "127.0.0.1", "60")) {
            String pid = value(app.awaitLine("pid=", 30));
            app.awaitLine("ready=", 30);
            Path dir = Files.createTempDirectory("status-jar"); // a copy nobody can read, wherever the build is
            Path jar = dir.resolve("mptcp-nio-all.jar");
            Files.copy(Path.of(System.getProperty("mptcp.nio.test.alljar")), jar);
            Files.setPosixFilePermissions(dir, java.nio.file.attribute.PosixFilePermissions.fromString("rwxr-xr-x"));
            Files.setPosixFilePermissions(jar, java.nio.file.attribute.PosixFilePermissions.fromString("rw-r--r--"));
            Forked.Result r;
            try {
                r = Forked.jvm().classPath(null).wrappedBy("runuser", "-u", "nobody", "--")
                        .args("-jar", jar.toString()).run(null, 60, "status", pid);
            } finally {
                Files.delete(jar);
                Files.delete(dir);
            }
            assertEquals(2, r.exit(), r.toString());
            assertTrue(r.stderr().startsWith("cannot attach to JVM " + pid + ": ")
                    && r.stderr().contains("attach as the user that runs it, or root"), r.stderr());
        }
        Forked.Result notAJvm = status(null, "1"); // init: no JVM to attach to
        assertEquals(2, notAJvm.exit(), notAJvm.toString());
        assertTrue(notAJvm.stderr().startsWith("cannot attach to JVM 1: "), notAJvm.stderr());
        Forked.Result usage = status(null, "x");
        assertEquals(2, usage.exit(), usage.toString());
        assertTrue(usage.stderr().contains("usage: java -jar mptcp-nio-<version>-all.jar status <pid> [--summary | "
                + "--all | --limit N]"), usage.stderr());
        Forked.Result help = status(null, "--help").assertExit(0);
        assertTrue(help.stdout().startsWith("usage: java -jar mptcp-nio-<version>-all.jar status <pid>"), help.stdout());
        Forked.Result badFlag = Forked.jvm().classPath(null).args("-jar", System.getProperty("mptcp.nio.test.alljar"))
                .run(null, 60, "status", "1", "--verbose");
        assertEquals(2, badFlag.exit(), badFlag.toString());
        // the jar's own --help prints its usage instead of running the self-check
        Forked.Result jarHelp = Forked.jvm().classPath(null).args("-jar", System.getProperty("mptcp.nio.test.alljar"))
                .run(null, 60, "--help").assertExit(0);
        assertTrue(jarHelp.stdout().startsWith("usage: java -jar mptcp-nio-<version>-all.jar "), jarHelp.stdout());
        assertFalse(jarHelp.stdout().contains("self-check"), jarHelp.stdout());
        assertTrue(usage.stderr().contains("usage: java -jar mptcp-nio-<version>-all.jar status <pid>"),
                usage.stderr());
    }

    @Test
    void flightRecorderShowsTheConnectionsAndTheirSubflows() throws Exception {
        Path file = tmp.resolve("connections.jfr");
        try (Netns ns = Netns.create("jfr")) {
            Forked.Result r = agentJvm(ns, recordingFlag(file)).run(HoldApp.class.getName(), 60, "127.0.0.1", "2")
                    .assertExit(0);
            Map<String, String> facts = Lines.parse(r.stdout());
            String local = facts.get("local").replaceFirst("^/", "");
            String remote = facts.get("remote").replaceFirst("^/", "");
            List<RecordedEvent> connections = events(file, "io.github.mptcpnio.Connection");
            List<RecordedEvent> subflows = events(file, "io.github.mptcpnio.Subflow");
            assertTrue(connections.stream().anyMatch(e -> e.getString("local").equals(local)
                    && e.getString("remote").equals(remote) && e.getBoolean("multipath") && e.getInt("subflows") == 1
                    && e.getLong("bytesSent") == 1000 && e.getString("role").equals("connection")), connections
                    .toString());
            assertTrue(connections.stream().anyMatch(e -> e.getString("role").equals("listener")
                    && e.getString("local").equals(remote)), connections.toString());
            assertTrue(subflows.stream().anyMatch(e -> e.getString("local").equals(local)
                    && e.getString("remote").equals(remote) && e.getInt("state") == 1
                    && e.getLong("bytesSent") == 1000), subflows.toString());
        }
    }

    @Test
    void flightRecorderShowsAFallbackAtCreationWithItsReasonAndTheCreatingCode() throws Exception {
        Path file = tmp.resolve("fallback.jfr");
        try (Netns ns = Netns.create("jfr-fallback")) {
            ns.sysctl("net.mptcp.enabled", "0");
            agentJvm(ns, recordingFlag(file)).run(HoldApp.class.getName(), 60, "127.0.0.1", "1").assertExit(0);
            List<RecordedEvent> fallbacks = events(file, "io.github.mptcpnio.Fallback");
            assertEquals(2, fallbacks.size(), "the listener and the client: " + fallbacks);
            for (RecordedEvent e : fallbacks) {
                assertEquals("DISABLED_BY_SYSCTL", e.getString("reason"), e.toString());
                assertTrue(e.getString("message").contains("net.mptcp.enabled"), e.toString());
                assertTrue(e.getStackTrace().getFrames().stream().anyMatch(f -> f.getMethod().getType().getName()
                        .equals(HoldApp.class.getName())), "the stack names the application: " + e);
            }
            assertEquals(List.of("ServerSocket", "Socket"), fallbacks.stream().map(e -> e.getString("kind")).sorted()
                    .toList());
            assertTrue(events(file, "io.github.mptcpnio.Connection").isEmpty(), "no MPTCP socket to snapshot");
        }
    }

    /**
     * The two-path fixture: a 12 s transfer whose path B goes down for 3 s and comes back. The path-B subflow's bytes,
     * as the status command and the JFR snapshot report them, grow before, stand still while it is down, and grow
     * again after.
     */
    @Test
    void aPathGoingDownAndUpShowsInStatusAndInTheRecording() throws Exception {
        Path file = tmp.resolve("failover.jfr");
        try (TwoPaths net = TwoPaths.create()) {
            net.announcePathB(false);
            net.rateLimit("pa", 20);
            net.rateLimit("pb", 20);
            String port = String.valueOf(TwoPaths.PORT);
            try (Forked.Running server = Forked.jvm().in(net.server).classPath(AgentIT.testClasses())
                    .args(AgentIT.agent(), Forked.NATIVE_ACCESS).start(BulkApp.class.getName(), "server", port,
                            "blocking");
                 Forked.Running client = Forked.jvm().in(net.client).classPath(AgentIT.testClasses())
                         .args(AgentIT.agent(), Forked.NATIVE_ACCESS, recordingFlag(file))
                         .start(SubflowProbe.class.getName(), "watch", TwoPaths.A4_SERVER, port, "12")) {
                server.awaitLine("listening=", 30);
                String pid = value(client.awaitLine("pid=", 30));
                long before = pathBBytesInStatus(net.client, pid, 10);
                net.down("pb");
                Thread.sleep(1000);
                long downStart = pathBBytesInStatus(net.client, pid, 0);
                Thread.sleep(2000);
                long downEnd = pathBBytesInStatus(net.client, pid, 0);
                net.up("pb");
                Thread.sleep(4000);
                long after = pathBBytesInStatus(net.client, pid, 0);
                client.finish(60).assertExit(0);
                server.finish(30).assertExit(0);
                System.out.printf("status, path-B subflow bytes sent: %d before, %d..%d while down, %d after%n",
                        before, downStart, downEnd, after);
                assertTrue(before > 0, "path B carried data before it went down");
                assertTrue(downEnd - downStart < 100_000, "path B stood still while down: " + downStart + ".."
                        + downEnd);
                assertTrue(after > downEnd + 1_000_000, "path B carries data again after it came back");
            }
            List<RecordedEvent> onB = new ArrayList<>();
            for (RecordedEvent e : events(file, "io.github.mptcpnio.Subflow")) {
                if (e.getString("local").startsWith(TwoPaths.B4_CLIENT + ":")) {
                    onB.add(e);
                }
            }
            assertFalse(onB.isEmpty(), "the recording has the path-B subflow");
            long longestStill = 0;
            long stillSince = onB.get(0).getStartTime().toEpochMilli();
            for (int i = 1; i < onB.size(); i++) {
                long t = onB.get(i).getStartTime().toEpochMilli();
                if (onB.get(i).getLong("bytesSent") != onB.get(i - 1).getLong("bytesSent")) {
                    stillSince = t;
                }
                longestStill = Math.max(longestStill, t - stillSince);
            }
            long first = onB.get(0).getLong("bytesSent");
            long last = onB.get(onB.size() - 1).getLong("bytesSent");
            System.out.printf("recording: %d path-B subflow events, bytes %d -> %d, longest standstill %d ms%n",
                    onB.size(), first, last, longestStill);
            assertTrue(longestStill >= 2000, "the recording shows path B standing still while down: " + longestStill
                    + " ms");
            assertTrue(last > first + 1_000_000, "and moving again after");
        }
    }

    /** The path-B subflow's bytes sent in a {@code status} of the client JVM; waits up to {@code seconds} for it. */
    private static long pathBBytesInStatus(Netns ns, String pid, int seconds) throws Exception {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(seconds);
        while (true) {
            String out = status(ns, pid).assertExit(0).stdout();
            for (String line : out.split("\n")) {
                String t = line.trim();
                if (t.startsWith("subflow " + TwoPaths.B4_CLIENT + ":")) {
                    int sent = t.indexOf("sent ");
                    return Long.parseLong(t.substring(sent + 5, t.indexOf(" B,", sent)));
                }
            }
            if (System.nanoTime() > deadline) {
                throw new AssertionError("no path-B subflow in the status:\n" + out);
            }
            Thread.sleep(250);
        }
    }

    @Test
    void modeOffLoadsNoneOfTheOperatorsClassesAndNoModeCreatesThePlatformMBeanServer() throws Exception {
        try (Netns ns = Netns.create("off-classes")) {
            Forked.Result off = Forked.jvm().in(ns).classPath(AgentIT.testClasses())
                    .args(AgentIT.agent() + ",mode=off", Forked.NATIVE_ACCESS, "-verbose:class")
                    .run(HoldApp.class.getName(), 60, "127.0.0.1", "1").assertExit(0);
            assertFalse(off.stdout().contains("io.github.mptcpnio.internal.ops."), "mode off loaded ops classes");
            assertFalse(off.stdout().contains("io.github.mptcpnio.internal.Observability"), off.stdout());
            // the same check sees them when the mode is on (it can fail): the views' thread starts after a second and
            // waits for the platform MBean server without creating it, so JMX's platform set-up (and with it
            // java.util.logging's) stays the application's to do
            Forked.Result on = Forked.jvm().in(ns).classPath(AgentIT.testClasses())
                    .args(AgentIT.agent(), Forked.NATIVE_ACCESS, "-verbose:class")
                    .run(HoldApp.class.getName(), 60, "127.0.0.1", "3").assertExit(0);
            assertTrue(on.stdout().contains("io.github.mptcpnio.internal.ops.Registration "), "mode both starts it");
            assertTrue(on.stdout().contains("javax.management.MBeanServerFactory "), "and looks for the server");
            assertFalse(on.stdout().contains("java.lang.management.ManagementFactory "),
                    "but does not create the platform MBean server");
        }
    }

    private static String value(String line) {
        return line.substring(line.indexOf('=') + 1).trim();
    }

    private static List<RecordedEvent> events(Path file, String name) throws Exception {
        List<RecordedEvent> out = new ArrayList<>();
        for (RecordedEvent e : RecordingFile.readAllEvents(file)) {
            if (e.getEventType().getName().equals(name)) {
                out.add(e);
            }
        }
        return out;
    }
}
