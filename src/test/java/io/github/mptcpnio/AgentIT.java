package io.github.mptcpnio;

import apps.EchoApp;
import io.github.mptcpnio.testing.Forked;
import io.github.mptcpnio.testing.Lines;
import io.github.mptcpnio.testing.ModeProbe;
import io.github.mptcpnio.testing.Netns;
import io.github.mptcpnio.testing.RequiresMptcp;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

import java.io.OutputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.TimeZone;
import java.util.concurrent.TimeUnit;
import java.util.jar.Attributes;
import java.util.jar.JarEntry;
import java.util.jar.JarOutputStream;
import java.util.jar.Manifest;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * {@code -javaagent:mptcp-nio-<version>-all.jar}: the one flag. No export flag, no switch, no class path entry:
 * proven from outside by the kernel's MP_CAPABLE counters in a private network namespace.
 */
@Timeout(value = 60, unit = TimeUnit.SECONDS)
class AgentIT {
    @TempDir
    static Path dir;
    static Path appJar;

    /**
     * The rule the tests that prove conversion over loopback inside a private namespace need: by default the agent
     * keeps loopback clients and listeners bound to loopback on TCP.
     */
    static final String LOOPBACK_MPTCP = "rules=loopback mptcp";

    /** The agent, with loopback clients on MPTCP ({@link #LOOPBACK_MPTCP}); more options follow after a comma. */
    static String agent() {
        return rawAgent() + "=" + LOOPBACK_MPTCP;
    }

    /** {@code -javaagent:<all-jar>}: the agent with its defaults (loopback clients and listeners stay TCP). */
    static String rawAgent() {
        String jar = System.getProperty("mptcp.nio.test.alljar");
        assertTrue(jar != null && Files.isRegularFile(Path.of(jar)), "all-jar not built: " + jar);
        return "-javaagent:" + jar;
    }

    static String testClasses() {
        return Path.of("target", "test-classes").toAbsolutePath().toString();
    }

    /** An executable application jar with only EchoApp in it, as a user would ship it. */
    @BeforeAll
    static void buildAppJar() throws Exception {
        appJar = dir.resolve("echo-app.jar");
        Manifest manifest = new Manifest();
        manifest.getMainAttributes().put(Attributes.Name.MANIFEST_VERSION, "1.0");
        manifest.getMainAttributes().put(Attributes.Name.MAIN_CLASS, EchoApp.class.getName());
        try (OutputStream out = Files.newOutputStream(appJar); JarOutputStream jar = new JarOutputStream(out, manifest)) {
            jar.putNextEntry(new JarEntry("apps/EchoApp.class"));
            jar.write(Files.readAllBytes(Path.of(testClasses(), "apps", "EchoApp.class")));
            jar.closeEntry();
        }
    }

    private static void assertMptcpHandshakes(Netns ns, Forked.Result r, int connections) throws Exception {
        assertEquals("OK connections=" + connections + " bytes=" + connections * 10000L, r.stdout().trim(), r::toString);
        assertEquals(connections, ns.counter("MPTcpExtMPCapableSYNRX"), r::toString);
        assertTrue(r.stderr().lines().noneMatch(l -> l.startsWith("WARNING")), "no JVM warning:\n" + r.stderr());
    }

    @RequiresMptcp(netns = true)
    @Test
    void withClassPath() throws Exception {
        try (Netns ns = Netns.create("agent-cp")) {
            Forked.Result r = Forked.jvm().in(ns).classPath(testClasses()).args(agent(), Forked.NATIVE_ACCESS)
                    .run(EchoApp.class.getName(), 30, "127.0.0.1", "3", "10000").assertExit(0);
            assertMptcpHandshakes(ns, r, 3);
        }
    }

    @RequiresMptcp(netns = true)
    @Test
    void withJavaMinusJar() throws Exception {
        try (Netns ns = Netns.create("agent-jar")) {
            Forked.Result r = Forked.jvm().in(ns).classPath(null)
                    .args(agent(), Forked.NATIVE_ACCESS, "-jar", appJar.toString())
                    .run(null, 30, "::1", "2", "10000").assertExit(0);
            assertMptcpHandshakes(ns, r, 2);
        }
    }

    @RequiresMptcp(netns = true)
    @Test
    void withTheApplicationOnTheModulePath() throws Exception {
        try (Netns ns = Netns.create("agent-mod")) {
            // echo-app.jar becomes the automatic module "echo.app"
            Forked.Result r = Forked.jvm().in(ns).classPath(null)
                    .args(agent(), Forked.NATIVE_ACCESS, "--module-path", appJar.toString(),
                            "-m", "echo.app/" + EchoApp.class.getName())
                    .run(null, 30, "127.0.0.1", "2", "10000").assertExit(0);
            assertMptcpHandshakes(ns, r, 2);
        }
    }

