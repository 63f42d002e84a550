package io.github.mptcpnio;

import io.github.mptcpnio.internal.JdkShim;
import io.github.mptcpnio.internal.linux.LibC;
import io.github.mptcpnio.internal.linux.Linux;
import io.github.mptcpnio.testing.ModeProbe;
import io.github.mptcpnio.testing.RequiresMptcp;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

import java.io.IOException;
import java.net.ProtocolFamily;
import java.net.SocketOption;
import java.net.StandardProtocolFamily;
import java.nio.channels.NetworkChannel;
import java.nio.channels.SelectableChannel;
import java.nio.channels.spi.SelectorProvider;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.stream.Stream;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;

/**
 * The re-seat copies the creation-time state: a socket the JDK created and one we re-seated are compared option
 * by option (every {@code supportedOptions()} value, read through the JDK's own {@code getOption}) and by the raw
 * kernel state the JDK sets up ({@code SO_DOMAIN}, {@code IPV6_V6ONLY}, file status flags, {@code FD_CLOEXEC}),
 * before and after {@code configureBlocking(false)}.
 */
@RequiresMptcp
class ReseatStateIT {
    private static final SelectorProvider JDK = JdkShim.platformProvider();
    private static final SelectorProvider MPTCP = new MptcpSelectorProvider();

    static Stream<Arguments> cases() {
        List<Arguments> out = new ArrayList<>();
        for (boolean server : new boolean[] {false, true}) {
            for (ProtocolFamily family : new ProtocolFamily[] {null, StandardProtocolFamily.INET,
                StandardProtocolFamily.INET6}) {
                for (boolean blocking : new boolean[] {true, false}) {
                    out.add(Arguments.of(server, family == null ? "default" : family.name(), blocking));
                }
            }
        }
        return out.stream();
    }

    private static NetworkChannel open(SelectorProvider p, boolean server, String family) throws IOException {
        if (family.equals("default")) {
            return server ? p.openServerSocketChannel() : p.openSocketChannel();
        }
        ProtocolFamily f = StandardProtocolFamily.valueOf(family);
        return server ? p.openServerSocketChannel(f) : p.openSocketChannel(f);
    }

    @ParameterizedTest(name = "server={0} family={1} blocking={2}")
    @MethodSource("cases")
    void reseatedSocketHasTheJdkSocketsState(boolean server, String family, boolean blocking) throws Exception {
        try (NetworkChannel jdk = open(JDK, server, family); NetworkChannel ours = open(MPTCP, server, family)) {
            assertEquals(Linux.IPPROTO_TCP, ModeProbe.protocol(jdk));
            assertEquals(Linux.IPPROTO_MPTCP, ModeProbe.protocol(ours)); // re-seated
            ((SelectableChannel) jdk).configureBlocking(blocking);
            ((SelectableChannel) ours).configureBlocking(blocking);
            assertEquals(jdk.supportedOptions(), ours.supportedOptions());
            Map<String, Integer> state = kernelState(jdk);
            assertEquals(state, kernelState(ours));
            Map<String, String> expected = options(jdk);
            Map<String, String> actual = options(ours);
            // Kernel differences, not re-seat state: on 6.18 MPTCP sockets do not implement getsockopt(TCP_QUICKACK),
            // nor IPV6_TCLASS (what the JDK reads for IP_TOS on an AF_INET6 socket). CompatibilityIT asserts them
            // exactly on the kernel they were measured on; here they are left out of the comparison on every kernel.
            for (String option : List.of("TCP_QUICKACK", "IP_TOS")) {
                expected.remove(option);
                actual.remove(option);
            }
            assertEquals(expected, actual);
        }
    }

    /**
     * The creation-time state is read from the kernel for the first channel of each kind and reused for later ones
     * (Reseater.CreationState). Every later channel of every kind, opened in any order from a fresh provider, must
     * still have exactly the JDK's kernel state and be MPTCP.
     */
    @org.junit.jupiter.api.Test
    void laterChannelsOfEveryKindGetTheSameStateAsTheFirst() throws Exception {
        SelectorProvider fresh = new MptcpSelectorProvider();
        List<Arguments> kinds = cases().filter(a -> (boolean) a.get()[2]).toList();
        for (int round = 0; round < 3; round++) {
            for (Arguments kind : round == 1 ? reversed(kinds) : kinds) {
                boolean server = (boolean) kind.get()[0];
                String family = (String) kind.get()[1];
                try (NetworkChannel jdk = open(JDK, server, family); NetworkChannel ours = open(fresh, server, family)) {
                    assertEquals(Linux.IPPROTO_MPTCP, ModeProbe.protocol(ours), kind::toString);
                    assertEquals(kernelState(jdk), kernelState(ours), "round " + round + " server=" + server
                            + " family=" + family);
                }
            }
        }
    }

    private static <T> List<T> reversed(List<T> list) {
        List<T> out = new ArrayList<>(list);
        java.util.Collections.reverse(out);
        return out;
    }

    /** Every supported option's value as the JDK reads it, or the exception class it throws. */
    static Map<String, String> options(NetworkChannel ch) {
        Map<String, String> out = new TreeMap<>();
        for (SocketOption<?> option : ch.supportedOptions()) {
            String value;
            try {
                value = String.valueOf(ch.getOption(option));
            } catch (IOException | RuntimeException e) {
                value = "threw " + e.getClass().getName();
            }
            out.put(option.name(), value);
        }
        return out;
    }

    static Map<String, Integer> kernelState(NetworkChannel ch) throws IOException {
        LibC libc = LibC.instance().orElseThrow();
        int fd = JdkShim.fd(ch);
        Map<String, Integer> out = new TreeMap<>();
        int domain = libc.getsockoptInt(fd, Linux.SOL_SOCKET, Linux.SO_DOMAIN, "SO_DOMAIN");
        out.put("SO_DOMAIN", domain);
        if (domain == Linux.AF_INET6) {
            out.put("IPV6_V6ONLY", libc.getsockoptInt(fd, Linux.IPPROTO_IPV6, Linux.IPV6_V6ONLY, "IPV6_V6ONLY"));
        }
        out.put("SO_REUSEADDR", libc.getsockoptInt(fd, Linux.SOL_SOCKET, Linux.SO_REUSEADDR, "SO_REUSEADDR"));
        out.put("F_GETFL", libc.fcntl(fd, Linux.F_GETFL, 0));
        out.put("F_GETFD", libc.fcntl(fd, Linux.F_GETFD, 0));
        return out;
    }
}
