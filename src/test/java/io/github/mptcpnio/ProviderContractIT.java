package io.github.mptcpnio;

import io.github.mptcpnio.internal.JdkShim;
import io.github.mptcpnio.testing.Forked;
import org.junit.jupiter.api.Test;

import java.nio.channels.DatagramChannel;
import java.nio.channels.Pipe;
import java.nio.channels.Selector;
import java.nio.channels.spi.SelectorProvider;
import java.net.StandardProtocolFamily;
import java.nio.file.Path;
import java.util.jar.JarFile;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The provider's contract apart from the socket factories. */
class ProviderContractIT {

    /** Constructing the provider does no I/O, loads nothing native and logs nothing. */
    public static final class ConstructOnly {
        public static void main(String[] args) {
            new MptcpSelectorProvider();
            System.out.println("constructed");
        }
    }

    @Test
    void constructorLoadsNothingNativeAndLogsNothing() throws Exception {
        Forked.Result r = Forked.jvm().args("-verbose:class", Forked.EXPORT, Forked.NATIVE_ACCESS)
                .run(ConstructOnly.class.getName(), 30).assertExit(0);
        assertTrue(r.stdout().contains("constructed"), r.stdout());
        assertTrue(r.stdout().lines().noneMatch(l -> l.contains("com.kenai.jffi") || l.contains("internal.linux.LibC")),
                "native binding loaded by the constructor");
        assertTrue(r.stdout().lines().noneMatch(l -> l.contains("java.util.logging.")), "logging initialised");
        assertEquals("", r.stderr());
    }

    @Test
    void nonSocketFactoriesDelegateToTheJdk() throws Exception {
        SelectorProvider jdk = JdkShim.platformProvider();
        SelectorProvider ours = new MptcpSelectorProvider();
        try (Selector selector = ours.openSelector(); DatagramChannel udp = ours.openDatagramChannel();
             DatagramChannel udp6 = ours.openDatagramChannel(StandardProtocolFamily.INET6)) {
            assertSame(jdk, selector.provider());
            assertSame(jdk, udp.provider());
            assertSame(jdk, udp6.provider());
            Pipe pipe = ours.openPipe();
            assertSame(jdk, pipe.source().provider());
            pipe.source().close();
            pipe.sink().close();
            assertNull(ours.inheritedChannel(), "nothing is inherited by a test JVM");
        }
    }

    @Test
    void theJarDoesNotAutoActivateTheProvider() throws Exception {
        for (String property : new String[] {"mptcp.nio.test.jar", "mptcp.nio.test.alljar"}) {
            try (JarFile jar = new JarFile(Path.of(System.getProperty(property)).toFile())) {
                assertNull(jar.getEntry("META-INF/services/java.nio.channels.spi.SelectorProvider"), property);
            }
        }
    }
}