    /**
     * The agent warms the one line's formatting on its preload thread during {@code premain} (docs/adr/0010); an
     * application that then names its own {@code LogManager} and its default time zone in {@code main} (both read
     * once, at first use) still gets both, and the line is written through its manager.
     */
    @RequiresMptcp
    @Test
    void configurationTheApplicationSetsInMainStillApplies() throws Exception {
        String zone = TimeZone.getDefault().getID().equals("Asia/Kolkata") ? "America/Lima" : "Asia/Kolkata";
        Forked.Result r = Forked.jvm().classPath(testClasses()).args(rawAgent(), Forked.NATIVE_ACCESS)
                .run(apps.LateConfigApp.class.getName(), 30, zone).assertExit(0);
        assertEquals(List.of("manager=" + apps.LateConfigApp.Manager.class.getName(), "zone=" + zone, "OK"),
                r.stdout().lines().toList(), r::toString);
        List<String> ours = r.stderr().lines().filter(l -> l.contains("mptcp-nio")).toList();
        assertEquals(1, ours.size(), r::toString);
        assertTrue(ours.get(0).startsWith("INFO: mptcp-nio: MPTCP active ("), r::toString);
    }

    @RequiresMptcp
    @Test
    void optionsSelectTheMode() throws Exception {
        Forked.Result r = Forked.jvm().classPath(testClasses()).args(agent() + ",mode=server,strict=true",
                Forked.NATIVE_ACCESS).run(ModeProbe.class.getName(), 30).assertExit(0);
        Map<String, String> f = Lines.parse(r.stdout());
        assertEquals("MPTCP", f.get("listener.protocol"), r::toString);
        assertEquals("TCP", f.get("client.protocol"), r::toString);
        assertTrue(r.stderr().contains("mptcp.nio.mode=server, mptcp.nio.strict=true"), r.stderr());
    }

    @Test
    void aBadOptionStopsTheJvmWithAClearMessage() throws Exception {
        for (String bad : List.of("=mode=bogus", "=speed=fast", "=mode=server,mode=client")) {
            Forked.Result r = Forked.jvm().classPath(testClasses()).args(rawAgent() + bad)
                    .run(EchoApp.class.getName(), 30, "127.0.0.1", "1", "10");
            assertNotEquals(0, r.exit(), bad);
            assertTrue(!r.stdout().contains("OK"), "the application must not run: " + bad);
            assertTrue(r.stderr().contains("IllegalArgumentException: mptcp"), r.stderr());
        }
    }

    /**
     * {@code mode=off} checks its options and does nothing else (docs/adr/0010): before the application's main class,
     * only the classes that check the options are ours (not the agent's start, the rules, the hooks); sockets stay TCP
     * and no line is written. A rule given with it is still checked: a bad one still stops the JVM.
     */
    @RequiresMptcp
    @Test
    void modeOffChecksItsOptionsAndLoadsNothingElse(@TempDir Path dir) throws Exception {
        Path log = dir.resolve("classes.log");
        Forked.Result r = Forked.jvm().classPath(testClasses())
                .args(rawAgent() + "=mode=off", Forked.NATIVE_ACCESS, "-Xlog:class+load:file=" + log,
                        "--add-exports", "java.base/sun.nio.ch=ALL-UNNAMED") // off grants nothing; the probe reads fds
                .run(ModeProbe.class.getName(), 30).assertExit(0);
        Map<String, String> f = Lines.parse(r.stdout());
        assertEquals("TCP", f.get("listener.protocol"), r::toString);
        assertEquals("TCP", f.get("client.protocol"), r::toString);
        assertTrue(r.stderr().lines().noneMatch(l -> l.contains("mptcp-nio")), r.stderr());
        List<String> ours = new java.util.ArrayList<>();
        for (String line : Files.readAllLines(log)) {
            String name = line.substring(line.lastIndexOf("] ") + 2).split(" ")[0]; // [uptime][level][tags] name
            if (name.equals(ModeProbe.class.getName())) {
                break;
            }
            if (name.startsWith("io.github.mptcpnio.")) {
                ours.add(name);
            }
        }
        assertEquals(List.of("io.github.mptcpnio.internal.agent.Agent", "io.github.mptcpnio.internal.Settings",
                "io.github.mptcpnio.internal.Settings$Mode"), ours, "ours loaded before the application's main class");

        Forked.Result bad = Forked.jvm().classPath(testClasses()).args(rawAgent() + "=mode=off,rules=everything mptcp")
                .run(EchoApp.class.getName(), 30, "127.0.0.1", "1", "10");
        assertNotEquals(0, bad.exit(), bad::toString);
        assertTrue(!bad.stdout().contains("OK"), "the application must not run: " + bad);
        assertTrue(bad.stderr().contains("IllegalArgumentException: mptcp"), bad.stderr());
    }

