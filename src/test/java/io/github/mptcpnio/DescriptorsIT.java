package io.github.mptcpnio;

import io.github.mptcpnio.internal.linux.Linux;

import io.github.mptcpnio.testing.EmfileFirstChannelProbe;
import io.github.mptcpnio.testing.EmfileProbe;
import io.github.mptcpnio.testing.Fds;
import io.github.mptcpnio.testing.Forked;
import io.github.mptcpnio.testing.Lines;
import io.github.mptcpnio.testing.ModeProbe;
import io.github.mptcpnio.testing.RequiresMptcp;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

import java.net.StandardProtocolFamily;
import java.nio.channels.NetworkChannel;
import java.nio.channels.SelectableChannel;
import java.nio.channels.spi.SelectorProvider;
import java.util.Map;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** No descriptor leaks, in normal use and when the process runs out of descriptors. */
@RequiresMptcp
@Timeout(value = 120, unit = TimeUnit.SECONDS)
class DescriptorsIT {
    private static final int CHANNELS = 20_000;

    @Test
    void twentyThousandChannelsLeaveNoDescriptorBehind() throws Exception {
        SelectorProvider provider = new MptcpSelectorProvider();
        for (int i = 0; i < 100; i++) { // warm-up: class loading and the native binding open their files first
            provider.openSocketChannel().close();
        }
        long upgradedBefore = Mptcp.upgradedChannels();
        java.util.Set<String> before = new java.util.HashSet<>(Fds.targets().values());
        for (int i = 0; i < CHANNELS; i++) {
            boolean server = (i & 1) != 0;
            StandardProtocolFamily family = (i & 2) != 0 ? StandardProtocolFamily.INET6 : StandardProtocolFamily.INET;
            NetworkChannel ch = server ? provider.openServerSocketChannel(family) : provider.openSocketChannel(family);
            try {
                ((SelectableChannel) ch).configureBlocking((i & 4) != 0);
                if (i % 1000 == 0) {
                    assertEquals(Linux.IPPROTO_MPTCP, ModeProbe.protocol(ch));
                }
            } finally {
                ch.close();
            }
        }
        // the sockets open now that were not before (each socket has its own inode): other threads of this shared test
        // JVM may close descriptors meanwhile, so the count alone can drop; and the JVM itself opens files now and then
        // (a cgroup file of its container support failed this test once in CI), which are not channels' descriptors
        java.util.Set<String> leaked = new java.util.TreeSet<>(Fds.targets().values());
        leaked.removeAll(before);
        leaked.removeIf(t -> !t.startsWith("socket:"));
        assertEquals(java.util.Set.of(), leaked, "descriptors left open after " + CHANNELS + " channels");
        assertEquals(CHANNELS, Mptcp.upgradedChannels() - upgradedBefore);
    }

    private static Map<String, String> emfile(boolean withSwitch) throws Exception {
        // From target/classes rather than the jar: every class the library loads late needs a new descriptor, the
        // worst case for an application that runs out of them.
        String jar = System.getProperty("mptcp.nio.test.jar", "");
        String classes = java.nio.file.Path.of("target", "classes").toAbsolutePath().toString();
        String cp = Forked.testClassPath();
        if (!jar.isEmpty()) {
            cp = cp.replace(java.nio.file.Path.of(jar).toAbsolutePath().toString(), classes).replace(jar, classes);
        }
        assertTrue(cp.contains(classes), cp);
        Forked f = Forked.jvm().classPath(cp).wrappedBy("prlimit", "--nofile=256:256", "--");
        f = withSwitch ? f.enabled() : f.args(Forked.EXPORT, Forked.NATIVE_ACCESS);
        Forked.Result r = f.run(EmfileProbe.class.getName(), 60).assertExit(0);
        return Lines.parse(r.stdout());
    }

    @Test
    void outOfDescriptorsTheApplicationGetsTheJdksExceptionAndNothingLeaks() throws Exception {
        Map<String, String> jdk = emfile(false);
        Map<String, String> ours = emfile(true);
        // the same exception type as the JDK's own, with the same cause in its message
        String jdkType = jdk.get("failure").split(":")[0];
        assertEquals("java.net.SocketException", jdkType, jdk::toString);
        assertEquals(jdkType, ours.get("failure").split(":")[0], ours::toString);
        assertTrue(ours.get("failure").contains("Too many open files"), ours::toString);
        // every channel the application got is completely re-seated; none is half-done or plain
        assertEquals(ours.get("opened"), ours.get("mptcp"), ours::toString);
        assertEquals("0", ours.get("tcp"), ours::toString);
        assertTrue(Integer.parseInt(ours.get("opened")) > 100, ours::toString);
        // no socket left open that was not there before (the plain descriptor count is printed as "leaked" for
        // diagnosis; it can be off by one transient descriptor of the JVM's own)
        assertEquals("0", ours.get("leakedSockets"), ours::toString);
        assertEquals("0", jdk.get("leakedSockets"), jdk::toString);
        assertEquals("MPTCP", ours.get("after.protocol"), ours::toString);
    }

    /**
     * Regression: a JVM out of descriptors at its first channel stayed on TCP for life (the probe cached BLOCKED, and
     * jffi's class initialisers cached their failed load). Now the binding is not loaded while descriptors are
     * exhausted, that answer is not kept, and once descriptors are free again the next channel is MPTCP.
     */
    @Test
    void outOfDescriptorsAtTheFirstChannelIsNotRememberedForLife() throws Exception {
        Forked.Result r = Forked.jvm().enabled().wrappedBy("prlimit", "--nofile=256:256", "--")
                .run(EmfileFirstChannelProbe.class.getName(), 60).assertExit(0);
        Map<String, String> f = Lines.parse(r.stdout());
        assertEquals(MptcpSelectorProvider.class.getName(), f.get("provider"), r::toString);
        assertTrue(Integer.parseInt(f.get("files")) > 200, r::toString);
        assertTrue(f.get("first").startsWith("java.net.SocketException: ") && f.get("first").contains(
                "Too many open files"), "the JDK's own exception: " + r);
        assertEquals("RESOURCES_EXHAUSTED", f.get("during"), r::toString);
        assertEquals("MPTCP", f.get("after.protocol"), r::toString);
        assertEquals("true", f.get("after.available"), r::toString);
        assertEquals("none", f.get("after.unavailability"), r::toString);
        assertTrue(r.stderr().contains("INFO: mptcp-nio: MPTCP active"), "the announcement, once MPTCP works: " + r);
    }
}
