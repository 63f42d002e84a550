package io.github.mptcpnio.testing;

import apps.BulkApp;

import java.io.IOException;
import java.util.List;
import java.util.Map;

/**
 * Two hosts joined by two links: network namespaces "client" and "server" with veth pairs {@code pa} (path A:
 * 192.0.2.0/24, 2001:db8:a::/64) and {@code pb} (path B: 198.51.100.0/24, 2001:db8:b::/64). Hosts are .2/::2 on the
 * client and .1/::1 on the server.
 *
 * <p>Path manager: the <b>server announces</b> its path-B address ({@link #announcePathB}, {@code ip mptcp endpoint add ... signal}) and the
 * client accepts announcements ({@code add_addr_accepted}). A connection opened on path A thus gets a second subflow
 * whose both ends are path-B addresses, so every subflow is attributable to one link by its addresses, and the client
 * needs no per-interface configuration (the common case of a multi-homed server). Everything is removed on
 * {@link #close()}, also when a test fails.
 */
public final class TwoPaths extends HostPair {
    public static final String A4_CLIENT = "192.0.2.2";
    public static final String A4_SERVER = "192.0.2.1";
    public static final String B4_CLIENT = "198.51.100.2";
    public static final String B4_SERVER = "198.51.100.1";
    public static final String A6_CLIENT = "2001:db8:a::2";
    public static final String A6_SERVER = "2001:db8:a::1";
    public static final String B6_CLIENT = "2001:db8:b::2";
    public static final String B6_SERVER = "2001:db8:b::1";
    /** The port the server programs listen on; the namespaces are private, so a fixed port cannot collide. */
    public static final int PORT = 5201;

    private TwoPaths(Netns client, Netns server) {
        super(client, server);
    }

    public static TwoPaths create() throws IOException {
        Netns[] ns = namespaces("c", "s");
        TwoPaths t = new TwoPaths(ns[0], ns[1]);
        try {
            t.link("pa", A4_CLIENT, A4_SERVER, A6_CLIENT, A6_SERVER);
            t.link("pb", B4_CLIENT, B4_SERVER, B6_CLIENT, B6_SERVER);
            t.server.exec("ip", "mptcp", "limits", "set", "subflows", "2", "add_addr_accepted", "0");
            // An ADD_ADDR that is lost (or not echoed) is sent again after add_addr_timeout, by default 120 s:
            // longer than any test waits. CI saw one IPv6 connection stay on one subflow for 10 s, once in hundreds.
            t.server.sysctl("net.mptcp.add_addr_timeout", "1");
            t.client.exec("ip", "mptcp", "limits", "set", "subflows", "2", "add_addr_accepted", "2");
        } catch (IOException | RuntimeException e) {
            t.close();
            throw e;
        }
        return t;
    }

    /**
     * The server announces its path-B address of one family. One family at a time: the JDK's dual-stack client
     * sockets accept announcements of both families, but a connection the server accepted over IPv4 does not take
     * IPv6 joins (measured on 6.18), so announcing both makes the two ends disagree about the subflow count.
     */
    public void announcePathB(boolean ipv6) throws IOException {
        server.exec("ip", "mptcp", "endpoint", "add", ipv6 ? B6_SERVER : B4_SERVER, "dev", "pb", "signal");
    }

    /**
     * One bulk transfer of {@code bytes} from the client namespace to the server namespace with the unmodified
     * {@link BulkApp} in forked JVMs ({@code serverMode}: blocking or selector), each with or without the switch.
     * Fails unless every byte arrived with the same SHA-256. Returns the server's and the client's key=value facts
     * ({@code millis}, {@code maxStallMs}, ...). Plain assertions, no JUnit: bench/ uses it too.
     */
    public List<Map<String, String>> transfer(String serverAddress, long bytes, String serverMode,
                                              boolean serverSwitch, boolean clientSwitch) throws Exception {
        Forked serverJvm = Forked.jvm().in(server);
        Forked clientJvm = Forked.jvm().in(client);
        if (serverSwitch) {
            serverJvm.enabled();
        }
        if (clientSwitch) {
            clientJvm.enabled();
        }
        String port = String.valueOf(PORT);
        try (Forked.Running s = serverJvm.start(BulkApp.class.getName(), "server", port, serverMode)) {
            s.awaitLine("listening=", 30);
            Forked.Result c = clientJvm.run(BulkApp.class.getName(), 300, "client", serverAddress, port,
                    String.valueOf(bytes)).assertExit(0);
            Forked.Result r = s.finish(30).assertExit(0);
            Map<String, String> sf = Lines.parse(r.stdout());
            Map<String, String> cf = Lines.parse(c.stdout());
            if (!String.valueOf(bytes).equals(sf.get("received")) || !sf.get("sha256").equals(cf.get("sha256"))) {
                throw new AssertionError("bytes lost or changed:\n" + r + "\n" + c);
            }
            return List.of(sf, cf);
        }
    }

    /** {@link #transfer(String, long, String, boolean, boolean)} with the switch on both ends or on neither. */
    public List<Map<String, String>> transfer(String serverAddress, long bytes, String serverMode, boolean withSwitch)
            throws Exception {
        return transfer(serverAddress, bytes, serverMode, withSwitch, withSwitch);
    }

}