    @Test
    void aConflictingSystemPropertyIsRejected() throws Exception {
        Forked.Result r = Forked.jvm().classPath(testClasses())
                .args(agent() + ",mode=server", "-Dmptcp.nio.mode=client")
                .run(EchoApp.class.getName(), 30, "127.0.0.1", "1", "10");
        assertNotEquals(0, r.exit());
        assertTrue(r.stderr().contains("option mode=server conflicts with -Dmptcp.nio.mode=client"), r.stderr());
    }

    /**
     * The agent creates the JDK's sockets as MPTCP where they are born, so an application that chose another of the
     * JDK's providers gets MPTCP too, and the JVM's provider stays what it chose.
     */
    @RequiresMptcp(netns = true)
    @Test
    void anotherJdkProviderGetsMptcpToo() throws Exception {
        try (Netns ns = Netns.create("agent-other")) {
            Forked.Result r = Forked.jvm().in(ns).classPath(testClasses())
                    .args(agent(), Forked.NATIVE_ACCESS, "-Djava.nio.channels.spi.SelectorProvider=sun.nio.ch.PollSelectorProvider")
                    .run(EchoApp.class.getName(), 30, "127.0.0.1", "2", "10000").assertExit(0);
            assertMptcpHandshakes(ns, r, 2);
        }
    }

    @RequiresMptcp
    @Test
    void selfCheckReportsTheAgent() throws Exception {
        String jar = System.getProperty("mptcp.nio.test.alljar");
        Forked.Result r = Forked.jvm().classPath(jar).args(agent(), Forked.NATIVE_ACCESS)
                .run("io.github.mptcpnio.internal.cli.SelfCheck", 30).assertExit(0);
        assertTrue(r.stdout().contains("launched with: the agent, creating every TCP socket as MPTCP in place"),
                r.stdout());
        assertTrue(r.stdout().contains("JDK export:    yes"), r.stdout());
    }

    /**
     * The rewritten JDK classes are kept in the per-user cache: the first start writes them, a warm start takes them
     * from there and loads no ASM class at all, and a kept class whose original differs from the JDK's is removed and
     * rewritten again — with MPTCP working every time (the kernel's view of both ends).
     */
    @RequiresMptcp
    @Test
    void aWarmStartTakesTheRewrittenClassesFromTheCacheWithoutAsm() throws Exception {
        Path home = Files.createTempDirectory(Path.of(System.getProperty("user.home")), "mptcpnio-agent-",
                java.nio.file.attribute.PosixFilePermissions.asFileAttribute(
                        java.nio.file.attribute.PosixFilePermissions.fromString("rwx------")));
        try {
            Path cache = home.resolve(".cache/mptcp-nio");
            String cold = cachedStart(home, "cold");
            assertTrue(cold.contains("] org.objectweb.asm.ClassReader "), "the first start rewrites with ASM");
            Path classes;
            try (var dirs = Files.list(cache)) {
                classes = dirs.filter(d -> d.getFileName().toString().startsWith("classes-")).findFirst()
                        .orElseThrow(() -> new AssertionError("no classes folder in " + cache));
            }
            List<String> kept;
            try (var files = Files.list(classes)) {
                kept = files.map(f -> f.getFileName().toString()).sorted().toList();
            }
            for (String c : List.of("sun.nio.ch.Net-", "sun.nio.ch.MptcpNioHooks-", "sun.nio.ch.SocketChannelImpl-")) {
                assertTrue(kept.stream().anyMatch(f -> f.startsWith(c) && f.endsWith(".class")), c + " in " + kept);
            }
            String warm = cachedStart(home, "warm");
            assertTrue(warm.lines().noneMatch(l -> l.contains("] org.objectweb.asm.")), "no ASM class loaded:\n" + warm);
            // nothing was loaded before the agent: no retransformation-capable transformer, which costs every class load
            assertTrue(warm.lines().noneMatch(l -> l.contains("AgentStart$Retransforming")), warm);

            Path net;
            try (var files = Files.list(classes)) {
                net = files.filter(f -> f.getFileName().toString().startsWith("sun.nio.ch.Net-")).findFirst()
                        .orElseThrow();
            }
            byte[] all = Files.readAllBytes(net);
            all[12 + 100] ^= 1; // inside the kept original: not the JDK's Net any more
            Files.write(net, all);
            String tampered = cachedStart(home, "tampered");
            assertTrue(tampered.contains("] org.objectweb.asm.ClassReader "), "rewritten again");
            byte[] again = Files.readAllBytes(net);
            assertNotEquals(all[12 + 100], again[12 + 100], "the file holds the JDK's original again");
        } finally {
            try (var all = Files.walk(home)) {
                for (Path p : all.sorted(java.util.Comparator.reverseOrder()).toList()) {
                    Files.delete(p);
                }
            }
        }
    }

    /** One start of {@link ModeProbe} under the agent with {@code home}; asserts MPTCP both ends; the class-load log. */
    private static String cachedStart(Path home, String name) throws Exception {
        Path log = home.resolve(name + ".log");
        Forked.Result r = Forked.jvm().wrappedBy("env", "-u", "XDG_CACHE_HOME").classPath(testClasses())
                .args(agent(), Forked.NATIVE_ACCESS, "-Duser.home=" + home, "-Xlog:class+load:file=" + log)
                .run(ModeProbe.class.getName(), 30).assertExit(0);
        Map<String, String> f = Lines.parse(r.stdout());
        assertEquals("MPTCP", f.get("listener.protocol"), r::toString);
        assertEquals("MPTCP", f.get("client.protocol"), r::toString);
        return Files.readString(log);
    }

    /**
     * The one line is written at the first socket from the kernel's {@code net.mptcp.enabled}, without waiting for the
     * native binding; the native probe (a second later) confirms it, and where the two differ — here because the
     * sysctl changes in between — one more line says so, with the probe's reason.
     */
    @RequiresMptcp(netns = true)
    @Test
    void theNativeProbeCorrectsALineWrittenBeforeIt() throws Exception {
        try (Netns ns = Netns.create("agent-flip")) {
            Forked.Result r = Forked.jvm().in(ns).classPath(testClasses()).args(rawAgent(), Forked.NATIVE_ACCESS)
                    .run(apps.SysctlFlipApp.class.getName(), 30, "0", "2500").assertExit(0);
            List<String> ours = r.stderr().lines().filter(l -> l.contains("mptcp-nio")).toList();
            assertEquals(2, ours.size(), r::toString);
            assertTrue(ours.get(0).startsWith("INFO: mptcp-nio: MPTCP active ("), r::toString);
            assertTrue(ours.get(1).startsWith("WARNING: mptcp-nio: MPTCP unavailable after all, sockets stay plain TCP")
                    && ours.get(1).contains("DISABLED_BY_SYSCTL"), r::toString);

            ns.sysctl("net.mptcp.enabled", "0");
            Forked.Result back = Forked.jvm().in(ns).classPath(testClasses()).args(rawAgent(), Forked.NATIVE_ACCESS)
                    .run(apps.SysctlFlipApp.class.getName(), 30, "1", "2500").assertExit(0);
            List<String> lines = back.stderr().lines().filter(l -> l.contains("mptcp-nio")).toList();
            assertEquals(2, lines.size(), back::toString);
            assertTrue(lines.get(0).startsWith("WARNING: mptcp-nio: MPTCP unavailable, channels stay plain TCP")
                    && lines.get(0).contains("DISABLED_BY_SYSCTL"), back::toString);
            assertTrue(lines.get(1).startsWith("INFO: mptcp-nio: MPTCP active after all ("), back::toString);
        }
    }

    /** Without a change, the probe agrees and the line stays the only one. */
    @RequiresMptcp(netns = true)
    @Test
    void theNativeProbeConfirmsSilently() throws Exception {
        try (Netns ns = Netns.create("agent-same")) {
            Forked.Result r = Forked.jvm().in(ns).classPath(testClasses()).args(rawAgent(), Forked.NATIVE_ACCESS)
                    .run(apps.SysctlFlipApp.class.getName(), 30, "1", "2500").assertExit(0);
            List<String> ours = r.stderr().lines().filter(l -> l.contains("mptcp-nio")).toList();
            assertEquals(1, ours.size(), r::toString);
            assertTrue(ours.get(0).startsWith("INFO: mptcp-nio: MPTCP active ("), r::toString);
        }
    }
}
